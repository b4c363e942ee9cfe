"""Which function runs each kind of job. Looked up by kind, so any process can resume a job."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from service.jobs.runner import Handler

if TYPE_CHECKING:
    from service.container import Services
    from service.domain.job import Job


def job_handlers(services: Services) -> dict[str, Handler]:
    """Job kinds this product runs; each feature adds its kind here."""
    from service.planning.drafts import PLAN_JOB

    return {PLAN_JOB: lambda job, key: _plan_draft(services, job, key)}


def _plan_draft(services: Services, job: Job, key: str) -> dict[str, Any]:
    from service.domain.job import ItemStatus
    from service.planning.drafts import draft_for_slot
    from service.planning.models import ContentPlan, Slot
    from service.storage.repositories import JobRepo

    plan = ContentPlan.model_validate(job.params["plan"])
    slots = {s.key: s for s in (Slot.model_validate(x) for x in job.params["slots"])}

    def earlier() -> list[str]:
        with services.db.session() as s:
            done = JobRepo(s).items(job.id, status=ItemStatus.done)
        return [
            str(i.result["text"])
            for i in done
            if i.result and i.result.get("text") and i.key != key
            and slots.get(i.key) is not None and slots[i.key].category == slots[key].category
        ]  # fmt: skip

    return draft_for_slot(
        services.variants, services.embedder, job.workspace, plan, slots[key], earlier
    )
