"""A workspace's jobs as a person follows them: how far, how long so far, how long still (a range
measured from the job's own pace, not a promise made before it started), and whether it can be
cancelled or resumed. The API's jobs routes and the UI's Status tab use the same calls."""

from __future__ import annotations

import datetime as dt
import math

from pydantic import BaseModel

from service.domain.job import ItemStatus, Job, JobStatus
from service.errors import NotFound
from service.jobs.queue import JobQueue
from service.storage.db import Database
from service.storage.repositories import JobRepo


class JobProgress(BaseModel):
    job: Job
    progress: float
    elapsed_seconds: float
    # (low, high) seconds still to go; None until an item has finished (no pace measured yet).
    remaining_seconds: tuple[float, float] | None
    can_cancel: bool
    can_resume: bool


def progress_of(job: Job, now: dt.datetime | None = None) -> JobProgress:
    """The pace is the finished items over the time since the job was made, so the time before
    the first item (loading a model) counts too. The range narrows as items finish: ±1/√n of
    the straight-line estimate, a spread that matches how uneven single drafts are."""
    now = now or dt.datetime.now(dt.UTC)
    end = job.updated_at if job.status.finished else now
    elapsed = max(0.0, (end - job.created_at).total_seconds())
    finished = job.done + job.failed
    remaining: tuple[float, float] | None = None
    if job.status.finished:
        remaining = (0.0, 0.0)
    elif finished and elapsed > 0:
        straight = (job.total - finished) * elapsed / finished
        spread = 1 / math.sqrt(finished)
        remaining = (straight / (1 + spread), straight * (1 + spread))
    return JobProgress(
        job=job,
        progress=round(job.progress, 4),
        elapsed_seconds=round(elapsed, 1),
        remaining_seconds=remaining,
        can_cancel=not job.status.finished and not job.cancel_requested,
        can_resume=job.status in (JobStatus.cancelled, JobStatus.failed)
        or (job.status is JobStatus.done and job.failed > 0),
    )


def workspace_jobs(db: Database, workspace: str, limit: int = 20) -> list[JobProgress]:
    with db.session() as s:
        jobs = JobRepo(s).for_workspace(workspace, limit=limit)
    now = dt.datetime.now(dt.UTC)
    return [progress_of(j, now) for j in jobs]


def _own(queue: JobQueue, workspace: str, job_id: str) -> Job:
    job = queue.get(job_id)
    if job.workspace != workspace:
        raise NotFound(f"no job {job_id!r} in workspace {workspace!r}")
    return job


def cancel_job(queue: JobQueue, workspace: str, job_id: str) -> Job:
    _own(queue, workspace, job_id)
    return queue.cancel(job_id)


def resume_job(db: Database, queue: JobQueue, workspace: str, job_id: str) -> Job:
    """Continue a cancelled job, or retry the failed items of a finished one: the items already
    done are kept, the others run again."""
    job = _own(queue, workspace, job_id)
    if not progress_of(job).can_resume:
        return job
    with db.session() as s:
        # The items that will run again, counted by a budgeted queue first (or refused).
        again = [i.key for i in JobRepo(s).items(job_id) if i.status is not ItemStatus.done]
        queue.admit(s, job.workspace, job.kind, again, job.params)
        JobRepo(s).retry_failed(job_id)
    queue.start(job_id)
    return queue.get(job_id)
