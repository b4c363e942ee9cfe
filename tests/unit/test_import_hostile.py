"""Hostile or broken files: each answered fast with a precise, 4xx-type error, never a crash."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from service.domain import Post
from service.errors import Invalid
from service.library.importers import ImportLimits, TooLarge, Unreadable, open_export
from service.library.importers.limits import UploadGuard, safe_upload_name
from service.library.importers.model import SkippedRow
from tests.fixtures.hostile import json_brackets, xlsx_bomb, xlsx_many_entries
from tests.fixtures.synthetic import english, to_csv


def _timed(fn: object, *args: object) -> tuple[BaseException, float]:
    start = time.perf_counter()
    with pytest.raises(Invalid) as info:
        fn(*args)  # type: ignore[operator]
    return info.value, time.perf_counter() - start


def test_an_xlsx_zip_bomb_is_refused_before_parsing_in_under_a_second(tmp_path: Path) -> None:
    bomb = xlsx_bomb(tmp_path / "bomb.xlsx")
    assert bomb.stat().st_size < 500_000
    exc, took = _timed(lambda: open_export(bomb, workspace="w"))
    assert isinstance(exc, TooLarge) and exc.http_status == 413 and took < 1.0
    assert "zip bomb" in str(exc) or "shared strings" in str(exc)


def test_a_bomb_that_hides_its_string_count_is_refused_by_its_ratio(tmp_path: Path) -> None:
    bomb = xlsx_bomb(tmp_path / "quiet.xlsx", honest_count=False)
    exc, took = _timed(lambda: open_export(bomb, workspace="w"))
    assert isinstance(exc, TooLarge) and "x its size" in str(exc) and took < 1.0


def test_a_workbook_with_thousands_of_entries_is_refused(tmp_path: Path) -> None:
    path = xlsx_many_entries(tmp_path / "many.xlsx")
    exc, _ = _timed(lambda: open_export(path, workspace="w"))
    assert isinstance(exc, TooLarge) and "entries" in str(exc)


def test_a_json_file_of_100000_brackets_is_refused_precisely(tmp_path: Path) -> None:
    path = json_brackets(tmp_path / "deep.json")
    exc, took = _timed(lambda: open_export(path, workspace="w"))
    assert isinstance(exc, Unreadable) and "nested more than 32 levels" in str(exc)
    assert took < 1.0


def test_json_strings_with_brackets_and_escapes_are_not_depth(tmp_path: Path) -> None:
    path = tmp_path / "ok.json"
    path.write_text(
        '[{"id": "a", "channel": "newsletter", "published_at": "2026-01-01T08:00:00+01:00",'
        ' "text": "[[[[ \\"{{{{\\" ]]]] \\\\"}]',
        encoding="utf-8",
    )
    assert [type(i) for i in open_export(path, workspace="w")] == [Post]


def _plain(rows: list[list[object]]) -> list[list[object]]:
    """No cell that needs quoting, so a stray quote has nothing to close on."""
    return [[str(c).replace(",", "") for c in r] for r in rows]


@pytest.mark.parametrize("at", [1, 6, 19])
def test_an_unterminated_quote_keeps_the_valid_rows_and_names_its_line(
    tmp_path: Path, at: int
) -> None:
    header, rows = english("meta_facebook_posts", 0, 20)
    lines = to_csv(header, _plain(rows)).splitlines(keepends=True)
    lines[at] = lines[at].replace(",Lifetime,", ',"Lifetime,', 1)
    path = tmp_path / "quote.csv"
    path.write_text("".join(lines), encoding="utf-8")
    items = list(open_export(path, workspace="w"))
    posts = [i for i in items if isinstance(i, Post)]
    skipped = [i for i in items if isinstance(i, SkippedRow)]
    assert len(posts) == 19
    line = at + 1
    assert [s.row for s in skipped] == [line] and f"quote opened on line {line}" in skipped[
        0
    ].reason


def test_a_quote_closed_by_a_later_rows_quote_costs_one_row(tmp_path: Path) -> None:
    header, rows = english("meta_facebook_posts", 0, 20)
    lines = to_csv(header, rows).splitlines(keepends=True)
    lines[5] = lines[5].rstrip("\n") + ',"unclosed\n'
    path = tmp_path / "quote.csv"
    path.write_text("".join(lines), encoding="utf-8")
    items = list(open_export(path, workspace="w"))
    assert len([i for i in items if isinstance(i, Post)]) == 19
    assert [s.row for s in items if isinstance(s, SkippedRow)] == [6]


@pytest.mark.parametrize("name", ["..", ".", "", "../..", "a/..", "...", None])
def test_upload_names_that_are_not_file_names_are_refused(name: str | None) -> None:
    with pytest.raises(Invalid, match="not a file name"):
        safe_upload_name(name)


def test_a_folder_given_as_a_file_is_refused_not_crashed(tmp_path: Path) -> None:
    for p in (tmp_path / "..", tmp_path / "."):
        with pytest.raises(Unreadable, match="not a file"):
            open_export(p, workspace="w")


def test_an_unknown_timezone_is_a_precise_error(tmp_path: Path) -> None:
    header, rows = english("meta_facebook_posts", 0, 2)
    (tmp_path / "a.csv").write_text(to_csv(header, rows), encoding="utf-8")
    for zone in ("Mars/Olympus", "../../etc/passwd", "", "Europe/" + "x" * 300):
        with pytest.raises(Invalid, match="unknown timezone"):
            open_export(tmp_path / "a.csv", workspace="w", timezone=zone)


def test_the_upload_guard_stops_a_stream_at_its_limits() -> None:
    guard = UploadGuard(ImportLimits(max_bytes=10, max_files=2))
    guard.file("a.csv")
    guard.feed(b"12345")
    with pytest.raises(TooLarge, match="larger than"):
        guard.feed(b"123456")
    guard.file("b.csv")  # each file has its own byte budget
    guard.feed(b"1234567890")
    with pytest.raises(TooLarge, match="more than 2 files"):
        guard.file("c.csv")


def test_the_row_limit_keeps_the_rows_before_it(tmp_path: Path) -> None:
    header, rows = english("meta_facebook_posts", 0, 30)
    (tmp_path / "a.csv").write_text(to_csv(header, rows), encoding="utf-8")
    stream = open_export(tmp_path / "a.csv", workspace="w", limits=ImportLimits(max_rows=10))
    got: list[object] = []
    with pytest.raises(TooLarge, match="more than 10 rows"):
        for item in stream:
            got.append(item)
    assert len(got) == 10


def test_save_upload_streams_under_the_limit_and_leaves_nothing_when_refused(
    tmp_path: Path,
) -> None:
    import io

    from service.library.importers.limits import save_upload

    guard = UploadGuard(ImportLimits(max_bytes=1000))
    ok = save_upload(io.BytesIO(b"a" * 900), tmp_path, "posts.csv", guard, chunk=100)
    assert ok.read_bytes() == b"a" * 900
    with pytest.raises(TooLarge):
        save_upload(io.BytesIO(b"a" * 5000), tmp_path, "big.csv", guard, chunk=100)
    assert not (tmp_path / "big.csv").exists()
    with pytest.raises(Invalid, match="not a file name"):
        save_upload(io.BytesIO(b"x"), tmp_path, "..", guard)
