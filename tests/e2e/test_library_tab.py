"""The web UI in a real browser (Debian's Chromium, headless, driven by Playwright)."""

from __future__ import annotations

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
    assert "instagram" in results.inner_text()
    page.screenshot(path="/tmp/gjenbruk-library.png", full_page=True)


def test_the_ui_speaks_english_to_an_english_browser(live_url: str, browser: Any) -> None:
    page = browser.new_page(locale="en-US")
    page.goto(f"{live_url}/ui/", wait_until="load")
    page.get_by_text("Library").first.wait_for(timeout=15_000)
    assert page.get_by_text("Bibliotek").count() == 0
