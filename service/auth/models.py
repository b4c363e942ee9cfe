"""What the auth layer hands around: accounts, keys, the caller of a request, review links."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel

from service.auth.permissions import Permission, Role, allows


def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; every time here is UTC, and says so in the API.
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


Moment = Annotated[dt.datetime, AfterValidator(_utc)]


class User(BaseModel):
    id: str
    name: str
    disabled: bool = False
    created_at: Moment


class Member(BaseModel):
    user: str  # the user's login name
    workspace: str
    role: str


class ApiKey(BaseModel):
    id: str
    prefix: str
    user: str
    workspace: str
    role: str
    label: str
    created_at: Moment
    expires_at: Moment | None
    revoked_at: Moment | None
    last_used_at: Moment | None


class ReviewLink(BaseModel):
    id: str
    prefix: str
    workspace: str
    plan_id: str | None
    draft_ids: list[str]
    label: str
    created_by: str | None
    created_at: Moment
    expires_at: Moment
    revoked_at: Moment | None

    def active(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and _aware(self.expires_at) > now


class Feedback(BaseModel):
    id: int
    link_id: str
    draft_id: str
    verdict: Literal["approved", "rejected"] | None
    comment: str
    author: str
    created_at: Moment


class AuditEntry(BaseModel):
    id: int
    at: Moment
    workspace: str | None
    actor: str
    action: str
    target: str
    details: dict[str, str | int | bool | None]


@dataclass(frozen=True)
class Caller:
    """Who is calling, with the rights in force right now.

    A key acts for its creator in its one workspace, with the lower of the key's role and the
    creator's current role there: demoting a person shrinks every key they made.
    """

    user_id: str
    user_name: str
    via: Literal["session", "key"]
    memberships: dict[str, Role] = field(default_factory=dict)
    key_id: str | None = None
    key_prefix: str | None = None
    key_workspace: str | None = None
    key_role: Role | None = None
    key_expires_at: dt.datetime | None = None
    session_id: str | None = None
    csrf_digest: str | None = None

    def role_in(self, workspace: str) -> Role | None:
        member = self.memberships.get(workspace)
        if self.via == "key":
            if workspace != self.key_workspace or member is None or self.key_role is None:
                return None
            return min(member, self.key_role)
        return member

    def can(self, workspace: str, permission: Permission) -> bool:
        role = self.role_in(workspace)
        return role is not None and allows(role, permission)

    def roles(self) -> dict[str, Role]:
        """Effective role per workspace this caller may see (for lists and the UI's picker)."""
        effective = {ws: self.role_in(ws) for ws in sorted(self.memberships)}
        return {ws: role for ws, role in effective.items() if role is not None}

    def workspaces(self) -> list[str]:
        return list(self.roles())

    @property
    def actor(self) -> str:
        """How the audit log names the caller (a key by its public prefix, never its secret)."""
        if self.via == "key":
            return f"{self.user_name} (key {self.key_prefix})"
        return self.user_name


_aware = _utc


def aware(t: dt.datetime) -> dt.datetime:
    return _aware(t)
