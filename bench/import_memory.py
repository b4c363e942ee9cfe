"""Import a generated Business Suite Facebook export of 10k and 100k rows through the product
(parse + store in SQLite, no embedding) and print rows/s and peak memory. Streaming means the
peak should not grow with the row count: the printed ratio should stay near 1.

Peak memory is the Python heap peak (tracemalloc) during the import, which is what grows if
rows are collected instead of streamed; the process RSS is printed alongside for reference.
"""

from __future__ import annotations

import csv
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.domain import Workspace
from service.library.ingest import import_file
from service.storage.db import Database
from service.storage.repositories import WorkspaceRepo

HEADER = [
    "Post ID",
    "Page ID",
    "Page name",
    "Title",
    "Description",
    "Duration (sec)",
    "Publish time",
    "Permalink",
    "Post type",
    "Date",
    "Views",
    "Reach",
    "Reactions, Comments and Shares",
    "Reactions",
    "Comments",
    "Shares",
    "Total clicks",
]
WORDS = [
    "fiskesuppe",
    "kokken",
    "vår",
    "Kari",
    "serverer",
    "blåskjell",
    "fredag",
    "kveld",
    "bryggen",
    "sjøbua",
    "høstmeny",
    "velkommen",
    "innom",
    "bordbestilling",
    "julebord",
]


def published(rng: random.Random) -> str:
    minute = rng.choice(["00", "15", "30", "45"])
    return (
        f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/2025 {rng.randint(6, 23):02d}:{minute}"
    )


def generate(path: Path, rows: int, seed: int = 3) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for i in range(rows):
            reach = rng.randint(200, 20_000)
            r, c, s = rng.randint(0, 900), rng.randint(0, 90), rng.randint(0, 40)
            text = " ".join(rng.choices(WORDS, k=rng.randint(12, 60)))
            w.writerow(
                [
                    10**15 + i,
                    178245368912034,
                    "Bench",
                    "",
                    text,
                    0,
                    published(rng),
                    f"https://www.facebook.com/p/{i}",
                    "Photos",
                    "Lifetime",
                    f"{reach * 2:,}",
                    f"{reach:,}",
                    r + c + s,
                    r,
                    c,
                    s,
                    rng.randint(0, 300),
                ]
            )


def measure(rows: int, tmp: Path) -> tuple[float, float, float]:
    export = tmp / f"export-{rows}.csv"
    generate(export, rows)
    db = Database(f"sqlite:///{tmp / f'bench-{rows}.db'}")
    db.migrate()
    with db.session() as s:
        WorkspaceRepo(s).save(Workspace(slug="bench", name="Bench"))
    tracemalloc.start()
    start = time.perf_counter()
    report = import_file(db, export, workspace="bench", timezone="Europe/Oslo")
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert report.imported == rows and not report.skipped, report.model_dump(exclude={"skipped"})
    db.dispose()
    return rows / elapsed, peak / 2**20, elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        results = {n: measure(n, Path(tmp)) for n in (10_000, 100_000)}
    print(f"{'rows':>8} {'rows/s':>9} {'seconds':>8} {'peak heap MiB':>14}")
    for n, (rate, peak, secs) in results.items():
        print(f"{n:>8,} {rate:>9,.0f} {secs:>8.1f} {peak:>14.1f}")
    ratio = results[100_000][1] / results[10_000][1]
    print(
        f"peak heap at 100k / at 10k: {ratio:.2f} (limit: ~1, i.e. memory does not grow with rows;"
        f" 10x more rows would give ~10 if rows were collected)"
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max RSS over the whole run: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
