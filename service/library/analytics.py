"""What works, per channel, by the method's definitions (see shared ground truth `definitions`).

- followers at posting: the latest known total on or before the local posting date, plus the
  new followers reported after it (LinkedIn gives only new followers per day; its start total
  comes from a person). No known total: unknown, never guessed.
- reach rate = reach / followers at posting; engagement rate = engagements / reach.
- eligible: reach ≥ 10 % of the channel's median reach; high performers: the top
  ceil(10 % of eligible) by engagement rate (ties: more engagements, then id).
- hour bands 06-10, 10-14, 14-17, 17-19, 19-21, 21-24 in the workspace's zone, over eligible
  posts; best band = highest median engagement rate among bands with ≥ 8 eligible posts.
  Exports without a time of day (LinkedIn) get a best weekday instead.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from service.domain import Channel, FollowerCount, Post
from service.library.stats import Interval, bootstrap, mean, median

HOUR_BANDS: tuple[tuple[str, int, int], ...] = (
    ("06-10", 6, 10),
    ("10-14", 10, 14),
    ("14-17", 14, 17),
    ("17-19", 17, 19),
    ("19-21", 19, 21),
    ("21-24", 21, 24),
)
WEEKDAYS_NB = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
MIN_GROUP = 8  # a band or weekday needs this many eligible posts to be called best
ELIGIBLE_SHARE = 0.10
TOP_SHARE = 0.10
# Channels whose exports carry a date only; their time of day is not the publisher's.
DATE_ONLY_CHANNELS = frozenset({Channel.linkedin})


class FollowerSeries:
    """Totals on known days plus new-follower deltas; answers 'followers at the end of day d'."""

    def __init__(self, totals: Iterable[FollowerCount], deltas: Iterable[tuple[dt.date, int]]):
        pairs = sorted((c.date, c.followers) for c in totals)
        self._days = [d for d, _ in pairs]
        self._totals = [n for _, n in pairs]
        delta_pairs = sorted(deltas)
        self._delta_days = [d for d, _ in delta_pairs]
        self._cumulative: list[int] = []
        running = 0
        for _, n in delta_pairs:
            running += n
            self._cumulative.append(running)

    def _delta_sum(self, day: dt.date) -> int:
        i = bisect.bisect_right(self._delta_days, day)
        return self._cumulative[i - 1] if i else 0

    def at(self, day: dt.date) -> int | None:
        i = bisect.bisect_right(self._days, day)
        if i == 0:
            return None
        base_day, base = self._days[i - 1], self._totals[i - 1]
        return base + self._delta_sum(day) - self._delta_sum(base_day)


class PostStats(BaseModel):
    id: str
    channel: Channel
    published_at: dt.datetime
    category: str | None
    format: str
    followers_at_posting: int | None
    reach: int | None
    engagements: int | None
    reach_rate: float | None
    engagement_rate: float | None
    hour_band: str | None
    weekday: str


class GroupStats(BaseModel):
    n: int
    mean_engagement_rate: float | None
    median_engagement_rate: float | None
    interval: Interval = Field(description="bootstrap 95 % interval of the mean engagement rate")
    small_sample: bool


class HighPerformer(BaseModel):
    id: str
    engagement_rate: float
    engagements: int
    reach: int
    category: str | None
    times_channel_median: float | None = Field(description="engagement rate / channel median")
    reason: str


class ChannelAnalysis(BaseModel):
    channel: Channel
    n_posts: int
    median_reach: float | None
    eligibility_min_reach: float | None
    n_eligible: int
    median_engagement_rate: float | None
    high_performers: list[str]
    high_performer_details: list[HighPerformer]
    excluded_low_reach: list[str]
    category_engagement_rate: dict[str, float]
    category_stats: dict[str, GroupStats]
    category_stats_eligible_only: dict[str, GroupStats]
    format_stats: dict[str, GroupStats]
    hour_bands: dict[str, GroupStats] | None
    best_hour_band: str | None
    best_hour_band_by_mean: str | None
    weekdays: dict[str, GroupStats]
    best_weekday: str | None
    note: str = ""


def _rate(num: int | None, den: int | None) -> float | None:
    if num is None or not den:
        return None
    return num / den


def hour_band(hour: int) -> str | None:
    for name, lo, hi in HOUR_BANDS:
        if lo <= hour < hi:
            return name
    return None


def post_stats(post: Post, series: FollowerSeries | None, tz: ZoneInfo) -> PostStats:
    local = post.published_at.astimezone(tz)
    followers = post.metrics.followers_at_posting
    if followers is None and series is not None:
        followers = series.at(local.date())
    m = post.metrics
    return PostStats(
        id=post.id,
        channel=post.channel,
        published_at=post.published_at,
        category=post.category,
        format=post.format,
        followers_at_posting=followers,
        reach=m.reach,
        engagements=m.engagements,
        reach_rate=_rate(m.reach, followers),
        engagement_rate=_rate(m.engagements, m.reach),
        hour_band=None if post.channel in DATE_ONLY_CHANNELS else hour_band(local.hour),
        weekday=WEEKDAYS_NB[local.weekday()],
    )


def _group(values: Sequence[float]) -> GroupStats:
    return GroupStats(
        n=len(values),
        mean_engagement_rate=None if not values else round(sum(values) / len(values), 6),
        median_engagement_rate=None if not values else round(float(median(values) or 0), 6),
        interval=bootstrap(values),
        small_sample=len(values) < MIN_GROUP,
    )


def _by(posts: Iterable[PostStats], key: str) -> dict[str, GroupStats]:
    groups: dict[str, list[float]] = defaultdict(list)
    for p in posts:
        k = getattr(p, key)
        if k is not None and p.engagement_rate is not None:
            groups[str(k)].append(p.engagement_rate)
    return {k: _group(v) for k, v in sorted(groups.items())}


def _best(groups: dict[str, GroupStats], *, by_mean: bool = False) -> str | None:
    ok = {k: g for k, g in groups.items() if g.n >= MIN_GROUP}
    if not ok:
        return None

    def pick(g: GroupStats) -> float:
        value = g.mean_engagement_rate if by_mean else g.median_engagement_rate
        return value or 0.0

    return max(ok, key=lambda k: pick(ok[k]))


def analyze_channel(channel: Channel, stats: Sequence[PostStats]) -> ChannelAnalysis:
    reaches = [float(s.reach) for s in stats if s.reach is not None]
    med_reach = median(reaches)
    threshold = None if med_reach is None else ELIGIBLE_SHARE * med_reach
    eligible = [
        s
        for s in stats
        if s.reach is not None
        and threshold is not None
        and s.reach >= threshold
        and s.engagement_rate is not None
    ]
    excluded = sorted(
        s.id for s in stats if s.reach is not None and threshold is not None and s.reach < threshold
    )
    ranked = sorted(
        eligible, key=lambda s: (-(s.engagement_rate or 0), -(s.engagements or 0), s.id)
    )
    k = math.ceil(TOP_SHARE * len(eligible))
    med_er = median([s.engagement_rate for s in stats if s.engagement_rate is not None])
    top = [
        HighPerformer(
            id=s.id,
            engagement_rate=s.engagement_rate or 0.0,
            engagements=s.engagements or 0,
            reach=s.reach or 0,
            category=s.category,
            times_channel_median=None
            if not med_er
            else round((s.engagement_rate or 0) / med_er, 2),
            reason=(
                f"engasjement {s.engagement_rate:.1%} av rekkevidde mot kanalens median "
                f"{med_er:.1%} ({(s.engagement_rate or 0) / med_er:.1f}×), rekkevidde {s.reach}"
                if med_er
                else f"engasjement {s.engagement_rate:.1%} av rekkevidde"
            ),
        )
        for s in ranked[:k]
    ]
    categories = _by(stats, "category")
    date_only = channel in DATE_ONLY_CHANNELS
    bands = None if date_only else _by(eligible, "hour_band")
    weekdays = _by(eligible, "weekday")
    return ChannelAnalysis(
        channel=channel,
        n_posts=len(stats),
        median_reach=med_reach,
        eligibility_min_reach=threshold,
        n_eligible=len(eligible),
        median_engagement_rate=None if med_er is None else round(med_er, 6),
        high_performers=[h.id for h in top],
        high_performer_details=top,
        excluded_low_reach=excluded,
        category_engagement_rate={
            c: g.mean_engagement_rate
            for c, g in categories.items()
            if g.mean_engagement_rate is not None
        },
        category_stats=categories,
        category_stats_eligible_only=_by(eligible, "category"),
        format_stats=_by(stats, "format"),
        hour_bands=bands,
        best_hour_band=None if bands is None else _best(bands),
        best_hour_band_by_mean=None if bands is None else _best(bands, by_mean=True),
        weekdays=weekdays,
        best_weekday=_best(weekdays),
        note="the export has dates only: no hour bands, best weekday instead" if date_only else "",
    )


def analyze(
    posts: Sequence[Post],
    series: dict[Channel, FollowerSeries],
    tz: ZoneInfo,
) -> tuple[list[PostStats], dict[Channel, ChannelAnalysis]]:
    stats = [post_stats(p, series.get(p.channel), tz) for p in posts]
    by_channel: dict[Channel, list[PostStats]] = defaultdict(list)
    for s in stats:
        by_channel[s.channel].append(s)
    return stats, {ch: analyze_channel(ch, group) for ch, group in sorted(by_channel.items())}


_DATED = re.compile(
    r"\b\d{1,2}\.\s*(?:jan|feb|mar|apr|mai|jun|jul|aug|sep|okt|nov|des)\w*|\b\d{1,2}\.\d{1,2}\b"
    r"|\b(?:19|20)\d{2}\b",
    re.IGNORECASE,
)
TIMELY_CATEGORIES = frozenset({"kampanje/tilbud", "kampanje", "merkedag"})


class ReuseSuggestion(BaseModel):
    id: str
    channel: Channel
    published_at: dt.datetime
    category: str | None
    engagement_rate: float
    evergreen: bool
    months_since: int


def due_for_reuse(
    posts: Sequence[Post],
    analyses: dict[Channel, ChannelAnalysis],
    stats: Sequence[PostStats],
    *,
    now: dt.datetime,
    months: int = 6,
    reused: frozenset[str] = frozenset(),
) -> list[ReuseSuggestion]:
    """High performers not reused for `months`, evergreen ones (no dates, not a campaign) first."""
    by_id = {p.id: p for p in posts}
    rate = {s.id: s.engagement_rate or 0.0 for s in stats}
    out: list[ReuseSuggestion] = []
    for analysis in analyses.values():
        for pid in analysis.high_performers:
            post = by_id[pid]
            age = (now - post.published_at).days // 30
            if pid in reused or age < months:
                continue
            evergreen = (post.category not in TIMELY_CATEGORIES) and not _DATED.search(post.text)
            out.append(
                ReuseSuggestion(
                    id=pid,
                    channel=post.channel,
                    published_at=post.published_at,
                    category=post.category,
                    engagement_rate=rate[pid],
                    evergreen=evergreen,
                    months_since=age,
                )
            )
    out.sort(key=lambda r: (not r.evergreen, -r.engagement_rate))
    return out


def mean_or_none(values: Sequence[float]) -> float | None:
    return mean(values)
