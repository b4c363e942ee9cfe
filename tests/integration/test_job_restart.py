"""Kill the job's process mid-run, restart: finished drafts are kept, none is made twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from service.container import Services
from service.domain import Workspace
from service.domain.job import ItemStatus, JobStatus
from service.jobs.runner import JobRunner
from service.storage.repositories import JobRepo, WorkspaceRepo
from tests.integration.job_worker import slow_handler

pytestmark = pytest.mark.integration


def test_a_killed_job_resumes_without_redoing_finished_items(
    services: Services, tmp_path: Path
) -> None:
    with services.db.session() as s:
        WorkspaceRepo(s).save(Workspace(slug="w", name="W"))
    log = tmp_path / "calls.log"
    items = [f"slot-{i:02d}" for i in range(12)]
    runner = JobRunner(services.db, {"slow": slow_handler(log, 0.0)})
    job, _ = runner.submit("w", "slow", items, idempotency_key="month-2026-12")

    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.job_worker", services.db.url, job.id, str(log)],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    deadline = time.monotonic() + 60
    while runner.get(job.id).done < 4:
        assert worker.poll() is None, "worker ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)
    worker.wait(10)

    with services.db.session() as s:
        finished_before = {i.key for i in JobRepo(s).items(job.id, status=ItemStatus.done)}
    assert 4 <= len(finished_before) < len(items)
    assert runner.get(job.id).status is JobStatus.running  # left behind by the crash

    # Same request again after the restart: the idempotency key finds the same job.
    again, created = runner.submit("w", "slow", items, idempotency_key="month-2026-12")
    assert not created and again.id == job.id
    assert runner.resume_unfinished() == [job.id]
    deadline = time.monotonic() + 60
    while runner.get(job.id).status is not JobStatus.done:
        assert time.monotonic() < deadline
        time.sleep(0.05)

    final = runner.get(job.id)
    assert final.done == len(items) and final.failed == 0
    ran = Counter(
        line.split()[1] for line in log.read_text().splitlines() if line.startswith("ran ")
    )
    assert all(ran[key] == 1 for key in finished_before), ran
    assert set(ran) == set(items)
