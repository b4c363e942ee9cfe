"""A team plans December in the browser: the plan edited in its form and saved, the calendar of
slots with occasions, the month's drafts as preview cards approved, edited and rejected in place,
the state still there after a reload, and an export carrying only what was approved; a slot
written again (or the month's failed ones) and a slot moved to another day, from its card."""

from __future__ import annotations

import json
import threading
from collections import Counter
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from service.container import Services
from service.domain import DraftStatus
from service.providers.llm_fake import FakeLLM
from service.storage.repositories import DraftRepo, JobRepo, PlanRepo
from tests.fixtures.answers import varied_text
from ui.texts import date_text

pytestmark = pytest.mark.e2e


def _open_plans(page: Any, live_url: str, tab: str = "Månedsplan") -> None:
    page.goto(f"{live_url}/ui/", wait_until="load")
    page.get_by_role("tab", name=tab).click()
    # The form is filled from the saved plan (or the example) when the page opens.
    org = page.locator("#plan-organisation textarea, #plan-organisation input").first
    page.wait_for_function("el => el.value.length > 0", arg=org.element_handle(), timeout=30_000)


def test_an_editor_edits_and_saves_the_plan_in_the_form(
    live_url: str, browser: Any, services: Services
) -> None:
    page = browser.new_page(locale="nb-NO", viewport={"width": 1300, "height": 2400})
    _open_plans(page, live_url)
    org = page.locator("#plan-organisation textarea, #plan-organisation input").first
    assert org.input_value() == "Eplehagen Sideri"
    org.fill("Eplehagen Sideri AS")
    per_week = page.locator("#plan-per-week-facebook input").first
    per_week.fill("3")
    page.locator("#plan-days-facebook").get_by_text("torsdag", exact=True).click()
    page.locator("#plan-use-linkedin input[type=checkbox]").check()
    page.locator("#plan-voice textarea").fill("Varm og lun, aldri masete.")
    page.locator("#plan-save").click()
    page.locator("#plan-note").get_by_text("Planen er lagret").wait_for(timeout=30_000)

    with services.db.session() as s:
        stored = PlanRepo(s).latest("demo")
    assert stored is not None
    plan = stored.plan
    assert plan.organisation == "Eplehagen Sideri AS" and plan.brand_voice.startswith("Varm")
    fb = next(c for c in plan.channels if c.channel == "facebook")
    assert fb.posts_per_week == 3 and fb.preferred_days == ["onsdag", "torsdag", "fredag"]
    assert {c.channel for c in plan.channels} == {"instagram", "facebook", "linkedin"}
    # Fields the form does not show are kept as the file had them.
    assert plan.timezone == "Europe/Oslo" and plan.campaigns[0].name == "Julesider"

    # A reload opens the saved plan, and the JSON download is that plan.
    _open_plans(page, live_url)
    assert page.locator("#plan-per-week-facebook input").first.input_value() == "3"
    assert page.locator("#plan-use-linkedin input[type=checkbox]").is_checked()
    with page.expect_download(timeout=30_000) as info:
        page.locator("#plan-download").click()
    downloaded = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert downloaded["organisation"] == "Eplehagen Sideri AS"

    # A plan the model refuses is refused in words, and nothing is saved.
    page.locator("#plan-month textarea, #plan-month input").first.fill("2026-13")
    page.locator("#plan-save").click()
    page.get_by_text("Planen kan ikke brukes").first.wait_for(timeout=30_000)
    with services.db.session() as s:
        again = PlanRepo(s).latest("demo")
    assert again is not None and again.id == stored.id


def test_a_team_reviews_the_month_on_its_cards_and_finds_it_after_a_reload(
    live_url: str, browser: Any, services: Services, fake_llm: FakeLLM
) -> None:
    calls = count()
    fake_llm.default = lambda _messages: json.dumps(
        {"text": f"{varied_text(next(calls))} #sider #jul"}, ensure_ascii=False
    )
    page = browser.new_page(locale="nb-NO", viewport={"width": 1300, "height": 2400})
    _open_plans(page, live_url)
    page.locator("#plans-slots").click()
    calendar = page.locator("#plans-calendar")
    calendar.locator(".gj-calendar .gj-slot").first.wait_for(timeout=30_000)
    slots = calendar.locator(".gj-calendar .gj-slot").count()
    assert slots == 18  # 2 a week on two channels over December's 31 days
    assert "Julaften" in calendar.inner_text()
    assert "utkast" in page.locator("#plans-estimate").inner_text()

    page.locator("#plans-generate").click()
    status = page.locator("#plans-status")
    status.locator("progress").wait_for(timeout=30_000)
    status.get_by_text(f"{slots} av {slots} ferdig").wait_for(timeout=180_000)
    assert status.locator("progress").count() == 1, "one progress element for the job"
    cards = page.locator(".gj-card")
    cards.first.wait_for(timeout=30_000)
    assert cards.count() == slots
    first = cards.first
    assert "#sider" in first.locator(".gj-hashtag").first.inner_text()
    assert "Til vurdering" in first.inner_text()

    page.locator("button.gj-approve").nth(0).click()
    page.locator("#plans-reviewed").get_by_text("Godkjent").wait_for(timeout=30_000)
    page.locator(".gj-card").first.and_(page.locator("[data-status='approved']")).wait_for(
        timeout=30_000
    )
    page.locator(".gj-card-edit textarea").nth(1).fill("Ny tekst fra redaktøren. #jul")
    page.locator("button.gj-save-edit").nth(1).click()
    page.locator(".gj-card").nth(1).get_by_text("Ny tekst fra redaktøren").wait_for(timeout=30_000)
    page.locator("button.gj-reject").nth(2).click()
    page.locator(".gj-card[data-status='rejected']").first.wait_for(timeout=30_000)

    # After a reload the cards open as they were left.
    _open_plans(page, live_url)
    page.locator(".gj-card").nth(2).wait_for(timeout=30_000)
    states = [page.locator(".gj-card").nth(i).get_attribute("data-status") for i in range(3)]
    assert states == ["approved", "proposed", "rejected"]
    assert "Ny tekst fra redaktøren" in page.locator(".gj-card").nth(1).inner_text()

    # Filters: only the rejected one, then only Facebook's.
    page.locator("#plans-filter-status input").first.click()
    page.get_by_role("option", name="Avvist").click()
    page.wait_for_function("document.querySelectorAll('.gj-card').length === 1", timeout=30_000)
    with services.db.session() as s:
        [job] = JobRepo(s).for_workspace("demo")
    verdicts = Counter(d.status for d in services.planner.drafts(job))
    assert verdicts == {"approved": 1, "rejected": 1, "proposed": slots - 2}
    with services.db.session() as s:
        [edited] = [d for d in DraftRepo(s).list("demo") if d.edited_text]
    assert edited.status is DraftStatus.proposed and edited.edited_text.startswith("Ny tekst")

    with page.expect_download(timeout=30_000) as info:
        page.locator("#plans-download").click()
    events = list(Calendar.from_ical(Path(info.value.path()).read_bytes()).walk("VEVENT"))
    # The export carries what a person approved: the one draft, not the whole month.
    assert len(events) == 1 < slots


# A small month (one Facebook post a week) for the card actions: written in seconds.
SMALL = {
    "organisation": "Eplehagen Sideri",
    "target_month": "2026-12",
    "channels": [
        {"channel": "facebook", "posts_per_week": 1, "preferred_days": ["torsdag"], "time": "19:00"}
    ],
    "category_weights": {"produkt": 1},
}
NB_AGAIN = "Ny runde med eplesider fra hagen vår, klar til helgen. Velkommen innom! #jul"
# English in a bokmål month fails the language check.
EN_TEXT = "Our Christmas cider is bottled! Taste it in the farm shop on Saturday. #cider"


class _Model:
    """The scripted model: its answer can be changed, and held back (a month being written)."""

    def __init__(self, fake: FakeLLM, answer: str | None) -> None:
        self.answer = answer  # None: a text of its own for every call, as a model writes
        self.written: list[str] = []
        self.open = threading.Event()
        self.open.set()
        fake.default = self.reply

    def reply(self, messages: Any) -> str:
        assert self.open.wait(timeout=120), "the test never let the model answer"
        text = self.answer or varied_text(len(self.written))
        self.written.append(text)
        return json.dumps({"text": text}, ensure_ascii=False)


def _small_month(page: Any, live_url: str, services: Services) -> int:
    """The small plan saved and written from the tab; returns how many slots it has."""
    services.variants.compose_fallback = False  # a failed draft stays failed
    from service.planning.models import ContentPlan

    services.planner.create_plan("demo", ContentPlan.model_validate(SMALL))
    _open_plans(page, live_url)
    page.locator("#plans-generate").click()
    cards = page.locator(".gj-card")
    cards.first.wait_for(timeout=180_000)
    n = int(cards.count())
    page.locator("#plans-status").get_by_text(f"{n} av {n} ferdig").wait_for(timeout=30_000)
    assert n >= 4
    return n


def _drafts(services: Services) -> list[Any]:
    with services.db.session() as s:
        [job] = JobRepo(s).for_workspace("demo")
    return services.planner.drafts(job)


def test_an_editor_writes_one_slot_or_the_failed_ones_again_from_the_calendar(
    live_url: str, browser: Any, services: Services, fake_llm: FakeLLM
) -> None:
    model = _Model(fake_llm, EN_TEXT)
    page = browser.new_page(locale="nb-NO", viewport={"width": 1300, "height": 2400})
    try:
        n = _small_month(page, live_url, services)
        cards = page.locator(".gj-card")
        assert cards.and_(page.locator("[data-status='failed']")).count() == n
        # The first is approved anyway: a person's decision, never written over.
        page.locator("button.gj-approve-anyway").first.click()
        page.locator("#plans-reviewed").get_by_text("Godkjent").wait_for(timeout=30_000)
        kept = _drafts(services)[0]
        assert kept.status == "approved"
        # Its card offers no "write again" once it is redrawn as approved.
        page.wait_for_function(
            "document.querySelector('.gj-card-group')"
            ".querySelectorAll('button.gj-regenerate').length === 0",
            timeout=30_000,
        )

        # The month: every failed or rejected draft written again, one progress element.
        model.answer = None  # each slot a text of its own: no text twice in a month
        page.locator("#plans-regenerate").click()
        page.wait_for_function(
            f"document.querySelectorAll(\".gj-card[data-status='proposed']\").length === {n - 1}",
            timeout=180_000,
        )
        assert page.locator("#plans-status progress").count() == 1
        after = _drafts(services)
        assert after[0].draft_id == kept.draft_id and after[0].status == "approved"
        assert all(d.passed and d.text in model.written for d in after[1:])
        assert EN_TEXT[:20] in cards.first.inner_text()

        # One slot: only its draft is written again.
        model.answer = NB_AGAIN
        page.locator("button.gj-regenerate").first.click()
        cards.nth(1).get_by_text("Ny runde med eplesider").wait_for(timeout=120_000)
        again = _drafts(services)
        assert again[1].draft_id != after[1].draft_id and again[1].text == NB_AGAIN
        assert [d.draft_id for i, d in enumerate(again) if i != 1] == [
            d.draft_id for i, d in enumerate(after) if i != 1
        ]

        # While a slot is being written, the month is not sent back: refused in words.
        model.open.clear()
        page.locator("button.gj-regenerate").nth(1).click()
        page.locator("#plans-status").get_by_text("kjører").wait_for(timeout=30_000)
        page.locator("#plans-regenerate").click()
        page.get_by_text("Måneden skrives fortsatt").first.wait_for(timeout=30_000)
        model.open.set()
        page.locator("#plans-status").get_by_text(f"{n} av {n} ferdig").wait_for(timeout=120_000)
        cards.nth(2).get_by_text("Ny runde med eplesider").wait_for(timeout=60_000)

        # After a reload the cards are as the regenerations left them.
        _open_plans(page, live_url)
        cards.nth(n - 1).wait_for(timeout=30_000)
        assert "Ny runde med eplesider" in cards.nth(1).inner_text()
        assert EN_TEXT[:20] in cards.first.inner_text()
    finally:
        model.open.set()


def test_an_editor_moves_a_slot_to_another_day_and_the_export_follows(
    live_url: str, browser: Any, services: Services, fake_llm: FakeLLM
) -> None:
    _Model(fake_llm, None)
    page = browser.new_page(locale="nb-NO", viewport={"width": 1300, "height": 2400})
    n = _small_month(page, live_url, services)
    before = _drafts(services)
    page.locator("button.gj-approve").first.click()
    page.locator(".gj-card").first.and_(page.locator("[data-status='approved']")).wait_for(
        timeout=30_000
    )
    taken = {d.slot.date.isoformat() for d in before}
    free = next(f"2026-12-{d:02d}" for d in range(28, 1, -1) if f"2026-12-{d:02d}" not in taken)

    group = page.locator(".gj-card-group").first
    group.locator(".gj-move-day textarea, .gj-move-day input").first.fill(free)
    group.locator(".gj-move-time textarea, .gj-move-time input").first.fill("08:15")
    group.locator("button.gj-move").click()
    page.locator("#plans-reviewed").get_by_text("er flyttet til").wait_for(timeout=30_000)
    when = f"{date_text(free, 'nb', weekday=True)} 08:15"
    moved = page.locator(".gj-card", has_text=when)
    moved.wait_for(timeout=30_000)
    assert moved.get_attribute("data-status") == "approved", "its verdict stays"
    assert page.locator(".gj-calendar .gj-slot").count() == n

    # A day outside the plan's month, or no day at all, is refused in words.
    other = page.locator(".gj-card-group").nth(1)
    day_box = other.locator(".gj-move-day textarea, .gj-move-day input").first
    day_box.fill("2027-01-05")
    other.locator("button.gj-move").click()
    page.get_by_text("Dagen må ligge i planens måned (2026-12)").first.wait_for(timeout=30_000)
    day_box.fill("2026-12-32")
    other.locator("button.gj-move").click()
    page.get_by_text("«2026-12-32» er ikke en dato").first.wait_for(timeout=30_000)

    after = _drafts(services)
    assert after[0].draft_id == before[0].draft_id and after[0].status == "approved"
    assert (after[0].slot.date.isoformat(), after[0].slot.time) == (free, "08:15")
    assert [d.slot for d in after[1:]] == [d.slot for d in before[1:]]

    # A reload opens the card on its new day, and the export carries the new day.
    _open_plans(page, live_url)
    page.locator(".gj-card", has_text=when).wait_for(timeout=30_000)
    assert page.locator(".gj-card", has_text=when).get_attribute("data-status") == "approved"
    with page.expect_download(timeout=30_000) as info:
        page.locator("#plans-download").click()
    [event] = Calendar.from_ical(Path(info.value.path()).read_bytes()).walk("VEVENT")
    start: Any = event["dtstart"]
    assert start.dt.strftime("%Y-%m-%d %H:%M") == f"{free} 08:15"


def test_a_viewer_sees_the_months_cards_but_none_of_their_buttons(
    live_url: str, browser: Any, services: Services, fake_llm: FakeLLM
) -> None:
    from service.auth.bootstrap import add_user
    from service.auth.permissions import Role
    from service.planning.service import parse_plan
    from tests.e2e.conftest import LIVE

    fake_llm.default = json.dumps({"text": "Julesideren er tappet! Smak den på lørdag. #sider"})
    example = Path(__file__).resolve().parents[2] / "ui" / "examples" / "plan.json"
    plan = parse_plan(example.read_text(encoding="utf-8"))
    services.planner.run(
        services.planner.generate("demo", plan, services.planner.schedule("demo", plan))
    )
    password = "a-viewer-password-123"
    add_user(services.db, "vera", workspace="demo", role=Role.viewer, password=password)
    acting = [".gj-approve", ".gj-approve-anyway", ".gj-reject", ".gj-save-edit", ".gj-move"]
    acting += [".gj-regenerate", ".gj-card-edit"]

    def buttons_on_cards(page: Any) -> dict[str, int]:
        page.get_by_role("tab", name="Månedsplan").click()
        page.locator(".gj-card").first.wait_for(timeout=30_000)
        return {sel: page.locator(sel).count() for sel in acting}

    owner = browser.new_page(locale="nb-NO", viewport={"width": 1300, "height": 2400})
    owner.goto(f"{live_url}/ui/", wait_until="load")
    offered = buttons_on_cards(owner)
    assert offered[".gj-move"] and offered[".gj-card-edit"], offered  # the owner's are there

    context = browser.new_context(locale="nb-NO", viewport={"width": 1300, "height": 2400})
    page = context.new_page()
    r = page.request.post(f"{LIVE['url']}/v1/login", data={"user": "vera", "password": password})
    assert r.ok, r.text()
    page.goto(f"{live_url}/ui/", wait_until="load")
    assert buttons_on_cards(page) == dict.fromkeys(acting, 0)
    context.close()
