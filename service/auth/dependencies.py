"""`authorize`: the one gate every route passes (added per router with
`dependencies=[Depends(authorize)]`). It finds the caller, reads the path's `{ws}`, looks the
route's permission up in permissions.ROUTES and refuses with 401 / 403 / 404."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request

from service.auth import access, tokens
from service.auth.models import Caller, ReviewLink
from service.auth.permissions import NON_WORKSPACE, ROUTES, Permission
from service.auth.repos import AuditRepo
from service.auth.review import link_from_token
from service.errors import ConfigurationError, Forbidden, NotFound, Unauthenticated
from service.settings import Settings
from service.storage.db import Database

SESSION_COOKIE = "gjenbruk_session"
CSRF_COOKIE = "gjenbruk_csrf"
CSRF_HEADER = "X-CSRF-Token"
WORKSPACE_PARAM = "ws"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Routes whose handlers write their own, more telling, audit entry (roles given, key prefixes).
SELF_AUDITED = frozenset(
    {
        "set_member",
        "remove_member",
        "create_key",
        "revoke_key",
        "create_review_link",
        "revoke_review_link",
    }
)


def auth_env(request: Request) -> tuple[Database, Settings, bytes]:
    """The database, settings and pepper of the app serving this request (pepper read once)."""
    services = request.app.state.services
    pepper: bytes | None = getattr(request.app.state, "auth_pepper", None)
    if pepper is None:
        pepper = tokens.load_pepper(services.settings)
        request.app.state.auth_pepper = pepper
    return services.db, services.settings, pepper


def route_name(request: Request) -> str:
    route = request.scope.get("route")
    name = getattr(route, "name", None)
    if not name:
        raise ConfigurationError("authorize ran outside a named route")
    return str(name)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthenticated("Authorization must be `Bearer <API key>`")
    return value.strip()


def find_caller(request: Request, s: Any, pepper: bytes) -> Caller | None:
    """The caller by API key, else by session cookie; None when no credentials were sent."""
    key = _bearer(request)
    if key is not None:
        return access.caller_from_key(s, pepper, key)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    caller = access.caller_from_session(s, pepper, cookie)
    if request.method not in SAFE_METHODS:
        # A cookie is sent by the browser on its own; only our page knows the CSRF token.
        sent = request.headers.get(CSRF_HEADER, "")
        expected = caller.csrf_digest or ""
        if not sent or not hmac.compare_digest(tokens.digest(pepper, sent), expected):
            raise Forbidden(
                f"a state-changing call with a session cookie needs the {CSRF_HEADER} header "
                "given at login",
                details={"csrf": "missing or wrong"},
            )
    return caller


def _check(caller: Caller | None, permission: Permission, request: Request) -> str | None:
    """Refuse unless the caller holds `permission`; returns the workspace the route acts in."""
    if caller is None:
        raise Unauthenticated("this needs an API key (Authorization: Bearer …) or a login")
    if permission is Permission.authenticated:
        return None
    if permission is Permission.workspace_create:
        # A key is bound to one workspace; only an owner's key may found others for its person.
        if caller.via == "key" and (caller.key_role is None or caller.key_role.name != "owner"):
            raise Forbidden("creating a workspace needs a login or an owner's key")
        return None
    ws = request.path_params.get(WORKSPACE_PARAM)
    if not ws:
        raise ConfigurationError(
            f"route {route_name(request)!r} needs {permission.value} in a workspace but its "
            f"path has no {{{WORKSPACE_PARAM}}}"
        )
    if caller.role_in(ws) is None:
        # The same answer as for a workspace that does not exist: IDs cannot be probed.
        raise NotFound(f"no workspace {ws!r}", details={"workspace": ws})
    if not caller.can(ws, permission):
        raise Forbidden(
            f"your role in {ws!r} ({caller.role_in(ws).name}) does not allow {permission.value}",  # type: ignore[union-attr]
            details={"permission": permission.value},
        )
    return str(ws)


def authorize(request: Request) -> Iterator[Caller | None]:
    name = route_name(request)
    permission = ROUTES.get(name)
    if permission is None:
        raise Forbidden(
            f"route {name!r} has no entry in the permission table", details={"route": name}
        )
    db, _settings, pepper = auth_env(request)
    request.state.caller = None
    request.state.review_link = None
    if permission is Permission.public:
        yield None
        return
    if permission is Permission.review_link:
        with db.session() as s:
            request.state.review_link = link_from_token(
                s, pepper, str(request.path_params.get("token", ""))
            )
        yield None
        return
    with db.session() as s:
        caller = find_caller(request, s, pepper)
        ws = _check(caller, permission, request)
    request.state.caller = caller
    yield caller
    # Reached only when the route succeeded: the log names what was done, never its body.
    audit = permission not in NON_WORKSPACE and name not in SELF_AUDITED
    if request.method not in SAFE_METHODS and audit and caller is not None:
        with db.session() as s:
            AuditRepo(s).add(
                actor=caller.actor,
                action=name,
                workspace=ws,
                target=_target(request),
            )


def _target(request: Request) -> str:
    ids = {k: v for k, v in request.path_params.items() if k != WORKSPACE_PARAM}
    return " ".join(f"{k}={v}" for k, v in sorted(ids.items()))


def current_caller(request: Request) -> Caller:
    caller: Caller | None = getattr(request.state, "caller", None)
    if caller is None:
        raise Unauthenticated("this needs an API key (Authorization: Bearer …) or a login")
    return caller


def current_review_link(request: Request) -> ReviewLink:
    link: ReviewLink | None = getattr(request.state, "review_link", None)
    if link is None:
        raise Unauthenticated("the review link is missing, unknown, expired or revoked")
    return link


def require(request: Request, permission: Permission, workspace: str) -> Caller:
    """For a handler whose need depends on the body (an edit inside a review): check one more
    permission through the same table."""
    caller = current_caller(request)
    if not caller.can(workspace, permission):
        raise Forbidden(
            f"this needs {permission.value} in {workspace!r}",
            details={"permission": permission.value},
        )
    return caller


def optional_caller(request: Request) -> Caller | None:
    """The caller if credentials came with the request (for public pages that adapt)."""
    db, _settings, pepper = auth_env(request)
    try:
        with db.session() as s:
            return find_caller(request, s, pepper)
    except (Unauthenticated, Forbidden):
        return None


CallerDep = Annotated[Caller, Depends(current_caller)]
ReviewLinkDep = Annotated[ReviewLink, Depends(current_review_link)]
