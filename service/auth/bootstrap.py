"""The first start: the first owner, and the single-user default of `make run`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.auth import tokens
from service.auth.access import create_user
from service.auth.models import Caller, User
from service.auth.permissions import Role
from service.auth.repos import AuditRepo, MembershipRepo, UserRepo
from service.auth.web import check_bind, is_loopback
from service.settings import Settings
from service.storage.db import Database
from service.storage.tables import WorkspaceRow

FIRST_LOGIN_FILE = "first-login.txt"
LOCAL_OWNER = "owner"


@dataclass(frozen=True)
class NewOwner:
    user: User
    password: str  # print once; it is stored only as an argon2 hash
    workspaces: list[str]


def create_owner(db: Database, name: str, password: str | None = None) -> NewOwner:
    """`gjenbruk users create-owner NAME [--password-stdin]`: a user who owns every workspace
    that has no owner yet (all of them on a data dir from before accounts existed)."""
    password = password or tokens.new_password()
    with db.session() as s:
        user = create_user(s, name, password)
        members = MembershipRepo(s)
        owned = []
        for slug in s.scalars(select(WorkspaceRow.slug).order_by(WorkspaceRow.slug)):
            if members.owners(slug) == 0:
                members.set(user.id, slug, Role.owner)
                owned.append(slug)
        AuditRepo(s).add(actor="cli", action="user.create_owner", target=name)
        for slug in owned:
            AuditRepo(s).add(
                actor="cli",
                action="member.set",
                workspace=slug,
                target=name,
                details={"role": "owner", "was": None},
            )
    return NewOwner(user=user, password=password, workspaces=owned)


def add_user(
    db: Database, name: str, *, workspace: str | None, role: Role, password: str | None = None
) -> str:
    """`gjenbruk users create NAME [--workspace WS --role ROLE]`: returns the password to print
    (generated unless given)."""
    password = password or tokens.new_password()
    with db.session() as s:
        user = create_user(s, name, password)
        if workspace is not None:
            from service.storage.repositories import WorkspaceRepo

            WorkspaceRepo(s).get(workspace)
            MembershipRepo(s).set(user.id, workspace, role)
        AuditRepo(s).add(
            actor="cli",
            action="user.create",
            workspace=workspace,
            target=name,
            details={"role": role.name if workspace else None},
        )
    return password


def grant_creator(s: Session, workspace: str, caller: Caller) -> None:
    """create_workspace calls this in its transaction: whoever makes a workspace owns it."""
    MembershipRepo(s).set(caller.user_id, workspace, Role.owner)
    AuditRepo(s).add(
        actor=caller.actor, action="workspace.create", workspace=workspace, target=workspace
    )


def adopt_unowned(db: Database, name: str) -> list[str]:
    """Workspaces made outside the API (demo, CLI import) get the named user as owner when
    they have none, so that a single-user install sees what it loads."""
    with db.session() as s:
        user = UserRepo(s).get(name)
        members = MembershipRepo(s)
        owned = []
        for slug in s.scalars(select(WorkspaceRow.slug)):
            if members.owners(slug) == 0:
                members.set(user.id, slug, Role.owner)
                owned.append(slug)
        return owned


def prepare_serve(db: Database, settings: Settings) -> str | None:
    """`gjenbruk serve` calls this before binding; returns a message to print, or None.

    On 127.0.0.1 with no user yet, it creates the local owner `owner`, writes its one-time
    password to data_dir/first-login.txt (mode 0600; deleted at that user's first login) and
    says so. Anywhere else without a user it refuses to start (ConfigurationError)."""
    with db.session() as s:
        users = UserRepo(s).count()
    check_bind(settings.host, users)
    path = first_login_path(settings)
    if users == 0 and is_loopback(settings.host):
        owner = create_owner(db, LOCAL_OWNER)
        _write_private(path, f"user: {LOCAL_OWNER}\npassword: {owner.password}\n")
        return (
            f"First start: log in at http://{settings.host}:{settings.port}/login as "
            f"{LOCAL_OWNER!r} with password {owner.password} (also in {path}, removed at your "
            "first login). Add people with `gjenbruk users create`."
        )
    if is_loopback(settings.host) and users == 1:
        # Single-user mode: workspaces made since (demo, CLI imports) belong to the one owner.
        with db.session() as s:
            single = UserRepo(s).find_row(LOCAL_OWNER) is not None
        if single:
            adopt_unowned(db, LOCAL_OWNER)
    if path.exists():
        return f"The first login is still in {path}."
    return None


def first_login_path(settings: Settings) -> Path:
    return settings.ensure_data_dir() / FIRST_LOGIN_FILE


def forget_first_login(settings: Settings, user_name: str) -> None:
    path = first_login_path(settings)
    if user_name == LOCAL_OWNER and path.exists():
        path.unlink(missing_ok=True)


def _write_private(path: Path, text: str) -> None:
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
