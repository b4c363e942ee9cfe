"""Workspace-level views over stored posts: per-post rates, per-channel analysis, reuse list."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from service.domain import Channel, Post
from service.library.analytics import (
    ChannelAnalysis,
    FollowerSeries,
    PostStats,
    ReuseSuggestion,
    analyze,
    due_for_reuse,
)
from service.storage.db import Database
from service.storage.repositories import FollowerRepo, PostRepo, WorkspaceRepo


class PostRow(BaseModel):
    id: str
    channel: str
    published_at: str
    text: str
    format: str
    category: str | None
    category_confidence: float | None
    category_locked: bool
    followers_at_posting: int | None
    reach: int | None
    engagements: int | None
    reach_rate: float | None
    engagement_rate: float | None
    hour_band: str | None
    weekday: str


class WorkspaceAnalysis(BaseModel):
    workspace: str
    channels: dict[str, ChannelAnalysis]
    due_for_reuse: list[ReuseSuggestion]


def _load(
    db: Database, workspace: str
) -> tuple[list[Post], list[PostStats], dict[Channel, ChannelAnalysis], ZoneInfo]:
    with db.session() as s:
        ws = WorkspaceRepo(s).get(workspace)
        posts = PostRepo(s).list(workspace)
        followers = FollowerRepo(s)
        series = {
            ch: FollowerSeries(followers.counts(workspace, ch), followers.deltas(workspace, ch))
            for ch in {p.channel for p in posts}
        }
    tz = ZoneInfo(ws.timezone)
    stats, analyses = analyze(posts, series, tz)
    return posts, stats, analyses, tz


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


def post_rows(db: Database, workspace: str) -> list[PostRow]:
    posts, stats, _, tz = _load(db, workspace)
    return [
        PostRow(
            id=p.id,
            channel=p.channel.value,
            published_at=p.published_at.astimezone(tz).isoformat(),
            text=p.text,
            format=p.format,
            category=p.category,
            category_confidence=p.category_confidence,
            category_locked=p.category_locked,
            followers_at_posting=s.followers_at_posting,
            reach=s.reach,
            engagements=s.engagements,
            reach_rate=_round(s.reach_rate),
            engagement_rate=_round(s.engagement_rate),
            hour_band=s.hour_band,
            weekday=s.weekday,
        )
        for p, s in zip(posts, stats, strict=True)
    ]


def workspace_analysis(
    db: Database, workspace: str, *, now: dt.datetime | None = None, reuse_after_months: int = 6
) -> WorkspaceAnalysis:
    posts, stats, analyses, _ = _load(db, workspace)
    reuse = due_for_reuse(
        posts, analyses, stats, now=now or dt.datetime.now(dt.UTC), months=reuse_after_months
    )
    return WorkspaceAnalysis(
        workspace=workspace,
        channels={ch.value: a for ch, a in analyses.items()},
        due_for_reuse=reuse,
    )
