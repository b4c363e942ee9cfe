"""Which engine runs jobs: chosen once, from the settings, for the whole deployment."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from service.jobs.queue import Handler, JobQueue
from service.settings import Settings
from service.storage.db import Database

Engine = Literal["inprocess", "procrastinate"]


def job_engine(settings: Settings) -> Engine:
    """`auto`: Procrastinate workers when the database is PostgreSQL (a team deployment, where
    the API must not do model work), else threads inside the one process (`make run`)."""
    if settings.job_engine != "auto":
        return settings.job_engine
    on_postgres = settings.resolved_database_url.startswith("postgresql")
    return "procrastinate" if on_postgres else "inprocess"


def make_job_queue(settings: Settings, db: Database, handlers: Mapping[str, Handler]) -> JobQueue:
    if job_engine(settings) == "procrastinate":
        from service.jobs.engine import ProcrastinateQueue

        return ProcrastinateQueue(db, handlers)
    from service.jobs.runner import JobRunner

    # One in-process model serves one request at a time; parallel calls only help servers.
    concurrency = 1 if settings.llm_provider == "local" else settings.job_concurrency
    return JobRunner(db, handlers, concurrency=concurrency)
