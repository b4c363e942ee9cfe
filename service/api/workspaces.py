from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service.api.deps import ServicesDep, WorkspaceDep, workspace_router
from service.auth.bootstrap import grant_creator
from service.auth.dependencies import CallerDep
from service.domain import Post, Workspace
from service.errors import Conflict
from service.storage.repositories import PostRepo, WorkspaceRepo

router = APIRouter(prefix="/v1/workspaces", tags=["workspaces"])
scoped = workspace_router("workspaces")


@router.get("", name="list_workspaces")
def list_workspaces(services: ServicesDep, caller: CallerDep) -> list[Workspace]:
    """The caller's workspaces only: another client's are not even named."""
    mine = set(caller.workspaces())
    with services.db.session() as s:
        return [w for w in WorkspaceRepo(s).list() if w.slug in mine]


@router.post("", status_code=201, name="create_workspace")
def create_workspace(workspace: Workspace, services: ServicesDep, caller: CallerDep) -> Workspace:
    with services.db.session() as s:
        repo = WorkspaceRepo(s)
        if repo.find(workspace.slug) is not None:
            raise Conflict(f"workspace {workspace.slug!r} exists already")
        saved = repo.save(workspace)
        s.flush()
        grant_creator(s, workspace.slug, caller)
        return saved


@scoped.get("", name="get_workspace")
def get_workspace(workspace: WorkspaceDep, services: ServicesDep) -> Workspace:
    with services.db.session() as s:
        return WorkspaceRepo(s).get(workspace)


@scoped.get("/posts", name="list_posts")
def list_posts(
    workspace: WorkspaceDep,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 500,
) -> list[Post]:
    with services.db.session() as s:
        return PostRepo(s).list(workspace, limit=limit)
