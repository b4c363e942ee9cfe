"""Gradio mounted behind the app's own login: pass `ui_auth_dependency(app)` as
`gr.mount_gradio_app(..., auth_dependency=...)`. Gradio calls it on every page, config, queue and
upload request; None answers 401, a string is the user (gr.Request.username in handlers)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI, Request

from service.auth import access
from service.auth.dependencies import SESSION_COOKIE, auth_env
from service.auth.models import Caller
from service.errors import Unauthenticated


def ui_caller(request: Request) -> Caller | None:
    """The logged-in person behind a UI request (session cookie only: the UI has no keys)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    db, _settings, pepper = auth_env(request)
    try:
        with db.session() as s:
            return access.caller_from_session(s, pepper, cookie)
    except Unauthenticated:
        return None


def ui_auth_dependency(app: FastAPI) -> Callable[[Request], str | None]:
    del app  # the request knows its app; the parameter keeps the call site explicit

    def user_name(request: Request) -> str | None:
        caller = ui_caller(request)
        return None if caller is None else caller.user_name

    return user_name
