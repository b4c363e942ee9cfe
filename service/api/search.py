from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from service.api.deps import ServicesDep
from service.library.search import SearchHit, search_posts

router = APIRouter(prefix="/v1", tags=["search"])


@router.get("/search")
def search(
    services: ServicesDep,
    q: Annotated[str, Query(min_length=1, max_length=2000, description="what to look for")],
    workspace: Annotated[str, Query(min_length=1, max_length=63)],
    k: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[SearchHit]:
    return search_posts(services.db, services.vectors, workspace, q, k=k)
