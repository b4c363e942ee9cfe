"""Run a job's items with bounded concurrency, storing each result the moment it is ready.

A crash loses at most the items that were in flight; `resume` runs only what is not finished,
so nothing finished is generated twice. A handler is a plain function of (job, item key) that
returns a JSON-able dict; handlers are looked up by the job's kind, so any process can resume.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from service.domain.job import ItemStatus, Job, JobStatus
from service.errors import Invalid
from service.jobs.queue import Handler, JobQueue, ProgressFn, run_item
from service.storage.db import Database
from service.storage.repositories import JobRepo


class JobRunner(JobQueue):
    """The `JobQueue` of the embedded deployment: a job's items on threads of this process."""

    def __init__(
        self, db: Database, handlers: Mapping[str, Handler], *, concurrency: int = 1
    ) -> None:
        super().__init__(db, handlers)
        self._concurrency = max(1, concurrency)
        self._threads: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()

    def cancel(self, job_id: str) -> Job:
        with self._db.session() as s:
            repo = JobRepo(s)
            job = repo.get(job_id)
            if job.status.finished:
                return job
            if job.status is JobStatus.queued and job_id not in self._threads:
                repo.update(job_id, status=JobStatus.cancelled.value, cancel_requested=True)
            else:
                repo.update(job_id, cancel_requested=True)
            return repo.get(job_id)

    def _cancel_requested(self, job_id: str) -> bool:
        with self._db.session() as s:
            return JobRepo(s).get(job_id).cancel_requested

    def run(self, job_id: str, *, on_progress: ProgressFn | None = None) -> Job:
        """Run (or resume) a job in this thread until it is done or cancelled."""
        with self._db.session() as s:
            repo = JobRepo(s)
            job = repo.get(job_id)
            if job.status.finished:
                return job
            handler = self._handlers.get(job.kind)
            if handler is None:
                raise Invalid(f"no handler for job kind {job.kind!r} in this process")
            pending = [i.key for i in repo.items(job_id, status=ItemStatus.pending)]
            repo.update(job_id, status=JobStatus.running.value, error=None)
            job = repo.get(job_id)
        if on_progress:
            on_progress(job)
        chosen: Handler = handler

        def pick(_job: Job) -> Handler:
            return chosen

        in_flight: dict[Future[bool], str] = {}
        queue = list(pending)
        cancelled = False
        with ThreadPoolExecutor(max_workers=self._concurrency) as pool:
            while queue or in_flight:
                while queue and len(in_flight) < self._concurrency and not cancelled:
                    if self._cancel_requested(job_id):
                        cancelled = True
                        break
                    key = queue.pop(0)
                    in_flight[pool.submit(run_item, self._db, pick, job_id, key)] = key
                if not in_flight:
                    break
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    in_flight.pop(future)
                    future.result()  # run_item stores the handler's errors; these are ours
                if on_progress:
                    on_progress(self.get(job_id))
        final = JobStatus.cancelled if cancelled else JobStatus.done
        with self._db.session() as s:
            JobRepo(s).update(job_id, status=final.value, current=None)
            job = JobRepo(s).get(job_id)
        if on_progress:
            on_progress(job)
        return job

    def start(self, job_id: str) -> threading.Thread:
        """Run a job in a background thread (the API's way); one thread per job."""
        with self._lock:
            thread = self._threads.get(job_id)
            if thread is not None:
                return thread

            def work() -> None:
                try:
                    while True:
                        self.run(job_id)
                        # A job sent back to the queue (a regeneration) while this thread was
                        # finishing is run again here: start() saw this thread and left it.
                        with self._lock:
                            if self.get(job_id).status is not JobStatus.queued:
                                self._threads.pop(job_id, None)
                                return
                except Exception as exc:
                    with self._lock:
                        self._threads.pop(job_id, None)
                    with self._db.session() as s:
                        JobRepo(s).update(job_id, status=JobStatus.failed.value, error=str(exc))

            thread = threading.Thread(target=work, name=f"job-{job_id[:8]}", daemon=True)
            self._threads[job_id] = thread
            thread.start()
            return thread
