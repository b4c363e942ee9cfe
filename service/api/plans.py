"""Month plans over HTTP: store a plan, approve its slots, generate drafts as a background job
(progress at GET /v1/jobs/{id}), download exports."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from service.api.deps import ServicesDep
from service.errors import Invalid
from service.planning.calendar import occasions
from service.planning.estimate import Estimate, estimate
from service.planning.exports import ExportFormat
from service.planning.models import ContentPlan, Occasion, Slot
from service.planning.service import (
    best_hours,
    category_drafts,
    export,
    planned_posts,
    submit_plan_job,
)
from service.planning.slots import make_slots
from service.storage.repositories import PlanRepo, WorkspaceRepo

router = APIRouter(prefix="/v1/plans", tags=["plans"])
MEDIA = {
    "md": ("text/markdown; charset=utf-8", "md"),
    "buffer": ("text/csv; charset=utf-8", "csv"),
    "hootsuite": ("text/csv; charset=utf-8", "csv"),
    "publer": ("text/csv; charset=utf-8", "csv"),
    "ics": ("text/calendar; charset=utf-8", "ics"),
}


class PlanIn(BaseModel):
    workspace: str = Field(min_length=1, max_length=63)
    plan: ContentPlan


class PlanOut(BaseModel):
    id: str
    workspace: str
    plan: ContentPlan
    occasions: list[Occasion]
    slots: list[Slot] | None
    job_id: str | None


class SlotsOut(BaseModel):
    plan_id: str
    slots: list[Slot]
    estimate: Estimate


class GenerateOut(BaseModel):
    job_id: str
    status: str
    total: int


def _out(stored: Any) -> PlanOut:
    plan = ContentPlan.model_validate(stored.plan)
    return PlanOut(
        id=stored.id,
        workspace=stored.workspace,
        plan=plan,
        occasions=occasions(plan),
        slots=None if stored.slots is None else [Slot.model_validate(s) for s in stored.slots],
        job_id=stored.job_id,
    )


@router.post("", status_code=201)
def create_plan(body: PlanIn, services: ServicesDep) -> PlanOut:
    with services.db.session() as s:
        WorkspaceRepo(s).get(body.workspace)
        return _out(PlanRepo(s).add(body.workspace, body.plan.model_dump(mode="json")))


@router.get("/{plan_id}")
def get_plan(plan_id: str, services: ServicesDep) -> PlanOut:
    with services.db.session() as s:
        return _out(PlanRepo(s).get(plan_id))


@router.post("/{plan_id}/slots")
def plan_slots(plan_id: str, services: ServicesDep) -> SlotsOut:
    """The month's schedule, for approval before generation, with a cost and time estimate."""
    with services.db.session() as s:
        stored = PlanRepo(s).get(plan_id)
    plan = ContentPlan.model_validate(stored.plan)
    slots = make_slots(plan, best_hours(services.db, stored.workspace))
    with services.db.session() as s:
        PlanRepo(s).update(plan_id, slots=[x.model_dump(mode="json") for x in slots])
    return SlotsOut(
        plan_id=plan_id,
        slots=slots,
        estimate=estimate(services.variants, stored.workspace, plan, slots),
    )


@router.post("/{plan_id}/generate", status_code=202)
def generate(
    plan_id: str,
    services: ServicesDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> GenerateOut:
    """Start (or find) the job that writes a draft per approved slot; it runs in the
    background, survives restarts, and the same plan asked twice is one job."""
    with services.db.session() as s:
        stored = PlanRepo(s).get(plan_id)
    if stored.slots is None:
        raise Invalid("approve the slots first: POST /v1/plans/{id}/slots")
    plan = ContentPlan.model_validate(stored.plan)
    slots = [Slot.model_validate(x) for x in stored.slots]
    job = submit_plan_job(services, stored.workspace, plan, slots, key=idempotency_key)
    with services.db.session() as s:
        PlanRepo(s).update(plan_id, job_id=job.id)
    if not job.status.finished:
        services.jobs.start(job.id)
    return GenerateOut(job_id=job.id, status=job.status.value, total=job.total)


@router.get("/{plan_id}/export")
def export_plan(
    plan_id: str,
    services: ServicesDep,
    format: Annotated[ExportFormat, Query()] = "ics",
    date_format: Annotated[str, Query(pattern=r"^(dd/mm|mm/dd)$")] = "dd/mm",
) -> Response:
    with services.db.session() as s:
        stored = PlanRepo(s).get(plan_id)
    if stored.job_id is None or stored.slots is None:
        raise Invalid("nothing to export yet: generate the drafts first")
    plan = ContentPlan.model_validate(stored.plan)
    slots = [Slot.model_validate(x) for x in stored.slots]
    posts = planned_posts(services, stored.job_id, slots)
    data = export(format, posts, workspace=stored.workspace, plan=plan, date_format=date_format)
    media, ext = MEDIA[format]
    name = f"{stored.workspace}-{plan.target_month}-{format}.{ext}"
    return Response(
        data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


class CategoryDraftsIn(BaseModel):
    workspace: str = Field(min_length=1, max_length=63)
    category: str = Field(min_length=1, max_length=60)
    channel: str = Field(min_length=1, max_length=20)
    n: int = Field(default=5, ge=1, le=20)
    language: str = Field(default="nb", pattern=r"^(nb|nn|en)$")


drafts_router = APIRouter(prefix="/v1/drafts", tags=["plans"])


@drafts_router.post("/category")
def drafts_in_category(body: CategoryDraftsIn, services: ServicesDep) -> dict[str, Any]:
    """ "5 drafts in category ansatte for Instagram": each checked, none a near-copy."""
    with services.db.session() as s:
        WorkspaceRepo(s).get(body.workspace)
    drafts = category_drafts(
        services, body.workspace, body.category, body.channel, body.n, body.language
    )
    return {"drafts": drafts}
