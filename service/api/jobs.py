"""A workspace's jobs: progress (with each item's result on request) and cancel. Another
workspace's job id is 404, like an unknown one."""

from __future__ import annotations

from service.api.deps import ServicesDep, WorkspaceDep, workspace_router
from service.domain.job import Job
from service.errors import NotFound
from service.jobs.views import JobView
from service.storage.repositories import JobRepo

router = workspace_router("jobs")


def _job(services: ServicesDep, workspace: str, job_id: str) -> Job:
    job = services.jobs.get(job_id)
    if job.workspace != workspace:
        raise NotFound(f"no job {job_id!r} in workspace {workspace!r}")
    return job


@router.get("/jobs/{job_id}", name="get_job")
def get_job(
    workspace: WorkspaceDep, job_id: str, services: ServicesDep, items: bool = False
) -> JobView:
    job = _job(services, workspace, job_id)
    listed = None
    if items:
        with services.db.session() as s:
            listed = JobRepo(s).items(job_id)
    return JobView.of(job, listed)


@router.post("/jobs/{job_id}/cancel", name="cancel_job")
def cancel_job(workspace: WorkspaceDep, job_id: str, services: ServicesDep) -> JobView:
    _job(services, workspace, job_id)
    job = services.jobs.cancel(job_id)
    return JobView.of(job)
