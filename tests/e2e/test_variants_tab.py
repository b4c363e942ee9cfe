"""The editor's main flow in a real browser: pick a post, tick surfaces, see checked variants,
approve one."""

from __future__ import annotations

import json
from typing import Any

import pytest

from service.container import Services
from service.domain import DraftStatus
from service.providers.llm_fake import FakeLLM
from service.storage.repositories import DraftRepo

pytestmark = pytest.mark.e2e

# An adaptation, not the source with two words moved (that fails `not_a_copy`).
VARIANT = (
    "Vinteren er her, og med den vår nye sider med kanel og nellik fra de eldste "
    "Gravenstein-trærne. Flaska koster 229,- – kjøp den i gårdsbutikken eller på eplehagen.no."
)


def test_an_editor_gets_checked_variants_and_approves_one(
    live_url: str, browser: Any, services: Services, fake_llm: FakeLLM
) -> None:
    fake_llm.default = json.dumps({"text": VARIANT}, ensure_ascii=False)
    page = browser.new_page(locale="nb-NO", viewport={"width": 1300, "height": 1800})
    page.goto(f"{live_url}/ui/", wait_until="load")
    page.get_by_role("tab", name="Gjenbruk et innlegg").click()
    page.locator("#variants-text textarea").fill(
        "Ny på hylla: Vintersider med kanel og nellik, laget på Gravenstein-epler fra de eldste "
        "trærne våre. 229,- flaska i gårdsbutikken og på eplehagen.no."
    )
    page.locator("#variants-surfaces").get_by_text("Facebook-innlegg").click()
    page.locator("#variants-surfaces").get_by_text("LinkedIn-innlegg").click()
    page.locator("#variants-go").click()
    out = page.locator("#variants-out")
    out.locator(".gj-variant").nth(1).wait_for(timeout=60_000)
    assert out.locator(".gj-variant").count() == 2
    first = out.locator(".gj-variant").first
    # The surface and the checks by their names in the reader's language, never internal ids.
    assert "Facebook-innlegg" in first.inner_text() and "bestått" in first.inner_text()
    assert "facebook_post" not in first.inner_text() and "facts_kept" not in first.inner_text()
    assert "fakta med" in first.inner_text()
    assert "/63206 tegn" in first.inner_text(), "the count against the limit is shown"
    assert first.locator(".gj-check[data-passed=true]").count() >= 5
    assert "Basert på disse innleggene" in first.inner_text()

    page.locator("#variants-edit textarea").fill(VARIANT + " Velkommen!")
    page.locator("#variants-approve").click()
    page.locator("#variants-reviewed").get_by_text("Godkjent").wait_for(timeout=15_000)
    page.screenshot(path="/tmp/gjenbruk-variants.png", full_page=True)
    with services.db.session() as s:
        approved = DraftRepo(s).list("demo", status=DraftStatus.approved)
    assert len(approved) == 1 and approved[0].edited_text == VARIANT + " Velkommen!"
