from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"
    cancelled = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.done, JobStatus.failed, JobStatus.cancelled)


class ItemStatus(StrEnum):
    pending = "pending"
    done = "done"
    failed = "failed"


class JobItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str
    status: ItemStatus = ItemStatus.pending
    result: dict[str, Any] | None = None
    error: str | None = None


class Job(BaseModel):
    """A batch of work items that survives restarts: each item's result is stored as it ends."""

    model_config = ConfigDict(extra="forbid")

    id: str
    workspace: str
    kind: str
    status: JobStatus
    params: dict[str, Any] = Field(default_factory=dict)
    idempotency_key: str | None = None
    total: int = 0
    done: int = 0
    failed: int = 0
    current: str | None = None
    error: str | None = None
    cancel_requested: bool = False
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def progress(self) -> float:
        return 0.0 if not self.total else (self.done + self.failed) / self.total
