"""Jobs on PostgreSQL through Procrastinate: each item of a job is one Procrastinate task,
worked by `gjenbruk worker` processes; the API process only enqueues.

Why this is safe with many processes:
- one task per item, deferred with a queueing lock and a lock named after the item, so an item
  is never queued twice and never worked by two workers at once;
- `job_items` keeps each outcome once (`JobRepo.finish_item` only writes a pending item), so a
  task that runs again after a crash stores nothing twice;
- cancel is a flag in the shared `jobs` table that every worker reads before each item;
- a worker killed mid-item stops sending heartbeats; the other workers hand its items back to
  the queue (`recover_stalled`), so they are retried within `job_stalled_after` seconds.
"""

from __future__ import annotations

from collections.abc import Mapping

import psycopg
from procrastinate import App, SyncPsycopgConnector
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.jobs import JobDeferrer
from procrastinate.schema import SchemaManager
from sqlalchemy.engine import make_url

from service.domain.job import ItemStatus, Job
from service.errors import ConfigurationError
from service.jobs.queue import (
    Handler,
    JobQueue,
    ProgressFn,
    request_cancel,
    settle,
    wait_until_finished,
)
from service.storage.db import Database
from service.storage.repositories import JobRepo

TASK = "gjenbruk.job_item"
QUEUE = "gjenbruk"
# Any fixed number: it only has to be the same in every process that creates the schema.
_SCHEMA_LOCK = 471_117


def conninfo(url: str) -> str:
    """The libpq address behind a SQLAlchemy URL (`postgresql+psycopg://…` → `postgresql://…`)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ConfigurationError(
            f"the Procrastinate job engine needs PostgreSQL, not {parsed.get_backend_name()}"
        )
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def ensure_schema(url: str) -> None:
    """Create Procrastinate's tables once; processes starting together wait on one lock."""
    with psycopg.connect(conninfo(url)) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
        row = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
        if row is None or row[0] is None:
            # Procrastinate's own schema file, run as it is (no placeholders, so no params).
            conn.execute(SchemaManager.get_schema())


def item_lock(job_id: str, key: str) -> str:
    return f"gjenbruk:{job_id}:{key}"


class ProcrastinateQueue(JobQueue):
    """The `JobQueue` of the PostgreSQL deployment: submits and follows, never runs items."""

    def __init__(self, db: Database, handlers: Mapping[str, Handler], *, poll: float = 0.5):
        super().__init__(db, handlers)
        self._poll = poll
        ensure_schema(db.url)
        self._app = App(
            connector=SyncPsycopgConnector(conninfo=conninfo(db.url), min_size=1, max_size=4)
        )
        self._app.open()

    def start(self, job_id: str) -> list[str]:
        """Queue a task for every pending item; returns the keys queued by this call. Safe to
        repeat from any process: the queueing lock turns a second task for an item into
        AlreadyEnqueued, and an item already being worked on is skipped by its second task."""
        with self._db.session() as s:
            repo = JobRepo(s)
            job = repo.get(job_id)
            if job.status.finished or job.cancel_requested:
                return []
            pending = [i.key for i in repo.items(job_id, status=ItemStatus.pending)]
        if not pending:
            return []
        tasks = {
            key: self._deferrer(job_id, key).make_new_job(job_id=job_id, key=key) for key in pending
        }
        try:  # a new job: all its tasks in one statement
            self._app.job_manager.batch_defer_jobs(jobs=list(tasks.values()))
            return pending
        except AlreadyEnqueued:
            pass  # some are queued already (a resume): queue the others one by one
        queued = []
        for key in pending:
            try:
                self._deferrer(job_id, key).defer(job_id=job_id, key=key)
            except AlreadyEnqueued:
                continue
            queued.append(key)
        return queued

    def _deferrer(self, job_id: str, key: str) -> JobDeferrer:
        lock = item_lock(job_id, key)
        return self._app.configure_task(TASK, queue=QUEUE, lock=lock, queueing_lock=lock)

    def run(self, job_id: str, *, on_progress: ProgressFn | None = None) -> Job:
        self.start(job_id)
        return wait_until_finished(
            lambda: self.get(job_id), on_progress=on_progress, poll=self._poll
        )

    def cancel(self, job_id: str) -> Job:
        request_cancel(self._db, job_id)
        # Items in progress on any worker finish and are kept; the job is cancelled now, and
        # every queued task of it ends without work when a worker picks it up.
        return settle(self._db, job_id) or self.get(job_id)

    def close(self) -> None:
        self._app.close()
