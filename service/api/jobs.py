from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from service.api.deps import ServicesDep
from service.domain.job import Job, JobItem
from service.storage.repositories import JobRepo

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])


class JobView(BaseModel):
    job: Job
    progress: float
    items: list[JobItem] | None = None


@router.get("/{job_id}")
def get_job(job_id: str, services: ServicesDep, items: bool = False) -> JobView:
    job = services.jobs.get(job_id)
    listed = None
    if items:
        with services.db.session() as s:
            listed = JobRepo(s).items(job_id)
    return JobView(job=job, progress=round(job.progress, 4), items=listed)


@router.post("/{job_id}/cancel")
def cancel_job(job_id: str, services: ServicesDep) -> JobView:
    job = services.jobs.cancel(job_id)
    return JobView(job=job, progress=round(job.progress, 4))
