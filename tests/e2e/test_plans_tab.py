"""A team plans December in the browser: the calendar of slots with occasions, an estimate,
the month's drafts generated with a live progress bar, one approved, an export downloaded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from icalendar import Calendar

from service.container import Services
from service.domain import DraftStatus
from service.providers.llm_fake import FakeLLM
from service.storage.repositories import DraftRepo


def test_a_team_plans_a_month_and_downloads_it(
    live_url: str, browser: Any, services: Services, fake_llm: FakeLLM
) -> None:
    fake_llm.default = json.dumps(
        {"text": "Julesideren er tappet! Smak den i gårdsbutikken på lørdag, vi gleder oss."}
    )
    page = browser.new_page(locale="nb-NO", viewport={"width": 1300, "height": 2400})
    page.goto(f"{live_url}/ui/", wait_until="load")
    page.get_by_role("tab", name="Månedsplan").click()
    page.locator("#plans-slots").click()
    calendar = page.locator("#plans-calendar")
    calendar.locator(".gj-slot").first.wait_for(timeout=30_000)
    slots = calendar.locator(".gj-slot").count()
    assert slots == 18  # 2 a week on two channels over December's 31 days
    assert "Julaften" in calendar.inner_text()
    assert "utkast" in page.locator("#plans-estimate").inner_text()

    page.locator("#plans-generate").click()
    page.locator("#plans-status").get_by_text(f"{slots}/{slots}").wait_for(timeout=120_000)
    assert "Julesideren er tappet" in page.locator("#plans-drafts").inner_text()
    page.locator("#plans-approve").click()
    page.locator("#plans-reviewed").get_by_text("Godkjent").wait_for(timeout=30_000)
    with services.db.session() as s:
        approved = DraftRepo(s).list("demo", status=DraftStatus.approved)
    assert len(approved) == 1

    with page.expect_download(timeout=30_000) as info:
        page.locator("#plans-download").click()
    events = list(Calendar.from_ical(Path(info.value.path()).read_bytes()).walk("VEVENT"))
    # The export carries what a person approved: the one draft, not the whole month.
    assert len(events) == 1 < slots
