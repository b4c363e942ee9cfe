"""The web UI in a real browser (Debian's Chromium, headless, driven by Playwright)."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.e2e


def test_an_editor_searches_the_library_and_sees_ranked_posts(live_url: str, browser: Any) -> None:
    page = browser.new_page(locale="nb-NO")
    page.goto(f"{live_url}/ui/", wait_until="load")
    page.get_by_text("Bibliotek").first.wait_for()
    page.locator("#library-query textarea, #library-query input").first.fill("innhøsting av epler")
    page.locator("#library-search").click()
    results = page.locator("#library-results")
    results.get_by_text("Innhøstinga er i gang").first.wait_for(timeout=30_000)
    assert "Instagram" in results.inner_text()
    assert not re.search(r"0[.,]\d{3}", results.inner_text()), "no raw similarity scores"


def test_an_editor_cuts_sorts_and_reuses_a_result(live_url: str, browser: Any) -> None:
    page = browser.new_page(locale="nb-NO", viewport={"width": 1300, "height": 2000})
    page.goto(f"{live_url}/ui/", wait_until="load")
    # The page's load puts the caller's workspace in the picker; a search before that has no
    # workspace to search (on a slow machine the click can come first).
    page.wait_for_function(
        "document.querySelector('#library-workspace input')?.value", timeout=30_000
    )
    page.locator("#library-query textarea, #library-query input").first.fill("innhøsting av epler")
    page.locator("#library-search").click()
    rows = page.locator("#library-results tr[data-post]")
    rows.first.wait_for(timeout=30_000)
    kept = rows.count()
    # A lower cut-off shows more of the 20 nearest; the note says how many were left out.
    slider = page.locator("#library-cutoff input[type=number]").first
    slider.fill("0")
    slider.press("Enter")
    slider.dispatch_event("change")
    page.locator("#library-search").click()
    page.wait_for_function(
        f"document.querySelectorAll('#library-results tr[data-post]').length > {kept}",
        timeout=30_000,
    )
    page.locator("#library-sort input").first.click()
    page.get_by_role("option", name="Best engasjement").click()
    page.wait_for_timeout(1500)
    rates = [
        float(r.split("%")[0].replace(",", ".").split()[-1] or 0)
        for r in page.locator("#library-results tr[data-post] td:nth-child(2)").all_inner_texts()
        if "%" in r
    ]
    assert rates == sorted(rates, reverse=True) and len(rates) > 1

    picked = page.locator("#library-reuse-pick input").first.input_value()
    page.locator("#library-reuse").click()
    # The reuse tab opens with the same post picked.
    page.locator("#variants-go").wait_for(state="visible", timeout=30_000)
    assert page.locator("#variants-post input").first.input_value() == picked


def test_the_ui_speaks_english_to_an_english_browser(live_url: str, browser: Any) -> None:
    page = browser.new_page(locale="en-US")
    page.goto(f"{live_url}/ui/", wait_until="load")
    page.get_by_text("Library").first.wait_for(timeout=15_000)
    assert page.get_by_text("Bibliotek").count() == 0
