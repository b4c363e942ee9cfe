"""A 60-draft month on Procrastinate workers (real processes, the machine's PostgreSQL) against
a fixed-latency OpenAI-compatible bench server.

By default each worker is what `gjenbruk worker` runs: the real month handler (MonthPlanner's
job, the variant pipeline with its checks, the near-copy comparison on the local embedding
model), answered by the same server as bench/month_batch.py (distinct texts per call;
`--templated` for the old near-identical ones). `--stand-in` swaps the handler for one that
makes one bare call per item, to measure the job engine alone.

1. Scaling: 1, 2 and 4 worker processes at the same per-worker concurrency; wall time vs the
   ideal ceil(N / total concurrency) × latency, the ratio, and 2 workers' speed-up over one;
   then where the rest went (until the first call, between an answer and the slot's next
   call, after the last answer) and the CPU time the workers used, to tell the queue's own
   latency from a machine too busy to run the workers when they are ready.
   Each worker also reports the CPU time and the database round trips (its SQLAlchemy
   engines: job bookkeeping and the pipeline; Procrastinate's own fetch/finish not counted)
   per item.
2. Crash soak: 3 runs with 2 workers, one SIGKILLed at a random item: lost items, items stored
   twice (with the real handler: slots without exactly one live draft), and the model calls
   wasted vs the calls the killed worker had in flight.

    GJENBRUK_BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \
        python bench/month_workers.py [--stand-in] [--templated] [--items N] [--repeats R]
        [--no-soak] [--soak-runs K]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from month_batch import PLAN, answer  # noqa: E402  (bench/ is on the path: run as a script)
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from service.domain.job import Job  # noqa: E402
from service.planning.drafts import PLAN_JOB  # noqa: E402
from service.storage.db import Database  # noqa: E402
from service.storage.repositories import JobRepo  # noqa: E402

LATENCY = 0.3
PER_WORKER = 4
STALLED_AFTER = 3.0
KIND = "bench_month"  # the stand-in handler's kind


class Calls:
    """What the bench server saw: every call, by item (or call number) and worker process."""

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
NUMBER = count()


def _reply(n: int, message: dict[str, Any], finish: str) -> bytes:
    return json.dumps(
        {
            "id": f"c{n}",
            "object": "chat.completion",
            "created": 0,
            "model": "latency-server",
            "choices": [{"index": 0, "finish_reason": finish, "message": message}],
            "usage": {"prompt_tokens": 600, "completion_tokens": 60, "total_tokens": 660},
        }
    ).encode()


class Server(BaseHTTPRequestHandler):
    """Answers after LATENCY seconds. The stand-in sends its item and pid in the message; the
    real pipeline's calls carry the worker's pid in the API key and get a tool call with a
    draft text, as bench/month_batch.py's server gives."""

    def do_POST(self) -> None:
        try:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        except (ValueError, OSError):
            return  # a worker the soak killed mid-request: nobody is waiting for an answer
        n = next(NUMBER)
        if body.get("tools"):
            pid = int(self.headers.get("Authorization", "").rsplit("-", 1)[-1] or 0)
            call = (f"call-{n}", pid)
            name = body["tools"][0]["function"]["name"]
            arguments = json.dumps({"text": answer(n)})
            message: dict[str, Any] = {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": f"t{n}",
                        "type": "function",
                        "function": {"name": name, "arguments": arguments},
                    }
                ],
            }
            finish = "tool_calls"
        else:
            meta = json.loads(body["messages"][-1]["content"])
            call = (str(meta["key"]), int(meta["pid"]))
            message = {"role": "assistant", "content": f"utkast {call[0]}"}
            finish = "stop"
        began = time.perf_counter()
        with CALLS.lock:
            CALLS.started.append(call)
        time.sleep(LATENCY)
        data = _reply(n, message, finish)
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


def stand_in_handler(server: str) -> Any:
    """One bare model call per item: the job engine alone, no pipeline."""

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

    return handle


def count_round_trips(report: Path) -> Any:
    """Every database engine this process makes counts its round trips; on exit the totals
    (since the returned function was last called) and the items this process ran go to
    `report` (JSON), for the bench to add up."""
    import atexit

    import service.storage.db as storage_db
    import service.storage.repositories as repositories

    counters: list[Any] = []
    make = storage_db.make_engine

    def counted(url: str) -> Any:
        engine = make(url)
        counters.append(storage_db.RoundTrips(engine))
        return engine

    storage_db.make_engine = counted
    items = [0]
    finish = repositories.JobRepo.finish_item

    def counted_finish(self: Any, *args: Any, **kwargs: Any) -> bool:
        stored = finish(self, *args, **kwargs)
        items[0] += int(stored)
        return stored

    repositories.JobRepo.finish_item = counted_finish  # type: ignore[method-assign]

    before: Counter[str] = Counter()

    def start_counting() -> None:  # after the warm-up: count the items only
        for c in counters:
            before.update(c.snapshot())

    def write() -> None:
        total: Counter[str] = Counter()
        for c in counters:
            total.update(c.snapshot())
        total.subtract(before)
        report.write_text(json.dumps({"items": items[0], **total}))

    atexit.register(write)
    return start_counting


def worker_main(url: str, server: str, concurrency: int, data_dir: str, mode: str) -> None:
    """One `gjenbruk worker` process: the product's handlers (or the stand-in)."""
    from service.jobs.worker import run_worker
    from service.settings import Settings

    start_counting = count_round_trips(Path(data_dir) / "round_trips.json")
    settings = Settings(
        database_url=url,
        data_dir=Path(data_dir),
        job_stalled_after=STALLED_AFTER,
        llm="openai",
        embeddings="local",
        openai_base_url=server,
        openai_api_key=f"bench-{os.getpid()}",
        openai_model="latency-server",
        job_concurrency=concurrency,
    )
    if mode == "stand-in":
        handlers = {KIND: stand_in_handler(server)}
    else:
        from service.container import Services
        from service.planning.drafts import draft_for_slot
        from service.planning.slots import make_slots

        svc = Services(settings)
        handlers = svc.job_handlers
        # One draft outside any job before registering: what a process's first item would
        # otherwise load while its slots wait (the model client's imports, the tokenizer, the
        # embedding model's query and passage paths, the vector store, the language models;
        # about 2.6 CPU s). The scaling figures are a warm worker's.
        slot = make_slots(PLAN)[0]
        draft_for_slot(svc.variants, "demo", PLAN, slot, lambda: ["Varm opp."])
    start_counting()
    run_worker(settings, handlers, concurrency=concurrency)


def fresh_database(base: str, data: Path) -> tuple[str, Any]:
    """A database of its own, with the demo workspace (its posts embedded once, into a vector
    store each worker gets a copy of: the embedded Chroma is one process's)."""
    from service.container import Services
    from service.library.demo import load_demo
    from service.settings import Settings

    name = f"gjenbruk_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    settings = Settings(database_url=url, data_dir=data / "seed", embeddings="local")
    svc = Services(settings)
    load_demo(svc.db, svc.vectors)
    svc.close()
    svc.db.dispose()

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


class Workers:
    """Worker processes, each with its own data directory (a copy of the seeded one)."""

    def __init__(self, url: str, server: str, n: int, data: Path, mode: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "GJENBRUK_ENV": "test"}
        db = Database(url)
        with db.session() as s:
            t0 = s.scalar(text("SELECT now()"))
        self.dirs: list[Path] = []
        self.procs: list[subprocess.Popen[bytes]] = []
        for _ in range(n):
            own = Path(tempfile.mkdtemp(dir=data, prefix="worker-"))
            shutil.copytree(data / "seed", own, dirs_exist_ok=True)
            self.dirs.append(own)
            argv = [sys.executable, __file__, "worker", url, server, str(PER_WORKER), str(own)]
            self.procs.append(subprocess.Popen([*argv, mode], env=env, stderr=subprocess.DEVNULL))
        deadline = time.monotonic() + 300
        while True:  # a worker is ready once it has registered (its first heartbeat)
            try:
                with db.session() as s:
                    ready = s.scalar(
                        text(
                            "SELECT count(*) FROM procrastinate_workers WHERE last_heartbeat >= :t0"
                        ),
                        {"t0": t0},
                    )
            except Exception:
                ready = 0
            if ready is not None and ready >= n:
                break
            if time.monotonic() > deadline or any(p.poll() is not None for p in self.procs):
                raise RuntimeError("workers did not start")
            time.sleep(0.1)
        db.dispose()

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def stop(self) -> dict[str, float]:
        """Stop them; their own figures (items, CPU s, round trips), summed."""
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
        total: Counter[str] = Counter()
        for d in self.dirs:
            report = d / "round_trips.json"
            if report.exists():
                total.update(json.loads(report.read_text()))
        return dict(total)


def submit_month(url: str, label: str, items: int, mode: str) -> tuple[Job, float, Any]:
    from service.jobs.engine import ProcrastinateQueue

    db = Database(url)
    if mode == "stand-in":
        queue = ProcrastinateQueue(db, {KIND: lambda job, key: {}}, poll=0.05)
        job, _ = queue.submit("demo", KIND, [f"slot-{i:02d}" for i in range(items)])
    else:
        from service.planning.planner import MonthPlanner
        from service.planning.slots import make_slots

        queue = ProcrastinateQueue(db, {PLAN_JOB: lambda job, key: {}}, poll=0.05)
        planner = MonthPlanner(db, queue, lambda: None)  # type: ignore[arg-type,return-value]
        job = planner.generate("demo", PLAN, make_slots(PLAN)[:items], key=label, background=False)
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
    fetch, bookkeeping and, with the real handler, the pipeline's own work), and from the last
    answer until the job was seen finished."""
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
        f"{idle / len(spans) * 1000:.0f} ms per call per slot, "
        f"tail {(finished - last) * 1000:.0f} ms"
    )


def scaling(url: str, server: str, args: argparse.Namespace, data: Path) -> int:
    """Returns the model calls of the best 2-worker run (the soak's undisturbed baseline)."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    n_items = args.items
    print(
        f"{n_items} items ({args.mode} handler), {LATENCY * 1000:.0f} ms per model call, "
        f"{PER_WORKER} per worker;"
    )
    print(f"best of {args.repeats} runs; load average at start {load} on {os.cpu_count()} cores")
    print("workers | total conc. | wall s | ideal s | ratio | speed-up vs 1 | calls/item")
    one = 0.0
    notes = []
    baseline: int = n_items
    for n in (1, 2, 4):
        workers = Workers(url, server, n, data, args.mode)
        runs: list[tuple[float, float, str, int]] = []
        for attempt in range(args.repeats):
            CALLS.reset()
            cpu = cpu_seconds(workers.pids)
            job, started, (queue, db) = submit_month(
                url, f"scale-{n}-{attempt}", n_items, args.mode
            )
            final, wall = wait_done(queue, job, started)
            used = cpu_seconds(workers.pids) - cpu
            runs.append((wall, used, breakdown(started, started + wall), len(CALLS.started)))
            queue.close()
            db.dispose()
        own = workers.stop()
        wall, used, where, calls = min(runs)
        if n == 2:
            baseline = calls
        ideal = math.ceil(n_items / (n * PER_WORKER)) * LATENCY
        one = one or wall
        print(
            f"{n:7d} | {n * PER_WORKER:11d} | {wall:6.2f} | {ideal:7.2f} | "
            f"{wall / ideal:5.2f} | {one / wall:12.2f}x | {calls / n_items:10.2f}"
            f"   ({final.done} done, {final.failed} failed)"
        )
        ran = max(1, int(own.get("items", 0)))
        trips = sum(own.get(k, 0) for k in ("statements", "begins", "ends", "pings"))
        notes.append(
            f"  {n} worker(s): {where}; workers used {used:.2f} CPU s in the best run "
            f"({used / n_items * 1000:.0f} ms per item, {used / wall:.2f} of "
            f"{os.cpu_count()} cores); over all {args.repeats} runs "
            f"{trips / ran:.1f} database round trips per item "
            f"({own.get('statements', 0) / ran:.1f} statements, "
            f"{own.get('begins', 0) / ran:.1f} transactions, {own.get('pings', 0) / ran:.1f} pings)"
        )
    print("\n".join(notes))
    return baseline


def stored_drafts(db: Database, job: Job, keys: list[str]) -> tuple[Counter[str], int]:
    """Per slot, its drafts that are not set aside (the real handler's ids, round 0), and all
    the job's stored drafts, set aside or not: each is one model call whose answer was kept
    (one call per draft with the bench server's answers), so calls beyond them were wasted."""
    ids = {
        str(uuid.uuid5(uuid.NAMESPACE_URL, f"gjenbruk:{job.id}:{k}:{n}")): k
        for k in keys
        for n in (0, 1)
    }
    with db.session() as s:
        rows = s.execute(
            text("SELECT id, status FROM drafts WHERE id = ANY(:ids)"), {"ids": list(ids)}
        ).all()
    return Counter(ids[r[0]] for r in rows if r[1] != "rejected"), len(rows)


def soak(url: str, server: str, args: argparse.Namespace, data: Path, baseline: int) -> None:
    print(
        f"\ncrash soak: {args.soak_runs} runs, 2 workers, one SIGKILLed at a random item "
        f"(an undisturbed 2-worker run made {baseline} calls)"
    )
    # With the real handler a call cannot be told apart by item: "in flight" is the items the
    # killed worker had started (begun twice by the end: there, then on the survivor), and
    # the waste is the calls whose answer no stored draft holds (a near-copy's rewrite is a
    # stored draft too: not waste). The stand-in's calls name their item: exact figures.
    what = "wasted calls"
    print(
        f"run | kill at call | calls open | in flight | lost | twice | calls | {what} | recovered s"
    )
    rng = random.Random(17)
    for run in range(1, args.soak_runs + 1):
        workers = Workers(url, server, 2, data, args.mode)
        CALLS.reset()  # after the workers' warm-up drafts, which are not the month's calls
        victim = workers.procs[0]
        at = rng.randint(5, max(6, args.items - 15))
        job, started, (queue, db) = submit_month(url, f"soak-{run}", args.items, args.mode)
        while len(CALLS.answered) < at:
            time.sleep(0.005)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        killed = time.perf_counter()
        with CALLS.lock:
            open_calls = Counter(CALLS.started) - Counter(CALLS.answered)
        open_at_kill = sum(n for (_, pid), n in open_calls.items() if pid == victim.pid)
        final, _ = wait_done(queue, job, started)
        recovered = time.perf_counter() - killed
        workers.stop()
        with db.session() as s:
            items = JobRepo(s).items(job.id)
            begun_twice = s.scalar(
                text("SELECT count(*) FROM job_items WHERE job_id = :j AND attempts > 1"),
                {"j": job.id},
            )
        keys = [i.key for i in items]
        in_flight = int(begun_twice or 0)
        calls = len(CALLS.started)
        lost = sum(1 for i in items if i.status.value != "done")
        if args.mode == "real":
            live, kept = stored_drafts(db, job, keys)
            lost += sum(1 for k in keys if live[k] == 0)
            twice = sum(n - 1 for n in live.values() if n > 1)
            wasted = calls - kept
        else:
            stored = Counter(i.key for i in items if i.result)
            twice = sum(n - 1 for n in stored.values()) + sum(
                1 for i in items if i.result and i.result.get("text") != f"utkast {i.key}"
            )
            wasted = calls - len(items)
        queue.close()
        db.dispose()
        print(
            f"{run:3d} | {at:12d} | {open_at_kill:10d} | {in_flight:9d} | {lost:4d} | "
            f"{twice:5d} | {calls:5d} | "
            f"{wasted:{len(what)}d} | {recovered:6.2f}   (job {final.status.value})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--stand-in",
        dest="mode",
        action="store_const",
        const="stand-in",
        default="real",
        help="one bare model call per item, no pipeline",
    )
    parser.add_argument(
        "--templated",
        action="store_true",
        help="the server's old near-identical answers (read by month_batch)",
    )
    parser.add_argument("--items", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--soak-runs", type=int, default=3)
    parser.add_argument("--no-soak", dest="soak", action="store_false")
    args = parser.parse_args()
    base = os.environ.get(
        "GJENBRUK_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), Server)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    data = Path(tempfile.mkdtemp(prefix="gjenbruk-bench-"))
    url, drop = fresh_database(base, data)
    try:
        baseline = scaling(url, server_url, args, data)
        if args.soak:
            soak(url, server_url, args, data, baseline)
    finally:
        drop()
        server.shutdown()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker_main(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6])
    else:
        main()
