"""A month's drafts composed by the offline default (capability small, no model pieces): a
slot's brief carries a subject from data and never the planner's instruction; borrowed words
are timeless for the slot's date; a draft without material fails with a reason; and no text
comes twice in a month, across categories, on the demo plan and on a constructed plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from evals.text_metrics import jaccard
from service.container import Services
from service.domain import DraftStatus, Post, SourceType
from service.domain.post import PostMetrics
from service.generation.composer import (
    Brief,
    load_rules,
    month_near_copy,
    product_phrase,
    timeless_problem,
)
from service.generation.variants import VariantPipeline, VariantRequest
from service.library.demo import load_demo
from service.messages import render
from service.planning.drafts import brief_of, slot_brief
from service.planning.models import ContentPlan, Slot
from service.planning.service import load_plan
from service.planning.slots import THEMES_NB
from service.providers.embeddings import HashingEmbedder
from service.providers.llm_fake import FakeLLM
from service.settings import Settings

DEMO_PLAN = Path(__file__).resolve().parents[2] / "service" / "data" / "demo_plan.json"
JANUARY, DECEMBER = dt.date(2027, 1, 12), dt.date(2026, 12, 12)


@pytest.fixture
def offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    """The offline default's profile: composed, no model pieces, so no model call at all."""
    monkeypatch.setattr(Settings, "llm_pieces", property(lambda self: frozenset()))
    settings = Settings(
        data_dir=tmp_path / "data", env="test", llm="fake", embeddings="local",
        model_capability="small",
    )  # fmt: skip
    svc = Services(settings, llm=FakeLLM(), embedder=HashingEmbedder())
    yield svc
    svc.close()


def _pipeline(svc: Services) -> VariantPipeline:
    return VariantPipeline(
        svc.db, svc.vectors, svc.llm, capability="small", pieces=frozenset()
    )  # fmt: skip


def _plan(**extra: object) -> ContentPlan:
    return ContentPlan.model_validate(
        {
            "organisation": "Eplehagen Sideri",
            "target_month": "2027-01",
            "channels": [{"channel": "facebook", "posts_per_week": 3}],
            "category_weights": {"produkt": 1.0},
            **extra,
        }
    )


def _draft(svc: Services, plan: ContentPlan, slot: Slot, avoid: list[str] | None = None) -> str:
    out = _pipeline(svc).run(
        VariantRequest(
            workspace="demo", text=slot_brief(plan, slot), surfaces=["facebook_post"],
            category=slot.category, brief=brief_of(plan, slot), avoid=avoid or [],
        )
    )  # fmt: skip
    return out.variants[0].text


# --- 1. a subject, never the instruction -----------------------------------------------------


@pytest.mark.parametrize(
    "theme", [*THEMES_NB.values(), "Skriv noe morsomt om fjøset, gjerne med en vits"]
)
def test_a_slots_instruction_is_guidance_and_never_text_in_a_draft(
    offline: Services, theme: str
) -> None:
    load_demo(offline.db, offline.vectors)
    plan = _plan(facts={"butikk": "Gårdsbutikken er åpen lørdager kl. 11–16."})
    for category in ("produkt", "bak kulissene", "ansatte", "tips og triks", "et nytt emne"):
        slot = Slot(date=JANUARY, time="12:00", channel="facebook", category=category, theme=theme)
        assert theme not in slot_brief(plan, slot)
        assert brief_of(plan, slot).guidance == theme
        text = _draft(offline, plan, slot)
        assert text and theme.lower() not in text.lower(), text
        # Nor a part of it turned into a hook ("Har du hørt om løft fram …?").
        assert theme.split(":")[0].lower() not in text.lower(), text


def test_a_brief_names_its_campaign_or_occasion_as_the_subject(offline: Services) -> None:
    load_demo(offline.db, offline.vectors)
    plan = _plan(
        campaigns=[
            {"name": "Vintersider", "start": "2027-01-08", "end": "2027-01-31",
             "details": "Vintersider med kanel, 229 kr flaska i gårdsbutikken."}
        ]
    )  # fmt: skip
    slot = Slot(
        date=JANUARY, time="12:00", channel="facebook", category="kampanje/tilbud",
        theme="Kampanjen", campaign="Vintersider",
    )  # fmt: skip
    brief = brief_of(plan, slot)
    assert brief.subject == "Vintersider" and brief.event == "Vintersider"
    text = _draft(offline, plan, slot)
    assert "vintersider" in text.splitlines()[0].lower() and "229 kr" in text
    assert "Kampanjen" not in text


def test_a_best_posts_product_phrase_is_a_subject_and_a_sentence_is_not() -> None:
    assert product_phrase("🦪 Blåskjell i hvitvin og hvitløk – 229 kr\n\nFra Hellvik.") == (
        "Blåskjell i hvitvin og hvitløk"
    )
    assert product_phrase("Årets første flasker med tørr sider er tappet! Kom innom.") == ""


# --- 2. timeless sentences only ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "date", "event", "problem"),
    [
        ("Julestemning i gårdsbutikken", "nb", JANUARY, "", "season"),
        ("Julestemning i gårdsbutikken", "nb", DECEMBER, "", None),
        ("Vi sees i juli!", "nb", JANUARY, "", "season"),  # juli is July, not Christmas
        ("Sveip for å se et eple bli til i september.", "nb", JANUARY, "", "season"),
        ("Takk for innsatsen, Anders!", "nb", JANUARY, "", "person"),
        ("Takk for at dere stilte opp for oss.", "nb", JANUARY, "", "person"),
        ("Dette bildet er fra 1962.", "nb", JANUARY, "", "media"),
        ("Hei frå Kari i pakkeriet!", "nn", JANUARY, "", "person"),
        ("Bildene er tatt klokka seks i morges.", "nb", JANUARY, "", "dated"),
        ("Ola plukket 2 400 kilo Aroma i dag.", "nb", JANUARY, "", "dated"),
        ("Kostymekonkurranse med gavekort til vinneren.", "nb", JANUARY, "", "one_off"),
        ("Vinneren av konkurransen trekkes fredag.", "nb", JANUARY, "Konkurransen", None),
        ("Congratulations, Sarah!", "en", JANUARY, "", "person"),
        ("Our summer menu is here.", "en", JANUARY, "", "season"),
        ("Haustsalet er i gang.", "nn", JANUARY, "", "season"),
        ("Pressa står fortsatt i låven, og vi bruker den hver dag.", "nb", JANUARY, "", None),
        ("Mer trenger man ikke.", "nb", JANUARY, "", None),
        ("#sommer", "nb", JANUARY, "", "season"),
    ],
)
def test_borrowed_words_are_timeless_for_the_slots_date(
    text: str, language: str, date: dt.date, event: str, problem: str | None
) -> None:
    brief = Brief(date=date, event=event)
    assert timeless_problem(text, language, brief, "Eplehagen Sideri") == problem


def _workspace_with(svc: Services, category: str, texts: list[str]) -> None:
    load_demo(svc.db, svc.vectors)
    from service.storage.repositories import PostRepo

    posts = [
        Post(
            id=f"t-{i}", workspace="demo", channel="facebook", text=text,
            published_at=dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC), category=category,
            source_type=SourceType.own,
            metrics=PostMetrics(reach=1000, engagements=900 - i),  # the category's best
        )
        for i, text in enumerate(texts)
    ]  # fmt: skip
    with svc.db.session() as s:
        PostRepo(s).upsert_many(posts)


def test_a_january_draft_borrows_no_christmas_no_person_and_no_day(offline: Services) -> None:
    _workspace_with(
        offline,
        "fjøset",
        [
            "Julestemning i fjøset 🎄 Takk for innsatsen, Anders! Bildene er tatt i dag.",
            "Kyrne våre heter etter eplesortene. Hver av dem har sin egen plass i fjøset.",
        ],
    )
    plan = _plan()
    slot = Slot(date=JANUARY, time="12:00", channel="facebook", category="fjøset", theme="Vis")
    text = _draft(offline, plan, slot)
    for out_of_place in ("Jul", "Anders", "i dag", "#jul", "#sommer", "#blomstring"):
        assert out_of_place.lower() not in text.lower(), text
    assert "Kyrne våre heter etter eplesortene" in text


# --- 3. a fact or the subject's own sentence, else a reason --------------------------------------


def test_a_draft_with_no_material_fails_with_a_reason_rather_than_a_generic_line(
    offline: Services,
) -> None:
    _workspace_with(offline, "fjøset", ["Julestemning i fjøset! Takk for innsatsen, Anders!"])
    slot = Slot(date=JANUARY, time="12:00", channel="facebook", category="fjøset", theme="Vis")
    plan = _plan()
    out = _pipeline(offline).run(
        VariantRequest(
            workspace="demo", text=slot_brief(plan, slot), surfaces=["facebook_post"],
            category=slot.category, brief=brief_of(plan, slot),
        )
    )  # fmt: skip
    v = out.variants[0]
    assert not v.passed
    reason = render("check.substance.none", {}, "nb")
    assert any(c.name == "substance" and not c.passed and c.detail == reason for c in v.checks)
    # With one of the plan's facts the same slot has material, and passes.
    with_fact = _plan(facts={"butikk": "Gårdsbutikken er åpen lørdager kl. 11–16."})
    text = _draft(offline, with_fact, slot)
    assert "lørdager kl. 11–16" in text


# --- 4. no text twice in a month -----------------------------------------------------------------


def _month(svc: Services, workspace: str, plan: ContentPlan) -> list[tuple[str, str, bool]]:
    planner = svc.planner
    slots = planner.schedule(workspace, plan)
    job = planner.generate(workspace, plan, slots, key="t", background=False)
    job = planner.run(job)
    return [(p.slot.category, p.text, p.passed) for p in planner.posts(job)]


def _copies(month: list[tuple[str, str, bool]]) -> list[tuple[str, str]]:
    texts = [t for _, t, _ in month if t]
    return [
        (a, b) for i, a in enumerate(texts) for b in texts[i + 1 :] if month_near_copy(a, b)
    ]  # fmt: skip


def test_the_demo_month_has_no_text_twice_among_the_drafts_that_pass(offline: Services) -> None:
    load_demo(offline.db, offline.vectors)
    month = _month(offline, "demo", load_plan(DEMO_PLAN))
    passing = [m for m in month if m[2]]
    assert len(month) >= 20 and len(passing) >= len(month) // 3
    assert not _copies(passing), _copies(passing)
    # The eval's own month measure agrees: no two passing drafts at 5-gram Jaccard ≥ 0.7.
    texts = [t for _, t, _ in passing]
    assert all(jaccard(a, b) < 0.7 for i, a in enumerate(texts) for b in texts[i + 1 :])
    # Across categories too: no sentence of the organisation's own stands in two drafts.
    categories = {c for c, _, _ in passing}
    assert len(categories) >= 3
    # A draft that would repeat the month (or has nothing to say) says so, with the
    # catalogue's reason, and keeps its text for an editor to rewrite.
    from service.storage.repositories import DraftRepo

    with offline.db.session() as s:
        drafts = DraftRepo(s).list("demo", status=DraftStatus.proposed)
    for draft in (d for d in drafts if not d.passed):
        codes = {c.code for c in draft.checks if not c.passed}
        assert draft.text and codes & {"check.month_unique.copy", "check.substance.none"}, codes


def test_a_constructed_month_with_thin_material_repeats_nothing_and_says_so(
    offline: Services,
) -> None:
    _workspace_with(
        offline,
        "fjøset",
        [
            "Kyrne våre heter etter eplesortene. Hver av dem har sin egen plass i fjøset.",
            "Melkinga starter tidlig. Vi tar oss god tid med hver ku.",
        ],
    )
    plan = ContentPlan.model_validate(
        {
            "organisation": "Eplehagen Sideri",
            "target_month": "2027-01",
            "channels": [
                {"channel": "facebook", "posts_per_week": 2},
                {"channel": "instagram", "posts_per_week": 2},
            ],
            "category_weights": {"fjøset": 1.0},
            "facts": {"butikk": "Gårdsbutikken er åpen lørdager kl. 11–16."},
        }
    )
    month = _month(offline, "demo", plan)
    assert len(month) >= 8
    passing = [m for m in month if m[2]]
    assert passing and not _copies(passing)
    # More slots than material: the rest fail with the month's reason, never pass as copies.
    reason_code = "check.month_unique.copy"
    with offline.db.session() as s:
        from service.storage.repositories import DraftRepo

        drafts = DraftRepo(s).list("demo")
    failed_codes = {c.code for d in drafts if not d.passed for c in d.checks if not c.passed}
    if len(passing) < len(month):
        assert failed_codes & {reason_code, "check.substance.none"}
    assert load_rules().month_variations >= 2
