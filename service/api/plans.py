"""Month plans over HTTP: store a plan, approve its slots, generate drafts as a background job
(progress at GET /v1/workspaces/{ws}/jobs/{id}), download exports."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import Header, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from service.api.deps import PlannerDep, WorkspaceDep, workspace_router
from service.auth.budget import BudgetDep
from service.planning.drafts import SURFACE_FOR
from service.planning.exports import ExportFormat
from service.planning.models import ContentPlan
from service.planning.planner import (
    MEDIA,
    CategoryDrafts,
    Include,
    PlanView,
    Regenerate,
    Schedule,
)

router = workspace_router("plans")


class PlanIn(BaseModel):
    plan: ContentPlan


class GenerateOut(BaseModel):
    job_id: str
    status: str
    total: int
    # Slots still to be written: all of them for a new job, those sent back by a regeneration.
    pending: int = 0


@router.post("/plans", status_code=201, name="create_plan")
def create_plan(workspace: WorkspaceDep, body: PlanIn, planner: PlannerDep) -> PlanView:
    return planner.create_plan(workspace, body.plan)


@router.get("/plans/{plan_id}", name="get_plan")
def get_plan(workspace: WorkspaceDep, plan_id: str, planner: PlannerDep) -> PlanView:
    return planner.get_plan(workspace, plan_id)


@router.post("/plans/{plan_id}/slots", name="approve_plan_slots")
def plan_slots(workspace: WorkspaceDep, plan_id: str, planner: PlannerDep) -> Schedule:
    """The month's schedule, for approval before generation, with a cost and time estimate."""
    return planner.approve_slots(workspace, plan_id)


@router.post("/plans/{plan_id}/generate", status_code=202, name="generate_plan")
def generate(
    workspace: WorkspaceDep,
    plan_id: str,
    planner: PlannerDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    regenerate: Annotated[
        Regenerate,
        Query(
            description="none (default): a plan that has its job gets that job back; all: "
            "write every slot not approved again; failed: only the failed, empty or rejected "
            "ones. Approved drafts and their edits are always kept. 409 while the job runs."
        ),
    ] = "none",
    slot: Annotated[
        str | None,
        Query(
            max_length=200,
            description="write only this slot's draft again (its key, 'YYYY-MM-DD HH:MM "
            "channel' as scheduled); refused (409) when it is approved or the job runs",
        ),
    ] = None,
) -> GenerateOut:
    """Start (or find) the job that writes a draft per approved slot; it runs in the
    background, survives restarts, and the same plan asked twice is one job. Writing drafts
    again is asked for with `regenerate`, never a side effect of asking twice."""
    job = planner.generate_plan(workspace, plan_id, idempotency_key, regenerate, slot)
    return GenerateOut(
        job_id=job.id,
        status=job.status.value,
        total=job.total,
        pending=job.total - job.done - job.failed,
    )


@router.get(
    "/plans/{plan_id}/export",
    name="export_plan",
    response_class=Response,
    responses={
        200: {
            "description": "the file, as an attachment",
            "content": {
                media.split(";")[0]: {"schema": {"type": "string"}}
                for media in sorted({m for m, _ in MEDIA.values()})
            },
            "headers": {
                "X-Gjenbruk-Left-Out": {
                    "schema": {"type": "string"},
                    "description": "JSON: how many slots were left out, by reason",
                }
            },
        }
    },
)
def export_plan(
    workspace: WorkspaceDep,
    plan_id: str,
    planner: PlannerDep,
    format: Annotated[ExportFormat, Query()] = "ics",
    date_format: Annotated[str, Query(pattern=r"^(dd/mm|mm/dd)$")] = "dd/mm",
    include: Annotated[
        list[Include] | None,
        Query(description="approved (default); add proposed for unreviewed drafts, marked"),
    ] = None,
) -> Response:
    """The month as a scheduler or calendar imports it: the drafts a person approved, with
    their edits. Rejected, failing and empty ones are never in it; the header
    `X-Gjenbruk-Left-Out` says how many slots were left out and why."""
    file = planner.export_plan(workspace, plan_id, format, date_format, include or ["approved"])
    return Response(
        file.data,
        media_type=file.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{file.filename}"',
            "X-Gjenbruk-Left-Out": json.dumps(file.left_out, sort_keys=True),
        },
    )


class CategoryDraftsIn(BaseModel):
    category: str = Field(min_length=1, max_length=60)
    channel: str = Field(
        min_length=1, max_length=20, json_schema_extra={"enum": [*sorted(SURFACE_FOR)]}
    )
    n: int = Field(default=5, ge=1, le=20, strict=True)
    language: str = Field(default="nb", pattern=r"^(nb|nn|en)$")


@router.post("/drafts/category", name="category_drafts")
def drafts_in_category(
    workspace: WorkspaceDep, body: CategoryDraftsIn, planner: PlannerDep, budget: BudgetDep
) -> CategoryDrafts:
    """ "5 drafts in category ansatte for Instagram": each checked, none a near-copy."""
    cost = budget.category_drafts(body.category, body.channel, body.n, body.language)
    with budget.spending(*cost):
        return planner.category_drafts(
            workspace, body.category, body.channel, body.n, body.language
        )
