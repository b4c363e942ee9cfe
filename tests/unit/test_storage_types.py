"""Datetimes are aware in and aware out at one boundary; listings cost a bounded number of
queries; a stored plan comes back as a plan, not as a dict to re-validate."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, event, text

from service.domain import Check, Draft, Workspace
from service.errors import NotFound
from service.planning.models import ContentPlan, Slot
from service.storage.db import Database
from service.storage.repositories import DraftRepo, PlanRepo, PostRepo, WorkspaceRepo
from tests.conftest import require

OSLO_SUMMER = dt.timezone(dt.timedelta(hours=2))


@pytest.fixture
def sqlite(tmp_path: object) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path}/t.db")
    db.migrate()
    yield db
    db.dispose()


@pytest.fixture
def postgres() -> Iterator[Database]:
    url = os.environ.get("GJENBRUK_TEST_POSTGRES_URL", "")
    require(bool(url), "set GJENBRUK_TEST_POSTGRES_URL to run the PostgreSQL tests (.ci/run does)")
    schema = f"gj_types_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in url else "?"
    db = Database(f"{url}{sep}options={quote(f'-csearch_path={schema}')}")
    db.migrate()
    try:
        yield db
    finally:
        db.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _draft(created: dt.datetime) -> Draft:
    return Draft(
        id=str(uuid.uuid4()),
        workspace="ws",
        kind="variant",
        surface="facebook_post",
        language="nb",
        text="Fiskesuppe i dag",
        checks=[Check(name="length", passed=True)],
        passed=True,
        created_at=created,
        updated_at=created,
    )


def _round_trip(db: Database) -> None:
    written = dt.datetime(2026, 7, 1, 18, 30, tzinfo=OSLO_SUMMER)
    with db.session() as s:
        WorkspaceRepo(s).save(Workspace(slug="ws", name="WS"))
    with db.session() as s:
        stored = DraftRepo(s).add(_draft(written))
    with db.session() as s:
        again = DraftRepo(s).get("ws", stored.id)
    for value in (again.created_at, again.updated_at):
        assert value.tzinfo is not None and value.utcoffset() == dt.timedelta(0)
        assert value == written  # the same instant, now in UTC


def test_an_aware_datetime_comes_back_aware_and_equal_on_sqlite(sqlite: Database) -> None:
    _round_trip(sqlite)


@pytest.mark.postgres
def test_an_aware_datetime_comes_back_aware_and_equal_on_postgresql(postgres: Database) -> None:
    _round_trip(postgres)


def test_a_naive_datetime_is_refused_not_guessed(sqlite: Database) -> None:
    naive = dt.datetime(2026, 7, 1, 18, 30)
    with sqlite.session() as s:
        WorkspaceRepo(s).save(Workspace(slug="ws", name="WS"))
    with pytest.raises(Exception, match="naive datetime"), sqlite.session() as s:
        DraftRepo(s).add(_draft(naive).model_copy(update={"created_at": naive}))


def _statements(db: Database) -> list[str]:
    seen: list[str] = []

    @event.listens_for(db.engine, "before_cursor_execute")
    def _count(conn: object, cursor: object, statement: str, *args: object) -> None:
        seen.append(statement)

    return seen


@pytest.mark.parametrize("n", [3, 40])
def test_listing_workspaces_is_one_query_however_many_there_are(sqlite: Database, n: int) -> None:
    with sqlite.session() as s:
        for i in range(n):
            WorkspaceRepo(s).save(Workspace(slug=f"ws-{i:02d}", name=f"WS {i}"))
    seen = _statements(sqlite)
    with sqlite.session() as s:
        listed = WorkspaceRepo(s).list()
    assert [w.slug for w in listed] == [f"ws-{i:02d}" for i in range(n)]
    assert len([q for q in seen if q.lstrip().upper().startswith("SELECT")]) == 1


def test_counting_posts_loads_no_rows(sqlite: Database) -> None:
    with sqlite.session() as s:
        WorkspaceRepo(s).save(Workspace(slug="ws", name="WS"))
    seen = _statements(sqlite)
    with sqlite.session() as s:
        assert PostRepo(s).count("ws") == 0
    assert any("count(" in q.lower() for q in seen)


def test_a_stored_plan_comes_back_typed_and_updates_are_typed(sqlite: Database) -> None:
    plan = ContentPlan(
        organisation="WS",
        target_month="2027-01",
        channels=[{"channel": "facebook", "posts_per_week": 1}],
        category_weights={"produkt": 1.0},
    )
    slot = Slot(
        date=dt.date(2027, 1, 5), time="18:00", channel="facebook", category="produkt", theme="x"
    )
    with sqlite.session() as s:
        WorkspaceRepo(s).save(Workspace(slug="ws", name="WS"))
    with sqlite.session() as s:
        stored = PlanRepo(s).add("ws", plan)
        PlanRepo(s).set_slots(stored.id, [slot])
        PlanRepo(s).set_job(stored.id, "job-1")
    with sqlite.session() as s:
        again = PlanRepo(s).get(stored.id)
        with pytest.raises(NotFound):
            PlanRepo(s).get("no-such-plan")
    assert isinstance(again.plan, ContentPlan) and again.plan == plan
    assert again.slots == [slot] and again.job_id == "job-1"
