"""Annotated dependency aliases: routes ask for what they need, built once in the lifespan.

Every workspace-scoped route hangs under `WORKSPACE_PREFIX` through `workspace_router`, so a
caller's rights (auth) and the workspace's existence are checked in one place."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request

from service.auth.budget import BudgetDep
from service.container import Services
from service.planning.planner import MonthPlanner
from service.profiles.auditor import ProfileAuditor
from service.storage.repositories import WorkspaceRepo

WORKSPACE_PREFIX = "/v1/workspaces/{workspace}"


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_planner(budget: BudgetDep) -> MonthPlanner:
    """The month planner whose new jobs are bounded by the caller's budget (concurrent jobs,
    model calls per day, spend per month)."""
    return budget.planner()


def get_profiles(services: ServicesDep) -> ProfileAuditor:
    return services.profiles


PlannerDep = Annotated[MonthPlanner, Depends(get_planner)]
ProfilesDep = Annotated[ProfileAuditor, Depends(get_profiles)]


def existing_workspace(
    workspace: Annotated[str, Path(min_length=1, max_length=63)], services: ServicesDep
) -> str:
    """The path's workspace, 404 when there is none."""
    with services.db.session() as s:
        WorkspaceRepo(s).get(workspace)
    return workspace


WorkspaceDep = Annotated[str, Depends(existing_workspace)]


def workspace_router(tag: str) -> APIRouter:
    return APIRouter(prefix=WORKSPACE_PREFIX, tags=[tag])


# The language of the texts for people in a response (check details, findings, warnings); the
# data itself (a variant's text) is in the language it was written in.
LangQuery = Annotated[
    Literal["nb", "nn", "en"],
    Query(description="language of check details, findings and warnings: nb, nn or en"),
]
