"""The analysis tab in a real browser: plots drawn when it opens, with thin evidence marked, and
a category corrected and kept."""

from __future__ import annotations

import re
from typing import Any

import pytest

from service.container import Services
from service.storage.repositories import PostRepo

pytestmark = pytest.mark.e2e
ENGLISH_MONTHS = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b")
NORWEGIAN_MONTHS = re.compile(
    r"\b\d{1,2}\. (jan\.|feb\.|mar\.|apr\.|mai|jun\.|jul\.|aug\.|sep\.|okt\.|nov\.|des\.)"
)


def axis_texts(page: Any, plot: str) -> str:
    """Every text the plot draws (axes, legend), once Vega has drawn its days."""
    page.locator(f"#{plot} svg.marks text").first.wait_for(timeout=30_000)
    return " | ".join(page.locator(f"#{plot} svg.marks text").all_text_contents())


def pick(page: Any, elem_id: str, option: str) -> None:
    page.locator(f"#{elem_id} input").first.click()
    page.get_by_role("option", name=option).first.click()


def test_an_editor_sees_plots_and_corrects_a_category(
    live_url: str, browser: Any, services: Services
) -> None:
    page = browser.new_page(locale="nb-NO", viewport={"width": 1400, "height": 2200})
    page.goto(f"{live_url}/ui/", wait_until="load")
    page.get_by_role("tab", name="Analyse").click()  # drawn on open: no button to press
    for plot in ("plot-over-time", "plot-by-category", "plot-by-band"):
        # Vega draws each plot into a canvas or an svg once it has data.
        page.locator(f"#{plot} canvas, #{plot} svg.marks").first.wait_for(timeout=30_000)
    # The time axis in Norwegian («14. mar.»), never the browser plot's English "Mar 14".
    drawn = axis_texts(page, "plot-over-time")
    assert len(NORWEGIAN_MONTHS.findall(drawn)) >= 3, drawn
    assert not ENGLISH_MONTHS.search(drawn), drawn
    summary = page.locator("#analytics-summary")
    summary.get_by_text("Toppinnlegg").first.wait_for(timeout=10_000)
    assert "Instagram" in summary.inner_text()
    assert "under 5 innlegg" in page.locator("#analytics-thin").inner_text()

    with services.db.session() as s:
        post = next(p for p in PostRepo(s).list("demo") if p.category != "nostalgi/historie")
    page.locator("#correct-post input").first.click()
    page.get_by_role("option").filter(has_text=" ".join(post.text.split())[:30]).first.click()
    pick(page, "correct-category", "nostalgi/historie")
    page.locator("#correct-save").click()
    page.locator("#correct-result").get_by_text("nostalgi/historie").wait_for(timeout=30_000)
    page.screenshot(path="/tmp/gjenbruk-analytics.png", full_page=True)

    with services.db.session() as s:
        saved = PostRepo(s).get("demo", post.id)
    assert saved.category == "nostalgi/historie" and saved.category_locked


def test_the_english_time_axis_writes_english_days(live_url: str, browser: Any) -> None:
    page = browser.new_page(locale="en-GB", viewport={"width": 1400, "height": 1600})
    page.goto(f"{live_url}/ui/", wait_until="load")
    page.get_by_role("tab", name="Analysis").click()
    drawn = axis_texts(page, "plot-over-time")
    assert re.search(r"\b\d{1,2} (Mar|Apr|May|Jun|Jul|Aug|Sep|Oct)\b", drawn), drawn
    assert not NORWEGIAN_MONTHS.search(drawn), drawn
