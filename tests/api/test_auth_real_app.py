"""The authorization matrix over the product's own app: every route is in the permission table,
and every route x credential x own/foreign workspace answers as the table says."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.routing import APIRoute

from tests.auth_matrix import build_cases, duplicate_names, routes_without_entry
from tests.auth_support import FOREIGN, OWN, SECRET_OF_RIVAL, make_world


def test_the_real_app_has_every_route_in_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = make_world(tmp_path, monkeypatch, real_app=True, limit_requests_per_minute=100_000)
    try:
        assert routes_without_entry(w.app) == []
        assert duplicate_names(w.app) == []
    finally:
        w.client.close()
        w.services.close()


def test_the_matrix_holds_on_the_real_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    w = make_world(tmp_path, monkeypatch, real_app=True, limit_requests_per_minute=100_000)
    try:
        writes = {
            r.name
            for r in w.app.routes
            if isinstance(r, APIRoute) and (r.methods or set()) - {"GET", "HEAD"}
        }
        # Reads run for every role; what writes or calls the model is checked for its refusals
        # (its own tests cover what it does when allowed).
        cases = build_cases(
            w.app,
            own=OWN,
            foreign=FOREIGN,
            values={"draft_id": w.draft_ids[OWN]},
            refused_only=writes,
        )
        assert len({c.route for c in cases}) >= 40 and len(cases) >= 40 * 8
        failures = []
        for case in cases:
            r = w.client.request(
                case.method, case.path, headers=w.auth(case.credential), follow_redirects=False
            )
            allowed = case.expect is None
            if (
                (allowed and r.status_code in (401, 403))
                or (allowed and r.status_code == 404 and "no workspace" in r.text)
                or (not allowed and r.status_code != case.expect)
            ):
                failures.append((case.id, r.status_code, r.text[:120]))
            if r.status_code >= 500:
                failures.append((case.id, r.status_code, r.text[:120]))
            if SECRET_OF_RIVAL in r.text or w.draft_ids[FOREIGN] in r.text:
                failures.append((case.id, "foreign data in body", r.text[:120]))
        assert failures == [], failures[:8]
    finally:
        w.client.close()
        w.services.close()
