"""In a real browser: log in on the login page, and a client approves a draft through a review
link (the editor then sees it), against the auth routers served by uvicorn."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from service.auth.dependencies import SESSION_COOKIE
from service.domain import Check, DraftStatus
from service.storage.repositories import DraftRepo
from tests.auth_support import OWN, PASSWORD, World, make_world
from tests.integration.servers import free_port

pytestmark = pytest.mark.e2e


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[World, str]]:
    w = make_world(tmp_path, monkeypatch, allowed_hosts=["testserver", "127.0.0.1"])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(w.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.1)
    yield w, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    w.services.close()


def test_logging_in_on_the_login_page_sets_the_session(
    served: tuple[World, str], browser: Any
) -> None:
    _, url = served
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{url}/login")
    page.fill("#user", "egil")
    page.fill("#password", "wrong password!")
    page.click("button[type=submit]")
    page.locator("#error").filter(has_text="wrong password").wait_for(timeout=10_000)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/ui/", timeout=10_000)
    cookie = next(c for c in context.cookies() if c["name"] == SESSION_COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    me = page.evaluate("fetch('/v1/me').then(r => r.json())")
    assert me["user"] == "egil" and me["workspaces"] == [{"workspace": OWN, "role": "editor"}]
    context.close()


def test_a_client_approves_a_draft_through_a_review_link(
    served: tuple[World, str], browser: Any
) -> None:
    w, url = served
    draft_id = w.draft_ids[OWN]
    with w.services.db.session() as s:
        # A draft that failed its checks: the client is told, and cannot approve it.
        drafts = DraftRepo(s)
        failed = drafts.get(OWN, draft_id).model_copy(
            update={"id": "failed-one", "passed": False, "checks": [
                Check(name="length", passed=False, code="check.length.chars",
                      params={"found": 2400, "limit": 2200}),
            ]}
        )  # fmt: skip
        drafts.add(failed)
    made = w.client.post(
        f"/v1/workspaces/{OWN}/review-links",
        json={"draft_ids": [draft_id, "failed-one"], "label": "Mars for Acme"},
        headers=w.auth("editor"),
    )
    token = made.json()["token"]
    page = browser.new_page()
    page.goto(f"{url}/review/{token}")
    page.locator("#title").filter(has_text="Mars for Acme").wait_for(timeout=10_000)
    page.fill("#author", "Kari")
    stuck = page.locator("[data-draft='failed-one']")
    stuck.locator(".needs-editor").filter(has_text="redaktøren").wait_for(timeout=10_000)
    assert "2400/2200" in stuck.locator(".needs-editor").inner_text()
    assert stuck.locator("button.approve").count() == 0
    assert stuck.locator("button.reject").count() == 1
    box = page.locator(f"[data-draft='{draft_id}']")
    box.locator("textarea").fill("Fint!")
    box.locator("button.approve").click()
    page.locator(".status").filter(has_text="approved").first.wait_for(timeout=10_000)
    with w.services.db.session() as s:
        assert DraftRepo(s).get(OWN, draft_id).status is DraftStatus.approved
    seen = w.client.get(f"/v1/workspaces/{OWN}/review-feedback", headers=w.auth("editor")).json()
    assert [(f["verdict"], f["comment"], f["author"]) for f in seen] == [
        ("approved", "Fint!", "Kari")
    ]
