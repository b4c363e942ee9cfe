"""The budget's counters under real concurrency, on SQLite and on PostgreSQL: with a limit of L
and many requests released at the same instant, exactly L pass (the day's model calls, the
month's spend, a workspace's unfinished jobs), and the stored counters say L."""

from __future__ import annotations

import datetime as dt
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, func, select, text

from service.auth.budget import Budget, BudgetedJobs
from service.auth.limits import charge_model_calls, charge_spend
from service.auth.repos import UsageRepo
from service.container import Services
from service.domain import Workspace
from service.domain.job import Job
from service.errors import LimitExceeded
from service.jobs.queue import JobQueue, ProgressFn
from service.providers.embeddings import HashingEmbedder
from service.providers.llm_fake import FakeLLM
from service.settings import Settings
from service.storage.repositories import JobRepo, WorkspaceRepo
from service.storage.tables import JobRow
from tests.conftest import require

THREADS = 24
LIMIT = 5


class StoredOnly(JobQueue):
    """A queue that stores jobs and never runs them: they stay unfinished."""

    def __init__(self, services: Services) -> None:
        super().__init__(services.db, {"noop": lambda job, key: {}})

    def start(self, job_id: str) -> object:
        return None

    def run(self, job_id: str, *, on_progress: ProgressFn | None = None) -> Job:
        return self.get(job_id)

    def cancel(self, job_id: str) -> Job:
        return self.get(job_id)


def _services(url: str, tmp_path: Path, **limits: Any) -> Services:
    settings = Settings(
        data_dir=tmp_path / "data",
        env="test",
        llm="fake",
        embeddings="fake",
        database_url=url,
        **limits,
    )
    services = Services(settings, llm=FakeLLM(default="{}"), embedder=HashingEmbedder())
    with services.db.session() as s:
        WorkspaceRepo(s).save(Workspace(slug="acme", name="Acme"))
    return services


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'budget.db'}"
        return
    url = os.environ.get("GJENBRUK_TEST_POSTGRES_URL", "")
    require(bool(url), "set GJENBRUK_TEST_POSTGRES_URL to run the PostgreSQL tests (.ci/run does)")
    schema = f"gj_budget_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _race(work: Callable[[], object]) -> tuple[int, int]:
    """Run `work` in THREADS threads released together: (passed, refused with 429)."""
    gate = threading.Barrier(THREADS)
    passed, refused, other = [], [], []

    def one() -> None:
        gate.wait()
        try:
            work()
            passed.append(1)
        except LimitExceeded:
            refused.append(1)
        except Exception as exc:  # reported below, not swallowed
            other.append(repr(exc))

    threads = [threading.Thread(target=one) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert other == []
    return len(passed), len(refused)


def test_exactly_the_days_model_calls_pass(database: str, tmp_path: Path) -> None:
    services = _services(database, tmp_path, limit_model_calls_per_day=LIMIT * 3)
    try:

        def charge() -> None:
            with services.db.session() as s:
                charge_model_calls(s, services.settings, "user:u|ws:acme", 3, per_request=False)

        assert _race(charge) == (LIMIT, THREADS - LIMIT)
        with services.db.session() as s:
            assert UsageRepo(s).calls("user:u|ws:acme", dt.datetime.now(dt.UTC).date()) == 15
    finally:
        services.close()


def test_exactly_the_months_spend_passes(database: str, tmp_path: Path) -> None:
    services = _services(database, tmp_path, limit_spend_usd_per_month=0.5)
    try:

        def charge() -> None:
            with services.db.session() as s:
                charge_spend(s, services.settings, "acme", 0.1)

        assert _race(charge) == (LIMIT, THREADS - LIMIT)
        month = dt.datetime.now(dt.UTC).date().replace(day=1)
        with services.db.session() as s:
            assert UsageRepo(s).micro_usd("spend|ws:acme", month) == 500_000
    finally:
        services.close()


def test_exactly_the_workspaces_unfinished_jobs_are_made(database: str, tmp_path: Path) -> None:
    services = _services(database, tmp_path, limit_concurrent_jobs=LIMIT)
    try:
        budget = Budget(services, "user:u|ws:acme", "acme")
        jobs = BudgetedJobs(StoredOnly(services), budget, services.db)

        def submit() -> None:
            jobs.submit("acme", "noop", ["a", "b"])

        assert _race(submit) == (LIMIT, THREADS - LIMIT)
        with services.db.session() as s:
            stored = s.scalar(select(func.count()).select_from(JobRow))
            assert stored == LIMIT
            # Each admitted job was charged its items x attempts, the refused ones nothing.
            calls = UsageRepo(s).calls("user:u|ws:acme", dt.datetime.now(dt.UTC).date())
            assert calls == LIMIT * 2 * (services.settings.max_repairs + 1)
            assert len(JobRepo(s).for_workspace("acme", limit=100)) == LIMIT
    finally:
        services.close()
