"""The PostgreSQL deployment with real processes on loopback: Procrastinate workers and
serve-like submitters on one database (a fresh one per test), handlers with a fixed delay."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from service.domain import Workspace
from service.domain.job import ItemStatus, Job, JobStatus
from service.jobs.engine import ProcrastinateQueue
from service.storage.db import Database
from service.storage.repositories import JobRepo, WorkspaceRepo
from tests.conftest import require
from tests.integration.job_worker import ITEMS, KIND, slow_handler

pytestmark = [pytest.mark.integration, pytest.mark.postgres]
ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "GJENBRUK_ENV": "test"}
STALLED_AFTER = 2.0


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A database of its own, so that Procrastinate's queue is not shared with other tests."""
    base = os.environ.get("GJENBRUK_TEST_POSTGRES_URL", "")
    require(bool(base), "set GJENBRUK_TEST_POSTGRES_URL to run the PostgreSQL tests (.ci/run does)")
    name = f"gjenbruk_e_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    db = Database(url)
    db.migrate()
    with db.session() as s:
        WorkspaceRepo(s).save(Workspace(slug="w", name="W"))
    db.dispose()
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    procs: list[subprocess.Popen[str]] = []

    def start(*args: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.job_worker", *args],
            env=ENV,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            text=True,
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def _calls(log: Path, what: str = "ran") -> list[tuple[str, int]]:
    if not log.exists():
        return []
    return [
        (parts[1], int(parts[2]))
        for parts in (line.split() for line in log.read_text().splitlines())
        if parts and parts[0] == what
    ]


def _wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _registered(url: str, n: int) -> None:
    """Wait until n workers have registered with the queue: on a busy machine a worker takes
    seconds to start, and a month queued before the second one is up is done by the first."""

    def count() -> int:
        db = Database(url)
        try:
            with db.session() as s:
                return int(s.scalar(text("SELECT count(*) FROM procrastinate_workers")) or 0)
        except Exception:  # the first worker has not created the queue's tables yet
            return 0
        finally:
            db.dispose()

    _wait(lambda: count() >= n, 120, f"{n} workers to register")


def _queue(url: str) -> ProcrastinateQueue:
    return ProcrastinateQueue(Database(url), {KIND: slow_handler(Path(os.devnull), 0)})


def _stored(url: str, job: Job) -> list[dict[str, object]]:
    db = Database(url)
    with db.session() as s:
        items = JobRepo(s).items(job.id)
    db.dispose()
    return [i.result or {} for i in items if i.status is ItemStatus.done]


def test_two_workers_finish_a_month_together_when_one_is_killed_mid_item(
    pg_url: str, tmp_path: Path, spawn: Callable[..., subprocess.Popen[str]]
) -> None:
    log = tmp_path / "calls.log"
    worker = ("worker", pg_url, str(log), "0.3", "2", str(STALLED_AFTER))
    first, second = spawn(*worker), spawn(*worker)
    _registered(pg_url, 2)
    queue = _queue(pg_url)
    job, _ = queue.submit("w", KIND, ITEMS, idempotency_key="month-2026-11")
    queue.start(job.id)

    # Kill the first worker while it is inside an item (started, not finished).
    def first_is_mid_item() -> bool:
        started = {k for k, pid in _calls(log, "start") if pid == first.pid}
        done = {k for k, pid in _calls(log) if pid == first.pid}
        return len(done) >= 2 and bool(started - done)

    _wait(first_is_mid_item, 60, "the first worker to be inside an item")
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    killed_at = time.monotonic()
    in_flight = {k for k, p in _calls(log, "start") if p == first.pid} - {
        k for k, p in _calls(log) if p == first.pid
    }
    assert in_flight

    _wait(lambda: queue.get(job.id).status.finished, 60, "the month to finish")
    recovered_in = time.monotonic() - killed_at
    final = queue.get(job.id)
    queue.close()
    assert final.status is JobStatus.done and final.done == len(ITEMS) and final.failed == 0
    stored = _stored(pg_url, job)
    assert sorted(str(r["text"]) for r in stored) == sorted(f"utkast {k}" for k in ITEMS)
    by_pid = Counter(int(str(r["pid"])) for r in stored)
    assert by_pid[first.pid] >= 2 and by_pid[second.pid] >= 1, by_pid  # both did work
    # The killed worker's items went to the survivor, within the stall bound.
    assert all(
        r["pid"] == second.pid for r in stored if r["text"] in {f"utkast {k}" for k in in_flight}
    )
    finished = Counter(k for k, _ in _calls(log))
    assert all(n == 1 for n in finished.values()), finished  # nobody finished an item twice
    assert recovered_in < STALLED_AFTER * 4 + 0.3 * len(ITEMS)


def test_two_serve_processes_on_one_database_run_no_job_twice_and_cancel_reaches_both_workers(
    pg_url: str, tmp_path: Path, spawn: Callable[..., subprocess.Popen[str]]
) -> None:
    log = tmp_path / "calls.log"
    # Two API processes get the same request (same key): each submits and queues the job.
    serves = [spawn("submit", pg_url, "w", "plan-1", "jul") for _ in "ab"]
    answers = [json.loads(p.communicate(timeout=60)[0]) for p in serves]
    assert {a["job_id"] for a in answers} == {answers[0]["job_id"]}
    assert sorted(a["created"] for a in answers) == [False, True]
    queue = _queue(pg_url)
    job = queue.get(answers[0]["job_id"])
    # A restart of a third API process resumes the job once more: still no second run.
    queue.resume_unfinished()
    # The workers come up once the job is queued twice over (on a busy machine a process
    # takes seconds to start; one that came up first would have done the month alone).
    workers = [spawn("worker", pg_url, str(log), "0.3", "2", str(STALLED_AFTER)) for _ in "ab"]

    _wait(lambda: len({p for _, p in _calls(log, "start")}) == 2, 60, "both to be working")
    cancelled = queue.cancel(job.id)  # sent to this process only
    assert cancelled.status is JobStatus.cancelled
    started_at_cancel = len(_calls(log, "start"))
    time.sleep(1.5)  # several item lengths: a worker that missed the cancel would go on
    settled = len(_calls(log, "start"))
    # Items that passed their cancel check just before the cancel was stored may still log
    # their start a moment later (at most one per worker thread: 2 workers x 2); after that,
    # nothing more starts anywhere.
    assert settled - started_at_cancel <= 2 * 2, "items kept starting after the cancel"
    time.sleep(1.5)
    assert len(_calls(log, "start")) == settled, "an item started after the cancel"
    done = queue.get(job.id)
    queue.close()
    assert done.status is JobStatus.cancelled and 0 < done.done < len(ITEMS)
    ran = Counter(k for k, _ in _calls(log))
    assert all(n == 1 for n in ran.values()), ran
    assert all(w.poll() is None for w in workers)  # cancel stops the job, not the workers


def test_concurrent_submits_with_one_key_give_one_job_and_a_409_for_another_body(
    pg_url: str, spawn: Callable[..., subprocess.Popen[str]]
) -> None:
    same = [spawn("submit", pg_url, "w", "key-1", "jul") for _ in range(4)]
    other = spawn("submit", pg_url, "w", "key-1", "påske")
    answers = [json.loads(p.communicate(timeout=60)[0]) for p in [*same, other]]
    jobs = {a["job_id"] for a in answers if "job_id" in a}
    assert len(jobs) == 1 and sum(bool(a.get("created")) for a in answers) == 1
    # Whichever body won the insert, the other body is a conflict (409), never a 500.
    losers = [a for a in answers if "error" in a]
    assert losers and all(a == {"error": "conflict", "status": 409} for a in losers)
    assert len(losers) in (1, 4)  # the odd one out, or the four that lost to it


def test_the_serving_side_only_enqueues_one_task_per_item_and_never_runs_a_handler(
    pg_url: str, tmp_path: Path
) -> None:
    from service.jobs.factory import make_job_queue
    from service.settings import Settings

    ran: list[str] = []

    def handler(job: Job, key: str) -> dict[str, object]:
        ran.append(key)
        return {}

    settings = Settings(data_dir=tmp_path, database_url=pg_url)
    db = Database(pg_url)
    queue = make_job_queue(settings, db, {KIND: handler})
    assert isinstance(queue, ProcrastinateQueue)
    job, _ = queue.submit("w", KIND, ITEMS[:5])
    assert queue.start(job.id) == ITEMS[:5]
    assert queue.start(job.id) == []  # again (another API process, a restart): nothing new
    assert queue.resume_unfinished() == [job.id]
    time.sleep(0.5)
    with db.session() as s:
        todo = s.execute(
            text("SELECT args->>'key', lock FROM procrastinate_jobs WHERE status = 'todo'")
        ).all()
    assert sorted(k for k, _ in todo) == ITEMS[:5] and len({lock for _, lock in todo}) == 5
    assert ran == [] and queue.get(job.id).status is JobStatus.queued
    queue.close()
    db.dispose()


def test_a_worker_item_costs_few_round_trips_and_still_sees_a_cancel_from_elsewhere(
    pg_url: str,
) -> None:
    """The bookkeeping of one item on a worker (run_item + settle): the job read with its
    cancel flag and the attempt in one transaction, the outcome and settle's read one
    statement each. It was 17 (a pre-ping per session, settle's count and cancel read apart,
    the item read before its attempt was counted, the "current item" note every item)."""
    from service.jobs.worker import item_task
    from service.storage.db import RoundTrips

    db = Database(pg_url)
    handlers = {KIND: lambda job, key: {"text": f"utkast {key}"}}
    queue = _queue(pg_url)
    job, _ = queue.submit("w", KIND, ITEMS)
    work = item_task(db, handlers)
    work(job.id, ITEMS[0])  # the first item also moves the job to running
    trips = RoundTrips(db.engine)
    for key in ITEMS[1:12]:
        work(job.id, key)
    per_item = trips.total() / 11
    assert per_item <= 7, trips.snapshot()
    assert trips.snapshot()["pings"] == 0  # connections in steady use are not pinged
    # A cancel stored by another process is seen by the very next item, here too.
    queue.cancel(job.id)
    work(job.id, ITEMS[12])
    final = queue.get(job.id)
    assert final.status is JobStatus.cancelled and final.done == 12
    with db.session() as s:
        assert JobRepo(s).item(job.id, ITEMS[12]).status is ItemStatus.pending
    # Each item stored once, even when its task runs again (a retried task).
    work(job.id, ITEMS[3])
    assert sorted(str(r["text"]) for r in _stored(pg_url, job)) == sorted(
        f"utkast {k}" for k in ITEMS[:12]
    )
    queue.close()
    db.dispose()


def test_a_pooled_connection_that_died_while_idle_is_replaced_on_checkout(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pinging only idle connections keeps what pool_pre_ping gave: a connection the server
    dropped while it sat in the pool is found dead and replaced, not handed to a query."""
    import service.storage.db as storage_db

    monkeypatch.setattr(storage_db, "PING_AFTER_IDLE", 0.2)
    db = Database(pg_url)
    with db.session() as s:
        pid = s.scalar(text("SELECT pg_backend_pid()"))
    killer = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with killer.connect() as conn:
        assert conn.scalar(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
    killer.dispose()
    time.sleep(0.4)
    with db.session() as s:
        assert s.scalar(text("SELECT pg_backend_pid()")) != pid
    db.dispose()
