"""Who calls a tool, and whether they may: the same permission table the HTTP routes use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from service.auth import access as accounts
from service.auth.models import Caller
from service.auth.permissions import Permission, Role, allows
from service.errors import Forbidden, NotFound, Unauthenticated
from service.storage.db import Database
from service.storage.repositories import WorkspaceRepo


@dataclass(frozen=True)
class Access:
    """`caller` None is the person at this machine (stdio): the same rights as the CLI, owner of
    every workspace. Otherwise an API key's caller, whose rights are read fresh per call."""

    caller: Caller | None = None

    @property
    def local(self) -> bool:
        return self.caller is None

    def may(self, permission: Permission) -> bool:
        """Whether any workspace this caller can name allows `permission` (to list tools)."""
        if self.caller is None:
            return True
        return any(self.caller.can(ws, permission) for ws in self.caller.memberships)

    def check(self, db: Database, workspace: str, permission: Permission) -> None:
        if self.caller is None:
            with db.session() as s:
                WorkspaceRepo(s).get(workspace)
            return
        role = self.caller.role_in(workspace)
        if role is None:
            # The answer for a workspace that does not exist too: names cannot be probed.
            raise NotFound(f"no workspace {workspace!r}", details={"workspace": workspace})
        if not allows(role, permission):
            raise Forbidden(
                f"your role in {workspace!r} ({role.name}) does not allow {permission.value}",
                details={"permission": permission.value},
            )
        with db.session() as s:
            WorkspaceRepo(s).get(workspace)

    def role_in(self, workspace: str) -> Role | None:
        return Role.owner if self.caller is None else self.caller.role_in(workspace)


LOCAL = Access()

# How a server finds the caller of one request: from its HTTP headers, or always LOCAL.
AccessOf = Callable[[dict[str, str] | None], Access]


def bearer(headers: dict[str, str] | None) -> str:
    header = (headers or {}).get("authorization")
    if header is None:
        raise Unauthenticated("this needs an API key: send `Authorization: Bearer <API key>`")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthenticated("Authorization must be `Bearer <API key>`")
    return value.strip()


def key_access(db: Database, pepper: bytes) -> AccessOf:
    """Per request: the key in the Authorization header, checked like the API checks it."""

    def access_of(headers: dict[str, str] | None) -> Access:
        token = bearer(headers)
        with db.session() as s:
            return Access(accounts.caller_from_key(s, pepper, token))

    return access_of
