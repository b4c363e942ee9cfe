from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service.api.deps import ServicesDep
from service.domain import Post, Workspace
from service.errors import Conflict
from service.storage.repositories import PostRepo, WorkspaceRepo

router = APIRouter(prefix="/v1/workspaces", tags=["workspaces"])


@router.get("")
def list_workspaces(services: ServicesDep) -> list[Workspace]:
    with services.db.session() as s:
        return WorkspaceRepo(s).list()


@router.post("", status_code=201)
def create_workspace(workspace: Workspace, services: ServicesDep) -> Workspace:
    with services.db.session() as s:
        repo = WorkspaceRepo(s)
        if repo.find(workspace.slug) is not None:
            raise Conflict(f"workspace {workspace.slug!r} exists already")
        return repo.save(workspace)


@router.get("/{slug}")
def get_workspace(slug: str, services: ServicesDep) -> Workspace:
    with services.db.session() as s:
        return WorkspaceRepo(s).get(slug)


@router.get("/{slug}/posts")
def list_posts(
    slug: str,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 500,
) -> list[Post]:
    with services.db.session() as s:
        WorkspaceRepo(s).get(slug)
        return PostRepo(s).list(slug, limit=limit)
