"""In a real browser: a UI action over the person's budget is refused with a message in their
language (Gradio's error toast), not a traceback, and no model call is made."""

from __future__ import annotations

from typing import Any

import pytest

from service.providers.llm_fake import FakeLLM
from service.settings import Settings

pytestmark = pytest.mark.e2e


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's settings, with a day of two model calls: less than one variant may need."""
    return settings.model_copy(update={"limit_model_calls_per_day": 2})


def test_a_spent_day_is_told_in_the_readers_words(
    live_url: str, browser: Any, fake_llm: FakeLLM
) -> None:
    page = browser.new_page(locale="nb-NO", viewport={"width": 1300, "height": 1400})
    page.goto(f"{live_url}/ui/", wait_until="load")
    page.get_by_role("tab", name="Gjenbruk et innlegg").click()
    page.locator("#variants-text textarea").fill("Ny på hylla: vintersider med kanel og nellik.")
    page.locator("#variants-surfaces").get_by_text("Facebook-innlegg").click()
    page.locator("#variants-go").click()
    toast = page.get_by_text("Dagens modellkall for deg i dette arbeidsområdet er brukt opp")
    toast.first.wait_for(timeout=30_000)
    shown = page.locator("body").inner_text()
    assert "av 2" in shown and "UTC" in shown
    assert "Traceback" not in shown and "LimitExceeded" not in shown
    assert fake_llm.requests == []
