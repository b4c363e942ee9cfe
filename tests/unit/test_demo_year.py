"""The demo organisation has a year on three channels, so every analysis has something to say
on the first start, and it is the same year on every machine."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

from service.container import Services
from service.domain import Channel, Workspace
from service.library.demo_year import compose_year
from service.library.reports import workspace_analysis
from service.planning.models import ContentPlan
from service.planning.slots import make_slots
from service.storage.repositories import FollowerRepo, PostRepo, WorkspaceRepo

PLAN = Path(__file__).resolve().parents[2] / "service" / "data" / "demo_plan.json"


def test_a_year_of_posts_on_three_channels_over_twelve_months() -> None:
    year = compose_year()
    by_channel = Counter(p.channel for p in year.posts)
    assert len(year.posts) >= 200
    assert set(by_channel) == {Channel.facebook, Channel.instagram, Channel.linkedin}
    months = {(p.published_at.year, p.published_at.month) for p in year.posts}
    assert len(months) == 12
    assert len({p.id for p in year.posts}) == len(year.posts)
    assert all(p.category and p.category_locked for p in year.posts)
    assert {c.channel for c in year.followers} == set(by_channel)


def test_the_same_year_on_every_run() -> None:
    first, second = compose_year(), compose_year()
    assert [p.model_dump() for p in first.posts] == [p.model_dump() for p in second.posts]


def test_every_channel_gets_a_verdict_not_too_few_posts(services: Services) -> None:
    year = compose_year()
    with services.db.session() as s:
        WorkspaceRepo(s).save(Workspace(slug="demo", name="Eplehagen Sideri"))
        PostRepo(s).upsert_many(year.posts)
        FollowerRepo(s).save_counts("demo", year.followers, source="demo")
    analysis = workspace_analysis(services.db, "demo")
    for channel in (Channel.facebook, Channel.instagram, Channel.linkedin):
        result = analysis.channels[channel.value]
        assert result.high_performers, channel
        assert result.best_hour_band is not None or channel is Channel.linkedin, channel
        assert len(result.category_stats) >= 4, channel


def test_the_demo_plan_validates_and_fills_the_month() -> None:
    plan = ContentPlan.model_validate(json.loads(PLAN.read_text(encoding="utf-8")))
    slots = make_slots(plan, {})
    assert len(slots) >= 18
    assert all(s.date.month == 1 and s.date.year == 2027 for s in slots)
    assert {s.date for s in slots} <= {dt.date(2027, 1, d) for d in range(1, 32)}
