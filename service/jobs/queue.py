"""What every job engine offers callers (the API, the CLI, the UI), and the parts they share:
creating a job once per idempotency key, and running one item so that it is stored once.

Two engines implement `JobQueue`: `JobRunner` (threads in this process; SQLite, `make run`)
and `ProcrastinateQueue` (tasks in PostgreSQL, run by `gjenbruk worker` processes). Handlers
and callers do not know which one runs them.
"""

from __future__ import annotations

import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.domain.job import Job, JobStatus
from service.errors import Conflict, GjenbrukError, Invalid
from service.storage.db import Database
from service.storage.repositories import JobRepo, WorkspaceRepo

Handler = Callable[[Job, str], dict[str, Any]]
ProgressFn = Callable[[Job], None]
# Run inside the transaction that stores a new job (or sends a finished one's items back): it
# may read and write in that session and refuse by raising, which stores nothing.
Admit = Callable[[Session], None]


class JobQueue(ABC):
    """A job engine as callers see it. What does not depend on who runs the items lives here,
    once: creating a job once per idempotency key, reading it, resuming after a restart."""

    def __init__(self, db: Database, handlers: Mapping[str, Handler]) -> None:
        self._db = db
        self._handlers = dict(handlers)

    def submit(
        self,
        workspace: str,
        kind: str,
        items: Sequence[str],
        *,
        params: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
        admit: Admit | None = None,
    ) -> tuple[Job, bool]:
        """Create a job, or return the one made earlier with this idempotency key (False).
        `admit` runs in the creating transaction, before the job is stored."""
        known = sorted(self._handlers)
        if kind not in known:
            raise Invalid(f"unknown job kind {kind!r}; known: {known}")
        if len(set(items)) != len(items):
            raise Invalid("job items must have unique keys")
        params = params or {}
        if idempotency_key:
            existing = self._existing(workspace, kind, params, idempotency_key)
            if existing is not None:
                return existing, False
        try:
            with self._db.session() as s:
                WorkspaceRepo(s).get(workspace)
                if admit is not None:
                    admit(s)
                job = JobRepo(s).create(
                    job_id=str(uuid.uuid4()),
                    workspace=workspace,
                    kind=kind,
                    params=params,
                    items=list(items),
                    idempotency_key=idempotency_key,
                )
        except IntegrityError:
            # Another process inserted the same key between our look-up and our insert: the
            # unique constraint decided, so theirs is the job.
            if not idempotency_key:
                raise
            existing = self._existing(workspace, kind, params, idempotency_key)
            if existing is None:
                raise
            return existing, False
        return job, True

    def admit(
        self, s: Session, workspace: str, kind: str, keys: Sequence[str], params: dict[str, Any]
    ) -> None:
        """Called in the transaction that sends a finished job's items `keys` back to run again
        (a regeneration, a resume), before it does: a queue with a budget refuses here what it
        cannot cover. This one admits everything."""
        del s, workspace, kind, keys, params

    def _existing(self, workspace: str, kind: str, params: dict[str, Any], key: str) -> Job | None:
        with self._db.session() as s:
            existing = JobRepo(s).find_by_key(workspace, key)
        if existing is not None and (existing.kind != kind or existing.params != params):
            raise Conflict(
                f"idempotency key {key!r} was used for a different request",
                details={"job_id": existing.id},
            )
        return existing

    def get(self, job_id: str) -> Job:
        with self._db.session() as s:
            return JobRepo(s).get(job_id)

    def resume_unfinished(self) -> list[str]:
        """After a restart: have every queued or running job of a kind known here continue."""
        with self._db.session() as s:
            jobs = [j for j in JobRepo(s).unfinished() if j.kind in self._handlers]
        for job in jobs:
            self.start(job.id)
        return [j.id for j in jobs]

    @abstractmethod
    def start(self, job_id: str) -> object:
        """Have the job worked on in the background; asking twice does not run it twice."""

    @abstractmethod
    def run(self, job_id: str, *, on_progress: ProgressFn | None = None) -> Job:
        """Start the job and wait in this thread until it is finished."""

    @abstractmethod
    def cancel(self, job_id: str) -> Job:
        """No new item starts, in any process; items already in progress finish."""


def request_cancel(db: Database, job_id: str) -> Job:
    """Record the cancel in the database, where every process looks before starting an item."""
    with db.session() as s:
        repo = JobRepo(s)
        job = repo.get(job_id)
        if not job.status.finished:
            repo.update(job_id, cancel_requested=True)
        return repo.get(job_id)


_ITEM: ContextVar[tuple[str, str] | None] = ContextVar("gjenbruk_job_item", default=None)


def current_item() -> tuple[str, str] | None:
    """(job id, item key) of the item whose handler runs in this thread, or None outside a job.

    An item can run more than once: a worker killed after the handler stored something but
    before the item's outcome was recorded has its item retried. What a handler stores along
    the way can be keyed by this, so the retry finds it instead of storing it again."""
    return _ITEM.get()


# How often one process rewrites a job's "current item": with many items starting every
# second, writing it for each would be a round trip per item for a line nobody reads that fast.
NOTE_EVERY = 1.0
_noted: dict[str, float] = {}
_noted_lock = threading.Lock()


def _note_due(job_id: str) -> bool:
    now = time.monotonic()
    with _noted_lock:
        if now - _noted.get(job_id, -NOTE_EVERY) < NOTE_EVERY:
            return False
        if len(_noted) > 1_000:
            _noted.clear()
        _noted[job_id] = now
        return True


def run_item(db: Database, pick: Callable[[Job], Handler], job_id: str, key: str) -> bool:
    """Run one item unless it is finished or its job cancelled; store the outcome once.
    `pick` chooses the handler for the job (by its kind). True when this call ran it.

    Round trips per item (PostgreSQL): the job row read (its cancel flag, fresh every item)
    and the attempt counted in one transaction, the outcome stored in one autocommitted
    statement; the "current item" note at most once a second per process."""
    with db.session() as s:
        repo = JobRepo(s)
        job = repo.get(job_id, counts=False)
        if job.cancel_requested or job.status.finished:
            return False
        if not repo.start_item(job_id, key):
            return False  # a retry of an item another run already stored
        if job.status is JobStatus.queued:  # the first item; the others skip the statement
            repo.set_status(job_id, JobStatus.running, when=[JobStatus.queued])
            repo.note_current(job_id, key)
        elif _note_due(job_id):
            repo.note_current(job_id, key)
    token = _ITEM.set((job_id, key))
    try:
        result, error = pick(job)(job, key), None
    except GjenbrukError as exc:
        result, error = None, exc.message
    except Exception as exc:  # a failing item must not stop the others
        result, error = None, f"{type(exc).__name__}: {exc}"
    finally:
        _ITEM.reset(token)
    # One conditional UPDATE, atomic on its own: stored once, committed before settle reads.
    with db.autocommit() as s:
        JobRepo(s).finish_item(job_id, key, result=result, error=error)
    return True


def settle(db: Database, job_id: str) -> Job | None:
    """Mark the job done (or cancelled) once nothing is left to run; returns it when this call
    changed it. Called after an item's own transaction has committed, so of two items ending
    together on two workers the later one sees both."""
    with db.autocommit() as s:  # the common case: one read, in one round trip
        pending, cancel = JobRepo(s).pending_and_cancel(job_id)
    if pending and not cancel:
        return None
    with db.session() as s:
        repo = JobRepo(s)
        pending = repo.pending_count(job_id)
        final = JobStatus.cancelled if pending else JobStatus.done
        if not repo.set_status(job_id, final, when=[JobStatus.queued, JobStatus.running]):
            return None
        repo.update(job_id, current=None)
        return repo.get(job_id)


def wait_until_finished(
    get: Callable[[], Job],
    *,
    on_progress: ProgressFn | None = None,
    poll: float = 0.5,
    stop: threading.Event | None = None,
) -> Job:
    """Follow a job other processes work on, reporting each change of progress."""
    stop = stop or threading.Event()
    seen: tuple[Any, ...] | None = None
    while True:
        job = get()
        state = (job.status, job.done, job.failed, job.current)
        if on_progress and state != seen:
            on_progress(job)
        seen = state
        if job.status.finished:
            return job
        stop.wait(poll)
