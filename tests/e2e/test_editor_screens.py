"""Every tab on a 390 px phone, photographed by the test run into tests/e2e/screenshots/ (CI's
artifact; `make screenshots` runs this test into docs/screenshots/, which the README shows),
and one language at a time: the English UI without Norwegian surface or check names, the
Norwegian one without internal ids."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from service.container import Services
from service.planning.service import parse_plan
from service.providers.llm_fake import FakeLLM

pytestmark = pytest.mark.e2e
SCREENSHOTS = Path(
    os.environ.get("GJENBRUK_SCREENSHOTS") or Path(__file__).resolve().parent / "screenshots"
)
EXAMPLE = Path(__file__).resolve().parents[2] / "ui" / "examples" / "plan.json"
# What the Norwegian UI must never show: surface, check, finding, status and kind ids.
INTERNAL_IDS = re.compile(
    r"\b(instagram_post|facebook_post|linkedin_post|facts_kept|not_empty|no_cta|"
    r"inconsistent_fact|no_invented_facts|plan_drafts|proposed|approved|rejected|"
    r"created_at|engagement_rate)\b"
)
# Norwegian words the English UI must not show where it names surfaces and checks.
NORWEGIAN = re.compile(
    r"(Instagram-innlegg|Facebook-innlegg|LinkedIn-innlegg|Fakta beholdt|Ikke tom|bestått|"
    r"Til vurdering|Godkjent|Avvist|Lengde|Emneknagger|Utkast for)"
)


def _month(services: Services, fake_llm: FakeLLM) -> None:
    """A written month, so that the cards, checks and a job are on screen."""
    fake_llm.default = json.dumps({"text": "Julesideren er tappet! Smak den på lørdag. #sider"})
    plan = parse_plan(EXAMPLE.read_text(encoding="utf-8"))
    job = services.planner.generate("demo", plan, services.planner.schedule("demo", plan))
    services.planner.run(job)


def _names(page: Any) -> list[str]:
    """Every tab's name, also those a narrow screen folds into the "more" menu."""
    page.locator("[role=tab]").first.wait_for(timeout=30_000)
    return [
        n.strip()
        for n in page.locator(".tab-container.visually-hidden button").all_inner_texts()
        if n.strip()
    ]


def _open(page: Any, name: str) -> None:
    page.locator("[role=tab]").first.wait_for(timeout=30_000)
    tab = page.locator("[role=tab]").filter(has_text=name)
    if tab.count() and tab.first.is_visible():
        tab.first.click()
    else:  # a narrow screen folds the last tabs into a menu
        page.locator("button[aria-label='More tabs']").click()
        page.locator(".overflow-dropdown button").filter(has_text=name).first.click()
    page.wait_for_timeout(1500)  # the tab's plots and cards draw after it opens


def test_every_tab_fits_a_390_px_phone_and_is_photographed(
    live_url: str, browser: Any, services: Services, fake_llm: FakeLLM
) -> None:
    _month(services, fake_llm)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(locale="nb-NO", viewport={"width": 390, "height": 844})
    page.goto(f"{live_url}/ui/", wait_until="load")
    names = _names(page)
    assert len(names) >= 6, names
    for i, name in enumerate(names):
        _open(page, name)
        slug = re.sub(r"\W+", "-", name.lower()).strip("-")
        page.screenshot(path=str(SCREENSHOTS / f"{i + 1:02d}-{slug}-390.png"), full_page=True)
        # Usable: nothing pushes the page wider than the phone (wide tables scroll inside).
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390 + 2, (name, width)
        # No event's raw update ever shows as a component's value (a button's label, say).
        assert "__type__" not in page.locator("body").inner_text(), name
    assert len(list(SCREENSHOTS.glob("*-390.png"))) >= len(names)


def test_the_english_ui_names_surfaces_and_checks_in_english(
    live_url: str, browser: Any, services: Services, fake_llm: FakeLLM
) -> None:
    _month(services, fake_llm)
    page = browser.new_page(locale="en-US", viewport={"width": 1300, "height": 2400})
    page.goto(f"{live_url}/ui/", wait_until="load")
    _open(page, "Month plan")
    page.locator(".gj-card").first.wait_for(timeout=30_000)
    cards = page.locator(".gj-card").first.inner_text()
    assert "Instagram post" in cards or "Facebook post" in cards
    assert "passed" in cards or "failed" in cards
    for name in ("Month plan", "Status", "Analysis", "Profile texts", "Library", "Reuse a post"):
        _open(page, name)
        shown = page.locator("body").inner_text()
        assert not NORWEGIAN.search(shown), (name, NORWEGIAN.search(shown))
    # The surface checkboxes (named on load): English surface and group names, no Norwegian.
    boxes = page.locator("#variants-surfaces")
    boxes.get_by_text("Owned · Facebook post").wait_for(timeout=30_000)
    labels = boxes.inner_text()
    assert "Paid · " in labels and "Instagram post" in labels
    norwegian = r"\b(Eid|Fortjent|Betalt)\b|-innlegg|-annonse|Nyhetsbrev|Tips til pressen"
    assert not re.search(norwegian, labels), labels
    assert not NORWEGIAN.search(page.locator("body").inner_text())


def test_the_norwegian_ui_shows_no_internal_ids(
    live_url: str, browser: Any, services: Services, fake_llm: FakeLLM
) -> None:
    _month(services, fake_llm)
    page = browser.new_page(locale="nb-NO", viewport={"width": 1300, "height": 2400})
    page.goto(f"{live_url}/ui/", wait_until="load")
    _open(page, "Månedsplan")
    page.locator(".gj-card").first.wait_for(timeout=30_000)
    assert "fakta med" in page.locator(".gj-card").first.inner_text()
    for name in ("Månedsplan", "Status", "Analyse", "Profiltekster", "Bibliotek"):
        _open(page, name)
        if name == "Profiltekster":
            page.locator("#profiles-go").click()
            page.locator("#profiles-table tr.gj-field").first.wait_for(timeout=30_000)
        shown = page.locator("body").inner_text()
        assert not INTERNAL_IDS.search(shown), (name, INTERNAL_IDS.search(shown))
