"""The authorization matrix over the tiny app: every route × every credential × own/foreign."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import APIRouter, Depends

from service.auth.dependencies import authorize
from service.auth.permissions import Permission, Role, minimum_role
from tests.auth_matrix import build_cases, duplicate_names, routes_without_entry
from tests.auth_support import FOREIGN, OWN, SECRET_OF_RIVAL, World, make_world, world

__all__ = ["world"]

BODIES = {"dummy_import": {"name": "x"}}


def test_every_route_of_the_app_has_an_entry_and_a_unique_name(world: World) -> None:
    assert routes_without_entry(world.app) == []
    assert duplicate_names(world.app) == []


def test_the_matrix_holds_for_every_case(world: World) -> None:
    cases = build_cases(
        world.app,
        own=OWN,
        foreign=FOREIGN,
        values={"draft_id": world.draft_ids[OWN], "thing_id": "t1"},
        # These change the world the other cases run in: only their refusals here; their own
        # tests cover what they do.
        refused_only={"logout", "revoke_key", "remove_member", "set_member", "revoke_review_link"},
    )
    routes = {c.route for c in cases}
    print(f"\nauth matrix, tiny app: {len(routes)} keyed routes, {len(cases)} cases")
    # Every keyed route x 8 credentials (x 2 workspaces where scoped).
    assert len(routes) >= 22 and len(cases) >= 22 * 8
    failures = []
    for case in cases:
        r = world.client.request(
            case.method,
            case.path,
            headers=world.auth(case.credential),
            json=BODIES.get(case.route, {}) if case.method != "GET" else None,
        )
        allowed = case.expect is None
        if (
            (allowed and r.status_code in (401, 403))
            or (allowed and r.status_code == 404 and "no workspace" in r.text)
            or (not allowed and r.status_code != case.expect)
        ):
            failures.append((case.id, r.status_code, r.text[:120]))
        if SECRET_OF_RIVAL in r.text or world.draft_ids[FOREIGN] in r.text:
            failures.append((case.id, "foreign data in body", r.text[:120]))
        if r.status_code == 401:
            assert r.headers["WWW-Authenticate"].startswith("Bearer")
            assert set(r.json()["error"]) == {"code", "message", "details"}
    assert failures == []


@pytest.mark.parametrize("role", list(Role))
def test_a_role_reaches_exactly_the_dummy_routes_its_permissions_allow(
    world: World, role: Role
) -> None:
    # Independent of the generator: spelled out from the role order.
    expected = {
        "/things/t1": ("GET", Role.viewer),
        "/imports": ("POST", Role.editor),
        "/generate": ("POST", Role.editor),
        f"/drafts/{world.draft_ids[OWN]}": ("PATCH", Role.reviewer),
        "/danger": ("DELETE", Role.owner),
    }
    for path, (method, lowest) in expected.items():
        r = world.client.request(
            method,
            f"/v1/workspaces/{OWN}{path}",
            headers=world.auth(role.name),
            json={"name": "x"} if method == "POST" else None,
        )
        assert r.status_code == (200 if role >= lowest else 403), (path, role, r.text)


def test_a_foreign_workspace_answers_like_a_missing_one(world: World) -> None:
    foreign = world.client.get(f"/v1/workspaces/{FOREIGN}/things/t1", headers=world.auth("owner"))
    missing = world.client.get("/v1/workspaces/nowhere/things/t1", headers=world.auth("owner"))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json()["error"]["message"] == "no workspace 'rival'"
    assert missing.json()["error"]["message"] == "no workspace 'nowhere'"
    assert SECRET_OF_RIVAL not in foreign.text


def test_a_route_missing_from_the_table_is_listed_and_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = make_world(tmp_path, monkeypatch)
    extra = APIRouter(prefix="/v1/workspaces/{ws}", dependencies=[Depends(authorize)])

    @extra.get("/forgotten", name="forgotten_route")
    def forgotten(ws: str) -> dict[str, str]:
        return {"ws": ws}

    w.app.include_router(extra)
    assert any("forgotten_route" in r for r in routes_without_entry(w.app))
    with pytest.raises(KeyError):
        build_cases(w.app, own=OWN, foreign=FOREIGN)
    r = w.client.get(f"/v1/workspaces/{OWN}/forgotten", headers=w.auth("owner"))
    assert r.status_code == 403 and "no entry in the permission table" in r.text
    w.services.close()


def test_the_minimum_roles_follow_the_role_order() -> None:
    assert minimum_role(Permission.workspace_read) is Role.viewer
    assert minimum_role(Permission.draft_review) is Role.reviewer
    assert minimum_role(Permission.generate) is Role.editor
    assert minimum_role(Permission.members_manage) is Role.owner
    assert minimum_role(Permission.public) is None
