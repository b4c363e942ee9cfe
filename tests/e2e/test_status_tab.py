"""A month being written is followed and cancelled from the Status tab, then resumed: one
progress element per job, the time so far in words, and the drafts already done kept."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from service.container import Services
from service.domain.job import JobStatus
from service.planning.service import parse_plan
from service.providers.llm import ChatMessage
from service.providers.llm_fake import FakeLLM

pytestmark = pytest.mark.e2e
EXAMPLE = Path(__file__).resolve().parents[2] / "ui" / "examples" / "plan.json"


def test_an_editor_cancels_a_running_month_and_resumes_it(
    live_url: str, browser: Any, services: Services, fake_llm: FakeLLM
) -> None:
    release = threading.Event()
    reply = json.dumps({"text": "Julesideren er tappet! Smak den i gårdsbutikken på lørdag."})

    def slow(messages: Sequence[ChatMessage]) -> str:
        release.wait(timeout=120)  # the month stays running until the test lets it go
        return reply

    fake_llm.default = slow
    plan = parse_plan(EXAMPLE.read_text(encoding="utf-8"))
    job = services.planner.generate("demo", plan, services.planner.schedule("demo", plan))
    try:
        page = browser.new_page(locale="nb-NO", viewport={"width": 1300, "height": 1600})
        page.goto(f"{live_url}/ui/", wait_until="load")
        page.get_by_role("tab", name="Status").click()
        card = page.locator("#status-jobs .gj-job").first
        card.wait_for(timeout=30_000)
        assert card.locator("progress").count() == 1
        text = card.inner_text()
        assert "Utkast for desember 2026" in text and "brukt" in text
        assert job.id not in page.locator("#status-jobs").inner_text(), "no ids on screen"
        page.locator("#status-cancel").click()
        page.locator("#status-note").get_by_text("Utkast for desember 2026").wait_for(
            timeout=30_000
        )
    finally:
        release.set()
    page.locator("#status-jobs .gj-job[data-status='cancelled']").wait_for(timeout=60_000)
    cancelled = services.jobs.get(job.id)
    assert cancelled.status is JobStatus.cancelled and cancelled.done < cancelled.total

    fake_llm.default = reply
    page.locator("#status-resume").click()
    page.locator("#status-jobs .gj-job[data-status='done']").wait_for(timeout=180_000)
    final = services.jobs.get(job.id)
    assert final.status is JobStatus.done and final.done == final.total
