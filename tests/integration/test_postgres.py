"""The PostgreSQL path against a real server: same migrations, same repositories as SQLite."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, inspect, text

from service.domain import Channel, FollowerCount, Post, PostMetrics, Workspace
from service.storage.db import Database
from service.storage.repositories import FollowerRepo, JobRepo, PostRepo, WorkspaceRepo
from tests.conftest import require

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


@pytest.fixture
def pg() -> Iterator[Database]:
    url = os.environ.get("GJENBRUK_TEST_POSTGRES_URL", "")
    require(bool(url), "set GJENBRUK_TEST_POSTGRES_URL to run the PostgreSQL tests (.ci/run does)")
    schema = f"gj_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in url else "?"
    db = Database(f"{url}{sep}options={quote(f'-csearch_path={schema}')}")
    try:
        yield db
    finally:
        db.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_the_migrations_build_the_same_tables_on_postgresql(pg: Database) -> None:
    pg.migrate()
    tables = set(inspect(pg.engine).get_table_names())
    assert {
        "workspaces",
        "posts",
        "assets",
        "follower_counts",
        "follower_deltas",
        "channel_profiles",
        "alembic_version",
    } <= tables
    pg.migrate()  # a second run is a no-op, not an error


def test_posts_round_trip_through_postgresql_with_their_offset(pg: Database) -> None:
    pg.migrate()
    published = dt.datetime(2026, 5, 17, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    post = Post(
        id="p1",
        workspace="w",
        channel=Channel.instagram,
        published_at=published,
        text="Gratulerer med dagen!",
        metrics=PostMetrics(reach=1200, engagements=90),
    )
    with pg.session() as s:
        WorkspaceRepo(s).save(Workspace(slug="w", name="W"))
        PostRepo(s).upsert_many([post])
        FollowerRepo(s).save_counts(
            "w",
            [FollowerCount(channel=Channel.instagram, date=dt.date(2026, 5, 17), followers=8600)],
        )
    with pg.session() as s:
        again = PostRepo(s).upsert_many([post])
        stored = PostRepo(s).get("w", "p1")
        followers = FollowerRepo(s).counts("w", Channel.instagram)
    assert again.imported == 0 and again.updated == 1 and again.changed == 0
    assert stored.published_at.isoformat() == "2026-05-17T12:00:00+02:00"
    assert stored.metrics.reach == 1200 and followers[0].followers == 8600


def test_bulk_upserts_update_what_changed_on_postgresql(pg: Database) -> None:
    pg.migrate()
    at = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)

    def post(i: int, reach: int) -> Post:
        return Post(
            id=f"p{i}", workspace="w", channel=Channel.facebook, published_at=at,
            text=f"post {i}", metrics=PostMetrics(reach=reach),
        )  # fmt: skip

    day = dt.date(2026, 5, 1)
    with pg.session() as s:
        WorkspaceRepo(s).save(Workspace(slug="w", name="W"))
        first = PostRepo(s).upsert_many([post(i, 100) for i in range(600)])
        FollowerRepo(s).save_counts(
            "w", [FollowerCount(channel=Channel.facebook, date=day, followers=10)]
        )
    with pg.session() as s:
        again = PostRepo(s).upsert_many([post(i, 100 + (i % 2)) for i in range(600)])
        days = FollowerRepo(s).save_counts(
            "w", [FollowerCount(channel=Channel.facebook, date=day, followers=12)]
        )
    with pg.session() as s:
        reach = {p.id: p.metrics.reach for p in PostRepo(s).list("w")}
        followers = FollowerRepo(s).counts("w", Channel.facebook)
    assert first.imported == 600 and (again.updated, again.changed) == (600, 300)
    assert reach["p1"] == 101 and reach["p2"] == 100 and len(reach) == 600
    assert (days.updated, days.changed) == (1, 1) and followers[0].followers == 12


def test_a_job_item_sees_what_the_others_wrote_and_stored_on_postgresql(pg: Database) -> None:
    """The month's texts as a slot reads them: a running item's noted text, a finished item's
    stored one (noted or not), never a failed item's nor its own."""
    pg.migrate()
    with pg.session() as s:
        WorkspaceRepo(s).save(Workspace(slug="w", name="W"))
    with pg.session() as s:
        JobRepo(s).create(
            job_id="j", workspace="w", kind="plan_drafts", params={},
            items=["a", "b", "c", "d", "e"], idempotency_key=None,
        )  # fmt: skip
    with pg.autocommit() as s:
        repo = JobRepo(s)
        for key in ("a", "b", "c", "e"):
            repo.note_written("j", key, f"tekst {key}")
        repo.finish_item("j", "b", result={"text": "tekst b"}, error=None)
        repo.finish_item("j", "c", result=None, error="feil")
        repo.finish_item("j", "d", result={"text": "tekst d"}, error=None)  # never noted
        assert repo.written_texts("j", besides="e") == ["tekst a", "tekst b", "tekst d"]
        assert repo.written_texts("j", besides="a") == ["tekst b", "tekst d", "tekst e"]
        repo.finish_item("j", "e", result={"text": "tekst e"}, error=None)
        assert repo.reopen("j", ["b"]) is False  # still running: nothing changes
