"""The month plan's one owner: schedule → estimate → generate (a job) → posts → export.

The API, the UI adapters, the CLI and the evals call these methods; none of them composes the
steps itself. A job's posts and exports are read from the slots the job stored when it was
submitted, never recomputed: a slot's key includes its time, and best hours move with every
import.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, Literal

from pydantic import BaseModel, Field

from service.domain import DraftStatus
from service.domain.job import Job, JobStatus
from service.errors import Conflict, Invalid, NotFound
from service.generation.variants import VariantPipeline
from service.jobs.queue import JobQueue, ProgressFn
from service.planning.calendar import occasions
from service.planning.drafts import PLAN_JOB, SURFACE_FOR, draft_for_slot
from service.planning.estimate import Estimate, estimate
from service.planning.exports import ExportFormat, PlannedPost
from service.planning.models import ContentPlan, Occasion, PlanChannel, Slot, moved_slots
from service.planning.service import export, job_key
from service.planning.slots import THEMES_NB, make_slots
from service.storage.db import Database
from service.storage.repositories import DraftRepo, JobRepo, PlanRepo, StoredPlan, WorkspaceRepo

MEDIA: dict[str, tuple[str, str]] = {
    "md": ("text/markdown; charset=utf-8", "md"),
    "buffer": ("text/csv; charset=utf-8", "csv"),
    "hootsuite": ("text/csv; charset=utf-8", "csv"),
    "publer": ("text/csv; charset=utf-8", "csv"),
    "ics": ("text/calendar; charset=utf-8", "ics"),
}


class PlanView(BaseModel):
    id: str
    workspace: str
    plan: ContentPlan
    occasions: list[Occasion]
    slots: list[Slot] | None
    job_id: str | None


class Schedule(BaseModel):
    """A month's slots, for approval before generation, with what generating them costs."""

    plan_id: str | None = None
    slots: list[Slot]
    occasions: list[Occasion]
    estimate: Estimate | None = None


class ExportFile(BaseModel):
    filename: str
    media_type: str
    data: bytes
    # Slots not in the file, by reason: "not_reviewed", "rejected", "failed_checks", "empty".
    left_out: dict[str, int] = {}


Include = Literal["approved", "proposed"]
# What a generate call on a plan that has its drafts already does: nothing new ("none": the
# plan's job is the answer), every slot a person has not approved again ("all"), or only the
# slots whose draft failed its checks, is empty, errored or was rejected ("failed").
Regenerate = Literal["none", "all", "failed"]


class DraftCheck(BaseModel):
    name: str
    passed: bool
    detail: str = ""
    hard: bool = True
    # The catalogue code and parameters, so the calendar and exports render it in the
    # reader's language like a variant's checks (older jobs stored only the detail).
    code: str = ""
    params: dict[str, str | int | None] = Field(default_factory=dict)


class PlannedDraft(BaseModel):
    """One slot's draft as the job stored it."""

    slot: Slot
    # The slot's key as the job stored it (its job item's): it stays when the slot is moved.
    key: str = ""
    text: str
    passed: bool
    draft_id: str | None = None
    checks: list[DraftCheck]
    error: str | None = None
    # What a person decided: the draft's review status and their edited text, if any.
    status: str = "proposed"
    edited_text: str | None = None

    @property
    def current_text(self) -> str:
        """The text of the slot as it stands: the person's edit over the generated one."""
        return self.edited_text if self.edited_text is not None else self.text


class ExportWritten(BaseModel):
    format: ExportFormat
    path: str
    bytes: int


class MonthRun(Schedule):
    """A plan run to its end in one go (`gjenbruk plan --generate`): the schedule, the job, the
    drafts it stored and where the export went."""

    job_id: str | None = None
    drafts: list[PlannedDraft] = []
    export: ExportWritten | None = None


class CategoryDrafts(BaseModel):
    drafts: list[dict[str, Any]]


_LEFT_OUT_NB = {
    "not_reviewed": "ikke godkjent",
    "rejected": "avvist",
    "failed_checks": "ikke bestått kontrollene",
    "empty": "uten tekst",
}


def _checks(result: dict[str, Any]) -> list[DraftCheck]:
    return [DraftCheck.model_validate(c) for c in result.get("checks", [])]


class PlanDraftWriter:
    """The plan job's handler: one slot's draft, compared with the month's earlier drafts of the
    same category. Its providers are handed over lazily so that building the job runner (for
    `jobs show`) never loads a model."""

    def __init__(
        self,
        db: Database,
        variants: Callable[[], VariantPipeline],
    ) -> None:
        self._db = db
        self._variants = variants

    def __call__(self, job: Job, key: str) -> dict[str, Any]:
        plan = ContentPlan.model_validate(job.params["plan"])
        slots = dict(job_slots(job))  # a moved slot is written for its new day

        def earlier() -> list[str]:
            # Every other draft of the month so far, of any category, finished or still being
            # written by another worker: no text twice in a month.
            with self._db.autocommit() as s:
                return JobRepo(s).written_texts(job.id, besides=key)

        def publish(text: str) -> None:
            with self._db.autocommit() as s:
                JobRepo(s).note_written(job.id, key, text)

        return draft_for_slot(
            self._variants(), job.workspace, plan, slots[key], earlier, publish
        )


def stored_slots(job: Job) -> list[Slot]:
    if job.kind != PLAN_JOB:
        raise Invalid(f"job {job.id} is not a month plan ({job.kind})")
    return [Slot.model_validate(x) for x in job.params["slots"]]


def job_slots(job: Job) -> list[tuple[str, Slot]]:
    """The job's slots as they stand now (moved ones on their new day), each with the key the
    job stored it under."""
    stored_slots(job)
    return moved_slots(job.params)


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def _running(job: Job, doing: str) -> Conflict:
    return Conflict(
        f"job {job.id} is still writing this month: wait for it, or cancel it, then "
        f"ask to {doing} again",
        details={"job_id": job.id, "status": job.status.value},
    )


def stored_plan(job: Job) -> ContentPlan:
    stored_slots(job)
    return ContentPlan.model_validate(job.params["plan"])


class MonthPlanner:
    def __init__(
        self,
        db: Database,
        jobs: JobQueue,
        variants: Callable[[], VariantPipeline],
    ) -> None:
        self._db = db
        self._jobs = jobs
        self._variants = variants

    # The use case: a plan in, a month of drafts and its exports out.

    def best_hours(self, workspace: str) -> dict[str, str]:
        """Each channel's best hour band from the workspace's own posts, as a posting time: the
        middle of the band ("17-19" → "18:00"). Channels without a verdict keep the defaults;
        a workspace not created yet has none."""
        from service.library.reports import workspace_analysis

        with self._db.session() as s:
            if WorkspaceRepo(s).find(workspace) is None:
                return {}
        out: dict[str, str] = {}
        for channel, analysis in workspace_analysis(self._db, workspace).channels.items():
            band = analysis.best_hour_band
            if band:
                start, end = (int(x) for x in band.split("-"))
                out[channel] = f"{(start + end) // 2:02d}:00"
        return out

    def schedule(self, workspace: str, plan: ContentPlan) -> list[Slot]:
        return make_slots(plan, self.best_hours(workspace))

    def estimate(self, workspace: str, plan: ContentPlan, slots: Sequence[Slot]) -> Estimate:
        self.require_workspace(workspace)
        return estimate(self._variants(), workspace, plan, slots)

    def preview(self, workspace: str, plan: ContentPlan, *, with_estimate: bool) -> Schedule:
        slots = self.schedule(workspace, plan)
        return Schedule(
            slots=slots,
            occasions=occasions(plan),
            estimate=self.estimate(workspace, plan, slots) if with_estimate else None,
        )

    def generate(
        self,
        workspace: str,
        plan: ContentPlan,
        slots: Sequence[Slot],
        key: str | None = None,
        *,
        background: bool = True,
    ) -> Job:
        """Submit (or find) the job that writes a draft per slot. The same plan and slots asked
        twice is one job. In the background it starts at once; otherwise the caller runs it
        with `run`."""
        self.require_workspace(workspace)
        params: dict[str, Any] = {
            "plan": plan.model_dump(mode="json"),
            "slots": [s.model_dump(mode="json") for s in slots],
        }
        key = key or job_key(workspace, plan, list(slots))
        with self._db.session() as s:
            found = JobRepo(s).find_by_key(workspace, key)
        # The same month asked again after a person moved some of its slots is still that
        # month: its moves are the people's, not another request.
        unmoved = {k: v for k, v in (found.params if found else {}).items() if k != "moves"}
        if found is not None and found.kind == PLAN_JOB and unmoved == params:
            job = found
        else:
            job, _ = self._jobs.submit(
                workspace, PLAN_JOB, [s.key for s in slots], params=params, idempotency_key=key
            )
        if background and not job.status.finished:
            self._jobs.start(job.id)
        return job

    def regenerate(
        self, job: Job, mode: Literal["all", "failed"], *, background: bool = True
    ) -> Job:
        """Write some of a finished month again, in the same job, so the plan, the calendar and
        the export keep reading one job and every slot keeps one current draft. Approved drafts
        (and a person's edits of them) are never written over; with "failed" the unreviewed
        drafts that passed stay too. A draft replaced while still unreviewed is set aside
        (rejected), so it does not wait for review beside its replacement. Asked while the job
        is still running, this is a conflict: the slots it is writing are not decided yet."""
        if not job.status.finished:
            raise _running(job, "regenerate")
        redo = [
            d
            for d in self.drafts(job)
            if d.status != "approved"
            and (
                mode == "all"
                or d.status == "rejected"
                or d.error is not None
                or not d.passed
                or not d.current_text.strip()
            )
        ]
        return self._rewrite(job, redo, background)

    def regenerate_slot(self, job: Job, key: str, *, background: bool = True) -> Job:
        """One slot's draft written again, in the same job, like `regenerate` does for many:
        the replaced draft is set aside when it was unreviewed. An approved draft is what a
        person decided; it is not written over (reject it first), and neither is a slot of a
        job still running."""
        if not job.status.finished:
            raise _running(job, "regenerate")
        draft = next((d for d in self.drafts(job) if d.key == key), None)
        if draft is None:
            raise NotFound(f"job {job.id} has no slot {key!r}", details={"key": key})
        if draft.status == "approved":
            raise Conflict(
                f"the draft of slot {key!r} is approved: reject it first to write it again",
                details={"key": key, "reason": "approved"},
            )
        return self._rewrite(job, [draft], background)

    def _rewrite(self, job: Job, redo: Sequence[PlannedDraft], background: bool) -> Job:
        if not redo:
            return job
        keys = [d.key for d in redo]  # as scheduled: a moved slot keeps its job item
        with self._db.session() as s:
            # A budgeted queue counts the rewrite before any of it is sent back (or refuses).
            self._jobs.admit(s, job.workspace, job.kind, keys, job.params)
            if not JobRepo(s).reopen(job.id, keys):
                raise Conflict(
                    f"job {job.id} was started again meanwhile", details={"job_id": job.id}
                )
            drafts = DraftRepo(s)
            for d in redo:
                if d.draft_id and d.status == "proposed":
                    drafts.review(job.workspace, d.draft_id, DraftStatus.rejected, None)
        job = self._jobs.get(job.id)
        if background:
            self._jobs.start(job.id)
        return job

    def run(self, job: Job, on_progress: ProgressFn | None = None) -> Job:
        return self._jobs.run(job.id, on_progress=on_progress)

    def run_state(self, job_id: str) -> Job:
        return self._jobs.get(job_id)

    def job(self, workspace: str, job_id: str) -> Job:
        """A plan job of this workspace; another workspace's id is not found, not forbidden,
        so that ids cannot be probed."""
        job = self._jobs.get(job_id)
        if job.workspace != workspace:
            raise NotFound(f"no job {job_id!r} in workspace {workspace!r}")
        return job

    def drafts(self, job: Job) -> list[PlannedDraft]:
        """Each slot's current draft: the one query review, export and the calendar share (the
        job's result names the draft; the draft row carries the person's verdict and edit)."""
        with self._db.session() as s:
            items = {i.key: i for i in JobRepo(s).items(job.id)}
            ids = [
                str(i.result["draft_id"])
                for i in items.values()
                if i.result and i.result.get("draft_id")
            ]
            reviewed = DraftRepo(s).many(job.workspace, ids)
        out = []
        for key, slot in job_slots(job):
            item = items.get(key)
            result = (item.result if item else None) or {}
            draft = reviewed.get(str(result.get("draft_id")))
            out.append(
                PlannedDraft(
                    slot=slot,
                    key=key,
                    text=str(result.get("text", "")),
                    passed=bool(result.get("passed")),
                    draft_id=result.get("draft_id"),
                    checks=_checks(result),
                    error=item.error if item else None,
                    status=draft.status.value if draft else "proposed",
                    edited_text=draft.edited_text if draft else None,
                )
            )
        return out

    def move_slot(self, job: Job, key: str, day: str, time: str | None = None) -> PlannedDraft:
        """Move one slot to another day (and time) of the plan's month, as a person asks from
        the calendar: `day` as written (YYYY-MM-DD), `time` HH:MM or empty for the slot's own.
        The slot keeps its key, so its draft and what people decided about it stay; the
        calendar, review and every export read the new day. Refused with the reason in
        `details["reason"]`: not_a_date, not_a_time, outside_month, taken (the channel has a
        slot then already); and while the job is still writing (a conflict)."""
        raw_day, raw_time = str(day or "").strip(), str(time or "").strip()
        try:
            if not _DAY.fullmatch(raw_day):
                raise ValueError(raw_day)
            when = dt.date.fromisoformat(raw_day)
        except ValueError:
            raise Invalid(
                f"{raw_day[:20]!r} is not a date: write it YYYY-MM-DD",
                details={"reason": "not_a_date", "value": raw_day[:20]},
            ) from None
        with self._db.session() as s:
            repo = JobRepo(s)
            fresh = repo.get(job.id, counts=False)
            if fresh.workspace != job.workspace:
                raise NotFound(f"no job {job.id!r} in workspace {job.workspace!r}")
            if not fresh.status.finished:
                raise _running(fresh, "move the slot")
            plan = stored_plan(fresh)
            slots = dict(job_slots(fresh))
            slot = slots.get(key)
            if slot is None:
                raise NotFound(f"job {job.id} has no slot {key!r}", details={"key": key})
            at = raw_time or slot.time
            if not _TIME.fullmatch(at):
                raise Invalid(
                    f"{at[:20]!r} is not a time: write it HH:MM",
                    details={"reason": "not_a_time", "value": at[:20]},
                )
            if when.strftime("%Y-%m") != plan.target_month:
                raise Invalid(
                    f"{when.isoformat()} is outside the plan's month {plan.target_month}",
                    details={"reason": "outside_month", "month": plan.target_month},
                )
            moved = slot.model_copy(update={"date": when, "time": at})
            if any(k != key and s.key == moved.key for k, s in slots.items()):
                raise Invalid(
                    f"{slot.channel} has a slot at {when.isoformat()} {at} already",
                    details={"reason": "taken", "when": f"{when.isoformat()} {at}"},
                )
            moves = dict(fresh.params.get("moves") or {})
            if moved.key == key:
                moves.pop(key, None)  # back where it was scheduled
            else:
                moves[key] = {"date": when.isoformat(), "time": at}
            repo.update(job.id, params={**fresh.params, "moves": moves})
        return next(d for d in self.drafts(self._jobs.get(job.id)) if d.key == key)

    def posts(self, job: Job) -> list[PlannedPost]:
        """Every slot's generated text as the job wrote it (what the evals measure)."""
        return [
            PlannedPost(slot=d.slot, key=d.key, text=d.text, passed=d.passed)
            for d in self.drafts(job)
        ]

    def reviewed_posts(
        self, job: Job, include: Sequence[Include] = ("approved",)
    ) -> tuple[list[PlannedPost], dict[str, int]]:
        """What an export may carry: approved drafts with the person's edit (and, when asked,
        unreviewed ones, marked as such); never a rejected, failing or empty one. Also how many
        slots were left out, by reason."""
        kept: list[PlannedPost] = []
        left_out: dict[str, int] = {}
        for d in self.drafts(job):
            text = d.current_text.strip()
            reason = (
                "rejected" if d.status == "rejected"
                else "empty" if not text
                else "failed_checks" if not d.passed
                else None if d.status in include
                else "not_reviewed"
            )  # fmt: skip
            if reason is None:
                kept.append(
                    PlannedPost(
                        slot=d.slot,
                        key=d.key,
                        text=text,
                        passed=True,
                        status=d.status,
                        draft_id=d.draft_id,
                    )
                )
            else:
                left_out[reason] = left_out.get(reason, 0) + 1
        return kept, left_out

    def export(
        self,
        job: Job,
        fmt: ExportFormat,
        date_format: str = "dd/mm",
        include: Sequence[Include] = ("approved",),
    ) -> ExportFile:
        plan = stored_plan(job)
        posts, left_out = self.reviewed_posts(job, include)
        data = export(fmt, posts, workspace=job.workspace, plan=plan, date_format=date_format)
        if fmt == "md" and left_out:
            note = ", ".join(f"{n} {_LEFT_OUT_NB[k]}" for k, n in sorted(left_out.items()))
            data += f"\n_Ikke med: {note}._\n".encode()
        media, ext = MEDIA[fmt]
        return ExportFile(
            filename=f"{job.workspace}-{plan.target_month}-{fmt}.{ext}",
            media_type=media,
            data=data,
            left_out=left_out,
        )

    # Stored plans: the API's way through the same steps, one request each.

    def create_plan(self, workspace: str, plan: ContentPlan) -> PlanView:
        with self._db.session() as s:
            WorkspaceRepo(s).get(workspace)
            return _view(PlanRepo(s).add(workspace, plan.model_dump(mode="json")))

    def _stored(self, workspace: str, plan_id: str) -> StoredPlan:
        with self._db.session() as s:
            WorkspaceRepo(s).get(workspace)
            stored = PlanRepo(s).get(plan_id)
        if stored.workspace != workspace:
            raise NotFound(f"no plan {plan_id!r} in workspace {workspace!r}")
        return stored

    def get_plan(self, workspace: str, plan_id: str) -> PlanView:
        return _view(self._stored(workspace, plan_id))

    def approve_slots(self, workspace: str, plan_id: str) -> Schedule:
        """Schedule the stored plan and keep the slots: generation writes exactly these."""
        plan = ContentPlan.model_validate(self._stored(workspace, plan_id).plan)
        schedule = self.preview(workspace, plan, with_estimate=True)
        with self._db.session() as s:
            PlanRepo(s).update(plan_id, slots=[x.model_dump(mode="json") for x in schedule.slots])
        return schedule.model_copy(update={"plan_id": plan_id})

    def generate_plan(
        self,
        workspace: str,
        plan_id: str,
        key: str | None = None,
        regenerate: Regenerate = "none",
        slot: str | None = None,
    ) -> Job:
        """The plan's job: started the first time; afterwards the same job, unless the caller
        asks for a regeneration (`regenerate`, or one `slot` by its key), which rewrites slots
        of that same job and keeps what people approved."""
        stored = self._stored(workspace, plan_id)
        if slot is not None:
            if stored.job_id is None:
                raise Invalid("no drafts to write again yet: generate the plan first")
            return self.regenerate_slot(self.job(workspace, stored.job_id), slot)
        if stored.slots is None:
            raise Invalid(
                f"approve the slots first: POST /v1/workspaces/{workspace}/plans/{plan_id}/slots"
            )
        plan = ContentPlan.model_validate(stored.plan)
        slots = [Slot.model_validate(x) for x in stored.slots]
        if stored.job_id is not None:
            # Generating again is not a side effect of asking twice (another key, a reload):
            # the plan's job for these same slots is the answer, finished or running, so its
            # drafts and what people decided about them stay what the export reads. Only an
            # explicit regeneration writes any of them again.
            existing = self._jobs.get(stored.job_id)
            same = [s.key for s in stored_slots(existing)] == [s.key for s in slots]
            if same and regenerate != "none":
                return self.regenerate(existing, regenerate)
            if same and existing.status not in (JobStatus.failed, JobStatus.cancelled):
                return existing
        job = self.generate(workspace, plan, slots, key)
        with self._db.session() as s:
            PlanRepo(s).update(plan_id, job_id=job.id)
        return job

    def export_plan(
        self,
        workspace: str,
        plan_id: str,
        fmt: ExportFormat,
        date_format: str = "dd/mm",
        include: Sequence[Include] = ("approved",),
    ) -> ExportFile:
        stored = self._stored(workspace, plan_id)
        if stored.job_id is None:
            raise Invalid("nothing to export yet: generate the drafts first")
        return self.export(self.job(workspace, stored.job_id), fmt, date_format, include)

    # The category batch: "5 drafts in category ansatte for Instagram".

    def category_drafts(
        self, workspace: str, category: str, channel: str, n: int, language: str = "nb"
    ) -> CategoryDrafts:
        """n drafts grounded in that category's best posts, each checked, none a near-copy of
        another."""
        if channel not in SURFACE_FOR:
            raise Invalid(f"unknown channel {channel!r}", details={"allowed": sorted(SURFACE_FOR)})
        if not 1 <= n <= 20:
            raise Invalid("n must be between 1 and 20")
        self.require_workspace(workspace)
        today = dt.date.today()
        plan = ContentPlan(
            organisation=workspace,
            target_month=today.strftime("%Y-%m"),
            language=language,
            channels=[PlanChannel.model_validate({"channel": channel, "posts_per_week": 1})],
            category_weights={category: 1.0},
        )
        pipeline = self._variants()
        out: list[dict[str, Any]] = []
        for i in range(n):
            slot = Slot(
                date=today,
                time=f"{i:02d}:00",
                channel=channel,
                category=category,
                theme=THEMES_NB.get(category, category),
            )
            written = [str(d["text"]) for d in out if d.get("text")]
            out.append(
                draft_for_slot(pipeline, workspace, plan, slot, partial(list, written))
            )
        return CategoryDrafts(drafts=out)

    def require_workspace(self, workspace: str) -> None:
        with self._db.session() as s:
            if WorkspaceRepo(s).find(workspace) is None:
                raise NotFound(
                    f"no workspace {workspace!r}: import the organisation's posts first "
                    f"(gjenbruk import EXPORTS -w {workspace})"
                )


def _view(stored: StoredPlan) -> PlanView:
    plan = ContentPlan.model_validate(stored.plan)
    return PlanView(
        id=stored.id,
        workspace=stored.workspace,
        plan=plan,
        occasions=occasions(plan),
        slots=None if stored.slots is None else [Slot.model_validate(s) for s in stored.slots],
        job_id=stored.job_id,
    )
