"""Import the platforms' own export files, as they are.

Formats are recognised from their headers (a subset match scored over the first rows, never an
exact list), so columns that come and go, localized names and reordered files still import.
Everything streams: rows are parsed and handed on one at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from service.domain import Channel
from service.library.importers.aliases import display_name, normalize
from service.library.importers.formats import (
    FORMATS,
    GENERIC_CSV,
    Context,
    FormatSpec,
    parse_json_file,
)
from service.library.importers.model import (
    FileReport,
    FollowerDelta,
    Outcome,
    SkippedRow,
    UnknownFormat,
)
from service.library.importers.readers import (
    Record,
    Unreadable,
    csv_records,
    sniff_encoding,
    xlsx_records,
    xlsx_sheets,
)

__all__ = [
    "FileReport",
    "FollowerDelta",
    "ImportStream",
    "SkippedRow",
    "UnknownFormat",
    "Unreadable",
    "open_export",
]

HEADER_SCAN = 10


@dataclass
class _Part:
    spec: FormatSpec
    header: list[Any]
    records: Iterator[Record]


@dataclass
class ImportStream:
    """One file being read: its format, and its records one at a time."""

    path: Path
    format: str
    channel: Channel | None
    ctx: Context
    parts: list[_Part] = field(default_factory=list)
    json_text: str | None = None

    @property
    def notes(self) -> list[str]:
        return self.ctx.notes

    def __iter__(self) -> Iterator[Outcome]:
        if self.json_text is not None:
            yield from parse_json_file(self.ctx, self.json_text)
            return
        for part in self.parts:
            yield from part.spec.parse(self.ctx, part.header, part.records)


def _best(
    candidates: list[tuple[int, list[Any]]], specs: tuple[FormatSpec, ...]
) -> tuple[tuple[FormatSpec, int, list[Any]] | None, tuple[str | None, list[str]]]:
    best: tuple[float, int, FormatSpec, int, list[Any], list[str]] | None = None
    for index, header in candidates:
        if len([c for c in header if c not in (None, "")]) < 2:
            continue
        for spec in specs:
            score, matched, missing = spec.score(header)
            key = (score, matched)
            if best is None or key > (best[0], best[1]):
                best = (score, matched, spec, index, header, missing)
    if best is None:
        return None, (None, [])
    score, _, spec, index, header, missing = best
    if score == 1.0:
        return (spec, index, header), (spec.name, [])
    readable = [display_name(m) for m in missing]
    return None, (spec.name, readable)


def _generic_json_missing(data: Any) -> list[str]:
    """Our JSON schema: a list of posts, or {"posts": [...], "assets": [...]}; the first item
    must carry the schema's keys, so other JSON files are not mistaken for it."""
    if isinstance(data, list):
        items = data
    elif isinstance(data, dict) and ({"posts", "assets"} & set(data)):
        items = list(data.get("posts") or []) or list(data.get("assets") or [])
        if not data.get("posts") and data.get("assets"):
            first = items[0] if items else {}
            return [k for k in ("id", "kind") if not isinstance(first, dict) or k not in first]
    else:
        return ["posts"]
    first = items[0] if items else {}
    if not isinstance(first, dict):
        return ["id", "channel", "published_at"]
    return [k for k in ("id", "channel", "published_at") if k not in first]


def _is_generic(header: list[Any]) -> bool:
    names = {normalize(h) for h in header}
    return "id" in names and ("publishedat" in names or "kind" in names)


def _channel_hint(path: Path, preamble: list[Record]) -> Channel | None:
    text = " ".join(str(c) for r in preamble for c in r.cells).lower()
    for channel in (Channel.instagram, Channel.facebook, Channel.linkedin):
        if channel.value in text:
            return channel
    for part in reversed(path.parts[:-1]):
        try:
            return Channel(part.lower())
        except ValueError:
            continue
    return None


def _open_csv(path: Path, encoding: str, ctx: Context, channel: Channel | None) -> ImportStream:
    head: list[Record] = []
    stream = csv_records(path, encoding)
    for rec in stream:
        head.append(rec)
        if len(head) >= HEADER_SCAN:
            break
    if not head:
        raise Unreadable("the file has no rows")
    candidates = [(i, r.cells) for i, r in enumerate(head)]
    found, (closest, missing) = _best(candidates, FORMATS)
    if found is None:
        for i, r in enumerate(head):
            if _is_generic(r.cells):
                found = (GENERIC_CSV, i, r.cells)
                break
    if found is None:
        raise UnknownFormat(str(path), closest, missing)
    spec, index, header = found
    if spec.channel is None and spec is not GENERIC_CSV:
        ctx.channel = channel or _channel_hint(path, head[:index])
    else:
        ctx.channel = spec.channel

    def rest() -> Iterator[Record]:
        yield from head[index + 1 :]
        yield from stream

    return ImportStream(path, spec.name, ctx.channel, ctx, [_Part(spec, header, rest())])


def _open_xlsx(path: Path, ctx: Context) -> ImportStream:
    parts: list[_Part] = []
    closest: tuple[str | None, list[str]] = (None, [])
    sheet_specs = tuple(s for s in FORMATS if s.sheet)
    for sheet in xlsx_sheets(path):
        records = xlsx_records(path, sheet)
        head: list[Record] = []
        for rec in records:
            head.append(rec)
            if len(head) >= HEADER_SCAN:
                break
        found, near = _best([(i, r.cells) for i, r in enumerate(head)], sheet_specs)
        if found is None:
            closest = near if near[0] and not closest[0] else closest
            continue
        spec, index, header = found

        def rest(
            head: list[Record] = head, index: int = index, records: Iterator[Record] = records
        ) -> Iterator[Record]:
            yield from head[index + 1 :]
            yield from records

        parts.append(_Part(spec, header, rest()))
    if not parts:
        raise UnknownFormat(str(path), closest[0], closest[1])
    # Posts first, so the file is reported by its main content.
    parts.sort(key=lambda p: p.spec.name != "linkedin_page_content")
    main = parts[0].spec
    ctx.channel = main.channel
    return ImportStream(path, main.name, main.channel, ctx, parts)


def open_export(
    path: Path, *, workspace: str, timezone: str = "Europe/Oslo", channel: Channel | None = None
) -> ImportStream:
    """Recognise a file's format and return a stream of its records.

    Raises Unreadable (empty, binary, broken) or UnknownFormat (closest format, missing headers).
    """
    ctx = Context(workspace=workspace, tz=ZoneInfo(timezone))
    if not path.is_file():
        raise Unreadable(f"{path} is not a file")
    encoding, note = sniff_encoding(path)
    if note:
        ctx.notes.append(note)
    if encoding == "xlsx":
        return _open_xlsx(path, ctx)
    if path.suffix.lower() in (".json", ".jsonl"):
        try:
            text = path.read_text(encoding=encoding)
            data = json.loads(text)
        except (ValueError, UnicodeDecodeError) as exc:
            raise Unreadable(f"not valid JSON: {exc}") from exc
        missing = _generic_json_missing(data)
        if missing:
            raise UnknownFormat(str(path), "gjenbruk_json", missing)
        return ImportStream(path, "gjenbruk_json", None, ctx, json_text=text)
    try:
        return _open_csv(path, encoding, ctx, channel)
    except UnicodeDecodeError as exc:
        raise Unreadable(f"cannot decode the file as {encoding}: {exc.reason}") from exc
