"""`gjenbruk worker`: a Procrastinate worker process that runs job items (the model work)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor

from procrastinate import App, PsycopgConnector, RetryStrategy

from service.domain.job import Job
from service.errors import Invalid
from service.jobs.engine import QUEUE, TASK, conninfo, ensure_schema
from service.jobs.queue import Handler, run_item, settle
from service.settings import Settings
from service.storage.db import Database

log = logging.getLogger("gjenbruk.worker")


def item_task(db: Database, handlers: Mapping[str, Handler]) -> Callable[[str, str], None]:
    """What one task does: look the handler up by the job's kind, run the item, settle."""

    def unknown(kind: str) -> Handler:
        def fail(_job: object, _key: str) -> dict[str, object]:
            raise Invalid(f"no handler for job kind {kind!r} in this worker")

        return fail

    def pick(job: Job) -> Handler:
        return handlers.get(job.kind) or unknown(job.kind)

    def work(job_id: str, key: str) -> None:
        run_item(db, pick, job_id, key)
        settle(db, job_id)

    return work


async def recover_stalled(app: App, stalled_after: float, every: float) -> None:
    """Hand the items of workers that stopped sending heartbeats (killed, frozen) back to the
    queue. Every worker does this; when two pick the same item, the second retry fails
    harmlessly because the item is no longer `doing`."""
    while True:
        await asyncio.sleep(every)
        try:
            stalled = await app.job_manager.get_stalled_jobs(
                queue=QUEUE, seconds_since_heartbeat=stalled_after
            )
            for job in stalled:
                with contextlib.suppress(Exception):
                    await app.job_manager.retry_job(job)
                    log.warning("retrying item %s of a stalled worker", job.task_kwargs)
        except Exception:  # the database may be briefly away; try again next round
            log.exception("stalled-job check failed")


def run_worker(
    settings: Settings,
    handlers: Mapping[str, Handler],
    *,
    concurrency: int,
    name: str | None = None,
) -> None:
    """Work job items until SIGINT/SIGTERM (which lets the items in progress finish)."""
    url = settings.resolved_database_url
    ensure_schema(url)
    db = Database(url)
    stalled_after = settings.job_stalled_after
    app = App(
        connector=PsycopgConnector(
            conninfo=conninfo(url), min_size=1, max_size=max(4, concurrency + 3)
        )
    )
    task = item_task(db, handlers)

    # Handlers' own errors are stored on the item by run_item; what reaches Procrastinate is
    # our bookkeeping failing (the database briefly away), worth a few tries.
    @app.task(name=TASK, queue=QUEUE, retry=RetryStrategy(max_attempts=5, linear_wait=2))
    def job_item(job_id: str, key: str) -> None:
        task(job_id, key)

    async def main() -> None:
        # Sync tasks run in the loop's default executor; size it to the concurrency asked for.
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="item")
        )
        async with app.open_async():
            recovery = asyncio.create_task(
                recover_stalled(app, stalled_after, every=max(0.5, stalled_after / 3))
            )
            try:
                await app.run_worker_async(
                    queues=[QUEUE],
                    concurrency=concurrency,
                    name=name or f"{socket.gethostname()}-{os.getpid()}",
                    update_heartbeat_interval=max(0.5, stalled_after / 3),
                    stalled_worker_timeout=stalled_after,
                    fetch_job_polling_interval=2.0,
                    abort_job_polling_interval=2.0,
                    delete_jobs="successful",
                )
            finally:
                recovery.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await recovery

    try:
        asyncio.run(main())
    finally:
        db.dispose()
