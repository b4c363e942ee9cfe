"""Import with inference on, and the hostile files' answers: time and peak memory of each.

1. A 100 000-row Business Suite file with German headers (every column placed by content and
   layout, none by name): parse, and parse + store in SQLite. Limit stated: 100 000 rows in
   60 s and 300 MB peak (a background job's budget on 2 cores); the ratio is printed.
2. Each hostile file (xlsx zip bombs, 100 000 `[`, an unterminated quote in 100 000 rows,
   '..', Mars/Olympus): answer time (limit 1 s) and peak memory (limit 50 MB over baseline).

Each case runs in a fresh process, so its peak RSS is its own.
Run: PYTHONPATH=. python bench/import_inference.py [--rows N]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LIMITS = {"big": (60.0, 300.0), "hostile": (1.0, 50.0)}  # seconds, MB over baseline


def _rss_mb() -> float:
    """Peak RSS of this process. VmHWM is reset by exec; ru_maxrss would count the memory of
    the parent this child was forked from."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _case(name: str, path: str, store: bool) -> dict[str, object]:
    from service.domain import Workspace
    from service.errors import Invalid
    from service.library.importers import open_export
    from service.library.importers.limits import safe_upload_name
    from service.library.ingest import import_file
    from service.storage.db import Database
    from service.storage.repositories import WorkspaceRepo

    db = None
    if store:
        db = Database(f"sqlite:///{Path(path).parent / 'bench.sqlite'}")
        db.migrate()
        with db.session() as s:
            WorkspaceRepo(s).save(Workspace(slug="w", name="W"))
    base = _rss_mb()
    start = time.perf_counter()
    answer = ""
    rows = 0
    try:
        if name == "dotdot":
            safe_upload_name("..")
        elif db is not None:
            report = import_file(db, Path(path), workspace="w", timezone="Europe/Oslo")
            rows = report.imported + report.updated
            answer = f"{rows} rows, {len(report.skipped)} skipped, inferred {len(report.inferred)}"
        else:
            zone = "Mars/Olympus" if name == "mars" else "Europe/Oslo"
            stream = open_export(Path(path), workspace="w", timezone=zone)
            skipped = 0
            for item in stream:
                rows += 1
                skipped += type(item).__name__ == "SkippedRow"
            answer = f"{rows} rows, {skipped} skipped, inferred {len(stream.inferred)}"
    except Invalid as exc:
        answer = f"{type(exc).__name__} ({exc.http_status}): {exc.message[:90]}"
    took = time.perf_counter() - start
    peak = _rss_mb()
    return {"case": name, "seconds": took, "peak_mb": peak - base, "rss_mb": peak, "answer": answer}


def _write_cases(tmp: Path, rows: int) -> dict[str, Path]:
    from tests.fixtures.hostile import json_brackets, xlsx_bomb, xlsx_many_entries
    from tests.fixtures.synthetic import english, to_csv, translate

    header, data = english("meta_facebook_posts", 0, rows)
    big = tmp / "big_de.csv"
    big.write_text(to_csv(translate(header, "de"), data), encoding="utf-8")
    # Numbers without thousands separators, so the stray quote has nothing to close on.
    flat = [[str(c).replace(",", "") for c in r] for r in data]
    lines = to_csv(translate(header, "de"), flat).splitlines(keepends=True)
    plain = tmp / "quote.csv"
    mid = len(lines) // 2
    lines[mid] = lines[mid].replace(",Lifetime,", ',"Lifetime,', 1)
    plain.write_text("".join(lines), encoding="utf-8")
    return {
        "big_parse": big,
        "big_store": big,
        "xlsx_bomb_2M_strings": xlsx_bomb(tmp / "bomb.xlsx"),
        "xlsx_bomb_hidden_count": xlsx_bomb(tmp / "bomb2.xlsx", honest_count=False),
        "xlsx_5000_entries": xlsx_many_entries(tmp / "many.xlsx"),
        "json_100000_brackets": json_brackets(tmp / "deep.json"),
        "unterminated_quote_mid_file": plain,
        "dotdot": tmp,
        "mars": big,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        name, path, store = args.child
        print(json.dumps(_case(name, path, store == "1")))
        return
    with tempfile.TemporaryDirectory() as tmp_name:
        cases = _write_cases(Path(tmp_name), args.rows)
        # peak MB: growth of the process's peak RSS over its baseline after imports (the
        # case's own cost); RSS MB: the whole process's peak, interpreter and libraries included.
        print(
            f"{'case':30} {'seconds':>8} {'ratio':>6} {'peak MB':>8} {'ratio':>6} "
            f"{'RSS MB':>7}  answer"
        )
        for name, path in cases.items():
            # The quote case reads (and keeps) every row of a 100k-row file: a big file's budget.
            kind = "big" if name.startswith(("big", "unterminated")) else "hostile"
            name_arg = "quote" if name.startswith("unterminated") else name
            out = subprocess.run(
                [sys.executable, __file__, "--child", name_arg, str(path),
                 "1" if name == "big_store" else "0"],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            got = json.loads(out.stdout.strip().splitlines()[-1])
            secs, mb = float(got["seconds"]), float(got["peak_mb"])
            lim_s, lim_mb = LIMITS[kind]
            print(
                f"{name:30} {secs:8.2f} {secs / lim_s:6.2f} {mb:8.1f} {mb / lim_mb:6.2f} "
                f"{float(got['rss_mb']):7.1f}  {got['answer']}"
            )
        print(f"limits: 100k-row file {LIMITS['big'][0]:.0f} s / {LIMITS['big'][1]:.0f} MB; "
              f"hostile {LIMITS['hostile'][0]:.0f} s / {LIMITS['hostile'][1]:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
