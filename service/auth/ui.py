"""Gradio mounted behind the app's own login: pass `ui_auth_dependency(app)` as
`gr.mount_gradio_app(..., auth_dependency=...)`. Gradio calls it on every page, config, queue and
upload request; None answers 401, a string is the user (gr.Request.username in handlers)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI, Request

from service.auth import access, tokens
from service.auth.dependencies import SESSION_COOKIE, auth_env
from service.auth.models import Caller
from service.auth.permissions import NON_WORKSPACE, Permission
from service.errors import Forbidden, NotFound, Unauthenticated
from service.storage.db import Database


def ui_caller(request: Request, app: FastAPI | None = None) -> Caller | None:
    """The logged-in person behind a UI request (session cookie only: the UI has no keys).
    Gradio hands over its own sub-app's request, so the product's `app` is given apart."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    if app is not None:
        db, pepper = app.state.services.db, tokens.load_pepper(app.state.services.settings)
    else:
        db, _settings, pepper = auth_env(request)
    try:
        with db.session() as s:
            return access.caller_from_session(s, pepper, cookie)
    except Unauthenticated:
        return None


def ui_auth_dependency(app: FastAPI) -> Callable[[Request], str | None]:
    def user_name(request: Request) -> str | None:
        caller = ui_caller(request, app)
        return None if caller is None else caller.user_name

    return user_name


def ui_workspaces(db: Database, user_name: str | None) -> list[str]:
    """The workspace picker's choices for `gr.Request.username` (none without a login)."""
    if not user_name:
        return []
    with db.session() as s:
        return access.caller_for_user(s, user_name).workspaces()


def ui_require(db: Database, user_name: str | None, workspace: str, permission: Permission) -> None:
    """A UI action goes through the same table as the routes: call it first in the handler."""
    if not user_name:
        raise Unauthenticated("log in first")
    with db.session() as s:
        caller = access.caller_for_user(s, user_name)
    if caller.role_in(workspace) is None:
        raise NotFound(f"no workspace {workspace!r}", details={"workspace": workspace})
    if not caller.can(workspace, permission):
        raise Forbidden(f"this needs {permission.value} in {workspace!r}")


def ui_permissions(db: Database, user_name: str | None) -> dict[str, list[str]]:
    """Per workspace of the caller, what their role there allows (permission values): the UI
    hides the actions not in it, and `ui_require` refuses them if asked anyway."""
    if not user_name:
        return {}
    with db.session() as s:
        caller = access.caller_for_user(s, user_name)
    return {
        ws: sorted(p.value for p in Permission if p not in NON_WORKSPACE and caller.can(ws, p))
        for ws in caller.workspaces()
    }


def ui_require_any(db: Database, user_name: str | None, permission: Permission) -> None:
    """For a UI action bound to no workspace (a profile audit not stored anywhere): the caller
    must hold the right in at least one of their workspaces."""
    if not user_name:
        raise Unauthenticated("log in first")
    if not any(permission.value in p for p in ui_permissions(db, user_name).values()):
        raise Forbidden(f"this needs {permission.value} in one of your workspaces")
