"""Repositories: the only code that turns table rows into domain models and back."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import delete, func, select
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
from service.errors import NotFound
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


class PostRepo:
    def __init__(self, session: Session) -> None:
        self.s = session
        self._legacy: dict[str, dict[str, PostRow]] = {}
        self._known: dict[tuple[str, str, str], PostRow] = {}

    def upsert_many(self, posts: Iterable[Post]) -> UpsertCounts:
        """Insert new posts, update changed ones; a category a person chose is never overwritten."""
        counts = UpsertCounts()
        self._legacy = {}
        posts = list(posts)
        # One query for the batch's known rows and one flush at the end: per-row lookups made
        # SQLAlchemy autoflush every insert singly (740 rows/s measured; see bench/).
        self._known = self._rows_by_id(posts)
        with self.s.no_autoflush:
            self._upsert(posts, counts)
        self.s.flush()
        return counts

    def _rows_by_id(self, posts: Sequence[Post]) -> dict[tuple[str, str, str], PostRow]:
        wanted: dict[tuple[str, str], set[str]] = {}
        for p in posts:
            ids = wanted.setdefault((p.workspace, p.channel.value), set())
            ids.add(p.id)
            if p.channel is Channel.facebook and "_" in p.id:
                ids.add(p.id.split("_", 1)[1])
        out: dict[tuple[str, str, str], PostRow] = {}
        for (workspace, channel), ids in wanted.items():
            id_list = sorted(ids)
            for start in range(0, len(id_list), 500):  # stay under SQL parameter limits
                rows = self.s.scalars(
                    select(PostRow).where(
                        PostRow.workspace == workspace,
                        PostRow.channel == channel,
                        PostRow.post_id.in_(id_list[start : start + 500]),
                    )
                )
                out.update({(workspace, channel, r.post_id): r for r in rows})
        return out

    def _upsert(self, posts: Sequence[Post], counts: UpsertCounts) -> None:
        for post in posts:
            row = self._same_post(post)
            if row is not None and row.post_id != post.id:
                # One post in both a legacy Insights file ("pageid_postid") and a Business
                # Suite file ("postid"): one record, under the Business Suite id and numbers.
                if "_" in post.id:
                    counts.updated += 1
                    counts.merged += 1
                    continue
                self._legacy.get(post.workspace, {}).pop(post.id, None)
                row.post_id = post.id
                self._known[(post.workspace, post.channel.value, post.id)] = row
            offset = post.published_at.utcoffset() or dt.timedelta(0)
            values = {
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
            if row is None:
                row = PostRow(workspace=post.workspace, channel=post.channel.value, post_id=post.id)
                for key, value in values.items():
                    setattr(row, key, value)
                row.category = post.category
                row.category_confidence = post.category_confidence
                row.category_locked = post.category_locked
                self.s.add(row)
                self._known[(post.workspace, post.channel.value, post.id)] = row
                counts.imported += 1
                continue
            changed = any(_differs(getattr(row, k), v) for k, v in values.items())
            if not row.category_locked and post.category is not None:
                changed |= row.category != post.category
                row.category = post.category
                row.category_confidence = post.category_confidence
            for key, value in values.items():
                setattr(row, key, value)
            counts.updated += 1
            if changed:
                counts.changed += 1

    def _same_post(self, post: Post) -> PostRow | None:
        row = self._known.get((post.workspace, post.channel.value, post.id))
        if row is not None or post.channel is not Channel.facebook:
            return row
        if "_" in post.id:
            return self._known.get((post.workspace, post.channel.value, post.id.split("_", 1)[1]))
        return self._legacy_rows(post.workspace).get(post.id)

    def _legacy_rows(self, workspace: str) -> dict[str, PostRow]:
        """Legacy Facebook rows ("pageid_postid") by their post id, looked up once per batch:
        a LIKE per row scanned the table each time and made large imports quadratic."""
        if workspace not in self._legacy:
            rows = self.s.scalars(
                select(PostRow).where(
                    PostRow.workspace == workspace,
                    PostRow.channel == Channel.facebook.value,
                    PostRow.post_id.contains("_", autoescape=True),
                )
            )
            self._legacy[workspace] = {r.post_id.split("_", 1)[1]: r for r in rows}
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
        out = UpsertCounts()
        for c in counts:
            row = self.s.get(FollowerCountRow, (workspace, c.channel.value, c.date))
            if row is None:
                row = FollowerCountRow(workspace=workspace, channel=c.channel.value, date=c.date)
                self.s.add(row)
                out.imported += 1
            else:
                out.updated += 1
                out.changed += int(row.followers != c.followers)
            row.followers, row.source = c.followers, source
        self.s.flush()
        return out

    def save_deltas(
        self, workspace: str, channel: Channel, deltas: Iterable[tuple[dt.date, int]]
    ) -> UpsertCounts:
        out = UpsertCounts()
        for day, new in deltas:
            row = self.s.get(FollowerDeltaRow, (workspace, channel.value, day))
            if row is None:
                row = FollowerDeltaRow(workspace=workspace, channel=channel.value, date=day)
                self.s.add(row)
                out.imported += 1
            else:
                out.updated += 1
                out.changed += int(row.new_followers != new)
            row.new_followers = new
        self.s.flush()
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
        out = UpsertCounts()
        for a in assets:
            row = self.s.scalar(
                select(AssetRow).where(AssetRow.workspace == a.workspace, AssetRow.asset_id == a.id)
            )
            if row is None:
                row = AssetRow(workspace=a.workspace, asset_id=a.id)
                out.imported += 1
            else:
                out.updated += 1
            row.kind, row.uri, row.description = a.kind.value, a.uri, a.description
            row.tags, row.creator, row.creator_role = list(a.tags), a.creator, a.creator_role.value
            row.source_post_id = a.source_post_id
            row.consent = a.consent.model_dump(mode="json") if a.consent else None
            self.s.add(row)
        self.s.flush()
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

    def start_item(self, job_id: str, key: str) -> int:
        """Count an attempt; returns how many there have been (more than 1: a retry)."""
        row = self.s.get(JobItemRow, (job_id, key))
        if row is None:
            raise NotFound(f"job {job_id!r} has no item {key!r}")
        row.attempts += 1
        self.s.flush()
        return row.attempts

    def finish_item(
        self, job_id: str, key: str, *, result: dict[str, object] | None, error: str | None
    ) -> bool:
        """Store an item's outcome once: a second run of the same item (a retried task, two
        processes) finds it finished and stores nothing. True when this call stored it."""
        from sqlalchemy import update

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
        from sqlalchemy import update

        changed = self.s.execute(
            update(JobRow)
            .where(JobRow.id == job_id, JobRow.status.in_([w.value for w in when]))
            .values(status=status.value, updated_at=dt.datetime.now(dt.UTC))
            .execution_options(synchronize_session=False)
        )
        return bool(changed.rowcount)  # type: ignore[attr-defined]

    def pending_count(self, job_id: str) -> int:
        return int(
            self.s.scalar(
                select(func.count())
                .select_from(JobItemRow)
                .where(JobItemRow.job_id == job_id, JobItemRow.status == ItemStatus.pending.value)
            )
            or 0
        )

    def for_workspace(self, workspace: str, *, limit: int = 20) -> list[Job]:
        """The workspace's jobs, newest first."""
        ids = self.s.scalars(
            select(JobRow.id)
            .where(JobRow.workspace == workspace)
            .order_by(JobRow.created_at.desc())
            .limit(limit)
        ).all()
        return [self.get(i) for i in ids]

    def reopen(self, job_id: str) -> None:
        """Failed items pending again, the cancel withdrawn, the job queued: what a resume or a
        retry starts from. Items already done stay done."""
        from sqlalchemy import update

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

    def review(
        self, workspace: str, draft_id: str, status: DraftStatus, edited_text: str | None
    ) -> Draft:
        """A person's verdict; an edit is kept beside the generated text, never over it."""
        self.get(workspace, draft_id)
        row = self.s.get(DraftRow, draft_id)
        assert row is not None
        row.status = status.value
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
