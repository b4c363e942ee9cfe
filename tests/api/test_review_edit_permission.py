"""An edit inside a review needs draft.edit over the API, as over MCP: a reviewer may approve or
reject, but a body that rewrites the text is refused with a 403 that says why, and nothing is
stored; an editor's edit goes through."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.storage.repositories import DraftRepo
from tests.auth_support import OWN, make_world


def test_a_reviewer_may_approve_but_not_edit_and_an_editor_may_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = make_world(tmp_path, monkeypatch, real_app=True, limit_requests_per_minute=100_000)
    try:
        draft_id = w.draft_ids[OWN]
        url = f"/v1/workspaces/{OWN}/drafts/{draft_id}"

        r = w.client.patch(
            url,
            json={"status": "approved", "edited_text": "rewritten by a reviewer"},
            headers=w.auth("reviewer"),
        )
        assert r.status_code == 403, r.text
        error = r.json()["error"]
        assert error["code"] == "forbidden"
        assert error["details"] == {"permission": "draft.edit"}
        assert "draft.edit" in error["message"] and "reviewer" in error["message"]
        with w.services.db.session() as s:
            kept = DraftRepo(s).get(OWN, draft_id)
        assert kept.status.value == "proposed" and kept.edited_text is None

        # The same reviewer's verdict without an edit is theirs to give.
        r = w.client.patch(url, json={"status": "rejected"}, headers=w.auth("reviewer"))
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "rejected" and r.json()["edited_text"] is None

        r = w.client.patch(
            url,
            json={"status": "approved", "edited_text": "rewritten by an editor"},
            headers=w.auth("editor"),
        )
        assert r.status_code == 200, r.text
        assert r.json()["edited_text"] == "rewritten by an editor"
        assert r.json()["status"] == "approved"
    finally:
        w.client.close()
        w.services.close()
