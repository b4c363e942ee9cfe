"""The export formats we read: how to recognise each, and how to turn its rows into records.

Engagements follow the method's definitions (shared/data ground truth `definitions`):
- Facebook (Business Suite): "Reactions, Comments and Shares" (else their sum)
- Facebook legacy Post Level: Lifetime Engaged Users
- Instagram: Likes + Comments + Shares + Saves (Follows are stored, not counted)
- LinkedIn: Clicks + Likes + Comments + Reposts + Follows (reach = Impressions: no reach column)
- X: the export's own Engagements column (reach = Impressions: X reports no reach)
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from service.domain import Asset, Channel, FollowerCount, Post, PostMetrics, SourceType
from service.library.importers.aliases import locate
from service.library.importers.model import FollowerDelta, Outcome, SkippedRow
from service.library.importers.parsing import (
    CellError,
    parse_count,
    parse_date,
    parse_float,
    parse_timestamp,
)
from service.library.importers.readers import Record


@dataclass
class Context:
    workspace: str
    tz: ZoneInfo
    channel: Channel | None = None
    notes: list[str] = field(default_factory=list)
    # Column of each field, when detection placed them (by name, layout, content or a person).
    columns: dict[str, int] | None = None
    # Which field a metric was read from, e.g. {"impressions": "views"}: a workspace whose files
    # switch between them is told that the numbers changed meaning.
    sources: dict[str, str] = field(default_factory=dict)


def columns(ctx: Context, header: Sequence[Any], fields: Sequence[str]) -> dict[str, int]:
    if ctx.columns is not None:
        return {f: i for f, i in ctx.columns.items() if f in fields}
    return locate(header, fields)


Parser = Callable[[Context, Sequence[Any], Iterator[Record]], Iterator[Outcome]]


@dataclass(frozen=True)
class FormatSpec:
    name: str
    channel: Channel | None
    groups: tuple[tuple[str, ...], ...]  # every group needs at least one of its fields
    fields: tuple[str, ...]  # everything the parser may read
    parse: Parser
    sheet: str | None = None  # for workbooks: the sheet holding the header

    def score(self, headers: Sequence[Any]) -> tuple[float, int, list[str]]:
        found = locate(headers, self.fields)
        missing = [g[0] for g in self.groups if not any(f in found for f in g)]
        return 1 - len(missing) / len(self.groups), len(found), missing


def _cell(cells: Sequence[Any], cols: dict[str, int], name: str) -> Any:
    i = cols.get(name)
    return cells[i] if i is not None and i < len(cells) else None


def _text(cells: Sequence[Any], cols: dict[str, int], name: str) -> str:
    value = _cell(cells, cols, name)
    return "" if value is None else str(value).strip()


def _count(
    cells: Sequence[Any], cols: dict[str, int], name: str, header: Sequence[Any]
) -> int | None:
    i = cols.get(name)
    if i is None or i >= len(cells):
        return None
    return parse_count(cells[i], str(header[i]))


def _sum(*values: int | None) -> int | None:
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def _rows(
    ctx: Context,
    header: Sequence[Any],
    records: Iterator[Record],
    build: Callable[[list[Any]], Outcome | None],
) -> Iterator[Outcome]:
    """Apply `build` to each data row; a row that cannot be read is reported, never dropped."""
    width = len(header)
    for rec in records:
        if not rec.cells:
            problem = rec.problem or "malformed CSV record"
            yield SkippedRow(row=rec.row, reason=f"line {rec.line}: {problem}")
            continue
        if all(c in (None, "") for c in rec.cells):
            continue  # blank spacer rows are not data
        if len(rec.cells) < width and any(str(c or "").strip() for c in rec.cells):
            yield SkippedRow(
                row=rec.row,
                reason=f"line {rec.line}: {len(rec.cells)} of {width} columns (truncated row?)",
            )
            continue
        if len(rec.cells) > width and any(str(c or "").strip() for c in rec.cells[width:]):
            # More filled cells than headers: a stray quote or delimiter shifted this row.
            yield SkippedRow(
                row=rec.row,
                reason=f"line {rec.line}: {len(rec.cells)} columns, the header has {width} "
                "(a stray quote or delimiter?)",
            )
            continue
        try:
            out = build(rec.cells)
        except (CellError, ValidationError, ValueError) as exc:
            yield SkippedRow(row=rec.row, reason=f"line {rec.line}: {_short(exc)}")
            continue
        if out is not None:
            yield out


def _short(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(exc)


# --- Meta Business Suite: Facebook and Instagram content exports -------------------------

META_COMMON = (
    "post_id",
    "title",
    "description",
    "publish_time",
    "permalink",
    "post_type",
    "date",
    "views",
    "impressions",
    "reach",
    "comments",
    "shares",
    "duration",
)
FB_FIELDS = (
    *META_COMMON,
    "page_id",
    "page_name",
    "reactions_comments_shares",
    "reactions",
    "total_clicks",
    "link_clicks",
    "is_share",
    "is_crosspost",
    "seconds_viewed",
)
IG_FIELDS = (
    *META_COMMON,
    "account_id",
    "account_username",
    "account_name",
    "likes",
    "saves",
    "follows",
)


def _meta_post(
    ctx: Context, header: Sequence[Any], cells: list[Any], cols: dict[str, int], channel: Channel
) -> Post:
    post_id = _text(cells, cols, "post_id")
    if not post_id:
        raise CellError("no Post ID")
    text = _text(cells, cols, "description") or _text(cells, cols, "title")
    published = parse_timestamp(_cell(cells, cols, "publish_time"), ctx.tz, "Publish time")
    reach = _count(cells, cols, "reach", header)
    views = _count(cells, cols, "views", header)
    impressions = _count(cells, cols, "impressions", header)
    comments = _count(cells, cols, "comments", header)
    shares = _count(cells, cols, "shares", header)
    if channel is Channel.facebook:
        reactions = _count(cells, cols, "reactions", header)
        rcs = _count(cells, cols, "reactions_comments_shares", header)
        metrics = PostMetrics(
            reach=reach,
            impressions=impressions if impressions is not None else views,
            video_views=views,
            reactions=reactions,
            comments=comments,
            shares=shares,
            clicks=_count(cells, cols, "total_clicks", header),
            watch_time_seconds=parse_float(_cell(cells, cols, "seconds_viewed"), "Seconds viewed"),
            engagements=rcs if rcs is not None else _sum(reactions, comments, shares),
        )
    else:
        likes = _count(cells, cols, "likes", header)
        saves = _count(cells, cols, "saves", header)
        metrics = PostMetrics(
            reach=reach,
            impressions=impressions if impressions is not None else views,
            video_views=views,
            reactions=likes,
            comments=comments,
            shares=shares,
            saves=saves,
            follows=_count(cells, cols, "follows", header),
            engagements=_sum(likes, comments, shares, saves),
        )
    is_share = _text(cells, cols, "is_share") in ("1", "true", "True")
    return Post(
        id=post_id,
        workspace=ctx.workspace,
        channel=channel,
        published_at=published,
        text=text,
        format=_text(cells, cols, "post_type"),
        permalink=_text(cells, cols, "permalink"),
        source_type=SourceType.partner if is_share else SourceType.own,
        metrics=metrics,
    )


def _meta_parser(channel: Channel, fields: tuple[str, ...]) -> Parser:
    def parse(ctx: Context, header: Sequence[Any], records: Iterator[Record]) -> Iterator[Outcome]:
        cols = columns(ctx, header, fields)
        if "impressions" in cols or "views" in cols:
            ctx.sources["impressions"] = "impressions" if "impressions" in cols else "views"
        if "date" in cols:
            ctx.notes.append("metrics are lifetime totals as exported")
        return _rows(ctx, header, records, lambda c: _meta_post(ctx, header, c, cols, channel))

    return parse


# --- Meta Business Suite / Insights daily page exports (followers) -----------------------


def _followers(ctx: Context, header: Sequence[Any], records: Iterator[Record]) -> Iterator[Outcome]:
    cols = columns(ctx, header, ("followers_date", "followers_value"))
    channel = ctx.channel
    if channel is None:
        raise CellError(
            "cannot tell whether this follower file is Facebook or Instagram; "
            "put it in a folder named facebook/ or instagram/, or name the channel"
        )

    def build(cells: list[Any]) -> Outcome:
        value = _count(cells, cols, "followers_value", header)
        if value is None:
            raise CellError("no follower count")
        day = parse_date(_cell(cells, cols, "followers_date"), ctx.tz, "Date")
        return FollowerCount(channel=channel, date=day, followers=value)

    return _rows(ctx, header, records, build)


# --- Legacy Facebook Insights "Post Level" export ----------------------------------------

LEGACY_FIELDS = (
    "post_id",
    "permalink",
    "legacy_post_message",
    "legacy_type",
    "legacy_posted",
    "legacy_reach",
    "legacy_impressions",
    "legacy_engaged_users",
)


def _legacy(ctx: Context, header: Sequence[Any], records: Iterator[Record]) -> Iterator[Outcome]:
    cols = columns(ctx, header, LEGACY_FIELDS)
    first = True

    def build(cells: list[Any]) -> Outcome | None:
        nonlocal first
        if first:
            first = False
            # Row 2 describes each column ("Lifetime: The number of people who..."): not data.
            if not re.match(r"^\d", _text(cells, cols, "post_id")):
                return None
        post_id = _text(cells, cols, "post_id")
        if not post_id:
            raise CellError("no Post ID")
        return Post(
            id=post_id,
            workspace=ctx.workspace,
            channel=Channel.facebook,
            published_at=parse_timestamp(_cell(cells, cols, "legacy_posted"), ctx.tz, "Posted"),
            text=_text(cells, cols, "legacy_post_message"),
            format=_text(cells, cols, "legacy_type"),
            permalink=_text(cells, cols, "permalink"),
            metrics=PostMetrics(
                reach=_count(cells, cols, "legacy_reach", header),
                impressions=_count(cells, cols, "legacy_impressions", header),
                engagements=_count(cells, cols, "legacy_engaged_users", header),
            ),
        )

    return _rows(ctx, header, records, build)


# --- LinkedIn Page content export (.xlsx) ------------------------------------------------

LI_FIELDS = (
    "li_title",
    "li_link",
    "li_post_type",
    "li_created",
    "li_impressions",
    "li_clicks",
    "li_likes",
    "li_comments",
    "li_reposts",
    "li_follows",
    "li_content_type",
    "li_posted_by",
)
_ACTIVITY = re.compile(r"urn:li:(?:activity|share|ugcPost):(\d+)")


def linkedin_id_time(post_id: str) -> dt.datetime | None:
    """LinkedIn activity ids carry their creation time: the first 41 bits are Unix ms."""
    if not post_id.isdigit():
        return None
    ms = int(post_id) >> 22
    moment = dt.datetime.fromtimestamp(ms // 1000, dt.UTC)
    return moment if 2003 <= moment.year <= 2100 else None


def _linkedin(ctx: Context, header: Sequence[Any], records: Iterator[Record]) -> Iterator[Outcome]:
    cols = columns(ctx, header, LI_FIELDS)

    def build(cells: list[Any]) -> Outcome:
        link = _text(cells, cols, "li_link")
        m = _ACTIVITY.search(link)
        post_id = m.group(1) if m else link
        if not post_id:
            raise CellError("no post link")
        created = parse_timestamp(_cell(cells, cols, "li_created"), ctx.tz, "Created date")
        # The export has only a date; the id's timestamp gives the time of day when it agrees.
        exact = linkedin_id_time(post_id)
        if exact is not None and exact.astimezone(ctx.tz).date() == created.date():
            created = exact.astimezone(ctx.tz)
        clicks = _count(cells, cols, "li_clicks", header)
        likes = _count(cells, cols, "li_likes", header)
        comments = _count(cells, cols, "li_comments", header)
        reposts = _count(cells, cols, "li_reposts", header)
        follows = _count(cells, cols, "li_follows", header)
        return Post(
            id=post_id,
            workspace=ctx.workspace,
            channel=Channel.linkedin,
            published_at=created,
            text=_text(cells, cols, "li_title"),
            format=_text(cells, cols, "li_content_type") or _text(cells, cols, "li_post_type"),
            permalink=link,
            author=_text(cells, cols, "li_posted_by"),
            metrics=PostMetrics(
                reach=_count(cells, cols, "li_impressions", header),
                impressions=_count(cells, cols, "li_impressions", header),
                clicks=clicks,
                reactions=likes,
                comments=comments,
                shares=reposts,
                follows=follows,
                engagements=_sum(
                    clicks, likes, comments, reposts, follows if follows is not None else 0
                ),
            ),
        )

    return _rows(ctx, header, records, build)


def _linkedin_followers(
    ctx: Context, header: Sequence[Any], records: Iterator[Record]
) -> Iterator[Outcome]:
    cols = columns(ctx, header, ("followers_date", "li_total_followers"))

    def build(cells: list[Any]) -> Outcome:
        new = _count(cells, cols, "li_total_followers", header)
        if new is None:
            raise CellError("no follower number")
        day = parse_date(_cell(cells, cols, "followers_date"), ctx.tz, "Date")
        return FollowerDelta(channel=Channel.linkedin, date=day, new_followers=new)

    return _rows(ctx, header, records, build)


# --- X / Twitter -------------------------------------------------------------------------

X_FIELDS = (
    "x_tweet_id",
    "x_permalink",
    "x_text",
    "x_time",
    "x_impressions",
    "x_engagements",
    "x_retweets",
    "x_replies",
    "x_likes",
    "x_url_clicks",
    "x_new_follows",
    "x_bookmarks",
)


def _x(ctx: Context, header: Sequence[Any], records: Iterator[Record]) -> Iterator[Outcome]:
    cols = columns(ctx, header, X_FIELDS)

    def build(cells: list[Any]) -> Outcome:
        post_id = _text(cells, cols, "x_tweet_id").removesuffix(".0")
        if not post_id:
            raise CellError("no post id")
        impressions = _count(cells, cols, "x_impressions", header)
        return Post(
            id=post_id,
            workspace=ctx.workspace,
            channel=Channel.x,
            published_at=parse_timestamp(_cell(cells, cols, "x_time"), ctx.tz, "time"),
            text=_text(cells, cols, "x_text"),
            permalink=_text(cells, cols, "x_permalink"),
            metrics=PostMetrics(
                reach=impressions,
                impressions=impressions,
                reactions=_count(cells, cols, "x_likes", header),
                comments=_count(cells, cols, "x_replies", header),
                shares=_count(cells, cols, "x_retweets", header),
                saves=_count(cells, cols, "x_bookmarks", header),
                clicks=_count(cells, cols, "x_url_clicks", header),
                follows=_count(cells, cols, "x_new_follows", header),
                engagements=_count(cells, cols, "x_engagements", header),
            ),
        )

    return _rows(ctx, header, records, build)


# --- Gjenbruk's own documented schema (CSV or JSON) --------------------------------------

GENERIC_POST_FIELDS = (
    "id",
    "channel",
    "published_at",
    "text",
    "format",
    "permalink",
    "category",
    "language",
    "source_type",
    "author",
    *PostMetrics.model_fields,
)


def generic_post(ctx: Context, row: dict[str, Any]) -> Outcome:
    """One record of our own schema: the Post fields, metrics flat beside them (docs: README)."""
    metrics = {k: row[k] for k in PostMetrics.model_fields if row.get(k) not in (None, "")}
    for k, v in list(metrics.items()):
        metrics[k] = parse_float(v, k) if k == "watch_time_seconds" else parse_count(v, k)
    data = {
        k: row[k]
        for k in (
            "id",
            "channel",
            "text",
            "format",
            "permalink",
            "category",
            "language",
            "source_type",
            "author",
        )
        if row.get(k) not in (None, "")
    }
    if "id" not in data:
        raise CellError("no id")
    data["id"] = str(data["id"])
    data["published_at"] = parse_timestamp(row.get("published_at"), ctx.tz, "published_at")
    # A category written in the file was set by a person: kept, not classified over.
    return Post(
        workspace=ctx.workspace,
        metrics=PostMetrics(**metrics),
        category_locked="category" in data,
        **data,
    )


def generic_asset(ctx: Context, row: dict[str, Any]) -> Outcome:
    data = {k: v for k, v in row.items() if v not in (None, "")}
    if isinstance(data.get("tags"), str):
        data["tags"] = [t.strip() for t in re.split(r"[;,]", data["tags"]) if t.strip()]
    consent_keys = ("consent_granted_by", "consent_granted_at", "consent_scopes")
    if any(k in data for k in consent_keys):
        scopes = data.pop("consent_scopes", "")
        data["consent"] = {
            "granted_by": data.pop("consent_granted_by", ""),
            "granted_at": parse_timestamp(
                data.pop("consent_granted_at", ""), ctx.tz, "consent_granted_at"
            ),
            "scopes": scopes
            if isinstance(scopes, list)
            else [s.strip() for s in re.split(r"[;,]", scopes) if s.strip()],
        }
    data["id"] = str(data.get("id", ""))
    return Asset(workspace=ctx.workspace, **data)


def _generic_csv(
    ctx: Context, header: Sequence[Any], records: Iterator[Record]
) -> Iterator[Outcome]:
    names = [str(h).strip() for h in header]
    is_asset = "kind" in names and "published_at" not in names

    def build(cells: list[Any]) -> Outcome:
        row = dict(zip(names, cells, strict=False))
        return generic_asset(ctx, row) if is_asset else generic_post(ctx, row)

    return _rows(ctx, header, records, build)


def generic_json(ctx: Context, data: Any) -> Iterator[Outcome]:
    """A list of posts, or {"posts": [...], "assets": [...]}; item n is reported as row n."""
    groups: Iterable[tuple[str, Any]]
    if isinstance(data, list):
        groups = [("posts", data)]
    elif isinstance(data, dict) and ({"posts", "assets"} & set(data)):
        groups = [(k, data.get(k) or []) for k in ("posts", "assets")]
    else:
        raise CellError('expected a list of posts or {"posts": [...], "assets": [...]}')
    row = 0
    for kind, items in groups:
        for item in items:
            row += 1
            try:
                if not isinstance(item, dict):
                    raise CellError(f"{kind} item is not an object")
                yield generic_asset(ctx, item) if kind == "assets" else generic_post(ctx, item)
            except (CellError, ValidationError, ValueError) as exc:
                yield SkippedRow(row=row, reason=f"{kind}[{row - 1}]: {_short(exc)}")


def parse_json_file(ctx: Context, raw: str) -> Iterator[Outcome]:
    return generic_json(ctx, json.loads(raw))


FORMATS: tuple[FormatSpec, ...] = (
    FormatSpec(
        "meta_facebook_posts",
        Channel.facebook,
        (
            ("post_id",),
            ("publish_time",),
            ("page_id", "page_name"),
            ("reach",),
            ("reactions_comments_shares", "reactions"),
            ("description", "title"),
        ),
        FB_FIELDS,
        _meta_parser(Channel.facebook, FB_FIELDS),
    ),
    FormatSpec(
        "meta_instagram_posts",
        Channel.instagram,
        (
            ("post_id",),
            ("publish_time",),
            ("account_id", "account_username", "account_name"),
            ("reach",),
            ("likes",),
            ("description",),
        ),
        IG_FIELDS,
        _meta_parser(Channel.instagram, IG_FIELDS),
    ),
    FormatSpec(
        "facebook_legacy_post_level",
        Channel.facebook,
        (("post_id",), ("legacy_posted",), ("legacy_reach",), ("legacy_engaged_users",)),
        LEGACY_FIELDS,
        _legacy,
    ),
    FormatSpec(
        "meta_daily_followers",
        None,
        (("followers_date",), ("followers_value",)),
        ("followers_date", "followers_value"),
        _followers,
    ),
    FormatSpec(
        "x_tweet_activity",
        Channel.x,
        (("x_tweet_id",), ("x_text",), ("x_time",), ("x_impressions",)),
        X_FIELDS,
        _x,
    ),
    FormatSpec(
        "linkedin_page_content",
        Channel.linkedin,
        (("li_link",), ("li_created",), ("li_impressions",), ("li_title",)),
        LI_FIELDS,
        _linkedin,
        sheet="All posts",
    ),
    FormatSpec(
        "linkedin_followers_sheet",
        Channel.linkedin,
        (("followers_date",), ("li_total_followers",)),
        ("followers_date", "li_total_followers"),
        _linkedin_followers,
        sheet="Followers",
    ),
)

GENERIC_CSV = FormatSpec("gjenbruk_csv", None, (("id",), ("published_at",)), (), _generic_csv)
