"""Property tests: whatever order, subset, extra columns, BOM, delimiter and encoding an export
arrives in, no crash, no valid row lost, and every skipped row reported with its number."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.domain import Post
from service.library.importers import open_export
from service.library.importers.model import SkippedRow
from tests.fixtures.synthetic import english, to_csv

REQUIRED = {
    "Post ID", "Page ID", "Page name", "Description", "Publish time", "Reach",
    "Reactions, Comments and Shares", "Permalink",
}  # fmt: skip
HEADER, _ = english("meta_facebook_posts", 0, 1)
OPTIONAL = [h for h in HEADER if h not in REQUIRED]


@st.composite
def exports(draw: st.DrawFn) -> dict[str, object]:
    n = draw(st.integers(min_value=1, max_value=25))
    return {
        "n": n,
        "seed": draw(st.integers(min_value=0, max_value=10_000)),
        "drop": draw(st.lists(st.sampled_from(OPTIONAL), unique=True, max_size=len(OPTIONAL))),
        "extra": draw(st.integers(min_value=0, max_value=3)),
        "shuffle": draw(st.integers(min_value=0, max_value=10_000)),
        "bad": draw(st.lists(st.integers(0, n - 1), unique=True, max_size=max(0, n // 10))),
        "sep": draw(st.sampled_from([",", ";", "\t"])),
        "encoding": draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"])),
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exports())
def test_any_arrangement_imports_every_valid_row(case: dict[str, object]) -> None:
    n, seed, extra = int(str(case["n"])), int(str(case["seed"])), int(str(case["extra"]))
    header, rows = english("meta_facebook_posts", 0, n, seed=seed)
    drop = set(case["drop"])  # type: ignore[call-overload]
    keep = [i for i, h in enumerate(header) if h not in drop]
    names = [header[i] for i in keep] + [f"Extra {k}" for k in range(extra)]
    rng = random.Random(int(str(case["shuffle"])))
    cells = [[r[i] for i in keep] + [rng.randint(0, 9) for _ in range(extra)] for r in rows]
    order = list(range(len(names)))
    rng.shuffle(order)
    names = [names[i] for i in order]
    cells = [[r[i] for i in order] for r in cells]
    reach = names.index("Reach")
    bad = sorted(case["bad"])  # type: ignore[type-var]
    for b in bad:
        cells[b][reach] = "mange"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.csv"
        text = to_csv(names, cells, sep=str(case["sep"]))
        path.write_text(text, encoding=str(case["encoding"]))
        items = list(open_export(path, workspace="w"))
    posts = {i.id: i for i in items if isinstance(i, Post)}
    skipped = [i for i in items if isinstance(i, SkippedRow)]
    expected = {str(r[0]): r for k, r in enumerate(rows) if k not in bad}
    assert set(posts) == set(expected)
    for pid, r in expected.items():
        assert posts[pid].metrics.reach == int(str(r[18]).replace(",", ""))
        assert posts[pid].metrics.engagements == r[19]
    # The header is row 1: data row k is row k + 2, and each skip says why.
    assert [s.row for s in skipped] == [b + 2 for b in bad]
    assert all("mange" in s.reason for s in skipped)
