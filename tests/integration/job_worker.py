"""A separate process that runs a job, so a test can kill it mid-run and resume elsewhere."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from service.domain.job import Job
from service.jobs.runner import JobRunner
from service.storage.db import Database


def slow_handler(log: Path, delay: float) -> Any:
    def handle(job: Job, key: str) -> dict[str, Any]:
        time.sleep(delay)
        with log.open("a") as fh:
            fh.write(f"ran {key}\n")
        return {"text": f"utkast {key}"}

    return handle


if __name__ == "__main__":
    url, job_id, log = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    JobRunner(Database(url), {"slow": slow_handler(log, 0.3)}).run(job_id)
