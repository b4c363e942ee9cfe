"""A team plans December in the browser: the plan edited in its form and saved, the calendar of
slots with occasions, the month's drafts as preview cards approved, edited and rejected in place,
the state still there after a reload, and an export carrying only what was approved."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from service.container import Services
from service.domain import DraftStatus
from service.providers.llm_fake import FakeLLM
from service.storage.repositories import DraftRepo, JobRepo, PlanRepo

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
    fake_llm.default = json.dumps(
        {"text": "Julesideren er tappet! Smak den i gårdsbutikken på lørdag. #sider #jul"}
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
