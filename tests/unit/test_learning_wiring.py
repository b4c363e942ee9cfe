"""Style rules through the real variant pipeline (scripted model): each checkable kind is
repaired or fails the variant with a check naming it; the others reach the prompt; approvals
store examples that grounding ranks as such; switching learning off switches all of it off."""

from __future__ import annotations

import json
from typing import Any

import pytest

from service.container import Services
from service.domain import DraftStatus
from service.generation.variants import VariantRequest
from service.learning import text as tx
from service.learning.rules import RuleKind, ScopeType
from service.learning.service import RuleIn, RulePatch
from service.library.demo import load_demo
from service.messages import render
from service.providers.llm_fake import FakeLLM
from service.settings import Settings

SOURCE = "Ny vintersider med kanel og nellik! 229,- flaska i gårdsbutikken.\nSe eplehagen.no."


def reply(text: str) -> str:
    return json.dumps({"text": text}, ensure_ascii=False)


@pytest.fixture
def demo(services: Services) -> Services:
    load_demo(services.db, services.vectors)
    return services


def run(services: Services, surface: str = "facebook_post") -> Any:
    out = services.variants.run(VariantRequest(workspace="demo", text=SOURCE, surfaces=[surface]))
    return out.variants[0]


# (rule, what the model writes, what must hold of the variant's text afterwards)
REPAIRED: list[tuple[RuleKind, dict[str, Any], str, Any]] = [
    (
        RuleKind.forbidden_phrase,
        {"phrase": "kjempegod"},
        "Kjempegod vintersider med kanel! 229,- flaska.\nSe eplehagen.no.",
        lambda t: "kjempegod" not in t.lower(),
    ),
    (
        RuleKind.replacement,
        {"old": "vintersider", "new": "julesider"},
        "Ny vintersider med kanel og nellik! 229,- flaska.\nSe eplehagen.no.",
        lambda t: "julesider" in t and "vintersider" not in t,
    ),
    (
        RuleKind.emoji_cap,
        {"max": 0},
        "Ny vintersider 🍎🎉 med kanel! 229,- flaska.\nSe eplehagen.no.",
        lambda t: not tx.emojis(t),
    ),
    (
        RuleKind.hashtag_cap,
        {"max": 1},
        "Ny vintersider med kanel! 229,- flaska. Se eplehagen.no.\n\n#sider #eple #jul",
        lambda t: len(tx.hashtags(t)) == 1,
    ),
    (
        RuleKind.exclamation_cap,
        {"max": 0},
        "Ny vintersider med kanel!! 229,- flaska!\nSe eplehagen.no!",
        lambda t: "!" not in t,
    ),
    (
        RuleKind.length_budget,
        {"max_chars": 80},
        "Ny vintersider med kanel og nellik. 229,- flaska på eplehagen.no. "
        "Vi har åpent hele helga, og vi gleder oss til å se dere alle sammen her.",
        lambda t: len(t) <= 80,
    ),
    (
        RuleKind.sign_off,
        {"text": "Vel møtt!"},
        "Ny vintersider med kanel! 229,- flaska.\nSe eplehagen.no.",
        lambda t: t.rstrip().endswith("Vel møtt!"),
    ),
    (
        RuleKind.first_person,
        {"old": "vi", "new": "me"},
        "Vi har ny vintersider med kanel! 229,- flaska.\nSe eplehagen.no.",
        lambda t: t.startswith("Me har"),
    ),
    (
        RuleKind.link_placement,
        {"position": "end"},
        "Se eplehagen.no for ny vintersider. 229,- flaska.\nhttps://eplehagen.no",
        lambda t: True,  # placed by the model already: the check below says it passes
    ),
]


@pytest.mark.parametrize(("kind", "params", "written", "holds"), REPAIRED, ids=lambda x: str(x))
def test_each_checkable_rule_kind_is_repaired_in_the_pipeline(
    demo: Services, fake_llm: FakeLLM, kind: RuleKind, params: dict[str, Any], written: str,
    holds: Any,
) -> None:  # fmt: skip
    demo.learning.add_rule("demo", RuleIn(kind=kind, params=params))
    fake_llm.default = reply(written)
    v = run(demo)
    assert holds(v.text), v.text
    assert v.passed, v.failed_reasons
    summary = next(c for c in v.checks if c.name == "style_rules")
    assert summary.passed
    assert not [c for c in v.checks if c.name.startswith("style_rule:")]
    # What the person reviews is what was checked: the stored draft carries the repaired text.
    with demo.db.session() as s:
        from service.storage.repositories import DraftRepo

        assert DraftRepo(s).get("demo", v.draft_id).text == v.text


def test_a_link_moved_to_the_end_by_the_rule(demo: Services, fake_llm: FakeLLM) -> None:
    demo.learning.add_rule("demo", RuleIn(kind=RuleKind.link_placement, params={"position": "end"}))
    fake_llm.default = reply("Les mer på https://eplehagen.no om ny vintersider. 229,- flaska.")
    v = run(demo)
    assert v.passed and v.rule_repaired
    assert tx.last_line(v.text).endswith("https://eplehagen.no")


def test_a_rule_no_repair_can_satisfy_fails_the_variant_with_the_reason(
    demo: Services, fake_llm: FakeLLM
) -> None:
    demo.learning.add_rule(
        "demo", RuleIn(kind=RuleKind.required_phrase, params={"phrase": "#eplehagen"})
    )
    fake_llm.default = reply("Ny vintersider med kanel! 229,- flaska.\nSe eplehagen.no.")
    v = run(demo)
    assert not v.passed
    [broken] = [c for c in v.checks if c.name.startswith("style_rule:")]
    assert broken.code == "check.style_rule.required_phrase" and broken.hard
    assert "#eplehagen" in broken.detail
    assert render(broken.code, broken.params, "en").endswith("“#eplehagen” missing")
    assert any("#eplehagen" in r for r in v.failed_reasons)


def test_rules_scoped_to_another_channel_or_switched_off_are_not_applied(
    demo: Services, fake_llm: FakeLLM
) -> None:
    other = demo.learning.add_rule(
        "demo",
        RuleIn(
            kind=RuleKind.emoji_cap,
            params={"max": 0},
            scope=ScopeType.channel,
            scope_value="instagram",
        ),
    )
    off = demo.learning.add_rule(
        "demo", RuleIn(kind=RuleKind.forbidden_phrase, params={"phrase": "kanel"})
    )
    demo.learning.update_rule("demo", off.id, RulePatch(enabled=False))
    written = "Ny vintersider 🍎 med kanel! 229,- flaska.\nSe eplehagen.no."
    fake_llm.default = reply(written)
    assert run(demo).text == written
    assert other.scope_value == "instagram"


def test_rules_no_check_decides_reach_the_prompt_and_checked_ones_do_not(
    demo: Services, fake_llm: FakeLLM
) -> None:
    demo.learning.add_rule("demo", RuleIn(kind=RuleKind.emoji_min, params={"min": 2}))
    demo.learning.add_rule(
        "demo", RuleIn(kind=RuleKind.style_note, params={"text": "Skriv lunt og lokalt."})
    )
    demo.learning.add_rule("demo", RuleIn(kind=RuleKind.emoji_cap, params={"max": 5}))
    fake_llm.default = reply("Ny vintersider med kanel! 229,- flaska.\nSe eplehagen.no.")
    run(demo)
    prompt = "\n".join(m.content for m in fake_llm.requests[0])
    assert "Bruk minst 2 emoji." in prompt and "Skriv lunt og lokalt." in prompt
    assert "Høyst 5 emoji" not in prompt  # enforced whatever the model writes


def test_a_rule_repair_that_would_break_a_surface_check_is_not_kept(
    demo: Services, fake_llm: FakeLLM
) -> None:
    # A forbidden price: removing it would drop a fact the source requires, so the model's
    # text stands and the rule says why the variant fails.
    demo.learning.add_rule("demo", RuleIn(kind=RuleKind.forbidden_phrase, params={"phrase": "229"}))
    written = "Ny vintersider med kanel! 229,- flaska.\nSe eplehagen.no."
    fake_llm.default = reply(written)
    v = run(demo)
    assert v.text == written and not v.passed
    assert [c.code for c in v.checks if c.name.startswith("style_rule:")] == [
        "check.style_rule.forbidden_phrase"
    ]


def test_approved_drafts_ground_the_next_ones_edited_text_first(
    demo: Services, fake_llm: FakeLLM
) -> None:
    fake_llm.default = reply("Ny vintersider med kanel! 229,- flaska.\nSe eplehagen.no.")
    v = run(demo)
    edit = "Vintersider med kanel og nellik fra egen hage. 229,- flaska.\nSe eplehagen.no."
    demo.learning.review("demo", v.draft_id, DraftStatus.approved, edit)
    out = demo.variants.run(VariantRequest(workspace="demo", text=edit, surfaces=["facebook_post"]))
    again = demo.variants.run(
        VariantRequest(workspace="demo", text=SOURCE, surfaces=["facebook_post"])
    )
    drafts = [e for e in again.examples if e.post_id == v.draft_id]
    assert drafts and drafts[0].kind == "edited_draft" and drafts[0].text == edit
    assert v.draft_id in again.variants[0].examples_used
    # The draft's own text is never its own example.
    assert v.draft_id not in [e.post_id for e in out.examples]


def test_with_learning_off_nothing_is_mined_stored_or_enforced(
    settings: Settings, fake_llm: FakeLLM
) -> None:
    from service.providers.embeddings import HashingEmbedder

    off = settings.model_copy(update={"learning": False})
    services = Services(off, llm=fake_llm, embedder=HashingEmbedder())
    try:
        load_demo(services.db, services.vectors)
        services.learning.add_rule("demo", RuleIn(kind=RuleKind.emoji_cap, params={"max": 0}))
        written = "Ny vintersider 🍎 med kanel! 229,- flaska.\nSe eplehagen.no."
        fake_llm.default = reply(written)
        for _ in range(3):
            v = run(services)
            assert v.text == written
            services.learning.review(
                "demo", v.draft_id, DraftStatus.approved, written.replace(" 🍎", "")
            )
        assert [r.source.value for r in services.learning.rules("demo")] == ["manual"]
        hits = services.vectors.query("demo", written, k=50)
        assert not [h for h in hits if h.metadata.get("kind") == "approved_draft"]
    finally:
        services.close()


def test_a_source_whose_reuses_performed_ranks_higher_and_one_that_flopped_lower(
    demo: Services,
) -> None:
    from service.generation.grounding import PERFORMANCE_WEIGHT, select_examples
    from service.storage.repositories import PostRepo

    with demo.db.session() as s:
        posts = PostRepo(s).list("demo")

    def scores(weights: dict[str, float] | None) -> dict[str, float]:
        found = select_examples(
            demo.vectors, "demo", SOURCE, posts, source_weights=weights, max_examples=20,
            budget_tokens=100_000,
        )  # fmt: skip
        return {e.post_id: e.score for e in found}

    plain = scores(None)
    up, down = sorted(plain)[:2]
    weighted = scores({up: 1.6, down: 0.4})
    assert weighted[up] == pytest.approx(plain[up] + PERFORMANCE_WEIGHT * 0.6, abs=1e-3)
    assert weighted[down] == pytest.approx(plain[down] - PERFORMANCE_WEIGHT * 0.6, abs=1e-3)
    others = set(plain) - {up, down}
    assert all(weighted[p] == plain[p] for p in others)


AD_SOURCE = "Ny vintersider med kanel og nellik! 229,- flaska i gårdsbutikken."


def ad(primary_text: str) -> str:
    return json.dumps(
        {"primary_text": primary_text, "headline": "Ny vintersider", "description": ""},
        ensure_ascii=False,
    )


def run_ad(services: Services) -> Any:
    req = VariantRequest(workspace="demo", text=AD_SOURCE, surfaces=["meta_ad"])
    return services.variants.run(req).variants[0]


def test_a_sign_off_on_an_ad_near_125_characters_makes_room_and_keeps_the_price(
    demo: Services, fake_llm: FakeLLM
) -> None:
    """The Meta ad's primary text was within its recommended 125 characters: with the learnt
    sign-off it still is, it ends with the sign-off, and the price stays (the sentence without
    a fact made the room)."""
    demo.learning.add_rule("demo", RuleIn(kind=RuleKind.sign_off, params={"text": "Vel møtt!"}))
    written = (
        "Ny vintersider med kanel og nellik, 229,- flaska i gårdsbutikken. Vi har smakt oss "
        "fram hele høsten for å finne den."
    )
    assert len(written) <= 125 < len(written) + len("\nVel møtt!")
    fake_llm.default = ad(written)
    v = run_ad(demo)
    text = v.parts["primary_text"]
    assert v.passed and v.origin == "model", v.failed_reasons
    assert text.endswith("\nVel møtt!") and len(text) <= 125 and "229,-" in text, text
    assert next(c for c in v.checks if c.name == "length_recommended").passed


def test_a_sign_off_with_no_room_in_an_ad_says_so_in_a_failed_check(
    demo: Services, fake_llm: FakeLLM
) -> None:
    """One sentence that carries the price and no clause to spare: nothing is cut, the sign-off
    goes past the recommended length, and the recommended-length check fails with the reason
    (advice, as the recommendation is: the ad still passes its hard checks)."""
    demo.learning.add_rule("demo", RuleIn(kind=RuleKind.sign_off, params={"text": "Vel møtt!"}))
    written = (
        "Ny vintersider med kanel og nellik står klar for 229,- flaska i gårdsbutikken og "
        "smaker av epler fra hagen vår i høst."
    )
    assert len(written) <= 125 < len(written) + len("\nVel møtt!")
    fake_llm.default = ad(written)
    v = run_ad(demo)
    assert v.parts["primary_text"] == f"{written}\nVel møtt!"
    check = next(c for c in v.checks if c.name == "length_recommended")
    assert not check.passed and not check.hard
    assert check.code == "check.length_recommended.no_room"
    assert "Vel møtt!" in check.detail and "125" in check.detail
    for lang in ("nb", "nn", "en"):
        assert "Vel møtt!" in render(check.code, check.params, lang)
    assert v.passed and v.origin == "model", v.failed_reasons
