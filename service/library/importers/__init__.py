"""Import the platforms' own export files, as they are, in any language.

A file's header row and format are found by the alias table (names the platforms write) and by
the columns' content and order (importers/inference.py), so a translated, renamed or reordered
export still imports; where a required field cannot be placed with confidence the file is not
refused but answered with a mapping proposal, which a person confirms once per header
signature. Everything streams: rows are parsed and handed on one at a time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from service.domain import Channel
from service.errors import Invalid
from service.library.importers.aliases import display_name, normalize
from service.library.importers.formats import (
    FORMATS,
    GENERIC_CSV,
    Context,
    FormatSpec,
    parse_json_file,
)
from service.library.importers.inference import (
    SAMPLE_ROWS,
    ColumnProfile,
    Placement,
    header_signature,
    place,
    profile_columns,
)
from service.library.importers.limits import (
    ImportLimits,
    check_file,
    check_json_depth,
    check_workbook,
    validate_timezone,
)
from service.library.importers.model import (
    FileReport,
    FollowerDelta,
    InferredColumn,
    MappingNeeded,
    MappingProposal,
    Outcome,
    SkippedRow,
    TooLarge,
    UnknownFormat,
    Unreadable,
)
from service.library.importers.readers import (
    Record,
    csv_records,
    sniff_encoding,
    xlsx_records,
    xlsx_sheets,
)

__all__ = [
    "FileReport",
    "FollowerDelta",
    "ImportLimits",
    "ImportStream",
    "MappingNeeded",
    "MappingProposal",
    "SkippedRow",
    "TooLarge",
    "UnknownFormat",
    "Unreadable",
    "open_export",
]

HEADER_SCAN = 10
Remembered = Callable[[str], dict[str, str] | None]  # header signature -> a confirmed mapping


@dataclass
class _Part:
    spec: FormatSpec
    header: list[Any]
    records: Iterator[Record]
    columns: dict[str, int]


@dataclass
class ImportStream:
    """One file being read: its format, and its records one at a time."""

    path: Path
    format: str
    channel: Channel | None
    ctx: Context
    parts: list[_Part] = field(default_factory=list)
    json_text: str | None = None
    signature: str | None = None
    inferred: list[InferredColumn] = field(default_factory=list)
    mapping_source: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)  # field -> column, as confirmed
    max_rows: int = ImportLimits().max_rows

    @property
    def notes(self) -> list[str]:
        return self.ctx.notes

    def __iter__(self) -> Iterator[Outcome]:
        for rows, item in enumerate(self._items(), start=1):
            if rows > self.max_rows:
                raise TooLarge(
                    f"more than {self.max_rows} rows (GJENBRUK_IMPORT_MAX_ROWS); "
                    "the rows before the limit are kept"
                )
            yield item

    def _items(self) -> Iterator[Outcome]:
        if self.json_text is not None:
            yield from parse_json_file(self.ctx, self.json_text)
            return
        for part in self.parts:
            self.ctx.columns = part.columns
            yield from part.spec.parse(self.ctx, part.header, part.records)


# --- finding the header row -------------------------------------------------------------


def _alias_best(
    candidates: list[tuple[int, list[Any]]], specs: Sequence[FormatSpec]
) -> tuple[FormatSpec | None, int, float, list[str]]:
    best: tuple[float, int, FormatSpec, int, list[str]] | None = None
    for index, header in candidates:
        if len([c for c in header if c not in (None, "")]) < 2:
            continue
        for spec in specs:
            score, matched, missing = spec.score(header)
            if best is None or (score, matched) > (best[0], best[1]):
                best = (score, matched, spec, index, missing)
    if best is None:
        return None, -1, 0.0, []
    return best[2], best[3], best[0], [display_name(m) for m in best[4]]


def _looks_like_data(cells: Sequence[Any], tz: ZoneInfo) -> bool:
    prof = profile_columns(["x"] * len(cells), [list(cells)], tz)
    return (
        sum(p.kind in ("id", "url", "time", "const_id") for p in prof) >= 1
        and sum(p.kind in ("count", "decimal", "id", "url", "time") for p in prof) >= 2
    )


def _looks_like_header(cells: Sequence[Any], tz: ZoneInfo) -> bool:
    filled = [c for c in cells if c not in (None, "")]
    if len(filled) < 2 or len(filled) < 0.6 * len(cells):
        return False
    prof = profile_columns(["x"] * len(cells), [list(cells)], tz)
    return not any(p.kind in ("id", "url", "time", "count", "decimal", "const_id") for p in prof)


def _only_words(cells: Sequence[Any], tz: ZoneInfo) -> bool:
    prof = profile_columns(["x"] * len(cells), [list(cells)], tz)
    return not any(p.kind in ("id", "url", "time", "count", "decimal", "const_id") for p in prof)


def _header_index(head: list[Record], specs: Sequence[FormatSpec], tz: ZoneInfo) -> int | None:
    """Index of the header row in `head`, -1 for a file without one, None when unknown."""
    rows = [r for r in head[:HEADER_SCAN]]
    spec, index, score, _ = _alias_best([(i, r.cells) for i, r in enumerate(rows)], specs)
    if spec is not None and score == 1.0:
        return index
    for i, rec in enumerate(rows):
        if not _looks_like_header(rec.cells, tz):
            continue
        width = len([c for c in rec.cells if c not in (None, "")])
        after = [r for r in head[i + 1 : i + 4] if r.cells]
        if any(_looks_like_data(r.cells, tz) and len(r.cells) >= width for r in after):
            return i
    if rows and _looks_like_data(rows[0].cells, tz):
        return -1
    return index if spec is not None and score > 0 else None


# --- mapping ------------------------------------------------------------------------------

_PREFIXES = ("li_", "x_", "legacy_")


def _field_for(name: str, spec: FormatSpec) -> str | None:
    key = normalize(name)
    for f in spec.fields:
        if normalize(f) == key:
            return f
    for f in spec.fields:
        for prefix in _PREFIXES:
            if f.startswith(prefix) and normalize(f[len(prefix) :]) == key:
                return f
    return None


def _column_for(name: str, profiles: Sequence[ColumnProfile]) -> int | None:
    key = normalize(name)
    for p in profiles:
        if normalize(p.header) == key:
            return p.index
    digits = "".join(ch for ch in name if ch.isdigit())
    if digits and normalize(name) in (f"column{digits}", digits, f"kolonne{digits}"):
        index = int(digits) - 1
        return index if 0 <= index < len(profiles) else None
    return None


def resolve_mapping(
    mapping: dict[str, str], spec: FormatSpec, profiles: Sequence[ColumnProfile]
) -> dict[str, int] | None:
    """Field -> column index for this format, or None when a field name is not one of its."""
    out: dict[str, int] = {}
    for name, column in mapping.items():
        f = _field_for(name, spec)
        if f is None:
            return None
        index = _column_for(str(column), profiles)
        if index is None:
            known = ", ".join(repr(p.header) for p in profiles)
            raise Invalid(
                f"mapping {name}={column!r}: the file has no such column (it has {known})",
                details={"field": name, "column": column},
            )
        out[f] = index
    return out


# --- detection ----------------------------------------------------------------------------


@dataclass
class _Detected:
    spec: FormatSpec
    header: list[Any]
    index: int
    placement: Placement
    profiles: list[ColumnProfile]
    signature: str
    source: str | None
    header_score: float


def _detect(
    head: list[Record],
    specs: Sequence[FormatSpec],
    tz: ZoneInfo,
    mapping: dict[str, str] | None,
    remembered: Remembered | None,
    min_confidence: float,
) -> _Detected | tuple[str | None, list[str]]:
    """The best reading of a file's first rows, or (closest format, missing) when none."""
    index = _header_index(head, specs, tz)
    alias_spec, _, _, alias_missing = _alias_best(
        [(i, r.cells) for i, r in enumerate(head[:HEADER_SCAN])], specs
    )
    if index is None:
        return (alias_spec.name if alias_spec else None), alias_missing
    headerless = index < 0
    data = [r for r in head[index + 1 :] if r.cells and any(c not in (None, "") for c in r.cells)]
    # Insights' description row ("Lifetime: The number of ...") sits between header and data.
    while data and len(data) > 1 and _only_words(data[0].cells, tz):
        data = data[1:]
    width = max([len(r.cells) for r in data[:SAMPLE_ROWS]] or [len(head[max(index, 0)].cells)])
    header = [f"column {i + 1}" for i in range(width)] if headerless else list(head[index].cells)
    profiles = profile_columns(header, [r.cells for r in data[:SAMPLE_ROWS]], tz)
    signature = header_signature([] if headerless else header, profiles)
    source: str | None = None
    chosen = mapping
    if chosen:
        source = "confirmed"
    elif remembered is not None:
        chosen = remembered(signature)
        source = "remembered" if chosen else None
    best: tuple[tuple[Any, ...], _Detected] | None = None
    for spec in specs:
        confirmed = resolve_mapping(chosen, spec, profiles) if chosen else {}
        if confirmed is None:
            continue
        placement = place(
            spec.name,
            spec.fields,
            spec.groups,
            spec.channel,
            header,
            profiles,
            confirmed=confirmed,
            min_confidence=min_confidence,
            headerless=headerless,
        )
        score = spec.score(header)[0] if not headerless else 0.0
        placed = sum(
            1 for g in spec.groups if any(placement.confidence.get(f, 0) >= 0.3 for f in g)
        )
        evidence = sum(
            max((placement.confidence.get(f, 0.0) for f in g), default=0.0) for g in spec.groups
        ) / len(spec.groups)
        key = (
            placement.confident,
            not placement.channel_conflict,
            round(evidence, 1),
            round(score, 2),
            round(placement.fit, 1),
            placed / len(spec.groups),
            sum(placement.confidence.values()),
        )
        if best is None or key > best[0]:
            best = (
                key,
                _Detected(spec, header, index, placement, profiles, signature, source, score),
            )
    if chosen and best is None:
        raise Invalid(
            "the mapping names fields no format has: " + ", ".join(sorted(chosen)),
            details={"mapping": chosen},
        )
    if best is None:
        return None, []
    found = best[1]
    placed_share = best[0][4]
    if not found.placement.confident and placed_share < 0.5 and found.placement.fit < 0.6:
        return found.spec.name, [display_name(u) for u in found.placement.unsure] or alias_missing
    return found


def _proposal(found: _Detected, channel: Channel | None, rows: int) -> MappingProposal:
    p = found.placement
    known = found.spec.channel or channel
    return MappingProposal(
        format=found.spec.name,
        channel=known.value if known else None,
        signature=found.signature,
        columns=[c.header for c in found.profiles],
        fields=[
            InferredColumn(
                field=f,
                column=found.profiles[i].header,
                index=i,
                confidence=p.confidence[f],
                reason=next((x.reason for x in p.inferred if x.field == f), "header name"),
                samples=found.profiles[i].samples,
            )
            for f, i in sorted(p.columns.items(), key=lambda kv: kv[1])
        ],
        unsure=[display_name(u) if u in _display_fields() else u for u in p.unsure],
        rows=rows,
    )


def _display_fields() -> set[str]:
    from service.library.importers.aliases import aliases

    return set(aliases())


def _count_rows(head: list[Record], index: int, rest: Iterator[Record], limit: int) -> int:
    n = 0
    for rec in [*head[index + 1 :], *rest]:
        if rec.cells and any(c not in (None, "") for c in rec.cells):
            n += 1
            if n >= limit:
                break
    return n


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


def _is_generic(header: list[Any]) -> bool:
    names = {normalize(h) for h in header}
    return "id" in names and ("publishedat" in names or "kind" in names)


def _read_head(records: Iterator[Record]) -> list[Record]:
    head: list[Record] = []
    for rec in records:
        head.append(rec)
        if len(head) >= HEADER_SCAN + SAMPLE_ROWS:
            break
    return head


def _chain(head: list[Record], start: int, rest: Iterator[Record]) -> Iterator[Record]:
    yield from head[start:]
    yield from rest


@dataclass
class _Options:
    mapping: dict[str, str] | None
    remembered: Remembered | None
    limits: ImportLimits


def _open_csv(
    path: Path, encoding: str, ctx: Context, channel: Channel | None, opt: _Options
) -> ImportStream:
    stream = csv_records(path, encoding)
    head = _read_head(stream)
    if not head:
        raise Unreadable("the file has no rows")
    for i, r in enumerate(head[:HEADER_SCAN]):
        if _is_generic(r.cells) and not opt.mapping:
            ctx.channel = None
            part = _Part(GENERIC_CSV, r.cells, _chain(head, i + 1, stream), {})
            out = ImportStream(path, GENERIC_CSV.name, None, ctx, [part])
            out.max_rows = opt.limits.max_rows
            return out
    found = _detect(head, FORMATS, ctx.tz, opt.mapping, opt.remembered, opt.limits.min_confidence)
    if isinstance(found, tuple):
        raise UnknownFormat(str(path), found[0], found[1])
    spec = found.spec
    if spec.channel is None:
        ctx.channel = channel or _channel_hint(path, head[: max(found.index, 0)])
    else:
        ctx.channel = spec.channel
    if not found.placement.confident:
        rows = _count_rows(head, found.index, stream, opt.limits.max_rows)
        raise MappingNeeded(str(path), _proposal(found, ctx.channel, rows))
    part = _Part(spec, found.header, _chain(head, found.index + 1, stream), found.placement.columns)
    return _stream(path, ctx, [part], found, opt)


def _stream(
    path: Path, ctx: Context, parts: list[_Part], found: _Detected, opt: _Options
) -> ImportStream:
    out = ImportStream(path, found.spec.name, ctx.channel, ctx, parts)
    out.signature = found.signature
    out.inferred = found.placement.inferred
    out.mapping_source = found.source
    if found.source:
        out.mapping = dict(
            opt.mapping or (opt.remembered(found.signature) if opt.remembered else {}) or {}
        )
    out.max_rows = opt.limits.max_rows
    if out.inferred:
        ctx.notes.append(
            "columns placed by content or layout: "
            + "; ".join(f"{c.field} = {c.column!r} ({c.reason})" for c in out.inferred)
        )
    return out


def _open_xlsx(path: Path, ctx: Context, opt: _Options) -> ImportStream:
    check_workbook(path, opt.limits)
    parts: list[tuple[_Part, _Detected]] = []
    closest: tuple[str | None, list[str]] = (None, [])
    unsure: tuple[_Detected, list[Record], Iterator[Record]] | None = None
    sheet_specs = tuple(s for s in FORMATS if s.sheet)
    for sheet in xlsx_sheets(path):
        records = xlsx_records(path, sheet)
        head = _read_head(records)
        if not head:
            continue
        found = _detect(
            head, sheet_specs, ctx.tz, opt.mapping, opt.remembered, opt.limits.min_confidence
        )
        if isinstance(found, tuple):
            closest = found if found[0] and not closest[0] else closest
            continue
        if not found.placement.confident:
            if unsure is None:
                unsure = (found, head, records)
            continue
        part = _Part(
            found.spec,
            found.header,
            _chain(head, found.index + 1, records),
            found.placement.columns,
        )
        parts.append((part, found))
    if not parts:
        if unsure is not None:
            found, head, records = unsure
            rows = _count_rows(head, found.index, records, opt.limits.max_rows)
            raise MappingNeeded(str(path), _proposal(found, found.spec.channel, rows))
        raise UnknownFormat(str(path), closest[0], closest[1])
    # Posts first, so the file is reported by its main content.
    parts.sort(key=lambda p: p[0].spec.name != "linkedin_page_content")
    main = parts[0][1]
    ctx.channel = main.spec.channel
    return _stream(path, ctx, [p for p, _ in parts], main, opt)


def open_export(
    path: Path,
    *,
    workspace: str,
    timezone: str = "Europe/Oslo",
    channel: Channel | None = None,
    mapping: dict[str, str] | None = None,
    remembered: Remembered | None = None,
    limits: ImportLimits | None = None,
) -> ImportStream:
    """Recognise a file's format and return a stream of its records.

    `mapping` (field -> column header) is a person's confirmation; `remembered` looks one up by
    the file's header signature. Raises Unreadable (empty, binary, broken), TooLarge (a limit),
    MappingNeeded (a proposal to confirm) or UnknownFormat (closest format, missing headers) —
    all `Invalid`, so they answer 4xx.
    """
    limits = limits or ImportLimits()
    ctx = Context(workspace=workspace, tz=ZoneInfo(validate_timezone(timezone)))
    check_file(path, limits)
    opt = _Options(mapping, remembered, limits)
    encoding, note = sniff_encoding(path)
    if note:
        ctx.notes.append(note)
    if encoding == "xlsx":
        return _open_xlsx(path, ctx, opt)
    if path.suffix.lower() in (".json", ".jsonl"):
        try:
            text = path.read_text(encoding=encoding)
        except UnicodeDecodeError as exc:
            raise Unreadable(f"not valid JSON: {exc.reason}") from exc
        check_json_depth(text, limits)
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise Unreadable(f"not valid JSON: {str(exc)[:200]}") from exc
        missing = _generic_json_missing(data)
        if missing:
            raise UnknownFormat(str(path), "gjenbruk_json", missing)
        out = ImportStream(path, "gjenbruk_json", None, ctx, json_text=text)
        out.max_rows = limits.max_rows
        return out
    return _open_csv(path, encoding, ctx, channel, opt)


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
