"""A job as a person follows it in the Status tab: the time left as a range measured from its
own pace, and cancel / resume / retry through the same queue the API uses."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from service.container import Services
from service.domain import Workspace
from service.domain.job import Job, JobStatus
from service.errors import NotFound
from service.jobs.progress import cancel_job, progress_of, resume_job, workspace_jobs
from service.jobs.runner import JobRunner
from service.storage.repositories import WorkspaceRepo

ITEMS = [f"slot-{i}" for i in range(6)]
T0 = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def ws(services: Services) -> str:
    with services.db.session() as s:
        WorkspaceRepo(s).save(Workspace(slug="w", name="W"))
        WorkspaceRepo(s).save(Workspace(slug="other", name="O"))
    return "w"


def _job(done: int, total: int = 10, status: JobStatus = JobStatus.running) -> Job:
    return Job(
        id="j", workspace="w", kind="plan_drafts", status=status, total=total, done=done,
        created_at=T0, updated_at=T0,
    )  # fmt: skip


def test_no_time_left_is_promised_before_the_first_item_has_finished() -> None:
    p = progress_of(_job(0), T0 + dt.timedelta(seconds=90))
    assert p.elapsed_seconds == 90 and p.remaining_seconds is None and p.can_cancel


def test_the_time_left_is_a_range_around_the_measured_pace_that_narrows_with_items() -> None:
    early = progress_of(_job(1), T0 + dt.timedelta(seconds=60))
    late = progress_of(_job(9, total=18), T0 + dt.timedelta(seconds=540))
    assert early.remaining_seconds is not None and late.remaining_seconds is not None
    # 9 items left at 60 s each = 540 s, within the range either way.
    low, high = early.remaining_seconds
    assert low < 540 < high
    l2, h2 = late.remaining_seconds
    assert l2 < 540 < h2
    assert (h2 - l2) / 540 < (high - low) / 540, "more items measured, a narrower range"


def test_a_cancelled_job_resumes_with_its_done_items_kept(services: Services, ws: str) -> None:
    calls: list[str] = []

    def work(job: Job, key: str) -> dict[str, Any]:
        calls.append(key)
        return {"text": key}

    runner = JobRunner(services.db, {"plan_drafts": work})
    job, _ = runner.submit(ws, "plan_drafts", ITEMS)
    cancelled = cancel_job(runner, ws, job.id)  # before it started: nothing ran
    assert cancelled.status is JobStatus.cancelled
    [listed] = workspace_jobs(services.db, ws)
    assert listed.can_resume and not listed.can_cancel
    resume_job(services.db, runner, ws, job.id)
    runner._threads[job.id].join(timeout=30)  # the background run the resume started
    final = runner.get(job.id)
    assert final.status is JobStatus.done and final.done == len(ITEMS)
    assert sorted(calls) == sorted(ITEMS), "each item ran once"


def test_a_retry_runs_only_the_failed_items_again(services: Services, ws: str) -> None:
    attempts: dict[str, int] = {}

    def flaky(job: Job, key: str) -> dict[str, Any]:
        attempts[key] = attempts.get(key, 0) + 1
        if key == "slot-3" and attempts[key] == 1:
            raise RuntimeError("modellen svarte ikke")
        return {"text": key}

    runner = JobRunner(services.db, {"plan_drafts": flaky})
    job, _ = runner.submit(ws, "plan_drafts", ITEMS)
    first = runner.run(job.id)
    assert (first.done, first.failed) == (5, 1) and progress_of(first).can_resume
    resume_job(services.db, runner, ws, job.id)
    runner._threads[job.id].join(timeout=30)  # the background run the resume started
    again = runner.get(job.id)
    assert (again.status, again.done, again.failed) == (JobStatus.done, 6, 0)
    assert attempts == {**{k: 1 for k in ITEMS}, "slot-3": 2}


def test_another_workspaces_job_cannot_be_cancelled_or_resumed(services: Services, ws: str) -> None:
    runner = JobRunner(services.db, {"plan_drafts": lambda job, key: {}})
    job, _ = runner.submit(ws, "plan_drafts", ITEMS)
    with pytest.raises(NotFound):
        cancel_job(runner, "other", job.id)
    with pytest.raises(NotFound):
        resume_job(services.db, runner, "other", job.id)
    assert workspace_jobs(services.db, "other") == []
