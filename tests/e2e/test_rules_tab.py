"""The learning round trip in a real browser: an editor corrects the same word in three variants
and approves them; the rules tab then shows the proposed rule with its evidence, and accepting it
switches it on."""

from __future__ import annotations

import json
from typing import Any

import pytest

from service.container import Services
from service.domain import DraftStatus
from service.providers.llm_fake import FakeLLM
from service.storage.repositories import DraftRepo

pytestmark = pytest.mark.e2e

WRITTEN = (
    "Kjempegod vintersider med kanel og nellik fra de eldste trærne våre. 229,- flaska.\n"
    "Se eplehagen.no."
)
# The pasted source the model adapts (an answer that copied it would fail `not_a_copy`).
SOURCE = (
    "Nå er vintersideren vår med kanel og nellik her! Flaska koster 229,- i gårdsbutikken, "
    "og du finner den på eplehagen.no."
)


def approved(services: Services) -> int:
    """Approved drafts that carry the editor's correction."""
    with services.db.session() as s:
        drafts = DraftRepo(s).list("demo", status=DraftStatus.approved)
    return sum(1 for d in drafts if d.edited_text and "Kjempegod" not in d.edited_text)


def test_three_corrected_approvals_end_with_the_rule_visible_in_the_rules_tab(
    live_url: str, browser: Any, services: Services, fake_llm: FakeLLM
) -> None:
    fake_llm.default = json.dumps({"text": WRITTEN}, ensure_ascii=False)
    page = browser.new_page(locale="nb-NO", viewport={"width": 1300, "height": 1800})
    page.goto(f"{live_url}/ui/", wait_until="load")
    page.get_by_role("tab", name="Gjenbruk et innlegg").click()
    page.locator("#variants-text textarea").fill(SOURCE)
    page.locator("#variants-surfaces").get_by_text("Facebook-innlegg").click()
    for n in range(3):
        page.locator("#variants-go").click()
        page.locator("#variants-out .gj-variant").first.wait_for(timeout=60_000)
        edit = page.locator("#variants-edit textarea")
        edit.wait_for()
        page.wait_for_function(
            "() => document.querySelector('#variants-edit textarea').value.includes('Kjempegod')"
        )
        # Picking the new draft fills the box again (its change event) after the generation's
        # own answer: the edit is typed once that has settled, and must stay.
        corrected = WRITTEN.replace("Kjempegod", "God")
        for _ in range(20):
            edit.fill(corrected)
            page.wait_for_timeout(300)
            if edit.input_value() == corrected:
                break
        assert edit.input_value() == corrected
        page.locator("#variants-approve").click()
        # The note says "Godkjent" after every round alike: the store says when this one landed.
        for _ in range(150):
            if approved(services) == n + 1:
                break
            page.wait_for_timeout(100)
        assert approved(services) == n + 1
    # The draft is stored approved before the same request mines the edits: wait for its end.
    for _ in range(150):
        if services.learning.rules("demo"):
            break
        page.wait_for_timeout(100)
    page.get_by_role("tab", name="Stilregler").click()
    page.locator("#rules-refresh").click()
    page.locator("#rules-list").get_by_text("Skriv «god», ikke «kjempegod»").wait_for(
        timeout=30_000
    )
    rule = page.locator("#rules-list .gj-rule[data-kind=replacement]")
    assert "Skriv «god», ikke «kjempegod»" in rule.inner_text()
    assert rule.get_attribute("data-status") == "proposed"
    assert "3/3" in rule.inner_text()
    # The voice section is pre-filled from the demo's best posts.
    assert "beste innleggene" in page.locator("#voice-stats").inner_text()

    page.locator("#rules-pick input").first.click()
    page.get_by_role("option", name="Skriv «god», ikke «kjempegod» (forslag)").click()
    page.locator("#rules-on").click()
    page.locator("#rules-list .gj-rule[data-status=on]").wait_for(timeout=15_000)
    page.screenshot(path="/tmp/gjenbruk-rules.png", full_page=True)
    [stored] = services.learning.rules("demo")
    assert stored.enabled and stored.version == 2
