"""Repositories: the only code that turns table rows into domain models and back."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import case, delete, func, insert, null, or_, select, update
from sqlalchemy.orm import Session

from service.domain import (
    Asset,
    Channel,
    ChannelProfile,
    Check,
    Consent,
    Draft,
    DraftStatus,
    FollowerCount,
    Post,
    PostMetrics,
    Workspace,
)
from service.domain.job import ItemStatus, Job, JobItem, JobStatus
from service.domain.profile_audit import AuditReport, ProfileSet
from service.errors import Conflict, NotFound
from service.planning.models import ContentPlan, Slot
from service.storage.tables import (
    AssetRow,
    ChannelProfileRow,
    DraftRow,
    FollowerCountRow,
    FollowerDeltaRow,
    JobItemRow,
    JobRow,
    PlanRow,
    PostRow,
    ProfileAuditRow,
    WorkspaceRow,
)


class WorkspaceRepo:
    def __init__(self, session: Session) -> None:
        self.s = session

    def save(self, ws: Workspace) -> Workspace:
        row = self.s.get(WorkspaceRow, ws.slug) or WorkspaceRow(slug=ws.slug)
        row.name, row.timezone, row.language = ws.name, ws.timezone, ws.language
        row.brand_voice, row.categories = ws.brand_voice, list(ws.categories)
        self.s.add(row)
        return ws

    def find(self, slug: str) -> Workspace | None:
        row = self.s.get(WorkspaceRow, slug)
        return None if row is None else _workspace_from_row(row)

    def get(self, slug: str) -> Workspace:
        ws = self.find(slug)
        if ws is None:
            raise NotFound(f"no workspace {slug!r}", details={"workspace": slug})
        return ws

    def list(self) -> list[Workspace]:
        """One query, however many workspaces there are."""
        rows = self.s.scalars(select(WorkspaceRow).order_by(WorkspaceRow.slug))
        return [_workspace_from_row(r) for r in rows]


def _workspace_from_row(row: WorkspaceRow) -> Workspace:
    return Workspace(
        slug=row.slug,
        name=row.name,
        timezone=row.timezone,
        language=row.language,
        brand_voice=row.brand_voice,
        categories=list(row.categories),
    )


def _post_from_row(row: PostRow) -> Post:
    offset = dt.timezone(dt.timedelta(minutes=row.utc_offset_minutes))
    published = row.published_at
    return Post(
        id=row.post_id,
        workspace=row.workspace,
        channel=Channel(row.channel),
        published_at=published.astimezone(offset),
        text=row.text,
        format=row.format,
        permalink=row.permalink,
        category=row.category,
        category_confidence=row.category_confidence,
        category_locked=row.category_locked,
        language=row.language,
        journey_phase=row.journey_phase,
        source_type=row.source_type,
        author=row.author,
        metrics=PostMetrics.model_validate(row.metrics or {}),
    )


class UpsertCounts:
    def __init__(self) -> None:
        self.imported = 0
        self.updated = 0  # matched an existing record (whether or not a value differed)
        self.changed = 0  # of those, how many had a value that differed
        self.merged = 0  # legacy rows folded into the Business Suite record of the same post


_POST_VALUES = (
    "published_at",
    "utc_offset_minutes",
    "text",
    "format",
    "permalink",
    "language",
    "journey_phase",
    "source_type",
    "author",
    "metrics",
)
_SQL_BATCH = 500  # ids per IN (...): under every database's parameter limit


@dataclass
class _Known:
    """A stored (or, with pk None, just queued) post as far as an upsert needs it."""

    pk: int | None
    post_id: str
    category: str | None
    category_confidence: float | None
    category_locked: bool
    values: dict[str, Any]
    write: dict[str, Any] | None = None  # the insert or update queued for it in this batch


LegacyIndex = dict[str, dict[str, str]]  # workspace -> post id -> its legacy "pageid_postid"


class PostRepo:
    def __init__(self, session: Session, legacy: LegacyIndex | None = None) -> None:
        """`legacy`: an index of the workspace's legacy Facebook ids kept by the caller across
        the batches of one import, so the table is scanned for them once, not per batch."""
        self.s = session
        self._legacy: LegacyIndex = {} if legacy is None else legacy
        self._known: dict[tuple[str, str, str], _Known] = {}

    def upsert_many(self, posts: Iterable[Post]) -> UpsertCounts:
        """Insert new posts, update changed ones; a category a person chose is never overwritten.

        Written in bulk: one SELECT of the batch's known rows (their columns, not ORM objects),
        one multi-row INSERT for the new posts and one UPDATE by primary key for the changed
        ones; an unchanged post is not written at all. ORM objects per row cost 1.3 ms each
        (100 000 rows: 40-68 s, see bench/import_inference.py)."""
        counts = UpsertCounts()
        posts = list(posts)
        self._known = self._rows_by_id(posts)
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        now = dt.datetime.now(dt.UTC)
        for post in posts:
            self._upsert_one(post, counts, inserts, updates, now)
        if inserts:
            self.s.execute(insert(PostRow), inserts)
        if updates:
            self.s.execute(update(PostRow), updates)
        return counts

    def _rows_by_id(self, posts: Sequence[Post]) -> dict[tuple[str, str, str], _Known]:
        wanted: dict[tuple[str, str], set[str]] = {}
        for p in posts:
            ids = wanted.setdefault((p.workspace, p.channel.value), set())
            ids.add(p.id)
            if p.channel is Channel.facebook and "_" in p.id:
                ids.add(p.id.split("_", 1)[1])
        out: dict[tuple[str, str, str], _Known] = {}
        for (workspace, channel), ids in wanted.items():
            id_list = sorted(ids)
            for start in range(0, len(id_list), _SQL_BATCH):
                rows = self._known_rows(
                    PostRow.workspace == workspace,
                    PostRow.channel == channel,
                    PostRow.post_id.in_(id_list[start : start + _SQL_BATCH]),
                )
                out.update({(workspace, channel, k.post_id): k for k in rows})
        return out

    def _known_rows(self, *where: Any) -> list[_Known]:
        columns = [getattr(PostRow, c) for c in _POST_VALUES]
        query = select(
            PostRow.pk,
            PostRow.post_id,
            PostRow.category,
            PostRow.category_confidence,
            PostRow.category_locked,
            *columns,
        ).where(*where)
        return [
            _Known(
                pk=r[0],
                post_id=r[1],
                category=r[2],
                category_confidence=r[3],
                category_locked=bool(r[4]),
                values=dict(zip(_POST_VALUES, r[5:], strict=True)),
            )
            for r in self.s.execute(query)
        ]

    def _upsert_one(
        self,
        post: Post,
        counts: UpsertCounts,
        inserts: list[dict[str, Any]],
        updates: list[dict[str, Any]],
        now: dt.datetime,
    ) -> None:
        key = (post.workspace, post.channel.value, post.id)
        known = self._same_post(post)
        renamed = False
        if known is not None and known.post_id != post.id:
            # One post in both a legacy Insights file ("pageid_postid") and a Business
            # Suite file ("postid"): one record, under the Business Suite id and numbers.
            if "_" in post.id:
                counts.updated += 1
                counts.merged += 1
                return
            if post.workspace in self._legacy:
                self._legacy[post.workspace].pop(post.id, None)
            known.post_id, renamed = post.id, True
            self._known[key] = known
        offset = post.published_at.utcoffset() or dt.timedelta(0)
        values: dict[str, Any] = {
            "published_at": post.published_at.astimezone(dt.UTC),
            "utc_offset_minutes": int(offset.total_seconds() // 60),
            "text": post.text,
            "format": post.format,
            "permalink": post.permalink,
            "language": post.language,
            "journey_phase": post.journey_phase.value if post.journey_phase else None,
            "source_type": post.source_type.value,
            "author": post.author,
            "metrics": post.metrics.model_dump(exclude_none=True),
        }
        if known is None:
            row = {
                "workspace": post.workspace,
                "channel": post.channel.value,
                "post_id": post.id,
                **values,
                "category": post.category,
                "category_confidence": post.category_confidence,
                "category_locked": post.category_locked,
                "updated_at": now,
            }
            inserts.append(row)
            self._known[key] = _Known(
                pk=None,
                post_id=post.id,
                category=post.category,
                category_confidence=post.category_confidence,
                category_locked=post.category_locked,
                values=values,
                write=row,
            )
            if post.channel is Channel.facebook and "_" in post.id:
                self._legacy_ids(post.workspace)[post.id.split("_", 1)[1]] = post.id
            counts.imported += 1
            return
        changed = any(_differs(known.values[k], v) for k, v in values.items())
        recategorised = False
        if not known.category_locked and post.category is not None:
            changed |= known.category != post.category
            recategorised = (
                known.category,
                known.category_confidence,
                known.category_locked,
            ) != (post.category, post.category_confidence, post.category_locked)
            known.category, known.category_confidence = post.category, post.category_confidence
            # A category the file itself gives was set by a person: it stays on re-import.
            known.category_locked = post.category_locked
        counts.updated += 1
        if changed:
            counts.changed += 1
        if not (changed or renamed or recategorised):
            return
        known.values = values
        if known.write is None:
            known.write = {"pk": known.pk, "updated_at": now}
            updates.append(known.write)
        # Every update carries the same columns, so the database gets one executemany.
        known.write.update(
            values,
            post_id=known.post_id,
            category=known.category,
            category_confidence=known.category_confidence,
            category_locked=known.category_locked,
        )

    def _same_post(self, post: Post) -> _Known | None:
        row = self._known.get((post.workspace, post.channel.value, post.id))
        if row is not None or post.channel is not Channel.facebook:
            return row
        if "_" in post.id:
            return self._known.get((post.workspace, post.channel.value, post.id.split("_", 1)[1]))
        legacy_id = self._legacy_ids(post.workspace).get(post.id)
        if legacy_id is None:
            return None
        key = (post.workspace, Channel.facebook.value, legacy_id)
        if key not in self._known:  # a legacy row of an earlier batch or import: read it now
            rows = self._known_rows(
                PostRow.workspace == post.workspace,
                PostRow.channel == Channel.facebook.value,
                PostRow.post_id == legacy_id,
            )
            if not rows:
                return None
            self._known[key] = rows[0]
        return self._known[key]

    def _legacy_ids(self, workspace: str) -> dict[str, str]:
        """Legacy Facebook ids ("pageid_postid") by their post id. Scanning for them (a LIKE)
        per row made large imports quadratic, per batch still cost a third of the store time;
        with the caller's index it is once per import."""
        if workspace not in self._legacy:
            ids = self.s.scalars(
                select(PostRow.post_id).where(
                    PostRow.workspace == workspace,
                    PostRow.channel == Channel.facebook.value,
                    PostRow.post_id.contains("_", autoescape=True),
                )
            )
            self._legacy[workspace] = {pid.split("_", 1)[1]: pid for pid in ids}
        return self._legacy[workspace]

    def list(
        self, workspace: str, *, channel: Channel | None = None, limit: int | None = None
    ) -> list[Post]:
        query = select(PostRow).where(PostRow.workspace == workspace)
        if channel is not None:
            query = query.where(PostRow.channel == channel.value)
        query = query.order_by(PostRow.published_at, PostRow.post_id)
        if limit is not None:
            query = query.limit(limit)
        return [_post_from_row(r) for r in self.s.scalars(query)]

    def get(self, workspace: str, post_id: str) -> Post:
        row = self.s.scalar(
            select(PostRow).where(PostRow.workspace == workspace, PostRow.post_id == post_id)
        )
        if row is None:
            raise NotFound(
                f"no post {post_id!r} in workspace {workspace!r}",
                details={"workspace": workspace, "post_id": post_id},
            )
        return _post_from_row(row)

    def set_category(
        self,
        workspace: str,
        post_id: str,
        category: str,
        *,
        confidence: float | None = None,
        locked: bool = True,
    ) -> Post:
        row = self.s.scalar(
            select(PostRow).where(PostRow.workspace == workspace, PostRow.post_id == post_id)
        )
        if row is None:
            raise NotFound(f"no post {post_id!r} in workspace {workspace!r}")
        row.category, row.category_confidence, row.category_locked = category, confidence, locked
        self.s.flush()
        return _post_from_row(row)

    def count(self, workspace: str) -> int:
        query = select(func.count()).select_from(PostRow).where(PostRow.workspace == workspace)
        return int(self.s.scalar(query) or 0)


def _differs(stored: object, new: object) -> bool:
    return stored != new


class FollowerRepo:
    def __init__(self, session: Session) -> None:
        self.s = session

    def save_counts(
        self, workspace: str, counts: Iterable[FollowerCount], *, source: str = "file"
    ) -> UpsertCounts:
        """Totals per day, written in bulk (one SELECT per 500 days, one INSERT, one UPDATE)."""
        days = [(c.channel.value, c.date, c.followers) for c in counts]
        return self._save_days(
            FollowerCountRow, FollowerCountRow.followers, "followers", workspace, days, source
        )

    def save_deltas(
        self, workspace: str, channel: Channel, deltas: Iterable[tuple[dt.date, int]]
    ) -> UpsertCounts:
        days = [(channel.value, day, new) for day, new in deltas]
        return self._save_days(
            FollowerDeltaRow, FollowerDeltaRow.new_followers, "new_followers", workspace, days
        )

    def _save_days(
        self,
        table: type[FollowerCountRow] | type[FollowerDeltaRow],
        column: Any,
        name: str,
        workspace: str,
        given: Sequence[tuple[str, dt.date, int]],
        source: str | None = None,
    ) -> UpsertCounts:
        """Days per (channel, date): one SELECT per 500 days, one INSERT, one UPDATE. A day
        given twice counts as an update of the first, and the last value is kept."""
        out = UpsertCounts()
        values: dict[tuple[str, dt.date], int] = {}
        for channel, day, n in given:
            if (channel, day) in values:
                out.updated += 1
                out.changed += int(values[(channel, day)] != n)
            values[(channel, day)] = n
        stored: dict[tuple[str, dt.date], int] = {}
        by_channel: dict[str, list[dt.date]] = {}
        for channel, day in values:
            by_channel.setdefault(channel, []).append(day)
        for channel, days in by_channel.items():
            for start in range(0, len(days), _SQL_BATCH):
                rows = self.s.execute(
                    select(table.date, column).where(
                        table.workspace == workspace,
                        table.channel == channel,
                        table.date.in_(days[start : start + _SQL_BATCH]),
                    )
                )
                stored.update({(channel, d): int(n) for d, n in rows})
        extra = {} if source is None else {"source": source}
        inserts, updates = [], []
        for (channel, day), n in values.items():
            row = {"workspace": workspace, "channel": channel, "date": day, name: n, **extra}
            if (channel, day) not in stored:
                inserts.append(row)
                out.imported += 1
                continue
            out.updated += 1
            out.changed += int(stored[(channel, day)] != n)
            if stored[(channel, day)] != n or source is not None:
                updates.append(row)
        if inserts:
            self.s.execute(insert(table), inserts)
        if updates:
            self.s.execute(update(table), updates)
        return out

    def counts(self, workspace: str, channel: Channel) -> list[FollowerCount]:
        rows = self.s.scalars(
            select(FollowerCountRow)
            .where(
                FollowerCountRow.workspace == workspace, FollowerCountRow.channel == channel.value
            )
            .order_by(FollowerCountRow.date)
        )
        return [FollowerCount(channel=channel, date=r.date, followers=r.followers) for r in rows]

    def deltas(self, workspace: str, channel: Channel) -> list[tuple[dt.date, int]]:
        rows = self.s.scalars(
            select(FollowerDeltaRow)
            .where(
                FollowerDeltaRow.workspace == workspace, FollowerDeltaRow.channel == channel.value
            )
            .order_by(FollowerDeltaRow.date)
        )
        return [(r.date, r.new_followers) for r in rows]


class ProfileRepo:
    def __init__(self, session: Session) -> None:
        self.s = session

    def save(self, workspace: str, profile: ChannelProfile) -> None:
        row = self.s.scalar(
            select(ChannelProfileRow).where(
                ChannelProfileRow.workspace == workspace,
                ChannelProfileRow.channel == profile.channel.value,
            )
        )
        if row is None:
            row = ChannelProfileRow(workspace=workspace, channel=profile.channel.value)
            self.s.add(row)
        row.handle, row.bio_fields = profile.handle, dict(profile.bio_fields)

    def list(self, workspace: str) -> list[ChannelProfile]:
        rows = self.s.scalars(
            select(ChannelProfileRow).where(ChannelProfileRow.workspace == workspace)
        )
        return [
            ChannelProfile(
                channel=Channel(r.channel), handle=r.handle, bio_fields=dict(r.bio_fields)
            )
            for r in rows
        ]


class AssetRepo:
    def __init__(self, session: Session) -> None:
        self.s = session

    def upsert_many(self, assets: Sequence[Asset]) -> UpsertCounts:
        """In bulk: one SELECT of the known ids per 500, one INSERT, one UPDATE by key."""
        out = UpsertCounts()
        latest: dict[tuple[str, str], Asset] = {}
        for a in assets:
            if (a.workspace, a.id) in latest:
                out.updated += 1  # the same asset twice in a batch: the last one wins
            latest[(a.workspace, a.id)] = a
        known: dict[tuple[str, str], int] = {}
        by_workspace: dict[str, list[str]] = {}
        for workspace, asset_id in latest:
            by_workspace.setdefault(workspace, []).append(asset_id)
        for workspace, ids in by_workspace.items():
            for start in range(0, len(ids), _SQL_BATCH):
                rows = self.s.execute(
                    select(AssetRow.asset_id, AssetRow.pk).where(
                        AssetRow.workspace == workspace,
                        AssetRow.asset_id.in_(ids[start : start + _SQL_BATCH]),
                    )
                )
                known.update({(workspace, aid): pk for aid, pk in rows})
        inserts, updates = [], []
        for key, a in latest.items():
            values = {
                "kind": a.kind.value,
                "uri": a.uri,
                "description": a.description,
                "tags": list(a.tags),
                "creator": a.creator,
                "creator_role": a.creator_role.value,
                "source_post_id": a.source_post_id,
                "consent": a.consent.model_dump(mode="json") if a.consent else None,
            }
            if key in known:
                updates.append({"pk": known[key], **values})
                out.updated += 1
            else:
                inserts.append({"workspace": a.workspace, "asset_id": a.id, **values})
                out.imported += 1
        if inserts:
            self.s.execute(insert(AssetRow), inserts)
        if updates:
            self.s.execute(update(AssetRow), updates)
        return out

    def list(self, workspace: str) -> list[Asset]:
        rows = self.s.scalars(select(AssetRow).where(AssetRow.workspace == workspace))
        return [
            Asset(
                id=r.asset_id,
                workspace=r.workspace,
                kind=r.kind,
                uri=r.uri,
                description=r.description,
                tags=list(r.tags),
                creator=r.creator,
                creator_role=r.creator_role,
                source_post_id=r.source_post_id,
                consent=Consent.model_validate(r.consent) if r.consent else None,
            )
            for r in rows
        ]

    def delete_workspace(self, workspace: str) -> None:
        self.s.execute(delete(AssetRow).where(AssetRow.workspace == workspace))


def _job_from_row(row: JobRow, counts: dict[str, int]) -> Job:
    return Job(
        id=row.id,
        workspace=row.workspace,
        kind=row.kind,
        status=JobStatus(row.status),
        params=dict(row.params or {}),
        idempotency_key=row.idempotency_key,
        total=sum(counts.values()),
        done=counts.get("done", 0),
        failed=counts.get("failed", 0),
        current=row.current,
        error=row.error,
        cancel_requested=row.cancel_requested,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class JobRepo:
    def __init__(self, session: Session) -> None:
        self.s = session

    def create(
        self,
        *,
        job_id: str,
        workspace: str,
        kind: str,
        params: dict[str, object],
        items: Sequence[str],
        idempotency_key: str | None,
    ) -> Job:
        self.s.add(
            JobRow(
                id=job_id,
                workspace=workspace,
                kind=kind,
                status=JobStatus.queued.value,
                params=params,
                idempotency_key=idempotency_key,
            )
        )
        self.s.flush()
        for position, key in enumerate(items):
            self.s.add(JobItemRow(job_id=job_id, key=key, position=position))
        self.s.flush()
        return self.get(job_id)

    def find_by_key(self, workspace: str, key: str) -> Job | None:
        row = self.s.scalar(
            select(JobRow).where(JobRow.workspace == workspace, JobRow.idempotency_key == key)
        )
        return None if row is None else self.get(row.id)

    def _counts(self, job_id: str) -> dict[str, int]:
        rows = self.s.execute(
            select(JobItemRow.status, func.count())
            .where(JobItemRow.job_id == job_id)
            .group_by(JobItemRow.status)
        ).all()
        return {str(status): int(n) for status, n in rows}

    def get(self, job_id: str, *, counts: bool = True) -> Job:
        """counts=False skips counting the items (total/done/failed stay 0): for the workers,
        which look a job up before every item and need only its params and flags."""
        row = self.s.get(JobRow, job_id)
        if row is None:
            raise NotFound(f"no job {job_id!r}", details={"job_id": job_id})
        return _job_from_row(row, self._counts(job_id) if counts else {})

    def update(self, job_id: str, **fields: object) -> None:
        row = self.s.get(JobRow, job_id)
        if row is None:
            raise NotFound(f"no job {job_id!r}")
        for key, value in fields.items():
            setattr(row, key, value)
        row.updated_at = dt.datetime.now(dt.UTC)
        self.s.flush()

    def items(self, job_id: str, *, status: ItemStatus | None = None) -> list[JobItem]:
        query = select(JobItemRow).where(JobItemRow.job_id == job_id)
        if status is not None:
            query = query.where(JobItemRow.status == status.value)
        rows = self.s.scalars(query.order_by(JobItemRow.position))
        return [
            JobItem(key=r.key, status=ItemStatus(r.status), result=r.result, error=r.error)
            for r in rows
        ]

    def item(self, job_id: str, key: str) -> JobItem:
        row = self.s.get(JobItemRow, (job_id, key))
        if row is None:
            raise NotFound(f"job {job_id!r} has no item {key!r}")
        return JobItem(
            key=row.key, status=ItemStatus(row.status), result=row.result, error=row.error
        )

    def start_item(self, job_id: str, key: str) -> bool:
        """Count an attempt of a pending item, in one statement; False (nothing counted) when
        the item is not pending any more (another run stored it) or does not exist."""
        started = self.s.execute(
            update(JobItemRow)
            .where(
                JobItemRow.job_id == job_id,
                JobItemRow.key == key,
                JobItemRow.status == ItemStatus.pending.value,
            )
            .values(attempts=JobItemRow.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        return bool(started.rowcount)  # type: ignore[attr-defined]

    def finish_item(
        self, job_id: str, key: str, *, result: dict[str, object] | None, error: str | None
    ) -> bool:
        """Store an item's outcome once: a second run of the same item (a retried task, two
        processes) finds it finished and stores nothing. True when this call stored it."""
        stored = self.s.execute(
            update(JobItemRow)
            .where(
                JobItemRow.job_id == job_id,
                JobItemRow.key == key,
                JobItemRow.status == ItemStatus.pending.value,
            )
            .values(
                status=(ItemStatus.failed if error else ItemStatus.done).value,
                result=result,
                error=error,
            )
            .execution_options(synchronize_session=False)
        )
        return bool(stored.rowcount)  # type: ignore[attr-defined]

    def set_status(self, job_id: str, status: JobStatus, *, when: Sequence[JobStatus]) -> bool:
        """Move a job to `status` only from one of `when`, in one statement, so that processes
        racing to start or finish the same job agree on one outcome."""
        changed = self.s.execute(
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.status.in_([w.value for w in when]))
            .values(status=status.value, updated_at=dt.datetime.now(dt.UTC))
            .execution_options(synchronize_session=False)
        )
        return bool(changed.rowcount)  # type: ignore[attr-defined]

    def reopen(self, job_id: str, keys: Sequence[str]) -> bool:
        """Send these finished items back to be run again, and the job back to the queue, in
        one transaction; False (and nothing changed) when the job is still queued or running,
        so two regenerations, or one during a run, never write the same slot twice."""
        finished = [JobStatus.done, JobStatus.cancelled, JobStatus.failed]
        if not self.set_status(job_id, JobStatus.queued, when=finished):
            return False
        self.s.execute(
            update(JobItemRow)
            .where(JobItemRow.job_id == job_id, JobItemRow.key.in_(list(keys)))
            .values(status=ItemStatus.pending.value, result=None, error=None, written=None)
            .execution_options(synchronize_session=False)
        )
        self.update(job_id, cancel_requested=False, error=None, current=None)
        return True

    def note_written(self, job_id: str, key: str, text: str) -> None:
        """Show what a running item has just written to the job's other items (one statement;
        committed before the item reads theirs, so of two items written at the same instant
        at least one sees the other)."""
        self.s.execute(
            update(JobItemRow)
            .where(
                JobItemRow.job_id == job_id,
                JobItemRow.key == key,
                JobItemRow.status == ItemStatus.pending.value,
            )
            .values(written=text)
            .execution_options(synchronize_session=False)
        )

    def written_texts(self, job_id: str, *, besides: str) -> list[str]:
        """The texts of the job's other items, in plan order, in one query: what running items
        have written so far and what finished ones stored (an item finished before its text
        was noted has it only in its result). Failed items wrote nothing that counts."""
        rows = self.s.execute(
            select(
                JobItemRow.written,
                case((JobItemRow.written.is_(None), JobItemRow.result), else_=null()),
            )
            .where(
                JobItemRow.job_id == job_id,
                JobItemRow.key != besides,
                JobItemRow.status != ItemStatus.failed.value,
                or_(
                    JobItemRow.written.is_not(None),
                    JobItemRow.status == ItemStatus.done.value,
                ),
            )
            .order_by(JobItemRow.position)
        ).all()
        texts = (w if w is not None else (r or {}).get("text") for w, r in rows)
        return [str(t) for t in texts if t]

    def note_current(self, job_id: str, key: str) -> None:
        """Show `key` as the job's item in progress, unless another worker is writing the job
        row right now: with many items starting at once, waiting in line for one row to say
        which of them is "current" would hold every one of them up (SKIP LOCKED; SQLite
        writes one transaction at a time and has nothing to skip)."""
        free = select(JobRow.id).where(JobRow.id == job_id).with_for_update(skip_locked=True)
        self.s.execute(
            update(JobRow)
            .where(JobRow.id.in_(free))
            .values(current=key, updated_at=dt.datetime.now(dt.UTC))
            .execution_options(synchronize_session=False)
        )

    def pending_count(self, job_id: str) -> int:
        return int(
            self.s.scalar(
                select(func.count())
                .select_from(JobItemRow)
                .where(JobItemRow.job_id == job_id, JobItemRow.status == ItemStatus.pending.value)
            )
            or 0
        )

    def pending_and_cancel(self, job_id: str) -> tuple[int, bool]:
        """The job's items still pending and whether a cancel was asked, in one query (what a
        worker reads after each item to know whether the job is over)."""
        pending = (
            select(func.count())
            .select_from(JobItemRow)
            .where(JobItemRow.job_id == job_id, JobItemRow.status == ItemStatus.pending.value)
            .scalar_subquery()
        )
        row = self.s.execute(
            select(pending, JobRow.cancel_requested).where(JobRow.id == job_id)
        ).first()
        if row is None:
            raise NotFound(f"no job {job_id!r}", details={"job_id": job_id})
        return int(row[0] or 0), bool(row[1])

    def for_workspace(self, workspace: str, *, limit: int = 20) -> list[Job]:
        """The workspace's jobs, newest first."""
        ids = self.s.scalars(
            select(JobRow.id)
            .where(JobRow.workspace == workspace)
            .order_by(JobRow.created_at.desc())
            .limit(limit)
        ).all()
        return [self.get(i) for i in ids]

    def retry_failed(self, job_id: str) -> None:
        """Failed items pending again, the cancel withdrawn, the job queued: what a resume or a
        retry starts from. Items already done stay done."""
        self.s.execute(
            update(JobItemRow)
            .where(JobItemRow.job_id == job_id, JobItemRow.status == ItemStatus.failed.value)
            .values(status=ItemStatus.pending.value, result=None, error=None)
            .execution_options(synchronize_session=False)
        )
        self.update(job_id, status=JobStatus.queued.value, cancel_requested=False, error=None)

    def unfinished(self) -> list[Job]:
        ids = self.s.scalars(
            select(JobRow.id).where(
                JobRow.status.in_([JobStatus.queued.value, JobStatus.running.value])
            )
        ).all()
        return [self.get(i) for i in ids]


_DRAFT_FIELDS = tuple(f for f in Draft.model_fields if f not in ("checks", "status"))


def _draft_from_row(row: DraftRow) -> Draft:
    data = {f: getattr(row, f) for f in _DRAFT_FIELDS}
    return Draft(
        **data,
        status=DraftStatus(row.status),
        checks=[Check.model_validate(c) for c in row.checks],
    )


class DraftRepo:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, draft: Draft) -> Draft:
        row = DraftRow(
            **{f: getattr(draft, f) for f in _DRAFT_FIELDS},
            status=draft.status.value,
            checks=[c.model_dump() for c in draft.checks],
        )
        self.s.add(row)
        self.s.flush()
        return _draft_from_row(row)

    def many(self, workspace: str, draft_ids: Sequence[str]) -> dict[str, Draft]:
        """The workspace's drafts among these ids, in one query (another workspace's ids are
        simply absent)."""
        if not draft_ids:
            return {}
        rows = self.s.scalars(
            select(DraftRow).where(DraftRow.workspace == workspace, DraftRow.id.in_(draft_ids))
        )
        return {r.id: _draft_from_row(r) for r in rows}

    def get(self, workspace: str, draft_id: str) -> Draft:
        row = self.s.get(DraftRow, draft_id)
        if row is None or row.workspace != workspace:
            raise NotFound(f"no draft {draft_id!r} in workspace {workspace!r}")
        return _draft_from_row(row)

    def add_failed_check(self, workspace: str, draft_id: str, check: Check) -> Draft:
        """A check decided after the draft was stored (its month around it): the draft fails."""
        self.get(workspace, draft_id)  # 404 for another workspace's draft
        row = self.s.get(DraftRow, draft_id)
        assert row is not None
        row.checks = [*(c for c in row.checks if c.get("name") != check.name), check.model_dump()]
        row.passed = False
        row.updated_at = dt.datetime.now(dt.UTC)
        self.s.flush()
        return _draft_from_row(row)

    def review(
        self,
        workspace: str,
        draft_id: str,
        status: DraftStatus,
        edited_text: str | None,
        *,
        override: bool = False,
    ) -> Draft:
        """A person's verdict; an edit is kept beside the generated text, never over it.
        Approving a draft that failed its checks needs `override` (the person confirmed it),
        and the draft keeps that it was approved so."""
        draft = self.get(workspace, draft_id)
        if status is DraftStatus.approved and not draft.passed and not override:
            failed = [c.name for c in draft.checks if c.hard and not c.passed]
            raise Conflict(
                "this draft failed its checks"
                + (f" ({', '.join(failed)})" if failed else "")
                + ": approve it anyway only with override: true",
                details={"draft_id": draft_id, "failed_checks": failed},
            )
        row = self.s.get(DraftRow, draft_id)
        assert row is not None
        row.status = status.value
        row.checks_overridden = status is DraftStatus.approved and not draft.passed
        if edited_text is not None and edited_text.strip() != row.text.strip():
            row.edited_text = edited_text
        row.updated_at = dt.datetime.now(dt.UTC)
        self.s.flush()
        return _draft_from_row(row)

    def list(
        self, workspace: str, *, status: DraftStatus | None = None, kind: str | None = None
    ) -> list[Draft]:
        query = select(DraftRow).where(DraftRow.workspace == workspace)
        if status is not None:
            query = query.where(DraftRow.status == status.value)
        if kind is not None:
            query = query.where(DraftRow.kind == kind)
        return [_draft_from_row(r) for r in self.s.scalars(query.order_by(DraftRow.created_at))]


class ProfileAuditSummary(BaseModel):
    id: str
    workspace: str
    created_at: dt.datetime
    overall: int
    findings: int
    channels: dict[str, int]


class ProfileAuditRepo:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, workspace: str, profiles: ProfileSet, report: AuditReport) -> str:
        row = ProfileAuditRow(
            id=str(uuid.uuid4()),
            workspace=workspace,
            overall=report.overall,
            findings=len(report.findings),
            profiles=profiles.model_dump(mode="json"),
            report=report.model_dump(mode="json"),
        )
        self.s.add(row)
        self.s.flush()
        return row.id

    def latest_profiles(self, workspace: str) -> ProfileSet | None:
        """The texts of the workspace's newest audit (an accepted rewrite is stored as one)."""
        row = self.s.scalar(
            select(ProfileAuditRow)
            .where(ProfileAuditRow.workspace == workspace)
            .order_by(ProfileAuditRow.created_at.desc())
            .limit(1)
        )
        return None if row is None else ProfileSet.model_validate(row.profiles)

    def history(self, workspace: str) -> list[ProfileAuditSummary]:
        """Oldest first: a team reads its progress left to right."""
        rows = self.s.scalars(
            select(ProfileAuditRow)
            .where(ProfileAuditRow.workspace == workspace)
            .order_by(ProfileAuditRow.created_at)
        )
        return [
            ProfileAuditSummary(
                id=r.id,
                workspace=r.workspace,
                created_at=r.created_at,
                overall=r.overall,
                findings=r.findings,
                channels=dict(r.report.get("channels", {})),
            )
            for r in rows
        ]


class StoredPlan(BaseModel):
    id: str
    workspace: str
    plan: ContentPlan
    slots: list[Slot] | None
    job_id: str | None


class PlanRepo:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(self, workspace: str, plan: ContentPlan | dict[str, Any]) -> StoredPlan:
        valid = ContentPlan.model_validate(plan)
        row = PlanRow(id=str(uuid.uuid4()), workspace=workspace, plan=valid.model_dump(mode="json"))
        self.s.add(row)
        self.s.flush()
        return self._out(row)

    def get(self, plan_id: str) -> StoredPlan:
        return self._out(self._row(plan_id))

    def latest(self, workspace: str) -> StoredPlan | None:
        """The workspace's most recently saved plan (what the plan form opens with)."""
        row = self.s.scalar(
            select(PlanRow)
            .where(PlanRow.workspace == workspace)
            .order_by(PlanRow.created_at.desc())
            .limit(1)
        )
        return None if row is None else self._out(row)

    def set_slots(self, plan_id: str, slots: Sequence[Slot]) -> StoredPlan:
        row = self._row(plan_id)
        row.slots = [s.model_dump(mode="json") for s in slots]
        self.s.flush()
        return self._out(row)

    def set_job(self, plan_id: str, job_id: str | None) -> StoredPlan:
        row = self._row(plan_id)
        row.job_id = job_id
        self.s.flush()
        return self._out(row)

    def update(
        self,
        plan_id: str,
        *,
        slots: Sequence[Slot | dict[str, Any]] | None = None,
        job_id: str | None = None,
    ) -> StoredPlan:
        """Both fields at once, for callers that have either; each is validated."""
        stored = self.get(plan_id)
        if slots is not None:
            stored = self.set_slots(plan_id, [Slot.model_validate(x) for x in slots])
        if job_id is not None:
            stored = self.set_job(plan_id, job_id)
        return stored

    def _row(self, plan_id: str) -> PlanRow:
        row = self.s.get(PlanRow, plan_id)
        if row is None:
            raise NotFound(f"no plan {plan_id!r}")
        return row

    @staticmethod
    def _out(row: PlanRow) -> StoredPlan:
        return StoredPlan(
            id=row.id,
            workspace=row.workspace,
            plan=ContentPlan.model_validate(row.plan),
            slots=None if row.slots is None else [Slot.model_validate(x) for x in row.slots],
            job_id=row.job_id,
        )
