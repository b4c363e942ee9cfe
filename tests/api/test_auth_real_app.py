"""The authorization matrix over the product's own app: every route is in the permission table,
and every route x credential x own/foreign workspace answers as the table says."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.auth_matrix import (
    BAD_CREDENTIALS,
    ROLES,
    api_routes,
    build_cases,
    duplicate_names,
    routes_without_entry,
)
from tests.auth_support import FOREIGN, OWN, SECRET_OF_RIVAL, make_world

LATEST = {
    "list_style_rules",
    "create_style_rule",
    "update_style_rule",
    "delete_style_rule",
    "style_rule_history",
    "get_brand_voice",
    "save_brand_voice",
    "reuse_report",
    "get_import",
}


def test_the_real_app_has_every_route_in_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = make_world(tmp_path, monkeypatch, real_app=True, limit_requests_per_minute=100_000)
    try:
        assert routes_without_entry(w.app) == []
        assert duplicate_names(w.app) == []
        # The routes added last (style rules, the import job, the brand voice, reuse) are in
        # the app and so in the matrix.
        names = {r.name for r in api_routes(w.app)}
        assert names >= LATEST, LATEST - names
        cases = build_cases(w.app, own=OWN, foreign=FOREIGN)
        assert {c.route for c in cases} >= LATEST
        # A route added without an entry in the permission table is caught by name.
        w.app.add_api_route("/v1/workspaces/{ws}/unlisted", lambda ws: {}, name="unlisted_thing")
        assert routes_without_entry(w.app) == [
            "['GET'] /v1/workspaces/{ws}/unlisted (unlisted_thing)"
        ]
        with pytest.raises(KeyError):
            build_cases(w.app, own=OWN, foreign=FOREIGN)
    finally:
        w.client.close()
        w.services.close()


def test_the_matrix_holds_on_the_real_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    w = make_world(tmp_path, monkeypatch, real_app=True, limit_requests_per_minute=100_000)
    try:
        # By the matrix's own route list: the app keeps included routers nested, so its
        # top-level routes held only three of the writes.
        writes = {r.name for r in api_routes(w.app) if r.methods - {"GET", "HEAD"}}
        assert len(writes) >= 25
        # Reads run for every role; what writes or calls the model is checked for its refusals
        # (its own tests cover what it does when allowed).
        cases = build_cases(
            w.app,
            own=OWN,
            foreign=FOREIGN,
            values={"draft_id": w.draft_ids[OWN]},
            refused_only=writes,
        )
        routes = {c.route for c in cases}
        assert len(routes) >= 40 and len(cases) >= 40 * 8
        assert routes >= LATEST
        full = build_cases(w.app, own=OWN, foreign=FOREIGN, values={"draft_id": "x"})
        print(
            f"\nauth matrix, real app: {len(api_routes(w.app))} routes, "
            f"{len({c.route for c in full})} of them "
            f"keyed x ({len(BAD_CREDENTIALS)} bad credentials + {len(ROLES)} roles) x own/foreign "
            f"where scoped = {len(full)} cases; {len(cases)} requested here (writes only for "
            "their refusals)"
        )
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
