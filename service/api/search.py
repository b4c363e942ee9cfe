from __future__ import annotations

from typing import Annotated

from fastapi import Query

from service.api.deps import ServicesDep, WorkspaceDep, workspace_router
from service.library.search import SearchHit, search_posts

router = workspace_router("search")


@router.get("/search", name="search_posts")
def search(
    workspace: WorkspaceDep,
    services: ServicesDep,
    q: Annotated[str, Query(min_length=1, max_length=2000, description="what to look for")],
    k: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[SearchHit]:
    return search_posts(services.db, services.vectors, workspace, q, k=k)
