"""Limits on what one import may cost, checked before parsing and while streaming an upload.

A spreadsheet is a zip: its entries are inspected (count, declared unpacked size, compression
ratio, the shared-string count) before any XML is parsed, so a zip bomb is refused in
milliseconds instead of being unpacked for minutes.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field

from service.errors import Invalid
from service.library.importers.model import TooLarge, Unreadable

MB = 1024 * 1024


class ImportLimits(BaseModel):
    max_bytes: int = Field(default=100 * MB, ge=1, description="per file, checked while streaming")
    max_rows: int = Field(default=250_000, ge=1, description="data rows per file")
    max_files: int = Field(default=50, ge=1, description="files per request")
    xlsx_max_entries: int = Field(default=2_000, ge=1)
    xlsx_max_unpacked: int = Field(default=300 * MB, ge=1, description="declared, all entries")
    xlsx_max_ratio: int = Field(default=150, ge=1, description="unpacked/packed, per big entry")
    xlsx_max_shared_strings: int = Field(default=2_000_000, ge=1)
    json_max_depth: int = Field(default=32, ge=2)
    min_confidence: float = Field(default=0.7, gt=0, le=1)

    @classmethod
    def from_settings(cls) -> ImportLimits:
        from service.settings import get_settings

        s = get_settings()
        return cls(
            max_bytes=s.import_max_bytes,
            max_rows=s.import_max_rows,
            max_files=s.import_max_files,
            min_confidence=s.import_min_confidence,
        )


def validate_timezone(name: str) -> str:
    """An IANA zone name, or a precise Invalid (never ZoneInfoNotFoundError's 500)."""
    try:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,2}", name):
            raise ValueError
        ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError, OSError) as exc:
        raise Invalid(
            f"unknown timezone {name[:64]!r}: use an IANA name such as 'Europe/Oslo'",
            details={"field": "timezone"},
        ) from exc
    return name


def safe_upload_name(name: str | None, index: int = 0) -> str:
    """The file name an upload may be stored under: no folders, no '.', '..' or hidden tricks."""
    raw = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if raw in ("", ".", "..") or raw.strip(".") == "":
        raise Invalid(
            f"file {index + 1}: {name!r} is not a file name; name the file as exported "
            "(for example posts.csv)",
            details={"file": name},
        )
    if len(raw.encode()) > 255 or "\x00" in raw:
        raise Invalid(f"file {index + 1}: the file name is too long or contains NUL")
    return raw


class UploadGuard:
    """Counts an upload's files and bytes as they arrive; call `file()` per file and `feed()`
    per chunk, so a too-large request is stopped before it is written to disk."""

    def __init__(self, limits: ImportLimits | None = None) -> None:
        self.limits = limits or ImportLimits.from_settings()
        self.files = 0
        self.bytes = 0
        self.name = ""

    def file(self, name: str | None) -> str:
        self.files += 1
        if self.files > self.limits.max_files:
            raise TooLarge(f"more than {self.limits.max_files} files in one import")
        self.name = safe_upload_name(name, self.files - 1)
        self.bytes = 0
        return self.name

    def feed(self, chunk: bytes) -> bytes:
        self.bytes += len(chunk)
        if self.bytes > self.limits.max_bytes:
            raise TooLarge(
                f"{self.name}: larger than {self.limits.max_bytes // MB} MB "
                "(GJENBRUK_IMPORT_MAX_BYTES)"
            )
        return chunk


def check_file(path: Path, limits: ImportLimits) -> None:
    if not path.exists():
        raise Unreadable(f"{path.name or path}: no such file")
    if not path.is_file():
        raise Unreadable(f"{path.name or str(path)!r} is not a file (a folder?)")
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise TooLarge(
            f"{path.name}: {size // MB} MB is over the limit of {limits.max_bytes // MB} MB"
        )


_SST_COUNT = re.compile(rb'uniqueCount="(\d+)"|count="(\d+)"')


def check_workbook(path: Path, limits: ImportLimits) -> None:
    """Refuse a workbook that would unpack into far more than it looks like, before parsing."""
    try:
        with zipfile.ZipFile(path) as zf:
            entries = zf.infolist()
            if len(entries) > limits.xlsx_max_entries:
                raise TooLarge(f"{path.name}: {len(entries)} entries in the workbook (a zip bomb?)")
            total = sum(e.file_size for e in entries)
            if total > limits.xlsx_max_unpacked:
                raise TooLarge(
                    f"{path.name}: unpacks to {total // MB} MB, "
                    f"over the limit of {limits.xlsx_max_unpacked // MB} MB"
                )
            for e in entries:
                ratio = e.file_size // max(e.compress_size, 1)
                if e.file_size > MB and ratio > limits.xlsx_max_ratio:
                    raise TooLarge(
                        f"{path.name}: {e.filename} unpacks to {ratio}x its size "
                        "(a zip bomb?); a real export compresses far less"
                    )
            names = {e.filename for e in entries}
            if "xl/sharedStrings.xml" in names:
                with zf.open("xl/sharedStrings.xml") as fh:
                    head = fh.read(1024)
                counts = [int(a or b) for a, b in _SST_COUNT.findall(head)]
                if counts and max(counts) > limits.xlsx_max_shared_strings:
                    raise TooLarge(f"{path.name}: {max(counts)} shared strings declared")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise Unreadable(f"{path.name}: not a readable .xlsx workbook: {exc}") from exc


def check_json_depth(text: str, limits: ImportLimits) -> None:
    """Nesting deeper than any of our schemas needs is refused before json.loads recurses."""
    depth = 0
    in_string = False
    escaped_at = -1  # the position a backslash escapes
    # Only brackets and quotes matter; scanning tokens keeps this linear and fast.
    for m in re.finditer(r'[\[\]{}"\\]', text):
        ch = m.group()
        if in_string:
            if m.start() == escaped_at:
                continue
            if ch == "\\":
                escaped_at = m.start() + 1
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limits.json_max_depth:
                raise Unreadable(
                    f"JSON nested more than {limits.json_max_depth} levels deep "
                    f"(at character {m.start() + 1}); our schema is a list of flat objects"
                )
        elif ch in "]}":
            depth -= 1


def save_upload(
    source: BinaryIO, folder: Path, name: str | None, guard: UploadGuard, chunk: int = 1 << 20
) -> Path:
    """Copy one uploaded file into `folder` chunk by chunk under the guard's limits; a refused
    upload leaves no partial file behind."""
    safe = guard.file(name)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / safe
    try:
        with target.open("wb") as out:
            for block in iter(lambda: source.read(chunk), b""):
                out.write(guard.feed(block))
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target
