"""The functions the "Månedsplan" tab is handed: plain data in, plain data out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from service.container import Services
from service.domain import DraftStatus
from service.planning.calendar import occasions
from service.planning.estimate import estimate
from service.planning.models import Slot
from service.planning.service import (
    best_hours,
    export,
    parse_plan,
    planned_posts,
    submit_plan_job,
)
from service.planning.slots import make_slots
from service.storage.repositories import DraftRepo, JobRepo, WorkspaceRepo

if TYPE_CHECKING:
    from ui.plans_tab import PlansBackend


def plans_backend(services: Services) -> PlansBackend:
    from ui.plans_tab import PlansBackend

    def slots(workspace: str, raw: str) -> dict[str, Any]:
        plan = parse_plan(raw)
        with services.db.session() as s:
            WorkspaceRepo(s).get(workspace)
        made = make_slots(plan, best_hours(services.db, workspace))
        return {
            "slots": [x.model_dump(mode="json") for x in made],
            "occasions": [o.model_dump(mode="json") for o in occasions(plan)],
            "estimate": estimate(services.variants, workspace, plan, made).model_dump(),
        }

    def start(workspace: str, raw: str) -> str:
        plan = parse_plan(raw)
        job = submit_plan_job(
            services, workspace, plan, make_slots(plan, best_hours(services.db, workspace))
        )
        if not job.status.finished:
            services.jobs.start(job.id)
        return str(job.id)

    def progress(job_id: str) -> dict[str, Any]:
        return services.jobs.get(job_id).model_dump(mode="json")

    def drafts(job_id: str) -> list[dict[str, Any]]:
        with services.db.session() as s:
            items = JobRepo(s).items(job_id)
        return [dict(i.result or {}, key=i.key, error=i.error) for i in items]

    def review(workspace: str, draft_id: str, status: str, text: str) -> dict[str, Any]:
        with services.db.session() as s:
            draft = DraftRepo(s).review(workspace, draft_id, DraftStatus(status), text)
        return draft.model_dump(mode="json")

    def download(workspace: str, raw: str, job_id: str, fmt: str, date_format: str) -> bytes:
        plan = parse_plan(raw)
        made: list[Slot] = make_slots(plan, best_hours(services.db, workspace))
        posts = planned_posts(services, job_id, made)
        return export(fmt, posts, workspace=workspace, plan=plan, date_format=date_format)  # type: ignore[arg-type]

    return PlansBackend(
        slots=slots, start=start, progress=progress, drafts=drafts, review=review, download=download
    )
