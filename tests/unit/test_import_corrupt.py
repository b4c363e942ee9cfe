"""Broken variants of the real exports: row-level reports or a clear refusal, never a crash,
and every valid row kept."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from service.container import Services
from service.domain import FollowerCount, Post, Workspace
from service.library.importers import MappingNeeded, Unreadable, open_export
from service.library.importers.model import SkippedRow
from service.library.ingest import import_file
from service.storage.repositories import PostRepo, WorkspaceRepo
from tests.conftest import SHARED_DATA, require

FB = (
    SHARED_DATA
    / "fjordkanten-storsenter"
    / "facebook"
    / "Sep-01-2025_Aug-31-2026_1184930217764025.csv"
)
FOLLOWERS = SHARED_DATA / "fjordkanten-storsenter" / "facebook" / "Followers.csv"


@pytest.fixture(autouse=True)
def _data() -> None:
    require(FB.is_file(), f"shared data not found at {SHARED_DATA}")


def _rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO(FB.read_text(encoding="utf-8-sig"))))


def _write(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding=encoding, errors="replace")
    return path


def _split(path: Path) -> tuple[list[Post], list[SkippedRow]]:
    items = list(open_export(path, workspace="w"))
    return [i for i in items if isinstance(i, Post)], [
        i for i in items if isinstance(i, SkippedRow)
    ]


def test_a_file_cut_off_mid_row_keeps_every_complete_row(tmp_path: Path) -> None:
    raw = FB.read_bytes()
    cut = tmp_path / "cut.csv"
    cut.write_bytes(raw[: len(raw) // 2])
    posts, skipped = _split(cut)
    assert len(posts) > 50
    # Cut inside a quoted caption: the quote's line is named; else the short row is.
    assert len(skipped) == 1
    assert "columns" in skipped[0].reason or "not closed" in skipped[0].reason
    assert skipped[0].row == len(posts) + 2  # header is row 1


def test_a_short_row_in_the_middle_is_reported_by_its_row_number(tmp_path: Path) -> None:
    rows = _rows()
    rows[10] = rows[10][:12]
    posts, skipped = _split(_write(tmp_path / "short.csv", rows))
    assert len(posts) == 131
    assert [s.row for s in skipped] == [11] and "12 of 30 columns" in skipped[0].reason


def test_text_in_a_number_column_skips_that_row_with_the_value_named(tmp_path: Path) -> None:
    rows = _rows()
    reach = rows[0].index("Reach")
    rows[5][reach] = "mange"
    posts, skipped = _split(_write(tmp_path / "text.csv", rows))
    assert len(posts) == 131
    assert skipped[0].row == 6 and "Reach" in skipped[0].reason and "mange" in skipped[0].reason


def test_a_removed_required_column_is_refused_naming_it(tmp_path: Path) -> None:
    rows = _rows()
    reach = rows[0].index("Reach")
    path = _write(tmp_path / "noreach.csv", [r[:reach] + r[reach + 1 :] for r in rows])
    with pytest.raises(MappingNeeded) as info:
        open_export(path, workspace="w")
    # Not lost: a proposal for the format, the missing field named, every row counted.
    assert info.value.closest == "meta_facebook_posts" and info.value.missing == ["Reach"]
    assert info.value.proposal.rows == 132


def test_a_removed_optional_column_still_imports(tmp_path: Path) -> None:
    rows = _rows()
    shares = rows[0].index("Shares")
    posts, skipped = _split(
        _write(tmp_path / "noshares.csv", [r[:shares] + r[shares + 1 :] for r in rows])
    )
    assert len(posts) == 132 and not skipped
    assert all(p.metrics.shares is None and p.metrics.engagements is not None for p in posts)


def test_a_windows_1252_file_is_read_with_its_letters_intact(tmp_path: Path) -> None:
    posts, skipped = _split(_write(tmp_path / "cp1252.csv", _rows(), encoding="cp1252"))
    stream = open_export(tmp_path / "cp1252.csv", workspace="w")
    assert len(posts) == 132 and not skipped
    assert any("Windows-1252" in n for n in stream.notes)
    assert any("å" in p.text for p in posts)


def test_a_follower_file_resaved_as_utf8_still_imports(tmp_path: Path) -> None:
    path = tmp_path / "facebook" / "Followers.csv"
    path.parent.mkdir()
    path.write_text(FOLLOWERS.read_text(encoding="utf-16"), encoding="utf-8")
    items = list(open_export(path, workspace="w"))
    assert len(items) == 365 and all(isinstance(i, FollowerCount) for i in items)


def test_an_empty_file_is_refused_clearly(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(Unreadable, match="empty"):
        open_export(tmp_path / "empty.csv", workspace="w")


def test_a_binary_file_is_refused_clearly(tmp_path: Path) -> None:
    (tmp_path / "photo.csv").write_bytes(os.urandom(4096) + b"\x00" * 64)
    with pytest.raises(Unreadable, match="binary"):
        open_export(tmp_path / "photo.csv", workspace="w")


def test_a_broken_spreadsheet_is_refused_clearly(tmp_path: Path) -> None:
    (tmp_path / "x.xlsx").write_bytes(b"PK\x03\x04" + os.urandom(200))
    with pytest.raises(Unreadable, match="xlsx"):
        open_export(tmp_path / "x.xlsx", workspace="w")


def test_ingest_reports_a_refused_file_and_keeps_valid_rows_of_a_damaged_one(
    services: Services, tmp_path: Path
) -> None:
    with services.db.session() as s:
        WorkspaceRepo(s).save(Workspace(slug="w", name="W"))
    (tmp_path / "empty.csv").write_bytes(b"")
    refused = import_file(
        services.db, tmp_path / "empty.csv", workspace="w", timezone="Europe/Oslo"
    )
    assert refused.format is None and "empty" in (refused.error or "")
    rows = _rows()
    rows[3][rows[0].index("Publish time")] = "31/31/2026 25:99"
    report = import_file(
        services.db, _write(tmp_path / "bad.csv", rows), workspace="w", timezone="Europe/Oslo"
    )
    assert report.imported == 131 and [s.row for s in report.skipped] == [4]
    assert "Publish time" in report.skipped[0].reason
    with services.db.session() as s:
        assert PostRepo(s).count("w") == 131
