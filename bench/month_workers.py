"""A 60-item month on Procrastinate workers (real processes, the machine's PostgreSQL), each
item one call to a fixed-latency OpenAI-compatible bench server.

1. Scaling: 1, 2 and 4 worker processes at the same per-worker concurrency; wall time vs the
   ideal ceil(N / total concurrency) × latency, the ratio, and 2 workers' speed-up over one;
   then where the rest went (until the first call, between an answer and the slot's next
   call, after the last answer) and the CPU time the workers used, to tell the queue's own
   latency from a machine too busy to run the workers when they are ready.
2. Crash soak: 3 runs with 2 workers, one SIGKILLed at a random item: lost items, items stored
   twice, and model calls wasted vs the items the killed worker had in flight.

    GJENBRUK_BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \
        python bench/month_workers.py
"""

from __future__ import annotations

import json
import math
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from service.domain import Workspace  # noqa: E402
from service.domain.job import Job  # noqa: E402
from service.storage.db import Database  # noqa: E402
from service.storage.repositories import JobRepo, WorkspaceRepo  # noqa: E402

LATENCY = 0.3
ITEMS = [f"slot-{i:02d}" for i in range(60)]
PER_WORKER = 4
STALLED_AFTER = 3.0
KIND = "bench_month"


class Calls:
    """What the bench server saw: every call, by item and by worker process, and when."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.started: list[tuple[str, int]] = []
        self.answered: list[tuple[str, int]] = []
        self.spans: list[tuple[int, float, float]] = []  # pid, call started, answered

    def reset(self) -> None:
        with self.lock:
            self.started.clear()
            self.answered.clear()
            self.spans.clear()


CALLS = Calls()


class Server(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        meta = json.loads(body["messages"][-1]["content"])
        call = (str(meta["key"]), int(meta["pid"]))
        began = time.perf_counter()
        with CALLS.lock:
            CALLS.started.append(call)
        time.sleep(LATENCY)
        reply = {
            "id": "c",
            "object": "chat.completion",
            "created": 0,
            "model": "latency-server",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": f"utkast {call[0]}"},
                }
            ],
            "usage": {"prompt_tokens": 600, "completion_tokens": 60, "total_tokens": 660},
        }
        data = json.dumps(reply).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            return  # the worker was killed while waiting
        with CALLS.lock:
            CALLS.answered.append(call)
            CALLS.spans.append((call[1], began, time.perf_counter()))

    def log_message(self, *args: object) -> None:
        pass


def worker_main(url: str, server: str, concurrency: int) -> None:
    """One `gjenbruk worker`-like process whose handler makes one model call per item."""
    from service.jobs.worker import run_worker
    from service.settings import Settings

    def handle(job: Job, key: str) -> dict[str, Any]:
        prompt = json.dumps({"key": key, "pid": os.getpid()})
        body = json.dumps({"model": "m", "messages": [{"role": "user", "content": prompt}]})
        request = urllib.request.Request(
            f"{server}/chat/completions",
            data=body.encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as r:
            answer = json.loads(r.read())
        return {"text": answer["choices"][0]["message"]["content"], "pid": os.getpid()}

    settings = Settings(database_url=url, job_stalled_after=STALLED_AFTER)
    run_worker(settings, {KIND: handle}, concurrency=concurrency)


def fresh_database(base: str) -> tuple[str, Any]:
    name = f"gjenbruk_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    db = Database(url)
    db.migrate()
    with db.session() as s:
        WorkspaceRepo(s).save(Workspace(slug="bench", name="Bench"))
    db.dispose()

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def start_workers(url: str, server: str, n: int) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GJENBRUK_ENV": "test"}
    db = Database(url)
    with db.session() as s:
        t0 = s.scalar(text("SELECT now()"))
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "worker", url, server, str(PER_WORKER)],
            env=env,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(n)
    ]
    deadline = time.monotonic() + 120
    while True:  # a worker is ready once it has registered (its first heartbeat)
        try:
            with db.session() as s:
                ready = s.scalar(
                    text("SELECT count(*) FROM procrastinate_workers WHERE last_heartbeat >= :t0"),
                    {"t0": t0},
                )
        except Exception:
            ready = 0
        if ready is not None and ready >= n:
            break
        if time.monotonic() > deadline:
            raise RuntimeError("workers did not start")
        time.sleep(0.1)
    db.dispose()
    return procs


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()


def run_month(url: str, label: str) -> tuple[Job, float, Any]:
    from service.jobs.engine import ProcrastinateQueue

    db = Database(url)
    queue = ProcrastinateQueue(db, {KIND: lambda job, key: {}}, poll=0.05)
    job, _ = queue.submit("bench", KIND, ITEMS, idempotency_key=label)
    started = time.perf_counter()
    queue.start(job.id)
    return job, started, (queue, db)


def wait_done(queue: Any, job: Job, started: float) -> tuple[Job, float]:
    while not (final := queue.get(job.id)).status.finished:
        time.sleep(0.02)
    return final, time.perf_counter() - started


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far (Linux /proc)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    return total / os.sysconf("SC_CLK_TCK")


def breakdown(started: float, finished: float) -> str:
    """Where a run's wall time beyond the model calls went: until the first call reached the
    server, the slots' idle time between an answer and their next call (per item: the worker's
    fetch and bookkeeping), and from the last answer until the job was seen finished."""
    with CALLS.lock:
        spans = list(CALLS.spans)
    first = min(b for _, b, _ in spans)
    last = max(e for _, _, e in spans)
    idle = 0.0
    for pid in {p for p, _, _ in spans}:
        mine = [(b, e) for p, b, e in spans if p == pid]
        window = max(e for _, e in mine) - min(b for b, _ in mine)
        idle += PER_WORKER * window - sum(e - b for b, e in mine)
    return (
        f"start {(first - started) * 1000:.0f} ms, between calls "
        f"{idle / len(spans) * 1000:.0f} ms per item per slot, "
        f"tail {(finished - last) * 1000:.0f} ms"
    )


def scaling(url: str, server: str, repeats: int = 2) -> None:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{len(ITEMS)} items, {LATENCY * 1000:.0f} ms per model call, {PER_WORKER} per worker;")
    print(f"best of {repeats} runs; load average at start {load} on {os.cpu_count()} cores")
    print("workers | total conc. | wall s | ideal s | ratio | speed-up vs 1")
    one = 0.0
    notes = []
    for n in (1, 2, 4):
        procs = start_workers(url, server, n)
        runs = []
        for attempt in range(repeats):
            CALLS.reset()
            cpu = cpu_seconds([p.pid for p in procs])
            job, started, (queue, db) = run_month(url, f"scale-{n}-{attempt}")
            final, wall = wait_done(queue, job, started)
            used = cpu_seconds([p.pid for p in procs]) - cpu
            runs.append((wall, used, breakdown(started, started + wall)))
            queue.close()
            db.dispose()
        stop(procs)
        wall, used, where = min(runs)
        ideal = math.ceil(len(ITEMS) / (n * PER_WORKER)) * LATENCY
        one = one or wall
        print(
            f"{n:7d} | {n * PER_WORKER:11d} | {wall:6.2f} | {ideal:7.2f} | "
            f"{wall / ideal:5.2f} | {one / wall:5.2f}x   ({final.done} done, "
            f"{len(CALLS.started)} calls)"
        )
        cores = used / wall
        notes.append(
            f"  {n} worker(s): {where}; workers used {used:.2f} CPU s "
            f"({used / len(ITEMS) * 1000:.0f} ms per item, {cores:.2f} of "
            f"{os.cpu_count()} cores during the run)"
        )
    print("\n".join(notes))


def soak(url: str, server: str, runs: int = 3) -> None:
    print(f"\ncrash soak: {runs} runs, 2 workers, one SIGKILLed at a random item")
    print("run | kill at item | in flight | lost | twice | calls | wasted | recovered s")
    rng = random.Random(17)
    for run in range(1, runs + 1):
        CALLS.reset()
        procs = start_workers(url, server, 2)
        victim = procs[0]
        at = rng.randint(5, len(ITEMS) - 15)
        job, started, (queue, db) = run_month(url, f"soak-{run}")
        while len(CALLS.answered) < at:
            time.sleep(0.005)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        killed = time.perf_counter()
        with db.session() as s:
            pending = {i.key for i in JobRepo(s).items(job.id) if i.status.value == "pending"}
        with CALLS.lock:
            in_flight = {k for k, pid in CALLS.started if pid == victim.pid} & pending
        final, _ = wait_done(queue, job, started)
        recovered = time.perf_counter() - killed
        stop(procs)
        with db.session() as s:
            items = JobRepo(s).items(job.id)
        queue.close()
        db.dispose()
        lost = sum(1 for i in items if i.status.value != "done")
        stored = Counter(i.key for i in items if i.result)
        twice = sum(n - 1 for n in stored.values()) + sum(
            1 for i in items if i.result and i.result.get("text") != f"utkast {i.key}"
        )
        calls = len(CALLS.started)
        wasted = calls - len(ITEMS)
        print(
            f"{run:3d} | {at:12d} | {len(in_flight):9d} | {lost:4d} | {twice:5d} | {calls:5d} | "
            f"{wasted:6d} | {recovered:6.2f}   (job {final.status.value})"
        )


def main() -> None:
    base = os.environ.get(
        "GJENBRUK_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), Server)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    url, drop = fresh_database(base)
    try:
        scaling(url, server_url)
        soak(url, server_url)
    finally:
        drop()
        server.shutdown()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker_main(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        main()
