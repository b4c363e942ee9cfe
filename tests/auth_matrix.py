"""The authorization matrix, generated from an app's routes and the permission table.

Point it at any app (the tiny one of the auth tests, or the real create_app()):
`routes_without_entry(app)` must be empty, and every case of `build_cases(app)` is one request
whose status is fixed by the table alone: 401 for no/bad/expired/revoked credentials, 404 for a
workspace the caller is not in, 403 for a role without the permission, and anything but those
(the handler's own answer) when the role holds it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from service.auth.permissions import NON_WORKSPACE, ROUTES, Permission, Role, allows

BAD_CREDENTIALS = ("none", "bad", "expired", "revoked")
ROLES = tuple(r.name for r in Role)
PARAM = re.compile(r"{([^}:]+)(?::[^}]*)?}")


@dataclass(frozen=True)
class AppRoute:
    name: str
    path: str  # the full template, prefixes included
    methods: frozenset[str]


@dataclass(frozen=True)
class Case:
    route: str
    method: str
    path: str
    permission: Permission
    credential: str  # one of BAD_CREDENTIALS, or a role name: a valid key with that role
    target: str  # "own" or "foreign" workspace (or "-" for routes without one)
    expect: int | None  # None: allowed, the handler answers

    @property
    def id(self) -> str:
        return f"{self.route}-{self.method}-{self.credential}-{self.target}"


def api_routes(app: FastAPI) -> list[AppRoute]:
    """The app's API routes with their full paths (FastAPI keeps included routers nested)."""
    out = []
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute) and context.path and context.name:
            out.append(AppRoute(context.name, context.path, frozenset(context.methods or ())))
    return out


def routes_without_entry(app: FastAPI, table: Mapping[str, Permission] = ROUTES) -> list[str]:
    """Routes the table does not name: each one is refused at run time and fails this test."""
    return sorted(
        f"{sorted(r.methods)} {r.path} ({r.name})" for r in api_routes(app) if r.name not in table
    )


def duplicate_names(app: FastAPI) -> list[str]:
    seen: dict[str, int] = {}
    for r in api_routes(app):
        seen[r.name] = seen.get(r.name, 0) + 1
    return sorted(n for n, c in seen.items() if c > 1)


def expected(permission: Permission, credential: str, target: str) -> int | None:
    if permission is Permission.public:
        return None
    if credential in BAD_CREDENTIALS:
        return 401
    role = Role[credential]
    if permission is Permission.authenticated:
        return None
    if permission is Permission.workspace_create:
        return None if role is Role.owner else 403
    if target == "foreign":
        return 404
    return None if allows(role, permission) else 403


def fill(path: str, ws: str, values: Mapping[str, str]) -> str:
    return PARAM.sub(lambda m: ws if m.group(1) == "ws" else values.get(m.group(1), "x"), path)


def build_cases(
    app: FastAPI,
    *,
    own: str,
    foreign: str,
    values: Mapping[str, str] | None = None,
    table: Mapping[str, Permission] = ROUTES,
    skip: Iterable[str] = (),
    refused_only: Iterable[str] = (),
) -> list[Case]:
    """Every route × (no/bad/expired/revoked credentials and every role) × own/foreign workspace.
    Review-link routes take their token in the path, not a key: they are tested apart. Routes in
    `refused_only` (ones that would change the world the other cases run in: logout, revoking)
    get only the cases that must be refused."""
    values = values or {}
    skipped = set(skip)
    refusals = set(refused_only)
    cases = []
    for route in api_routes(app):
        permission = table[route.name]
        if permission is Permission.review_link or route.name in skipped:
            continue
        scoped = permission not in NON_WORKSPACE
        targets = ("own", "foreign") if scoped else ("-",)
        for method in sorted(route.methods - {"HEAD"}):
            for credential in (*BAD_CREDENTIALS, *ROLES):
                for target in targets:
                    ws = foreign if target == "foreign" else own
                    expect = expected(permission, credential, target)
                    if expect is None and route.name in refusals:
                        continue
                    cases.append(
                        Case(
                            route=route.name,
                            method=method,
                            path=fill(route.path, ws, values),
                            permission=permission,
                            credential=credential,
                            target=target,
                            expect=expect,
                        )
                    )
    return cases
