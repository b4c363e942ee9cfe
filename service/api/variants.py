"""Reuse variants over HTTP, and the review of the drafts they leave behind."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from typing import Annotated

from fastapi import Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from service.api.deps import ServicesDep, WorkspaceDep, workspace_router
from service.domain import Draft, DraftStatus
from service.errors import GjenbrukError
from service.generation.variants import VariantAsk, VariantRequest, VariantResponse
from service.storage.repositories import DraftRepo

router = workspace_router("variants")


def _request(workspace: str, ask: VariantAsk) -> VariantRequest:
    return VariantRequest(workspace=workspace, **ask.model_dump())


@router.post("/variants", name="create_variants")
def create_variants(
    workspace: WorkspaceDep, ask: VariantAsk, services: ServicesDep
) -> VariantResponse:
    """Variants of a library post or pasted text for the given surfaces, each with its checks,
    the examples it was based on, token usage and cost. A variant that fails its checks after
    repair is returned with `passed: false` and the reasons."""
    return services.variants.run(_request(workspace, ask))


@router.post("/variants/stream", name="stream_variants")
def stream_variants(
    workspace: WorkspaceDep, ask: VariantAsk, services: ServicesDep
) -> StreamingResponse:
    """The same, as newline-delimited JSON: a `progress` line per finished variant, then one
    `result` line (or an `error` line). For many surfaces on a slow model."""
    req = _request(workspace, ask)
    lines: queue.Queue[str | None] = queue.Queue()

    def work() -> None:
        def progress(surface: str, done: int, total: int) -> None:
            lines.put(json.dumps({"progress": {"surface": surface, "done": done, "total": total}}))

        try:
            out = services.variants.run(req, progress)
            lines.put(json.dumps({"result": out.model_dump(mode="json")}, ensure_ascii=False))
        except GjenbrukError as exc:
            lines.put(json.dumps({"error": {"code": exc.code, "message": exc.message}}))
        finally:
            lines.put(None)

    threading.Thread(target=work, daemon=True).start()

    def body() -> Iterator[str]:
        while (line := lines.get()) is not None:
            yield line + "\n"

    return StreamingResponse(body(), media_type="application/x-ndjson")


class Review(BaseModel):
    status: DraftStatus
    edited_text: str | None = Field(default=None, max_length=10_000)


@router.get("/drafts", name="list_drafts")
def list_drafts(
    workspace: WorkspaceDep,
    services: ServicesDep,
    status: Annotated[DraftStatus | None, Query()] = None,
) -> list[Draft]:
    with services.db.session() as s:
        return DraftRepo(s).list(workspace, status=status)


@router.patch("/drafts/{draft_id}", name="review_draft")
def review_draft(
    workspace: WorkspaceDep, draft_id: str, review: Review, services: ServicesDep
) -> Draft:
    """Approve or reject a draft, optionally with the person's edit (kept beside the original).
    An approval teaches: the draft grounds the next ones, and an edit may propose a style rule
    (GET .../style-rules)."""
    return services.learning.review(workspace, draft_id, review.status, review.edited_text)
