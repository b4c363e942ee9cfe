"""A copy is not a variant: a text that is (nearly) the source unchanged fails `not_a_copy` on
every surface that asks for adaptation, is given back to the model with that reason, and comes
out failed when the model copies again; a real adaptation passes."""

from __future__ import annotations

import pytest

from evals.baselines import copy_source
from service.generation.checks import (
    CheckContext,
    hard_failures,
    run_checks,
    similar_above,
    similarity,
)
from service.generation.facts import extract_facts
from service.generation.surfaces import load_surfaces
from service.generation.variants import VariantPipeline
from service.messages import render
from service.providers.llm_fake import FakeLLM
from tests.fixtures.answers import varied_text
from tests.unit.test_variants import (  # noqa: F401
    CIDER,
    GOOD,
    model_only,
    pipeline,
    reply,
    request,
)

ADAPTING = ["instagram_post", "linkedin_post", "facebook_post"]
# The source with a word or two changed and the app's own line added: still the source.
NEAR = (
    CIDER.replace("Årets første", "De første").replace("eplemost", "eplemost igjen")
    + " Lenke i bio! #sider #gårdsbutikk"
)


@pytest.mark.parametrize("surface_id", ADAPTING)
@pytest.mark.parametrize("copy", [CIDER, NEAR], ids=["verbatim", "near-verbatim"])
def test_a_copy_of_the_source_fails_and_is_returned_failed(
    model_only: VariantPipeline,  # noqa: F811
    fake_llm: FakeLLM,
    surface_id: str,
    copy: str,
) -> None:
    fake_llm.default = reply(text=copy)
    (v,) = model_only.run(request(surfaces=[surface_id])).variants
    check = next(c for c in v.checks if c.name == "not_a_copy")
    assert not v.passed and not check.passed and check.hard
    assert check.code == "check.not_a_copy.copy"
    assert int(check.params["similarity"] or 0) > int(check.params["limit"] or 0)
    assert any(r.startswith("ikke en kopi: nesten lik kilden") for r in v.failed_reasons)
    # The model was told why, and asked again, before the variant was given up.
    assert v.attempts == 3
    repair_prompt = fake_llm.requests[1][-1].content
    assert "not_a_copy" in repair_prompt


@pytest.mark.parametrize("surface_id", ADAPTING)
@pytest.mark.parametrize("copy", [CIDER, NEAR], ids=["verbatim", "near-verbatim"])
def test_a_model_that_keeps_copying_gives_way_to_a_composed_draft_that_is_no_copy(
    pipeline: VariantPipeline,  # noqa: F811
    fake_llm: FakeLLM,
    surface_id: str,
    copy: str,
) -> None:
    fake_llm.default = reply(text=copy)
    (v,) = pipeline.run(request(surfaces=[surface_id])).variants
    check = next(c for c in v.checks if c.name == "not_a_copy")
    assert v.origin == "composed_fallback" and v.attempts == 3
    assert v.passed and check.passed, v.failed_reasons
    assert similarity(v.text, CIDER) <= 0.85


@pytest.mark.parametrize("surface_id", ADAPTING)
def test_a_genuinely_adapted_text_passes_the_copy_check(
    pipeline: VariantPipeline,  # noqa: F811
    fake_llm: FakeLLM,
    surface_id: str,
) -> None:
    fake_llm.queue(reply(text=GOOD))
    (v,) = pipeline.run(request(surfaces=[surface_id])).variants
    check = next(c for c in v.checks if c.name == "not_a_copy")
    assert check.passed and v.passed, v.failed_reasons
    assert int(check.params["similarity"] or 0) < 85


def test_a_model_that_adapts_after_being_told_it_copied_passes(
    pipeline: VariantPipeline,  # noqa: F811
    fake_llm: FakeLLM,
) -> None:
    fake_llm.queue(reply(text=CIDER), reply(text=GOOD))
    (v,) = pipeline.run(request(surfaces=["linkedin_post"])).variants
    assert v.passed and v.attempts == 2 and v.text == GOOD


def test_a_surface_that_takes_the_text_as_it_is_opts_out_in_the_data() -> None:
    catalog = load_surfaces()
    assert catalog.copy_rule.max_similarity == 0.85
    takes_as_is = {sf.id for sf in catalog.surfaces.values() if not sf.adapts}
    assert takes_as_is and not takes_as_is & set(ADAPTING)
    quoting = catalog.get(sorted(takes_as_is)[0])
    ctx = CheckContext(
        surface=quoting, language="nb", required=extract_facts(CIDER), source_text=CIDER
    )
    assert "not_a_copy" not in {c.name for c in run_checks(ctx, {"text": CIDER})}


def test_a_short_source_is_not_judged_a_copy() -> None:
    short = "Åpent i dag kl. 10–16!"
    ctx = CheckContext(
        surface=load_surfaces().get("facebook_post"), language="nb", required=[],
        source_text=short,
    )  # fmt: skip
    check = next(c for c in run_checks(ctx, {"text": short}) if c.name == "not_a_copy")
    assert check.passed and check.code == "check.not_a_copy.short_source"


@pytest.mark.parametrize("surface_id", [*ADAPTING, "meta_ad", "google_rsa", "newsletter_blurb"])
def test_the_copy_baseline_fails_the_product_check_on_every_adapting_surface(
    surface_id: str,
) -> None:
    """The eval's copy baseline (0 % usable by the eval's own chrF metric) is refused by the
    product's check too, whatever its other checks say."""
    surface = load_surfaces().get(surface_id)
    ctx = CheckContext(
        surface=surface, language="nb", required=extract_facts(CIDER), source_text=CIDER
    )
    failed = {c.name for c in hard_failures(run_checks(ctx, copy_source(surface, CIDER)))}
    assert "not_a_copy" in failed


def test_likeness_is_words_in_order_and_renders_in_each_language() -> None:
    assert similarity(CIDER, CIDER) == 1.0
    assert similarity(NEAR, CIDER) > 0.85 > similarity(GOOD, CIDER)
    assert similarity(" ".join(reversed(CIDER.split())), CIDER) < 0.5, "order matters"
    params = {"similarity": 92, "limit": 85}
    assert render("check.not_a_copy.copy", params, "en").startswith("nearly the source (92 %")
    assert render("check.not_a_copy.copy", params, "nn").startswith("nesten lik kjelda")


def test_the_bounded_similarity_decides_as_the_ratio_does() -> None:
    """The month's near-copy comparison decides by difflib's upper bounds first: the same
    verdict as the ratio itself, at every limit, on near-copies and on unrelated texts."""
    base = [varied_text(n) for n in range(12)]
    texts = base + [t + " Velkommen!" for t in base[:4]] + [t.replace(".", "!") for t in base[:4]]
    texts += ["", "Hei."]
    for a in texts:
        for b in texts:
            for limit in (0.3, 0.6, 0.8, 0.95):
                assert similar_above(a, b, limit) == (similarity(a, b) > limit), (a, b, limit)
