from __future__ import annotations

from service.providers.prices import estimate_cost
from service.providers.tokens import count_chat_tokens, count_tokens, truncate_to_tokens


def test_token_counting_works_offline_and_counts_norwegian_text() -> None:
    n = count_tokens("Fiskesuppe på Sjøbua, kr 149,- hver fredag kl. 19.00")
    assert 10 < n < 40


def test_chat_framing_adds_tokens_per_message() -> None:
    one = count_chat_tokens(["hei"])
    two = count_chat_tokens(["hei", "hei"])
    assert two - one == count_tokens("hei") + 3


def test_truncation_respects_the_budget() -> None:
    text = "ord " * 500
    cut = truncate_to_tokens(text, 50)
    assert count_tokens(cut) <= 50 < count_tokens(text)


def test_cost_uses_the_price_table_and_settings_override_it() -> None:
    base = estimate_cost("gpt-4o-mini", 1_000_000, 1_000_000)
    assert base.priced and base.usd == 0.75
    cheaper = estimate_cost(
        "gpt-4o-mini", 1_000_000, 0, {"gpt-4o-mini": {"input": 0.1, "output": 0}}
    )
    assert cheaper.usd == 0.1


def test_an_unknown_model_is_reported_as_unpriced_not_free_by_guess() -> None:
    est = estimate_cost("gemma3-270m", 500, 100)
    assert est.priced is False and est.usd == 0.0
