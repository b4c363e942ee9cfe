"""Place a file's columns by what their values look like, not only by their header names.

Each column is profiled over the sampled rows (long numeric IDs, platform permalinks, timestamps,
free text, counts, a small vocabulary), then every field a format reads is placed by, in order:

1. a mapping a person confirmed (for this file's header signature);
2. its header, when the alias table knows the name (and the values do not contradict it);
3. its position in one of the format's known layouts, when the values there fit the field and
   the columns around it line up with the layout too (a translated export keeps the platform's
   column order, whatever the language of its header);
4. content alone, for the kinds a file holds once (the one ID column, the one permalink, the
   one timestamp, the longest text) and for sums (reactions + comments + shares = the combined
   column).

Every placement has a confidence and a reason; the caller asks a person when a required field
falls below the bar, instead of guessing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any
from zoneinfo import ZoneInfo

from service.domain import Channel
from service.library.importers.aliases import layouts, locate, normalize
from service.library.importers.model import InferredColumn
from service.library.importers.parsing import CellError, parse_count, parse_float, parse_timestamp

SAMPLE_ROWS = 200
_URL_CHANNEL = (
    (
        re.compile(r"^https?://([\w-]+\.)*(facebook\.com|fb\.com|fb\.watch)/", re.I),
        Channel.facebook,
    ),
    (re.compile(r"^https?://([\w-]+\.)*instagram\.com/", re.I), Channel.instagram),
    (re.compile(r"^https?://([\w-]+\.)*linkedin\.com/", re.I), Channel.linkedin),
    (re.compile(r"^https?://([\w-]+\.)*(twitter\.com|x\.com)/", re.I), Channel.x),
)
_ID = re.compile(r"^\d{8,25}(_\d{8,25})?$")
_SERIAL_DAYS = (36526.0, 73051.0)  # Excel serials of 2000-01-01 and 2100-01-01
# Words Business Suite, LinkedIn and Insights write in their post-type columns, in the languages
# seen; a column of these is a post type whatever its header says.
POST_TYPES = {
    normalize(w)
    for w in [
        "Photos",
        "Photo",
        "Videos",
        "Video",
        "Reels",
        "Reel",
        "Links",
        "Link",
        "Text",
        "Status",
        "Carousel",
        "Album",
        "Live",
        "Event",
        "Offer",
        "Note",
        "Story",
        "Stories",
        "IG_image",
        "IG_carousel",
        "IG_reel",
        "IG",
        "image",
        "IG",
        "carousel",
        "IG",
        "reel",
        "Bilder",
        "Bilde",
        "Lenker",
        "Lenke",
        "Tekst",
        "Filmer",
        "Bilar",
        "Länkar",
        "Fotos",
        "Enlaces",
        "Liens",
        "Vidéos",
        "Zdjęcia",
        "Image",
        "Images",
        "Document",
        "Article",
        "Poll",
        "Organic",
        "Sponsored",
    ]
} | {normalize(w) for w in ("IG image", "IG carousel", "IG reel", "Carrousel IG", "IG-bild")}

KIND_LABEL = {
    "id": "long numeric IDs",
    "const_id": "one numeric ID on every row",
    "url": "permalinks",
    "time": "timestamps",
    "text": "free text",
    "count": "whole numbers",
    "decimal": "decimal numbers",
    "vocab": "a small vocabulary",
    "post_type": "post-type words",
    "empty": "no values",
    "other": "mixed values",
}

# What each field's values look like. A field missing here accepts any column.
_TEXTUAL = {"text", "vocab", "empty", "other", "post_type"}
_COUNT = {"count", "empty"}
FIELD_KINDS: dict[str, set[str]] = {
    "post_id": {"id"},
    "x_tweet_id": {"id"},
    "page_id": {"const_id", "id"},
    "account_id": {"const_id", "id"},
    "page_name": {"vocab", "text"},
    "account_username": {"vocab", "text"},
    "account_name": {"vocab", "text"},
    "title": _TEXTUAL,
    "description": _TEXTUAL,
    "legacy_post_message": _TEXTUAL,
    "li_title": _TEXTUAL,
    "x_text": _TEXTUAL,
    "publish_time": {"time"},
    "legacy_posted": {"time"},
    "li_created": {"time"},
    "x_time": {"time"},
    "followers_date": {"time"},
    "permalink": {"url", "empty"},
    "li_link": {"url"},
    "x_permalink": {"url", "empty"},
    "post_type": {"vocab", "post_type", "empty"},
    "legacy_type": {"vocab", "post_type", "empty"},
    "li_post_type": {"vocab", "post_type", "empty"},
    "li_content_type": {"vocab", "post_type", "empty"},
    "li_posted_by": {"vocab", "text", "empty"},
    "date": {"vocab", "empty"},
    "duration": {"count", "decimal", "empty"},
    "seconds_viewed": {"count", "decimal", "empty"},
    "is_share": {"count", "empty"},
    "is_crosspost": {"count", "empty"},
}
_COUNT_FIELDS = [
    "views",
    "impressions",
    "reach",
    "reactions_comments_shares",
    "reactions",
    "comments",
    "shares",
    "likes",
    "saves",
    "follows",
    "total_clicks",
    "link_clicks",
    "legacy_reach",
    "legacy_impressions",
    "legacy_engaged_users",
    "li_impressions",
    "li_clicks",
    "li_likes",
    "li_comments",
    "li_reposts",
    "li_follows",
    "li_total_followers",
    "x_impressions",
    "x_engagements",
    "x_retweets",
    "x_replies",
    "x_likes",
    "x_bookmarks",
    "x_url_clicks",
    "x_new_follows",
    "followers_value",
]
FIELD_KINDS.update({f: _COUNT for f in _COUNT_FIELDS})
# Fields a kind identifies on its own when a file holds that kind once.
_DISTINCT = {"id", "url", "time", "text", "const_id"}
# Sums the platforms define: the total column equals its parts on every row.
SUMS: dict[str, tuple[str, ...]] = {
    "reactions_comments_shares": ("reactions", "comments", "shares"),
}


@dataclass
class ColumnProfile:
    index: int
    header: str
    kind: str
    samples: list[str]
    channel: Channel | None = None
    counts: list[int | None] = field(default_factory=list)  # per sampled row, for sums
    mean_length: float = 0.0
    varying_time: bool = False

    @property
    def label(self) -> str:
        where = f" ({self.channel.value})" if self.channel else ""
        return KIND_LABEL[self.kind] + where


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value).strip()


def _is_time(value: Any, tz: ZoneInfo) -> bool:
    if isinstance(value, dt.datetime | dt.date):
        return True
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _SERIAL_DAYS[0] <= float(value) < _SERIAL_DAYS[1]
    text = str(value).strip()
    if text.isdigit() and len(text) != 5:
        return False
    try:
        parse_timestamp(text, tz)
    except (CellError, ValueError, OverflowError):
        return False
    return True


def _times_of_day(values: Sequence[Any], tz: ZoneInfo) -> set[dt.time]:
    out: set[dt.time] = set()
    for v in values[:50]:
        try:
            out.add(parse_timestamp(v, tz).time())
        except (CellError, ValueError, OverflowError):
            continue
    return out


def _count(value: Any) -> int | None:
    try:
        return parse_count(value)
    except CellError:
        return None


def profile_columns(
    header: Sequence[Any], rows: Sequence[Sequence[Any]], tz: ZoneInfo
) -> list[ColumnProfile]:
    width = max([len(header), *(len(r) for r in rows)])
    out: list[ColumnProfile] = []
    for i in range(width):
        raw = [r[i] for r in rows if i < len(r)]
        values = [v for v in raw if _as_text(v) and _as_text(v).lower() not in ("-", "n/a", "--")]
        texts = [_as_text(v) for v in values]
        name = _as_text(header[i]) if i < len(header) else ""
        prof = ColumnProfile(
            index=i,
            header=name or f"column {i + 1}",
            kind="empty",
            samples=list(dict.fromkeys(texts))[:3],
        )
        prof.counts = [_count(r[i]) if i < len(r) else None for r in rows]
        out.append(prof)
        if not values:
            continue
        n = len(values)
        share = 0.9 * n
        unique = len(set(texts))
        prof.mean_length = sum(map(len, texts)) / n
        channels = [c for t in texts for rx, c in _URL_CHANNEL if rx.match(t)]
        if sum(t.lower().startswith(("http://", "https://")) for t in texts) >= share:
            prof.kind = "url"
            prof.channel = max(set(channels), key=channels.count) if channels else None
        elif sum(bool(_ID.match(t)) for t in texts) >= share:
            prof.kind = "const_id" if unique == 1 and n > 1 else "id"
        elif sum(_is_time(v, tz) for v in values) >= share and not all(
            isinstance(v, int) or (isinstance(v, str) and v.strip().isdigit()) for v in values
        ):
            # A column of plain integers is counted, not dated: serials alone are ambiguous.
            prof.kind = "time"
            prof.varying_time = len(_times_of_day(values, tz)) > 1
        elif sum(_count(v) is not None for v in values) >= share:
            prof.kind = "count"
        elif sum(_float(v) for v in values) >= n:
            prof.kind = "decimal"
        elif sum(normalize(t) in POST_TYPES for t in texts) >= share:
            prof.kind = "post_type"
        elif prof.mean_length >= 25 and sum(" " in t for t in texts) >= 0.6 * n:
            prof.kind = "text"
        elif unique <= max(12, n // 2):
            prof.kind = "vocab"
        else:
            prof.kind = "text" if " " in "".join(texts) else "other"
    return out


def _float(value: Any) -> bool:
    try:
        return parse_float(value) is not None
    except CellError:
        return False


def header_signature(header: Sequence[Any], profiles: Sequence[ColumnProfile] | None = None) -> str:
    """The same export layout gives the same signature whatever the column order; a file with
    no header row is known by the kinds of its columns."""
    names = sorted(normalize(h) for h in header if normalize(h))
    if not names and profiles is not None:
        names = ["#" + p.kind for p in profiles]
    return hashlib.sha256("\x1f".join(names).encode()).hexdigest()[:24]


def compatible(field_name: str, kind: str) -> bool:
    allowed = FIELD_KINDS.get(field_name)
    return allowed is None or kind in allowed


@dataclass
class Placement:
    """One format's reading of a file: which column holds which field, and how sure we are."""

    format: str
    columns: dict[str, int]
    inferred: list[InferredColumn]
    confidence: dict[str, float]
    unsure: list[str]
    fit: float
    channel_conflict: bool = False

    @property
    def confident(self) -> bool:
        return not self.unsure and not self.channel_conflict


def _layout_fields(layout: Sequence[str], fields: Sequence[str]) -> list[str | None]:
    found = locate(layout, fields)
    by_index = {i: f for f, i in found.items()}
    return [by_index.get(i) for i in range(len(layout))]


def _align(
    profiles: Sequence[ColumnProfile],
    slots: Sequence[str | None],
    anchored: dict[int, str],
) -> tuple[float, dict[int, int]]:
    """Best order-preserving alignment of file columns to layout slots (Needleman-Wunsch with
    free gaps): a column aligns where its values fit the slot's field; header matches anchor."""
    n, m = len(profiles), len(slots)
    neg = float("-inf")
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    move = [[0] * (m + 1) for _ in range(n + 1)]  # 0 diag, 1 skip column, 2 skip slot
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            prof, slot = profiles[i - 1], slots[j - 1]
            gain = neg
            if prof.index in anchored:
                gain = 6.0 if slot == anchored[prof.index] else neg
            elif slot is None or prof.kind == "empty":
                # A column the format does not read, or one with no values: a placeholder that
                # keeps the order, worth less than a column whose values fit its field.
                gain = 0.25
            elif compatible(slot, prof.kind):
                gain = 1.0 + (1.0 if prof.kind in _DISTINCT else 0.0)
            best, how = score[i - 1][j], 1
            if score[i][j - 1] > best:
                best, how = score[i][j - 1], 2
            if gain != neg and score[i - 1][j - 1] + gain >= best:
                best, how = score[i - 1][j - 1] + gain, 0
            score[i][j], move[i][j] = best, how
    pairs: dict[int, int] = {}
    i, j = n, m
    while i > 0 and j > 0:
        if move[i][j] == 0:
            pairs[i - 1] = j - 1
            i, j = i - 1, j - 1
        elif move[i][j] == 1:
            i -= 1
        else:
            j -= 1
    return score[n][m], pairs


def _segment_consistent(pairs: dict[int, int], col: int, n: int, m: int) -> bool:
    """A column placed by position is trusted when the aligned columns on both sides of it sit
    at the same distance from it in the file as in the layout (nothing dropped or added between)."""
    slot = pairs[col]
    left = [c for c in pairs if c < col]
    right = [c for c in pairs if c > col]
    ok_left = (col - max(left) == slot - pairs[max(left)]) if left else col == slot
    ok_right = (min(right) - col == pairs[min(right)] - slot) if right else (n - col == m - slot)
    return ok_left and ok_right


def place(
    fmt: str,
    fields: Sequence[str],
    groups: Sequence[Sequence[str]],
    channel: Channel | None,
    header: Sequence[Any],
    profiles: Sequence[ColumnProfile],
    *,
    confirmed: dict[str, int] | None = None,
    min_confidence: float = 0.7,
    headerless: bool = False,
) -> Placement:
    confirmed = confirmed or {}
    cols: dict[str, int] = {}
    conf: dict[str, float] = {}
    why: dict[str, str] = {}
    for f, i in confirmed.items():
        cols[f], conf[f], why[f] = i, 1.0, "confirmed by a person"
    taken = set(cols.values())
    if not headerless:
        for f, i in locate(header, fields).items():
            if f in cols or i in taken:
                continue
            kind = profiles[i].kind if i < len(profiles) else "empty"
            if compatible(f, kind) or kind == "empty":
                cols[f], conf[f], why[f] = i, 0.98, "header name"
            else:
                # A known name is strong evidence; only a time or a link that does not parse
                # as one is doubted (a short post id or a text-only count is still that field).
                strict = bool(FIELD_KINDS.get(f, set()) & {"time", "url"})
                cols[f], conf[f] = i, 0.4 if strict else 0.75
                why[f] = f"header name, but the values are {profiles[i].label}"
            taken.add(i)
    named = set(cols)
    fit = 0.0
    best_layout: tuple[float, dict[int, int], list[str | None]] | None = None
    anchored = {i: f for f, i in cols.items() if conf[f] >= 0.9}
    for layout in layouts().get(fmt, ()):
        slots = _layout_fields(layout, fields)
        score, pairs = _align(profiles, slots, anchored)
        if best_layout is None or score > best_layout[0]:
            best_layout = (score, pairs, slots)
    if best_layout is not None:
        _, pairs, slots = best_layout
        n, m = len(profiles), len(slots)
        fit = sum(
            1
            for c, s in pairs.items()
            if slots[s] is None or compatible(str(slots[s]), profiles[c].kind)
        ) / max(n, m, 1)
        for c, slot_index in sorted(pairs.items()):
            slot = slots[slot_index]
            if slot is None or slot in cols or c in taken:
                continue
            f = slot
            prof = profiles[c]
            if prof.kind == "empty" and f not in ("title", "permalink"):
                continue
            steady = _segment_consistent(pairs, c, n, m)
            distinct = prof.kind in _DISTINCT and sum(p.kind == prof.kind for p in profiles) == 1
            value = 0.9 if steady else (0.75 if distinct else 0.45)
            # A layout that fits the file only in part is weak evidence for any one position.
            value *= min(1.0, fit / 0.85)
            cols[f], conf[f] = c, round(value, 2)
            why[f] = (
                f"position {c + 1} of the known {fmt} layout"
                + ("" if steady else " (columns around it moved)")
                + f"; values are {prof.label}"
            )
            taken.add(c)
    _content_only(fields, profiles, cols, conf, why, taken)
    _check_sums(profiles, cols, conf, why, taken, fields)
    inferred = [
        InferredColumn(
            field=f,
            column=profiles[i].header if i < len(profiles) else f"column {i + 1}",
            index=i,
            confidence=conf[f],
            reason=why[f],
            samples=profiles[i].samples if i < len(profiles) else [],
        )
        for f, i in sorted(cols.items(), key=lambda kv: kv[1])
        if f not in named or conf[f] < 0.9
    ]
    unsure = [g[0] for g in groups if not any(f in cols and conf[f] >= min_confidence for f in g)]
    conflict = False
    if channel is not None:
        urls = [p.channel for p in profiles if p.kind == "url" and p.channel is not None]
        conflict = bool(urls) and channel not in urls
    return Placement(fmt, cols, inferred, conf, unsure, fit, conflict)


def _content_only(
    fields: Sequence[str],
    profiles: Sequence[ColumnProfile],
    cols: dict[str, int],
    conf: dict[str, float],
    why: dict[str, str],
    taken: set[int],
) -> None:
    free = [p for p in profiles if p.index not in taken]
    for f in fields:
        if f in cols:
            continue
        kinds = FIELD_KINDS.get(f, set())
        distinct = kinds & _DISTINCT
        if not distinct:
            continue
        cands = [p for p in free if p.kind in distinct and p.index not in taken]
        if not cands:
            continue
        if "time" in distinct and len(cands) > 1:
            cands = [p for p in cands if p.varying_time] or cands
        if "text" in distinct:
            cands.sort(key=lambda p: -p.mean_length)
            lone = len(cands) == 1 or cands[0].mean_length > 2 * cands[1].mean_length
        else:
            lone = len(cands) == 1
        best = cands[0]
        cols[f], conf[f] = best.index, 0.8 if lone else 0.35
        why[f] = f"the {'only' if lone else 'first of several'} column of {best.label}"
        taken.add(best.index)


def _check_sums(
    profiles: Sequence[ColumnProfile],
    cols: dict[str, int],
    conf: dict[str, float],
    why: dict[str, str],
    taken: set[int],
    fields: Sequence[str],
) -> None:
    """A total that equals its parts on every row confirms all of them; one that does not is a
    sign the columns were placed wrong."""
    for total, parts in SUMS.items():
        if total not in fields:
            continue
        if total in cols and all(p in cols for p in parts):
            rows = _sum_rows(profiles, cols[total], [cols[p] for p in parts])
            if rows is None:
                continue
            if rows[0] == rows[1] and rows[1] > 0:
                for f in (total, *parts):
                    if conf[f] < 0.95:
                        conf[f] = 0.95
                        why[f] += f"; {total} = {' + '.join(parts)} on all {rows[1]} rows"
            elif rows[0] < 0.9 * rows[1]:
                for f in (total, *parts):
                    if conf[f] < 0.98:
                        conf[f] = min(conf[f], 0.4)
                        why[f] += f"; but {total} ≠ {' + '.join(parts)} on {rows[1] - rows[0]} rows"
        elif total not in cols:
            counts = [p for p in profiles if p.kind == "count" and p.index not in taken]
            for cand in counts:
                others = [p.index for p in counts if p.index != cand.index]
                for combo in combinations(others, len(parts)):
                    rows = _sum_rows(profiles, cand.index, list(combo))
                    if rows and rows[0] == rows[1] and rows[1] >= 2:
                        cols[total], conf[total] = cand.index, 0.85
                        why[total] = (
                            f"equals the sum of columns {', '.join(str(c + 1) for c in combo)} "
                            f"on all {rows[1]} rows"
                        )
                        taken.add(cand.index)
                        break
                if total in cols:
                    break


def _sum_rows(
    profiles: Sequence[ColumnProfile], total: int, parts: Sequence[int]
) -> tuple[int, int] | None:
    """(rows where the sum holds, rows with every value present)."""
    series = [profiles[total].counts, *(profiles[p].counts for p in parts)]
    good = seen = 0
    for values in zip(*series, strict=False):
        if any(v is None for v in values):
            continue
        seen += 1
        good += int(values[0] == sum(v for v in values[1:] if v is not None))
    if seen == 0 or all(v == 0 for v in profiles[total].counts if v is not None):
        return None
    return good, seen
