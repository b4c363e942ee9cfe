"""Open an export as the platform wrote it: sniff encoding (BOM, UTF-16, UTF-8, else
Windows-1252), honour Excel's `sep=` line, and stream records with their row numbers."""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

csv.field_size_limit(10 * 1024 * 1024)  # long captions are fine; a runaway field is not

SNIFF_BYTES = 64 * 1024


class Unreadable(ValueError):
    """The file cannot be read as an export at all (empty, binary, broken spreadsheet)."""


@dataclass(frozen=True)
class Record:
    row: int  # 1-based record number, as a spreadsheet shows it (header included)
    line: int  # first physical line of the record in the file
    cells: list[Any]


def _valid_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        try:
            for block in iter(lambda: fh.read(1 << 20), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def sniff_encoding(path: Path) -> tuple[str, str | None]:
    """(encoding, note) — the note says when we had to guess."""
    head = path.open("rb").read(SNIFF_BYTES)
    if not head:
        raise Unreadable("the file is empty")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", None
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", None
    if head[:4] == b"PK\x03\x04":
        return "xlsx", None
    # UTF-16 without a BOM: every other byte is NUL in mostly-ASCII text.
    if len(head) > 8 and head[1::2].count(0) > len(head) // 4:
        return "utf-16-le", "no byte-order mark; read as UTF-16 LE"
    if head.count(0) > 0:
        raise Unreadable("the file looks binary (it contains NUL bytes), not a CSV export")
    if _valid_utf8(path):
        return "utf-8", None
    return "cp1252", "not valid UTF-8; read as Windows-1252"


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def csv_records(path: Path, encoding: str) -> Iterator[Record]:
    """Stream CSV records. A malformed record becomes a Record with `cells=[]` and is reported
    by the caller; reading goes on."""
    with path.open("r", encoding=encoding, newline="", errors="strict") as fh:
        first = fh.readline()
        row = 0
        line = 1
        delimiter = ","
        if first.strip().lower().startswith("sep="):
            sep = first.strip()[4:5]
            delimiter = sep or ","
            row, line = 1, 2
            first = ""
        else:
            delimiter = _delimiter(first)
        lines = _prepend(first, fh)
        reader = csv.reader(lines, delimiter=delimiter)
        consumed = line - 1
        while True:
            start = consumed + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error:
                cells = []
            except UnicodeDecodeError as exc:
                raise Unreadable(f"undecodable bytes after line {consumed}: {exc.reason}") from exc
            consumed = reader.line_num + (line - 1)
            row += 1
            yield Record(row=row, line=start, cells=cells)


def _prepend(first: str, rest: Iterator[str]) -> Iterator[str]:
    if first:
        yield first
    yield from rest


def xlsx_sheets(path: Path) -> list[str]:
    try:
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise Unreadable(f"not a readable .xlsx workbook: {exc}") from exc
    names = list(wb.sheetnames)
    wb.close()
    return names


def xlsx_records(path: Path, sheet: str) -> Iterator[Record]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        for i, values in enumerate(wb[sheet].iter_rows(values_only=True), start=1):
            # Spreadsheet rows keep their empty trailing cells: a short row is not truncated.
            yield Record(row=i, line=i, cells=list(values))
    finally:
        wb.close()
