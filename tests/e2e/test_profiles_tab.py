"""A team audits its profile texts in the browser: counts against limits, findings highlighted,
a rule-based rewrite with a diff, accepted into the workspace's drafts."""

from __future__ import annotations

import json
from typing import Any

from service.container import Services
from service.providers.llm_fake import FakeLLM
from service.storage.repositories import DraftRepo, ProfileAuditRepo


def test_a_team_audits_profiles_and_accepts_a_fixed_text(
    live_url: str, browser: Any, services: Services, fake_llm: FakeLLM
) -> None:
    # The model's option invents a phone number: it must be hidden, with the reason.
    fake_llm.default = json.dumps({"text": "Omvisning hver dag! Ring 55 12 34 99."})
    page = browser.new_page(locale="nb-NO", viewport={"width": 1300, "height": 2200})
    page.goto(f"{live_url}/ui/", wait_until="load")
    page.get_by_role("tab", name="Profiltekster").click()
    # The editor shows each field with its count against the channel's limit, live.
    bio = page.locator("#pf-instagram-bio textarea")
    bio.wait_for(timeout=30_000)
    bio.fill("Sider fra Hardanger " * 8)
    editor = page.locator("#profiles-editor")
    editor.get_by_text("160 av 150 tegn – 10 for mange").wait_for(timeout=30_000)
    assert editor.locator(".gj-live-count[data-over='true']").count() == 1
    bio.fill("Sider og eplemost fra Hardanger. Gårdsbutikk lør 11–16. Omvisning: eplehagen.no")
    editor.get_by_text("av 150 tegn").first.wait_for(timeout=30_000)
    page.locator("#profiles-use").click()  # the audit reads the texts as edited
    table = page.locator("#profiles-table")
    table.locator("tr.gj-field").first.wait_for(timeout=30_000)
    fb = table.locator("tr[data-field='facebook.description']")
    assert fb.locator(".gj-finding[data-code='inconsistent_fact']").count() == 2
    assert fb.locator(".gj-finding[data-code='outdated']").count() == 2
    assert "av 255 tegn" in fb.locator(".gj-count").inner_text()
    summary = page.locator("#profiles-summary")
    assert "100/100" not in summary.inner_text()
    score_before = summary.inner_text().split("/100")[0].strip()

    page.locator("#profiles-field input").click()
    page.get_by_role("option", name="Facebook · Beskrivelse").click()
    page.locator("#profiles-propose").click()
    option = page.locator("#profiles-options .gj-option").first
    option.wait_for(timeout=30_000)
    assert option.locator("ins").count() >= 1 and option.locator("del").count() >= 1
    hidden = page.locator("#profiles-options details").text_content() or ""
    # Why, in the reader's words: the finding's label, never its code (`inconsistent_fact`).
    assert "fakta som ikke stemmer mellom kanalene" in hidden and "inconsistent_fact" not in hidden
    edit = page.locator("#profiles-edit textarea")
    assert "55 12 34 56" in edit.input_value() and "55 12 34 65" not in edit.input_value()
    page.locator("#profiles-accept").click()
    page.locator("#profiles-accepted").get_by_text("Lagret").wait_for(timeout=30_000)
    # The accepted text is now the current one: the box holds it and the score is its audit's.
    page.wait_for_function(
        "before => !document.querySelector('#profiles-summary').innerText.startsWith(before)",
        arg=score_before + "/100",
    )
    page.wait_for_function(
        "() => (document.querySelector('#pf-facebook-description textarea') || {value: ''})"
        ".value.includes('55 12 34 56')"
    )

    with services.db.session() as s:
        [draft] = DraftRepo(s).list("demo", kind="profile")
        history = ProfileAuditRepo(s).history("demo")
    assert draft.surface == "facebook.description" and draft.passed
    assert "55 12 34 56" in draft.text
    assert len(history) == 2 and history[0].overall < history[1].overall
