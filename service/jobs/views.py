"""How a job is shown to a caller, the same over HTTP and in `gjenbruk jobs --json`."""

from __future__ import annotations

from pydantic import BaseModel

from service.domain.job import Job, JobItem


class JobView(BaseModel):
    job: Job
    progress: float
    items: list[JobItem] | None = None

    @classmethod
    def of(cls, job: Job, items: list[JobItem] | None = None) -> JobView:
        return cls(job=job, progress=round(job.progress, 4), items=items)
