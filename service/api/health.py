from __future__ import annotations

from fastapi import APIRouter

from service import __version__
from service.api.deps import ServicesDep

router = APIRouter(prefix="/v1", tags=["health"])


@router.get("/health", name="health")
def health(services: ServicesDep) -> dict[str, str]:
    s = services.settings
    return {
        "status": "ok",
        "version": __version__,
        "llm": s.llm_provider,
        "embeddings": s.embedding_provider,
    }
