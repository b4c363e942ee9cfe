"""Bounded work per caller and workspace: requests per minute (a token bucket in memory, per
process), model calls per request and per UTC day (counted in the database, so a restart does
not reset them), and unfinished jobs per workspace. Over a limit: 429 with Retry-After."""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from service.auth.dependencies import path_workspace
from service.auth.models import Caller
from service.auth.repos import UsageRepo
from service.domain.job import JobStatus
from service.errors import Invalid, LimitExceeded
from service.settings import Settings
from service.storage.tables import JobRow, WorkspaceRow


@dataclass
class _Bucket:
    tokens: float
    at: float


class RequestLimiter:
    """`per_minute` requests per key, refilled evenly; bursts up to `per_minute` are allowed."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()
        self._now = clock

    def hit(self, key: str) -> None:
        with self._lock:
            now = self._now()
            bucket = self._buckets.get(key) or _Bucket(self.capacity, now)
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
            if bucket.tokens < 1.0:
                self._buckets[key] = bucket
                wait = math.ceil((1.0 - bucket.tokens) / self.rate)
                raise LimitExceeded(
                    f"more than {int(self.capacity)} requests a minute; wait {wait} s",
                    retry_after=wait,
                    details={"limit": "requests_per_minute"},
                )
            bucket.tokens -= 1.0
            self._buckets[key] = bucket
            if len(self._buckets) > 50_000:
                # Idle buckets are full ones; forgetting them changes nothing.
                self._buckets = {k: b for k, b in self._buckets.items() if b.tokens < self.capacity}


def caller_scope(request: Request) -> str:
    """Who a limit is counted for: the person (all their keys together), a review link, or the
    client address for anonymous calls such as login."""
    caller: Caller | None = getattr(request.state, "caller", None)
    link = getattr(request.state, "review_link", None)
    if caller is not None:
        who = f"user:{caller.user_id}"
    elif link is not None:
        who = f"link:{link.id}"
    else:
        who = f"ip:{request.client.host if request.client else '?'}"
    ws = path_workspace(request) or (link.workspace if link else "")
    return f"{who}|ws:{ws}"


def limit_requests(request: Request) -> None:
    """A dependency placed after `authorize`: `dependencies=[Depends(authorize),
    Depends(limit_requests)]`."""
    limiter: RequestLimiter | None = getattr(request.app.state, "request_limiter", None)
    if limiter is None:
        settings: Settings = request.app.state.services.settings
        limiter = RequestLimiter(settings.limit_requests_per_minute)
        request.app.state.request_limiter = limiter
    limiter.hit(caller_scope(request))


def _seconds_to_utc_midnight(now: dt.datetime) -> int:
    tomorrow = (now + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, math.ceil((tomorrow - now).total_seconds()))


def charge_model_calls(
    s: Session, settings: Settings, scope: str, calls: int, *, per_request: bool = True
) -> int:
    """Before work that calls the model `calls` times (the cost preview's count): refuse one
    request above the per-request cap, or one the day's allowance cannot cover; else count it.
    Returns the calls used today including these. A background job (`per_request=False`) is
    bounded by the concurrent-jobs limit and the day instead of the per-request cap."""
    if per_request and calls > settings.limit_model_calls_per_request:
        # Waiting does not help a request that is too big, so this is no 429.
        raise Invalid(
            f"this would make up to {calls} model calls; one request may make "
            f"{settings.limit_model_calls_per_request} (ask for fewer surfaces or variants)",
            details={"model_calls": calls, "limit": settings.limit_model_calls_per_request},
        )
    now = dt.datetime.now(dt.UTC)
    usage = UsageRepo(s)
    limit = settings.limit_model_calls_per_day
    total = usage.add_calls(scope, now.date(), calls, limit=limit)
    if total is None:
        used = usage.calls(scope, now.date())
        raise LimitExceeded(
            f"today's model calls are used up ({used} of {limit})",
            retry_after=_seconds_to_utc_midnight(now),
            details={"limit": "model_calls_per_day", "used": used, "max": limit, "asked": calls},
        )
    return total


def lock_workspace(s: Session, workspace: str) -> None:
    """Hold the workspace until this transaction ends, so a count of its jobs stays true until
    the job it admits is stored: a row lock on PostgreSQL (FOR NO KEY UPDATE: rows elsewhere
    that only point at the workspace are not held up), SQLite's one write lock, taken by a
    write that changes nothing (its reads before a write are not in the transaction)."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(
            select(WorkspaceRow.slug)
            .where(WorkspaceRow.slug == workspace)
            .with_for_update(key_share=True)
        )
    else:
        s.execute(
            update(WorkspaceRow)
            .where(WorkspaceRow.slug == workspace)
            .values(name=WorkspaceRow.name)
            .execution_options(synchronize_session=False)
        )


def check_concurrent_jobs(s: Session, settings: Settings, workspace: str) -> None:
    """In the transaction that stores a new (or reopened) job: a workspace's unfinished jobs
    are bounded so one brand cannot hold the model for everyone. The workspace is locked
    first, so two submissions at the same instant are counted one after the other."""
    lock_workspace(s, workspace)
    unfinished = s.scalar(
        select(func.count())
        .select_from(JobRow)
        .where(
            JobRow.workspace == workspace,
            JobRow.status.in_([JobStatus.queued.value, JobStatus.running.value]),
        )
    )
    if int(unfinished or 0) >= settings.limit_concurrent_jobs:
        raise LimitExceeded(
            f"{workspace!r} has {unfinished} unfinished jobs (at most "
            f"{settings.limit_concurrent_jobs}); wait for one to end or cancel one",
            retry_after=30,
            details={
                "limit": "concurrent_jobs",
                "unfinished": int(unfinished or 0),
                "max": settings.limit_concurrent_jobs,
            },
        )


def _seconds_to_next_month(now: dt.datetime) -> int:
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return max(1, math.ceil((following - now).total_seconds()))


def charge_spend(s: Session, settings: Settings, workspace: str, usd: float) -> float:
    """Before work with an API model: `usd` is the cost preview's estimate for it
    (service.providers.prices.estimate_cost). Refuses what would pass the workspace's monthly
    cap; else counts it. Returns the month's spend including this."""
    cap = settings.limit_spend_usd_per_month
    now = dt.datetime.now(dt.UTC)
    month = now.date().replace(day=1)
    scope = f"spend|ws:{workspace}"
    usage = UsageRepo(s)
    amount = math.ceil(usd * 1_000_000)
    limit = None if cap is None else math.floor(cap * 1_000_000)
    total = usage.add_micro_usd(scope, month, amount, limit=limit)
    if total is None:
        spent = usage.micro_usd(scope, month) / 1_000_000
        raise LimitExceeded(
            f"{workspace!r} has spent ${spent:.2f} of its ${cap:.2f} this month; this would "
            f"cost about ${usd:.2f}",
            retry_after=_seconds_to_next_month(now),
            details={
                "limit": "spend_usd_per_month",
                "spent": round(spent, 6),
                "max": cap,
                "asked": round(usd, 6),
            },
        )
    return total / 1_000_000
