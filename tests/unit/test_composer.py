"""The composer: every surface in the data composes a text that passes its checks, in bokmål and
English; the model's pieces are checked and replaced by deterministic ones when they fail; one
source's variants differ by surface; a small model's first answer is the composition."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest

from evals.text_metrics import jaccard
from service.container import Services
from service.generation.checks import CheckContext, hard_failures, run_checks
from service.generation.composer import (
    COPY_CLOSENESS,
    Composer,
    Habits,
    Material,
    closeness,
    learn_habits,
)
from service.generation.facts import STRICT_KINDS, FactKind, extract_facts
from service.generation.surfaces import Surface, load_surfaces
from service.generation.variant_schemas import paste_text
from service.generation.variants import VariantPipeline, VariantRequest
from service.library.demo import load_demo
from service.providers.llm import ChatMessage
from service.providers.llm_fake import FakeLLM

SOURCES = {
    "nb": [
        "Årets første flasker med tørr sider er tappet! Prøvesmaking i gårdsbutikken lørdag "
        "11. april kl. 11–16. En flaske koster 189,-, og vi har fortsatt noen kasser eplemost "
        "til 49 kroner flaska.\n\n#sider #gårdsbutikk",
        "🦪 Blåskjell i hvitvin og hvitløk – 229 kr\n\nFra skjellfarmen i Hellvik, servert med "
        "surdeigsbrød fra Jorunn. Perfekt å dele!\n\nBord bestiller du på sjobua.no eller "
        "51 49 22 10.",
        "Om fem dager fyller senteret 30 år! 🎉 Lørdag 14. mars feirer vi med kake til de "
        "første, konsert kl. 13 og jubileumstilbud i alle butikkene. Del gjerne dine beste "
        "minner i kommentarene 💛",
    ],
    "en": [
        "Our first bottles of dry cider are ready! Come to the farm shop tasting on Saturday "
        "April 11 from 11:00 to 16:00. A bottle costs 189 kr, and apple juice is 49 kr.",
        "Summer jobs at the harbour café ☀️ We need six waiters from June 1. Experience helps, "
        "but a good mood matters most. Apply to jobs@harbourcafe.com by April 1.",
    ],
}
ORGANISATION = {"nb": "Eplehagen Sideri", "en": "Harbour Café"}
BEST_POSTS = [
    "Nytt brød i dag! Kom innom gårdsbutikken 🍞 #eplehagen #lokalmat",
    "Takk for en fin helg. Del gjerne bildene deres med oss! #eplehagen #sider",
    "Helgens meny er klar. Kom innom! #eplehagen #lokalmat #hardanger",
]


def _material(language: str, source: str, habits: Habits | None = None) -> Material:
    facts = [f for f in extract_facts(source) if f.kind in STRICT_KINDS or f.kind is FactKind.name]
    return Material(
        organisation=ORGANISATION[language],
        language=language,
        source_text=source,
        required=facts,
        habits=habits or learn_habits(BEST_POSTS, language, [source]),
    )


def _ctx(material: Material, surface: Surface) -> CheckContext:
    return CheckContext(
        surface=surface,
        language=material.language,
        required=material.required,
        source_text=material.source_text,
        context_texts=[material.source_text],
    )


class ScriptedPieces:
    """Pieces as a test wants them, with a record of what was asked."""

    def __init__(self, hook: str | None = None, shorten: str | None = None) -> None:
        self.hook_reply, self.shorten_reply = hook, shorten
        self.asked: list[str] = []

    def hook(self, source: str, language: str, max_chars: int, angle: str) -> str | None:
        self.asked.append(f"hook:{max_chars}")
        return self.hook_reply

    def shorten(self, sentence: str, language: str, max_chars: int) -> str | None:
        self.asked.append(f"shorten:{max_chars}")
        return self.shorten_reply


CASES = [(lang, i) for lang, texts in SOURCES.items() for i in range(len(texts))]


@pytest.mark.parametrize("surface_id", load_surfaces().ids())
@pytest.mark.parametrize(("language", "index"), CASES)
def test_every_surface_composes_a_text_that_passes_its_checks(
    surface_id: str, language: str, index: int
) -> None:
    surface = load_surfaces().get(surface_id)
    material = _material(language, SOURCES[language][index])
    ctx = _ctx(material, surface)
    composition = Composer().compose(material, surface, ctx)
    checks = run_checks(ctx, composition.parts)
    failures = [f"{c.name}: {c.detail}" for c in hard_failures(checks)]
    assert not failures, paste_text(surface, composition.parts) + "\n" + "\n".join(failures)
    main = surface.main_field
    if main is not None:
        # Adapted, not handed back: the composer's own guard against a copy of the source.
        assert closeness(composition.parts[main], material.source_text) <= COPY_CLOSENESS


def test_a_hook_piece_that_passes_its_checks_opens_the_text() -> None:
    surface = load_surfaces().get("instagram_post")
    material = _material("nb", SOURCES["nb"][0])
    pieces = ScriptedPieces(hook="Nå smaker det høst fra gården vår")
    composition = Composer().compose(material, surface, _ctx(material, surface), pieces)
    assert composition.parts["text"].startswith("Nå smaker det høst fra gården vår")
    assert composition.pieces_used == ["hook"] and "+piece_hook" in composition.prompt_key


@pytest.mark.parametrize(
    "bad",
    [
        "Prøvesmaking lørdag 12. april til 99 kr",  # a date and a price the source never had
        "Fresh cider from our farm, come taste it",  # another language
        "x" * 200,  # longer than asked
        "#sider #høst",  # no words, only hashtags
        "Årets første flasker med tørr sider er tappet!",  # the source's own sentence
    ],
)
def test_a_hook_piece_that_fails_its_checks_is_replaced_by_a_template(bad: str) -> None:
    surface = load_surfaces().get("instagram_post")
    material = _material("nb", SOURCES["nb"][0])
    pieces = ScriptedPieces(hook=bad)
    composition = Composer().compose(material, surface, _ctx(material, surface), pieces)
    first_line = composition.parts["text"].splitlines()[0]
    assert first_line != bad and composition.pieces_rejected == ["hook"]
    assert not composition.pieces_used
    checks = run_checks(_ctx(material, surface), composition.parts)
    assert not hard_failures(checks)


def test_a_shortened_sentence_must_keep_its_facts_or_the_rules_cut_it() -> None:
    # An ad's primary text has a budget of 125 characters; the source's one sentence is longer.
    source = (
        "Fra 21. november til 20. desember serverer vi julebordsmeny med pinnekjøtt, ribbe, "
        "lutefisk og riskrem for 695 kr per person på fredager og lørdager."
    )
    surface = load_surfaces().get("meta_ad")
    material = _material("nb", source)
    lost_price = ScriptedPieces(shorten="Julebord fra 21. november til 20. desember")
    kept = Composer().compose(material, surface, _ctx(material, surface), lost_price)
    assert "shorten" in kept.pieces_rejected and "695 kr" in kept.parts["primary_text"]
    good = ScriptedPieces(shorten="Julebord 21. november–20. desember, 695 kr per person.")
    used = Composer().compose(material, surface, _ctx(material, surface), good)
    assert "shorten" in used.pieces_used
    assert used.parts["primary_text"].startswith("Julebord 21. november–20. desember, 695 kr")
    assert not hard_failures(run_checks(_ctx(material, surface), used.parts))


def test_one_sources_variants_differ_by_surface_not_by_length_alone() -> None:
    material = _material("nb", SOURCES["nb"][1])
    texts = {}
    for surface_id in ("instagram_post", "linkedin_post", "newsletter_blurb", "press_pitch"):
        surface = load_surfaces().get(surface_id)
        parts = Composer().compose(material, surface, _ctx(material, surface)).parts
        texts[surface_id] = paste_text(surface, parts)
    openings = {t.splitlines()[0] for t in texts.values()}
    assert len(openings) == len(texts), texts
    for a in texts.values():
        for b in texts.values():
            if a is not b:  # the eval's near-duplicate: character 5-gram Jaccard of 0.7
                assert jaccard(a, b) < 0.7, (a, b)


def test_the_organisations_calls_to_action_and_hashtags_come_from_its_best_posts() -> None:
    habits = learn_habits(BEST_POSTS, "nb", [SOURCES["nb"][0]])
    assert habits.hashtags[0] == "#eplehagen" and "#lokalmat" in habits.hashtags
    assert any(c.startswith("Kom innom") for c in habits.ctas)
    # A call to action naming a price the source does not have is another post's fact.
    priced = learn_habits(["Bestill nå for 99 kr!"], "nb", [SOURCES["nb"][0]])
    assert not priced.ctas
    surface = load_surfaces().get("instagram_post")
    material = _material("nb", SOURCES["nb"][0], habits)
    text = Composer().compose(material, surface, _ctx(material, surface)).parts["text"]
    assert "#eplehagen" in text and any(c in text for c in habits.ctas)


def test_links_move_to_the_ads_own_field_and_the_sentence_still_reads() -> None:
    surface = load_surfaces().get("meta_ad")
    material = _material("nb", SOURCES["nb"][1])
    parts = Composer().compose(material, surface, _ctx(material, surface)).parts
    assert parts[surface.link_field or ""] == "sjobua.no"
    assert "sjobua.no" not in parts["primary_text"] and "på eller" not in parts["primary_text"]


# --- the pipeline with a small model ---------------------------------------------------------


def _hook_reply(messages: Sequence[ChatMessage]) -> str:
    if "åpningslinje" in messages[-1].content:
        return json.dumps({"line": "Nå smaker det høst fra gården"}, ensure_ascii=False)
    return json.dumps({"text": "not a usable piece"})


@pytest.fixture
def small(services: Services) -> tuple[VariantPipeline, FakeLLM]:
    load_demo(services.db, services.vectors)
    llm = FakeLLM(default=_hook_reply)
    return VariantPipeline(services.db, services.vectors, llm, capability="small"), llm


def test_a_small_models_first_answer_is_the_composition_with_its_pieces(
    small: tuple[VariantPipeline, FakeLLM],
) -> None:
    pipeline, llm = small
    out = pipeline.run(
        VariantRequest(
            workspace="demo",
            text=SOURCES["nb"][0],
            surfaces=["instagram_post", "google_rsa", "meta_ad"],
        )
    )
    for v in out.variants:
        assert v.passed and v.first_attempt_passed and v.origin == "composed", v.failed_reasons
        assert v.prompt.startswith("composer@v1")
    insta = out.variants[0]
    assert insta.text.startswith("Nå smaker det høst fra gården") and insta.pieces == ["hook"]
    assert insta.attempts == 1 and insta.usage.completion_tokens > 0
    # No whole variant was asked for: every request was a small piece.
    assert all("JSON" in r[-1].content and "Flate:" not in r[-1].content for r in llm.requests)
    assert out.variants[1].attempts == 0, "an RSA is composed from rules alone"


def test_another_take_opens_and_ends_differently() -> None:
    # A month's draft written again as a near-copy asks for another take (a tone).
    surface = load_surfaces().get("facebook_post")
    habits = Habits(ctas=["Kom innom gårdsbutikken!", "Del gjerne med en venn!"])
    first = _material("nb", SOURCES["nb"][2], habits)
    again = first.model_copy(update={"variation": 1})
    a = Composer().compose(first, surface, _ctx(first, surface)).parts["text"]
    b = Composer().compose(again, surface, _ctx(again, surface)).parts["text"]
    assert a.splitlines()[0] != b.splitlines()[0] and a.splitlines()[-1] != b.splitlines()[-1]


def test_the_capability_comes_from_the_model_registry_or_the_setting() -> None:
    from service.settings import Settings

    local = Settings(llm="local", env="test")
    assert local.llm_capability == "small" and local.llm_pieces == frozenset()
    api = Settings(llm="openai", openai_api_key="sk-test", env="test")
    assert api.llm_capability == "capable" and api.llm_pieces == {"hook", "shorten"}
    forced = Settings(llm="openai", openai_api_key="sk-test", model_capability="small", env="test")
    assert forced.llm_capability == "small"
    unknown = Settings(llm="local", local_model="/models/other.gguf", env="test")
    assert unknown.llm_capability == "small" and unknown.llm_pieces == {"hook", "shorten"}
