"""Accounts, keys and sessions: creating them, and turning a presented secret into a Caller."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy.orm import Session

from service.auth import tokens
from service.auth.models import ApiKey, Caller, Member, User, aware
from service.auth.permissions import Permission, Role
from service.auth.repos import AuditRepo, KeyRepo, MembershipRepo, SessionRepo, UserRepo, now
from service.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from service.storage.repositories import WorkspaceRepo

KEY_KIND = "gjk"
SESSION_KIND = "gjs"
CSRF_KIND = "gjc"
USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
MIN_PASSWORD = 10


def create_user(s: Session, name: str, password: str | None) -> User:
    if not USER_NAME.match(name):
        raise Invalid(
            f"user name {name!r}: letters, digits and . _ @ - only, at most 100",
            details={"user": name},
        )
    if password is not None and len(password) < MIN_PASSWORD:
        raise Invalid(f"a password needs at least {MIN_PASSWORD} characters")
    return UserRepo(s).add(name, None if password is None else tokens.hash_password(password))


def workspace_or_404(s: Session, workspace: str) -> None:
    WorkspaceRepo(s).get(workspace)


def set_member(s: Session, by: Caller, workspace: str, user_name: str, role: Role) -> Member:
    """Add a person to a workspace or change their role; the last owner cannot step down."""
    user = UserRepo(s).get(user_name)
    members = MembershipRepo(s)
    current = members.role(user.id, workspace)
    if current is Role.owner and role is not Role.owner and members.owners(workspace) <= 1:
        raise Conflict(f"{user_name!r} is the last owner of {workspace!r}; name another first")
    members.set(user.id, workspace, role)
    AuditRepo(s).add(
        actor=by.actor,
        action="member.set",
        workspace=workspace,
        target=user_name,
        details={"role": role.name, "was": None if current is None else current.name},
    )
    return Member(user=user_name, workspace=workspace, role=role.name)


def remove_member(s: Session, by: Caller, workspace: str, user_name: str) -> None:
    user = UserRepo(s).get(user_name)
    members = MembershipRepo(s)
    current = members.role(user.id, workspace)
    if current is None:
        raise NotFound(f"{user_name!r} is no member of {workspace!r}")
    if current is Role.owner and members.owners(workspace) <= 1:
        raise Conflict(f"{user_name!r} is the last owner of {workspace!r}; name another first")
    members.remove(user.id, workspace)
    AuditRepo(s).add(actor=by.actor, action="member.remove", workspace=workspace, target=user_name)


def create_key(
    s: Session,
    pepper: bytes,
    by: Caller,
    workspace: str,
    *,
    role: Role,
    label: str = "",
    days: int | None,
    max_days: int,
) -> tuple[ApiKey, str]:
    """A key for the caller in one workspace; returns it and its secret, shown this once."""
    own = by.role_in(workspace)
    if own is None:
        raise NotFound(f"no workspace {workspace!r}", details={"workspace": workspace})
    if role > own:
        raise Forbidden(
            f"a key's role can be at most yours ({own.name}); asked for {role.name}",
            details={"role": role.name, "yours": own.name},
        )
    if days is not None and not 1 <= days <= max_days:
        raise Invalid(f"days: between 1 and {max_days}", details={"days": days})
    expires = now() + dt.timedelta(days=days or max_days)
    if by.key_expires_at is not None:
        # A key made with a key cannot outlive it.
        expires = min(expires, aware(by.key_expires_at))
    new = tokens.new_token(pepper, KEY_KIND)
    key = KeyRepo(s).add(
        prefix=new.prefix,
        digest=new.digest,
        user_id=by.user_id,
        workspace=workspace,
        role=role.name,
        label=label,
        expires_at=expires,
    )
    AuditRepo(s).add(
        actor=by.actor,
        action="key.create",
        workspace=workspace,
        target=new.prefix,
        details={"role": role.name, "label": label},
    )
    return key, new.token


def list_keys(s: Session, by: Caller, workspace: str) -> list[ApiKey]:
    """An owner sees every key of the workspace; anyone else only their own."""
    mine_only = not by.can(workspace, Permission.members_manage)
    return KeyRepo(s).list(workspace, user_id=by.user_id if mine_only else None)


def revoke_key(s: Session, by: Caller, workspace: str, key_id: str) -> ApiKey:
    repo = KeyRepo(s)
    row = repo.get(workspace, key_id)
    if row.user_id != by.user_id and not by.can(workspace, Permission.members_manage):
        # Someone else's key is not theirs to know about.
        raise NotFound(f"no key {key_id!r} in workspace {workspace!r}")
    key = repo.revoke(row)
    AuditRepo(s).add(actor=by.actor, action="key.revoke", workspace=workspace, target=key.prefix)
    return key


def _unauthenticated(what: str) -> Unauthenticated:
    # One message for unknown, wrong, expired and revoked: a prober learns nothing.
    return Unauthenticated(f"{what} is missing, unknown, expired or revoked")


def caller_from_key(s: Session, pepper: bytes, token: str) -> Caller:
    prefix = tokens.split_prefix(token, KEY_KIND)
    row = None if prefix is None else KeyRepo(s).by_prefix(prefix)
    if row is None or not tokens.matches(pepper, token, row.digest):
        raise _unauthenticated("the API key")
    at = now()
    if row.revoked_at is not None or (row.expires_at is not None and aware(row.expires_at) <= at):
        raise _unauthenticated("the API key")
    user = UserRepo(s).row(row.user_id)
    if user is None or user.disabled:
        raise _unauthenticated("the API key")
    memberships = MembershipRepo(s).roles_of(user.id)
    if row.workspace not in memberships:
        # Its creator left the workspace: the key acts for nobody there any more.
        raise _unauthenticated("the API key")
    if row.last_used_at is None or aware(row.last_used_at) < at - dt.timedelta(minutes=1):
        # At most one write a minute per key: reads should not queue behind SQLite's writer.
        row.last_used_at = at
    return Caller(
        user_id=user.id,
        user_name=user.name,
        via="key",
        memberships=memberships,
        key_id=row.id,
        key_prefix=row.prefix,
        key_workspace=row.workspace,
        key_role=Role[row.role],
        key_expires_at=row.expires_at,
    )


def check_password(s: Session, name: str, password: str) -> User:
    row = UserRepo(s).find_row(name)
    if row is None or row.disabled or row.password_hash is None:
        # Hash anyway so that unknown names take as long as wrong passwords.
        tokens.verify_password(_DUMMY_HASH, password)
        raise Unauthenticated("unknown user or wrong password")
    if not tokens.verify_password(row.password_hash, password):
        raise Unauthenticated("unknown user or wrong password")
    return User(id=row.id, name=row.name, disabled=row.disabled, created_at=row.created_at)


_DUMMY_HASH = tokens.hash_password("not a password of anyone")


def start_session(s: Session, pepper: bytes, user: User, hours: int) -> tuple[str, str]:
    """A new session for a logged-in user: (cookie token, CSRF token), both shown this once."""
    cookie = tokens.new_token(pepper, SESSION_KIND)
    csrf = tokens.new_token(pepper, CSRF_KIND)
    SessionRepo(s).add(
        prefix=cookie.prefix,
        digest=cookie.digest,
        csrf_digest=csrf.digest,
        user_id=user.id,
        expires_at=now() + dt.timedelta(hours=hours),
    )
    AuditRepo(s).add(actor=user.name, action="login")
    return cookie.token, csrf.token


def caller_from_session(s: Session, pepper: bytes, token: str) -> Caller:
    prefix = tokens.split_prefix(token, SESSION_KIND)
    repo = SessionRepo(s)
    row = None if prefix is None else repo.by_prefix(prefix)
    if row is None or not tokens.matches(pepper, token, row.digest):
        raise _unauthenticated("the session")
    if aware(row.expires_at) <= now():
        repo.remove(row.id)
        raise _unauthenticated("the session")
    user = UserRepo(s).row(row.user_id)
    if user is None or user.disabled:
        raise _unauthenticated("the session")
    return Caller(
        user_id=user.id,
        user_name=user.name,
        via="session",
        memberships=MembershipRepo(s).roles_of(user.id),
        session_id=row.id,
        csrf_digest=row.csrf_digest,
    )


def end_session(s: Session, caller: Caller) -> None:
    if caller.session_id is not None:
        SessionRepo(s).remove(caller.session_id)
        AuditRepo(s).add(actor=caller.actor, action="logout")


def caller_for_user(s: Session, name: str) -> Caller:
    """The caller a CLI command acts as (`--as NAME`), with that person's current roles."""
    row = UserRepo(s).find_row(name)
    if row is None or row.disabled:
        raise NotFound(f"no user {name!r}", details={"user": name})
    return Caller(
        user_id=row.id,
        user_name=row.name,
        via="session",
        memberships=MembershipRepo(s).roles_of(row.id),
    )
