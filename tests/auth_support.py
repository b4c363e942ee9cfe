"""A tiny app for the auth tests: a few dummy routers under /v1/workspaces/{ws}/… beside the
auth routers, and a world of people with a key per role in one workspace and a rival one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.testclient import TestClient
from pydantic import BaseModel

from service.api import auth as auth_api
from service.api.errors import install_error_handlers
from service.auth import access, tokens
from service.auth.dependencies import CallerDep, authorize
from service.auth.http import install_auth_error_handlers
from service.auth.limits import limit_requests
from service.auth.permissions import ROUTES, Permission, Role
from service.auth.repos import KeyRepo, MembershipRepo
from service.auth.web import install_web_security
from service.container import Services
from service.domain import Draft, Workspace
from service.settings import Settings
from service.storage.auth_tables import ApiKeyRow
from service.storage.repositories import DraftRepo, WorkspaceRepo

OWN, FOREIGN = "acme", "rival"
SECRET_OF_RIVAL = "rival's secret brand voice"
PEOPLE = {"olga": Role.owner, "egil": Role.editor, "rut": Role.reviewer, "vera": Role.viewer}
PASSWORD = "correct horse battery"

DUMMY_ROUTES: dict[str, Permission] = {
    "dummy_read": Permission.workspace_read,
    "dummy_import": Permission.library_import,
    "dummy_generate": Permission.generate,
    "dummy_review": Permission.draft_review,
    "dummy_members": Permission.members_manage,
    "dummy_my_workspaces": Permission.authenticated,
    "dummy_create_workspace": Permission.workspace_create,
}


class ThingIn(BaseModel):
    name: str


def dummy_routers() -> list[APIRouter]:
    gate = [Depends(authorize), Depends(limit_requests)]
    ws = APIRouter(prefix="/v1/workspaces/{ws}", dependencies=gate)

    @ws.get("/things/{thing_id}", name="dummy_read")
    def read(ws: str, thing_id: str, request: Request) -> dict[str, str]:
        services: Services = request.app.state.services
        with services.db.session() as s:
            voice = WorkspaceRepo(s).get(ws).brand_voice
        return {"ws": ws, "thing": thing_id, "voice": voice}

    @ws.post("/imports", name="dummy_import")
    def import_(ws: str, body: ThingIn) -> dict[str, str]:
        return {"ws": ws, "imported": body.name}

    @ws.post("/generate", name="dummy_generate")
    def generate(ws: str) -> dict[str, str]:
        return {"ws": ws}

    @ws.patch("/drafts/{draft_id}", name="dummy_review")
    def review(ws: str, draft_id: str) -> dict[str, str]:
        return {"ws": ws, "draft": draft_id}

    @ws.delete("/danger", name="dummy_members")
    def danger(ws: str) -> dict[str, str]:
        return {"ws": ws}

    top = APIRouter(prefix="/v1", dependencies=gate)

    @top.get("/my-workspaces", name="dummy_my_workspaces")
    def mine(caller: CallerDep) -> list[str]:
        return caller.workspaces()

    @top.post("/new-workspaces", name="dummy_create_workspace", status_code=201)
    def create(caller: CallerDep) -> dict[str, str]:
        return {"by": caller.user_name}

    return [ws, top]


def build_app(services: Services) -> FastAPI:
    app = FastAPI()
    app.state.services = services
    install_error_handlers(app)
    install_auth_error_handlers(app)
    for router in (*auth_api.ROUTERS, *dummy_routers()):
        app.include_router(router)
    install_web_security(app, services.settings)
    return app


@dataclass
class World:
    services: Services
    app: FastAPI
    client: TestClient
    pepper: bytes
    keys: dict[str, str] = field(default_factory=dict)  # credential name -> bearer token
    draft_ids: dict[str, str] = field(default_factory=dict)  # workspace -> a draft there

    def auth(self, credential: str) -> dict[str, str]:
        if credential == "none":
            return {}
        return {"Authorization": f"Bearer {self.keys[credential]}"}

    def login(self, user: str, password: str = PASSWORD) -> str:
        r = self.client.post("/v1/login", json={"user": user, "password": password})
        assert r.status_code == 200, r.text
        return str(r.json()["csrf_token"])


def _draft(ws: str, text: str) -> Draft:
    return Draft(
        id=f"d-{ws}-{abs(hash(text)) % 10_000}",
        workspace=ws,
        surface="instagram_post",
        language="nb",
        text=text,
        passed=True,
    )


def make_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **overrides: object) -> World:
    for name, permission in DUMMY_ROUTES.items():
        monkeypatch.setitem(ROUTES, name, permission)
    options: dict[str, object] = {"allowed_hosts": ["testserver"], **overrides}
    settings = Settings(
        data_dir=tmp_path / "data",
        env="test",
        llm="fake",
        embeddings="fake",
        **options,  # type: ignore[arg-type]
    )
    services = Services(settings)
    pepper = tokens.load_pepper(settings)
    world_keys: dict[str, str] = {}
    drafts: dict[str, str] = {}
    with services.db.session() as s:
        WorkspaceRepo(s).save(Workspace(slug=OWN, name="Acme", brand_voice="acme voice"))
        WorkspaceRepo(s).save(Workspace(slug=FOREIGN, name="Rival", brand_voice=SECRET_OF_RIVAL))
        for ws in (OWN, FOREIGN):
            drafts[ws] = DraftRepo(s).add(_draft(ws, f"a draft of {ws}")).id
        members = MembershipRepo(s)
        for name, role in PEOPLE.items():
            user = access.create_user(s, name, PASSWORD)
            members.set(user.id, OWN, role)
        mallory = access.create_user(s, "mallory", PASSWORD)
        members.set(mallory.id, FOREIGN, Role.owner)
        for name, role in PEOPLE.items():
            caller = access.caller_for_user(s, name)
            _, world_keys[role.name] = access.create_key(
                s, pepper, caller, OWN, role=role, days=30, max_days=365
            )
        olga = access.caller_for_user(s, "olga")
        expired, world_keys["expired"] = access.create_key(
            s, pepper, olga, OWN, role=Role.owner, days=1, max_days=365
        )
        row = s.get(ApiKeyRow, expired.id)
        assert row is not None
        row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        revoked, world_keys["revoked"] = access.create_key(
            s, pepper, olga, OWN, role=Role.owner, days=1, max_days=365
        )
        KeyRepo(s).revoke(KeyRepo(s).get(OWN, revoked.id))
    # Well-formed but unknown, so the lookup itself is exercised.
    world_keys["bad"] = world_keys["owner"][:-4] + "AAAA"
    app = build_app(services)
    client = TestClient(app, raise_server_exceptions=False)
    return World(services, app, client, pepper, world_keys, drafts)


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    w = make_world(tmp_path, monkeypatch)
    yield w
    w.client.close()
    w.services.close()
