"""The browser is not a way in: Host, Origin, cross-site forms, CSRF, cookies, headers; the first
start and the bind check."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import Request

from service.auth import access
from service.auth.bootstrap import create_owner, prepare_serve
from service.auth.dependencies import CSRF_HEADER, SESSION_COOKIE
from service.auth.ui import ui_auth_dependency
from service.auth.web import check_bind
from service.domain import Workspace
from service.errors import ConfigurationError
from service.settings import Settings
from service.storage.db import Database
from service.storage.repositories import WorkspaceRepo
from tests.auth_matrix import api_routes
from tests.auth_support import OWN, World, make_world, world

__all__ = ["world"]

IMPORT = f"/v1/workspaces/{OWN}/imports"


def _unsafe_routes(w: World) -> list[tuple[str, str]]:
    return [
        (m, r.path.replace("{ws}", OWN))
        for r in api_routes(w.app)
        for m in sorted(r.methods)
        if m in {"POST", "PUT", "PATCH", "DELETE"}
    ]


def test_a_cross_site_form_post_is_refused_on_every_state_changing_route(world: World) -> None:
    world.login("olga")  # the victim's browser holds a session cookie
    routes = _unsafe_routes(world)
    assert len(routes) >= 10
    for method, path in routes:
        r = world.client.request(
            method,
            path,
            data={"name": "evil"},
            headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
        )
        assert r.status_code == 403 and r.json()["error"]["code"] == "cross_site", (path, r.text)


def test_a_foreign_origin_is_refused_even_with_a_valid_key(world: World) -> None:
    headers = {**world.auth("owner"), "Origin": "http://attacker.test"}
    r = world.client.post(IMPORT, json={"name": "x"}, headers=headers)
    assert r.status_code == 403 and "cross-site" in r.json()["error"]["message"]
    same = {**world.auth("owner"), "Origin": "http://testserver"}
    assert world.client.post(IMPORT, json={"name": "x"}, headers=same).status_code == 200
    r = world.client.post(
        IMPORT, json={"name": "x"}, headers={**world.auth("owner"), "Origin": "null"}
    )
    assert r.status_code == 403


def test_a_foreign_host_is_refused_everywhere(world: World) -> None:
    for method, path in [("GET", "/v1/me"), *_unsafe_routes(world)]:
        r = world.client.request(
            method, path, headers={**world.auth("owner"), "Host": "rebound.attacker.test"}
        )
        assert r.status_code == 400, (path, r.status_code)


def test_a_cookie_call_that_changes_state_needs_the_csrf_token(world: World) -> None:
    csrf = world.login("egil")
    assert world.client.get("/v1/me").json()["user"] == "egil"  # reading needs no token
    refused = world.client.post(IMPORT, json={"name": "x"})
    assert refused.status_code == 403 and refused.json()["error"]["details"]["csrf"]
    wrong = world.client.post(IMPORT, json={"name": "x"}, headers={CSRF_HEADER: "gjc_x_y"})
    assert wrong.status_code == 403
    ok = world.client.post(IMPORT, json={"name": "x"}, headers={CSRF_HEADER: csrf})
    assert ok.status_code == 200 and ok.json() == {"ws": OWN, "imported": "x"}


def test_login_sets_a_strict_http_only_cookie_and_logout_ends_it(world: World) -> None:
    r = world.client.post("/v1/login", json={"user": "rut", "password": "correct horse battery"})
    assert r.status_code == 200
    cookies = r.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith(f"{SESSION_COOKIE}="))
    assert "HttpOnly" in session and "SameSite=strict" in session and "Secure" not in session
    assert r.json()["workspaces"] == [{"workspace": OWN, "role": "reviewer"}]
    csrf = r.json()["csrf_token"]
    assert world.client.post("/v1/logout", headers={CSRF_HEADER: csrf}).status_code == 204
    world.client.cookies.set(SESSION_COOKIE, session.split(";")[0].split("=", 1)[1])
    after = world.client.get("/v1/me")
    assert after.status_code == 401 and after.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_password_is_a_401_without_saying_which_part_was_wrong(world: World) -> None:
    wrong = world.client.post("/v1/login", json={"user": "rut", "password": "nope nope nope"})
    nobody = world.client.post("/v1/login", json={"user": "nobody", "password": "x"})
    assert wrong.status_code == nobody.status_code == 401
    assert wrong.json()["error"]["message"] == nobody.json()["error"]["message"]


def test_cookies_are_secure_when_served_over_https(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = make_world(tmp_path, monkeypatch, public_https=True)
    r = w.client.post("/v1/login", json={"user": "olga", "password": "correct horse battery"})
    assert all("Secure" in c for c in r.headers.get_list("set-cookie"))
    assert "max-age" in r.headers["strict-transport-security"]
    w.services.close()


def test_pages_carry_security_headers_and_only_health_and_login_are_anonymous(
    world: World,
) -> None:
    page = world.client.get("/login")
    assert page.status_code == 200 and "<form" in page.text
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "access-control-allow-origin" not in page.headers  # no CORS by default
    for path in ("/v1/me", f"/v1/workspaces/{OWN}/members", f"/v1/workspaces/{OWN}/audit-log"):
        assert world.client.get(path).status_code == 401


def test_binding_beyond_loopback_without_a_user_is_refused() -> None:
    check_bind("127.0.0.1", 0)
    check_bind("::1", 0)
    check_bind("0.0.0.0", 1)
    with pytest.raises(ConfigurationError, match="create-owner"):
        check_bind("0.0.0.0", 0)
    with pytest.raises(ConfigurationError):
        check_bind("192.168.1.20", 0)


def test_the_first_local_start_makes_an_owner_and_prints_its_login_once(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "d", env="test", llm="fake", embeddings="fake")
    db = Database(settings.resolved_database_url)
    db.migrate()
    message = prepare_serve(db, settings)
    assert message is not None and "log in" in message
    password = message.split("with password ", 1)[1].split(" ", 1)[0]
    first_login = tmp_path / "d" / "first-login.txt"
    assert password in first_login.read_text() and first_login.stat().st_mode & 0o077 == 0
    with db.session() as s:
        WorkspaceRepo(s).save(Workspace(slug="later", name="Made by a CLI import"))
    again = prepare_serve(db, settings)
    assert again is not None and password not in again  # the password is shown only once
    with db.session() as s:
        assert access.caller_for_user(s, "owner").workspaces() == ["later"]
    db.dispose()


def test_serving_on_all_addresses_without_a_user_refuses_to_start(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "d", env="test", llm="fake", embeddings="fake", host="0.0.0.0"
    )
    db = Database(settings.resolved_database_url)
    db.migrate()
    with pytest.raises(ConfigurationError, match=r"refusing to listen on 0\.0\.0\.0"):
        prepare_serve(db, settings)
    owner = create_owner(db, "admin")
    assert len(owner.password) >= 16
    assert prepare_serve(db, settings) is None
    db.dispose()


def test_the_ui_dependency_names_the_logged_in_user_or_none(world: World) -> None:
    dependency = ui_auth_dependency(world.app)

    def request(cookie: str | None) -> Request:
        headers = [] if cookie is None else [(b"cookie", f"{SESSION_COOKIE}={cookie}".encode())]
        return Request({"type": "http", "headers": headers, "app": world.app})

    world.login("vera")
    cookie = world.client.cookies[SESSION_COOKIE]
    assert dependency(request(cookie)) == "vera"
    assert dependency(request(None)) is None
    assert dependency(request("gjs_0123456789_forged")) is None


def test_opening_the_ui_without_a_session_goes_to_the_login_page(world: World) -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from service.auth.web import LoginRedirect

    inner = FastAPI()

    @inner.get("/ui/")
    def ui() -> dict[str, str]:
        return {"ui": "yes"}

    inner.add_middleware(LoginRedirect)
    client = TestClient(inner)
    r = client.get("/ui/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    client.cookies.set(SESSION_COOKIE, "anything")
    assert client.get("/ui/").json() == {"ui": "yes"}


def test_a_user_made_by_the_cli_can_log_in_with_the_printed_password(world: World) -> None:
    from service.auth.bootstrap import add_user
    from service.auth.permissions import Role

    password = add_user(world.services.db, "nils", workspace=OWN, role=Role.editor)
    r = world.client.post("/v1/login", json={"user": "nils", "password": password})
    assert r.status_code == 200 and r.json()["workspaces"] == [{"workspace": OWN, "role": "editor"}]


def test_ui_actions_go_through_the_same_table(world: World) -> None:
    from service.auth.permissions import Permission
    from service.auth.ui import ui_require, ui_workspaces
    from service.errors import Forbidden, NotFound, Unauthenticated

    db = world.services.db
    assert ui_workspaces(db, "mallory") == ["rival"] and ui_workspaces(db, None) == []
    ui_require(db, "egil", OWN, Permission.generate)
    with pytest.raises(Forbidden):
        ui_require(db, "vera", OWN, Permission.generate)
    with pytest.raises(NotFound):
        ui_require(db, "mallory", OWN, Permission.workspace_read)
    with pytest.raises(Unauthenticated):
        ui_require(db, None, OWN, Permission.workspace_read)
