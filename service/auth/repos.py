"""Repositories of the auth tables: rows in, models out; no rule of who may do what lives here."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.auth.models import ApiKey, AuditEntry, Feedback, Member, ReviewLink, User, aware
from service.auth.permissions import Role
from service.errors import Conflict, NotFound
from service.storage.auth_tables import (
    ApiKeyRow,
    AuditLogRow,
    MembershipRow,
    ReviewFeedbackRow,
    ReviewLinkRow,
    SessionRow,
    UsageRow,
    UserRow,
)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _user(row: UserRow) -> User:
    return User(id=row.id, name=row.name, disabled=row.disabled, created_at=row.created_at)


class UserRepo:
    def __init__(self, session: Session) -> None:
        self.s = session

    def count(self) -> int:
        return int(self.s.scalar(select(func.count()).select_from(UserRow)) or 0)

    def add(self, name: str, password_hash: str | None) -> User:
        if self.find_row(name) is not None:
            raise Conflict(f"user {name!r} exists already", details={"user": name})
        row = UserRow(id=str(uuid.uuid4()), name=name, password_hash=password_hash)
        self.s.add(row)
        self.s.flush()
        return _user(row)

    def find_row(self, name: str) -> UserRow | None:
        return self.s.scalar(select(UserRow).where(UserRow.name == name))

    def row(self, user_id: str) -> UserRow | None:
        return self.s.get(UserRow, user_id)

    def get(self, name: str) -> User:
        row = self.find_row(name)
        if row is None:
            raise NotFound(f"no user {name!r}", details={"user": name})
        return _user(row)

    def set_password(self, name: str, password_hash: str) -> None:
        row = self.find_row(name)
        if row is None:
            raise NotFound(f"no user {name!r}", details={"user": name})
        row.password_hash = password_hash


class MembershipRepo:
    def __init__(self, session: Session) -> None:
        self.s = session

    def roles_of(self, user_id: str) -> dict[str, Role]:
        rows = self.s.scalars(select(MembershipRow).where(MembershipRow.user_id == user_id))
        return {r.workspace: Role[r.role] for r in rows}

    def role(self, user_id: str, workspace: str) -> Role | None:
        row = self.s.get(MembershipRow, (user_id, workspace))
        return None if row is None else Role[row.role]

    def set(self, user_id: str, workspace: str, role: Role) -> None:
        row = self.s.get(MembershipRow, (user_id, workspace))
        if row is None:
            self.s.add(MembershipRow(user_id=user_id, workspace=workspace, role=role.name))
        else:
            row.role = role.name
        self.s.flush()

    def remove(self, user_id: str, workspace: str) -> bool:
        row = self.s.get(MembershipRow, (user_id, workspace))
        if row is None:
            return False
        self.s.delete(row)
        self.s.flush()
        return True

    def members(self, workspace: str) -> list[Member]:
        rows = self.s.execute(
            select(UserRow.name, MembershipRow.role)
            .join(UserRow, UserRow.id == MembershipRow.user_id)
            .where(MembershipRow.workspace == workspace)
            .order_by(UserRow.name)
        )
        return [Member(user=name, workspace=workspace, role=role) for name, role in rows]

    def owners(self, workspace: str) -> int:
        query = select(func.count()).where(
            MembershipRow.workspace == workspace, MembershipRow.role == Role.owner.name
        )
        return int(self.s.scalar(query) or 0)


def _key(row: ApiKeyRow, user_name: str) -> ApiKey:
    return ApiKey(
        id=row.id,
        prefix=row.prefix,
        user=user_name,
        workspace=row.workspace,
        role=row.role,
        label=row.label,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


class KeyRepo:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, **fields: Any) -> ApiKey:
        row = ApiKeyRow(id=str(uuid.uuid4()), **fields)
        self.s.add(row)
        self.s.flush()
        user = self.s.get(UserRow, row.user_id)
        return _key(row, user.name if user else "")

    def by_prefix(self, prefix: str) -> ApiKeyRow | None:
        return self.s.scalar(select(ApiKeyRow).where(ApiKeyRow.prefix == prefix))

    def list(self, workspace: str, *, user_id: str | None = None) -> list[ApiKey]:
        query = (
            select(ApiKeyRow, UserRow.name)
            .join(UserRow, UserRow.id == ApiKeyRow.user_id)
            .where(ApiKeyRow.workspace == workspace)
        )
        if user_id is not None:
            query = query.where(ApiKeyRow.user_id == user_id)
        return [_key(r, n) for r, n in self.s.execute(query.order_by(ApiKeyRow.created_at))]

    def get(self, workspace: str, key_id: str) -> ApiKeyRow:
        row = self.s.get(ApiKeyRow, key_id)
        if row is None or row.workspace != workspace:
            raise NotFound(f"no key {key_id!r} in workspace {workspace!r}")
        return row

    def revoke(self, row: ApiKeyRow) -> ApiKey:
        if row.revoked_at is None:
            row.revoked_at = now()
            self.s.flush()
        user = self.s.get(UserRow, row.user_id)
        return _key(row, user.name if user else "")


class SessionRepo:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, **fields: Any) -> SessionRow:
        row = SessionRow(id=str(uuid.uuid4()), **fields)
        self.s.add(row)
        self.s.flush()
        return row

    def by_prefix(self, prefix: str) -> SessionRow | None:
        return self.s.scalar(select(SessionRow).where(SessionRow.prefix == prefix))

    def remove(self, session_id: str) -> None:
        row = self.s.get(SessionRow, session_id)
        if row is not None:
            self.s.delete(row)


def _link(row: ReviewLinkRow) -> ReviewLink:
    return ReviewLink(
        id=row.id,
        prefix=row.prefix,
        workspace=row.workspace,
        plan_id=row.plan_id,
        draft_ids=list(row.draft_ids),
        label=row.label,
        created_by=row.created_by,
        created_at=aware(row.created_at),
        expires_at=aware(row.expires_at),
        revoked_at=None if row.revoked_at is None else aware(row.revoked_at),
    )


class ReviewLinkRepo:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, **fields: Any) -> ReviewLink:
        row = ReviewLinkRow(id=str(uuid.uuid4()), **fields)
        self.s.add(row)
        self.s.flush()
        return _link(row)

    def by_prefix(self, prefix: str) -> tuple[ReviewLink, str] | None:
        row = self.s.scalar(select(ReviewLinkRow).where(ReviewLinkRow.prefix == prefix))
        return None if row is None else (_link(row), row.digest)

    def list(self, workspace: str) -> list[ReviewLink]:
        query = select(ReviewLinkRow).where(ReviewLinkRow.workspace == workspace)
        return [_link(r) for r in self.s.scalars(query.order_by(ReviewLinkRow.created_at))]

    def revoke(self, workspace: str, link_id: str) -> ReviewLink:
        row = self.s.get(ReviewLinkRow, link_id)
        if row is None or row.workspace != workspace:
            raise NotFound(f"no review link {link_id!r} in workspace {workspace!r}")
        if row.revoked_at is None:
            row.revoked_at = now()
            self.s.flush()
        return _link(row)


def _feedback(row: ReviewFeedbackRow) -> Feedback:
    verdict = row.verdict if row.verdict in ("approved", "rejected") else None
    return Feedback(
        id=row.id,
        link_id=row.link_id,
        draft_id=row.draft_id,
        verdict=verdict,
        comment=row.comment,
        author=row.author,
        created_at=aware(row.created_at),
    )


class FeedbackRepo:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, **fields: Any) -> Feedback:
        row = ReviewFeedbackRow(**fields)
        self.s.add(row)
        self.s.flush()
        return _feedback(row)

    def list(
        self, workspace: str, *, draft_ids: list[str] | None = None, link_id: str | None = None
    ) -> list[Feedback]:
        query = select(ReviewFeedbackRow).where(ReviewFeedbackRow.workspace == workspace)
        if draft_ids is not None:
            query = query.where(ReviewFeedbackRow.draft_id.in_(draft_ids))
        if link_id is not None:
            query = query.where(ReviewFeedbackRow.link_id == link_id)
        rows = self.s.scalars(query.order_by(ReviewFeedbackRow.created_at, ReviewFeedbackRow.id))
        return [_feedback(r) for r in rows]


class AuditRepo:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(
        self,
        *,
        actor: str,
        action: str,
        workspace: str | None = None,
        target: str = "",
        details: dict[str, str | int | bool | None] | None = None,
    ) -> None:
        self.s.add(
            AuditLogRow(
                actor=actor,
                action=action,
                workspace=workspace,
                target=target[:300],
                details=details or {},
                at=now(),
            )
        )

    def list(
        self, workspace: str, *, limit: int = 200, before: int | None = None
    ) -> list[AuditEntry]:
        query = select(AuditLogRow).where(AuditLogRow.workspace == workspace)
        if before is not None:
            query = query.where(AuditLogRow.id < before)
        rows = self.s.scalars(query.order_by(AuditLogRow.id.desc()).limit(limit))
        return [
            AuditEntry(
                id=r.id,
                at=aware(r.at),
                workspace=r.workspace,
                actor=r.actor,
                action=r.action,
                target=r.target,
                details=r.details,
            )
            for r in rows
        ]


class UsageRepo:
    """Counters that two requests at the same instant cannot both pass: each charge is one
    conditional UPDATE (`n = n + k WHERE n + k <= limit`) on a row made first if missing
    (INSERT … ON CONFLICT DO NOTHING). PostgreSQL re-checks the condition on the row as the
    transaction before it left it; SQLite takes its one write lock for the statement."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def _ensure(self, scope: str, day: dt.date) -> None:
        values = {"scope": scope, "day": day, "model_calls": 0, "micro_usd": 0}
        if self.s.get_bind().dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            self.s.execute(pg_insert(UsageRow).values(**values).on_conflict_do_nothing())
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            self.s.execute(sqlite_insert(UsageRow).values(**values).on_conflict_do_nothing())

    def _read(self, column: Any, scope: str, day: dt.date) -> int:
        found = self.s.scalar(select(column).where(UsageRow.scope == scope, UsageRow.day == day))
        return int(found or 0)

    def _add(
        self, column: Any, scope: str, day: dt.date, amount: int, limit: int | None
    ) -> int | None:
        """Add `amount` unless the total would pass `limit` (None: no limit): the new total, or
        None when refused (nothing changed)."""
        from sqlalchemy import update

        self._ensure(scope, day)
        stmt = update(UsageRow).where(UsageRow.scope == scope, UsageRow.day == day)
        if limit is not None:
            stmt = stmt.where(column + amount <= limit)
        total = self.s.execute(
            stmt.values({column: column + amount})
            .returning(column)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
        return None if total is None else int(total)

    def calls(self, scope: str, day: dt.date) -> int:
        return self._read(UsageRow.model_calls, scope, day)

    def add_calls(
        self, scope: str, day: dt.date, calls: int, *, limit: int | None = None
    ) -> int | None:
        return self._add(UsageRow.model_calls, scope, day, calls, limit)

    def micro_usd(self, scope: str, day: dt.date) -> int:
        return self._read(UsageRow.micro_usd, scope, day)

    def add_micro_usd(
        self, scope: str, day: dt.date, amount: int, *, limit: int | None = None
    ) -> int | None:
        return self._add(UsageRow.micro_usd, scope, day, amount, limit)
