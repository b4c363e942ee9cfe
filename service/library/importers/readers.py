"""Open an export as the platform wrote it: sniff encoding (BOM, UTF-16, UTF-8, else
Windows-1252), honour Excel's `sep=` line, and stream records with their row numbers.

CSV records are split by our own quote tracker before the csv module reads each one, so an
unterminated quote costs one reported row (named by the line where the quote opened) instead of
swallowing the rest of the file.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.library.importers.model import Unreadable

csv.field_size_limit(10 * 1024 * 1024)  # long captions are fine; a runaway field is not

SNIFF_BYTES = 64 * 1024
# A quoted field longer than this is taken for a quote that was never closed: no caption on any
# platform comes near it (Facebook's limit is 63 206 characters).
MAX_QUOTED_LINES = 1_000
MAX_QUOTED_CHARS = 256 * 1024

__all__ = ["Record", "Unreadable", "csv_records", "sniff_encoding", "xlsx_records", "xlsx_sheets"]


@dataclass(frozen=True)
class Record:
    row: int  # 1-based record number, as a spreadsheet shows it (header included)
    line: int  # first physical line of the record in the file
    cells: list[Any]
    problem: str = ""  # why the record could not be read, when cells is empty


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
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
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
    if len(head) > 8 and head[0::2].count(0) > len(head) // 4:
        return "utf-16-be", "no byte-order mark; read as UTF-16 BE"
    if head.count(0) > 0:
        raise Unreadable("the file looks binary (it contains NUL bytes), not a CSV export")
    if _valid_utf8(path):
        return "utf-8", None
    return "cp1252", "not valid UTF-8; read as Windows-1252"


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _quote_state(line: str, delimiter: str, inside: bool) -> bool:
    """Whether a record is still inside a quoted field after `line` (csv's default dialect: a
    quote opens a field only at its start; inside, a doubled quote is a literal quote)."""
    if '"' not in line:
        return inside
    i, n = 0, len(line)
    at_field_start = not inside
    while i < n:
        if inside:
            j = line.find('"', i)
            if j < 0:
                return True
            if j + 1 < n and line[j + 1] == '"':
                i = j + 2
                continue
            inside, i, at_field_start = False, j + 1, False
            continue
        if at_field_start and line[i] == '"':
            inside, i = True, i + 1
            continue
        # Outside quotes: jump to the next delimiter; a quote before it is a literal character.
        j = line.find(delimiter, i)
        if j < 0:
            return False
        i, at_field_start = j + 1, True
    return inside


def csv_records(path: Path, encoding: str) -> Iterator[Record]:
    """Stream CSV records. A record that cannot be read becomes a Record with `cells=[]` and a
    `problem`; it is reported by the caller and reading goes on with the next line."""
    try:
        yield from _csv_records(path, encoding)
    except UnicodeDecodeError as exc:
        raise Unreadable(f"cannot decode the file as {encoding}: {exc.reason}") from exc


def _csv_records(path: Path, encoding: str) -> Iterator[Record]:
    with path.open("r", encoding=encoding, newline="", errors="strict") as fh:
        lines: Iterator[str] = iter(fh)
        first = next(lines, "")
        row, line_no = 0, 1
        if first.strip().lower().startswith("sep="):
            delimiter = first.strip()[4:5] or ","
            row = 1
            first = next(lines, "")
            line_no = 2
        else:
            delimiter = _delimiter(first)
        pending: list[str] = [first] if first else []
        width = 0  # columns of the header: a record spanning lines must have as many
        buffer: list[str] = []
        start = line_no
        inside = False
        while True:
            text: str | None = pending.pop(0) if pending else next(lines, None)
            if text is None:
                if not buffer:
                    return
                # The file ended inside a quote: that record is reported, the rest re-read.
                row += 1
                yield _unclosed(row, start)
                pending[:0] = buffer[1:]
                line_no, buffer, inside = start + 1, [], False
                continue
            if not buffer:
                start = line_no
            buffer.append(text)
            line_no += 1
            inside = _quote_state(text, delimiter, inside)
            runaway = len(buffer) >= MAX_QUOTED_LINES or sum(map(len, buffer)) >= MAX_QUOTED_CHARS
            if inside and not runaway:
                continue
            record = None if inside else _parse(row + 1, start, "".join(buffer), delimiter)
            if record is None or (
                len(buffer) > 1
                and width
                and len(record.cells) != width
                and _swallowed(buffer[1:], delimiter, width)
            ):
                # A quote that did not close where its record ends (it closed on a later
                # record's quote, or never): report the record, re-read the lines after it.
                row += 1
                yield _unclosed(row, start)
                pending[:0] = buffer[1:]
                line_no, buffer, inside = start + 1, [], False
                continue
            row += 1
            if not width and len(record.cells) > 1:
                width = len(record.cells)
            yield record
            buffer = []


def _swallowed(lines: list[str], delimiter: str, width: int) -> bool:
    """Whether a record spanning lines took in lines that are records of their own (a caption's
    lines are text; a line that alone holds a full row is a row)."""
    for text in lines:
        try:
            cells = next(csv.reader([text], delimiter=delimiter), [])
        except csv.Error:
            continue
        if len(cells) == width:
            return True
    return False


def _unclosed(row: int, line: int) -> Record:
    return Record(
        row=row,
        line=line,
        cells=[],
        problem=f"a quote opened on line {line} is not closed where its record ends; this "
        "record is skipped and the lines after it are read as records of their own",
    )


def _parse(row: int, line: int, text: str, delimiter: str) -> Record:
    try:
        cells = next(csv.reader([text], delimiter=delimiter), [])
    except csv.Error as exc:
        return Record(row=row, line=line, cells=[], problem=f"malformed CSV record ({exc})")
    return Record(row=row, line=line, cells=cells)


def xlsx_sheets(path: Path) -> list[str]:
    try:
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
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
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise Unreadable(f"sheet {sheet!r} cannot be read: {exc}") from exc
    finally:
        wb.close()
