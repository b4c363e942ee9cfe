"""Separate processes for the job tests, so a test can kill one mid-run:
- `<url> <job_id> <log>`: run one job in-process (the SQLite engine);
- `worker <url> <log> <delay> <concurrency> <stalled_after>`: a Procrastinate worker;
- `submit <url> <workspace> <key> <theme>`: a serve-like process that submits and queues a job,
  printing {"job_id", "created"} or {"error", "status"} as JSON.
Every handler call appends `ran <key> <pid>` to the log, so tests count model calls per item."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from service.domain.job import Job
from service.errors import GjenbrukError
from service.jobs.runner import JobRunner
from service.settings import Settings
from service.storage.db import Database

KIND = "slow"
ITEMS = [f"slot-{i:02d}" for i in range(24)]


def slow_handler(log: Path, delay: float) -> Any:
    def handle(job: Job, key: str) -> dict[str, Any]:
        with log.open("a") as fh:
            fh.write(f"start {key} {os.getpid()}\n")
        time.sleep(delay)
        with log.open("a") as fh:
            fh.write(f"ran {key} {os.getpid()}\n")
        return {"text": f"utkast {key}", "pid": os.getpid()}

    return handle


def _worker(url: str, log: Path, delay: float, concurrency: int, stalled_after: float) -> None:
    from service.jobs.worker import run_worker

    settings = Settings(
        database_url=url, job_stalled_after=stalled_after, data_dir=log.parent / "data"
    )
    run_worker(settings, {KIND: slow_handler(log, delay)}, concurrency=concurrency)


def _submit(url: str, workspace: str, key: str, theme: str) -> None:
    from service.jobs.engine import ProcrastinateQueue

    queue = ProcrastinateQueue(Database(url), {KIND: slow_handler(Path(os.devnull), 0)})
    try:
        job, created = queue.submit(
            workspace, KIND, ITEMS, params={"theme": theme}, idempotency_key=key
        )
        queue.start(job.id)
        print(json.dumps({"job_id": job.id, "created": created}))
    except GjenbrukError as exc:
        print(json.dumps({"error": exc.code, "status": exc.http_status}))
    finally:
        queue.close()


if __name__ == "__main__":
    if sys.argv[1] == "worker":
        url, log = sys.argv[2], Path(sys.argv[3])
        _worker(url, log, float(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]))
    elif sys.argv[1] == "submit":
        _submit(*sys.argv[2:6])
    else:
        url, job_id, log = sys.argv[1], sys.argv[2], Path(sys.argv[3])
        JobRunner(Database(url), {KIND: slow_handler(log, 0.3)}).run(job_id)
