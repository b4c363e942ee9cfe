"""Reuse variants over HTTP, and the review of the drafts they leave behind."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.api.deps import LangQuery, ServicesDep, WorkspaceDep, workspace_router
from service.auth.budget import BudgetDep, Charge
from service.auth.dependencies import current_caller
from service.auth.permissions import Permission
from service.domain import Draft, DraftStatus
from service.errors import Forbidden, GjenbrukError
from service.generation.surfaces import load_surfaces
from service.generation.variants import VariantAsk, VariantRequest, VariantResponse
from service.messages.localise import localise
from service.storage.repositories import DraftRepo

router = workspace_router("variants")
SURFACE_IDS = load_surfaces().ids()


class VariantBody(VariantAsk):
    """The request as the schema states it: surfaces named from the catalogue, and exactly one
    source (a library post, or pasted text with something in it)."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {
                    "required": ["post_id"],
                    "properties": {"post_id": {"type": "string"}, "text": {"type": "null"}},
                },
                {
                    "required": ["text"],
                    "properties": {"text": {"type": "string"}, "post_id": {"type": "null"}},
                },
            ]
        }
    )

    post_id: str | None = Field(
        default=None, min_length=1, max_length=200, description="a library post to reuse"
    )
    text: str | None = Field(
        default=None, max_length=10_000, pattern=r"\S", description="or pasted text"
    )
    n: int = Field(default=1, ge=1, le=3, strict=True, description="variants per surface")
    surfaces: list[str] = Field(
        min_length=1,
        max_length=16,
        json_schema_extra={"items": {"type": "string", "enum": [*SURFACE_IDS]}},
    )

    @model_validator(mode="after")
    def _one_source(self) -> VariantBody:
        if (self.post_id is None) == (self.text is None or not self.text.strip()):
            raise ValueError("give exactly one of post_id or text")
        return self


def _request(workspace: str, ask: VariantAsk) -> VariantRequest:
    return VariantRequest(workspace=workspace, **ask.model_dump())


def _settle(charge: Charge, out: VariantResponse) -> None:
    """The calls and money really used, in place of the upper bound charged before."""
    used = sum(v.attempts for v in out.variants)
    charge.settle(used, out.cost_usd if out.cost_priced else None)


@router.post("/variants", name="create_variants")
def create_variants(
    workspace: WorkspaceDep,
    ask: VariantBody,
    services: ServicesDep,
    budget: BudgetDep,
    lang: LangQuery = "nb",
) -> VariantResponse:
    """Variants of a library post or pasted text for the given surfaces, each with its checks,
    the examples it was based on, token usage and cost. A variant that fails its checks after
    repair is returned with `passed: false` and the reasons."""
    req = _request(workspace, ask)
    with budget.spending(*budget.variants(req)) as charge:
        out = services.variants.run(req)
    _settle(charge, out)
    return localise(out, lang)


@router.post(
    "/variants/stream",
    name="stream_variants",
    responses={
        200: {
            "description": "newline-delimited JSON: `progress` lines, then one `result` line "
            "(or an `error` line for a fault after the stream began)",
            "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
        },
    },
)
def stream_variants(
    workspace: WorkspaceDep,
    ask: VariantBody,
    services: ServicesDep,
    budget: BudgetDep,
    lang: LangQuery = "nb",
) -> StreamingResponse:
    """The same, as newline-delimited JSON: a `progress` line per finished variant, then one
    `result` line (or an `error` line). For many surfaces on a slow model. What the plain
    route refuses (unknown post or surface, a post without text, a spent budget) is refused
    here with the same status before the stream starts."""
    req = _request(workspace, ask)
    # Everything the pipeline checks before its first model call, checked now: after the
    # first byte the status is 200 whatever happens.
    services.variants.prompts(req)
    charge = budget.charge(*budget.variants(req))
    lines: queue.Queue[str | None] = queue.Queue()

    def work() -> None:
        def progress(surface: str, done: int, total: int) -> None:
            lines.put(json.dumps({"progress": {"surface": surface, "done": done, "total": total}}))

        try:
            out = services.variants.run(req, progress)
            _settle(charge, out)
            out = localise(out, lang)
            lines.put(json.dumps({"result": out.model_dump(mode="json")}, ensure_ascii=False))
        except GjenbrukError as exc:
            if exc.http_status < 500:
                charge.settle(0, 0.0)
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
    override: bool = Field(
        default=False,
        strict=True,
        description="approve a draft that failed its checks all the same; without it that is "
        "a 409. Recorded on the draft as `checks_overridden`.",
    )


@router.get("/drafts", name="list_drafts")
def list_drafts(
    workspace: WorkspaceDep,
    services: ServicesDep,
    status: Annotated[DraftStatus | None, Query()] = None,
    lang: LangQuery = "nb",
) -> list[Draft]:
    with services.db.session() as s:
        return localise(DraftRepo(s).list(workspace, status=status), lang)


@router.patch("/drafts/{draft_id}", name="review_draft")
def review_draft(
    workspace: WorkspaceDep,
    draft_id: str,
    review: Review,
    services: ServicesDep,
    request: Request,
) -> Draft:
    """Approve or reject a draft, optionally with the person's edit (kept beside the original).
    The verdict needs draft.review; a body with `edited_text` also needs draft.edit (an editor;
    a reviewer gets 403), as over MCP. A draft that failed its checks is approved only with
    `override: true` (else 409). An approval teaches: the draft grounds the next ones, and an
    edit may propose a style rule (GET .../style-rules)."""
    if review.edited_text is not None:
        caller = current_caller(request)
        if not caller.can(workspace, Permission.draft_edit):
            role = caller.role_in(workspace)
            raise Forbidden(
                f"editing a draft's text needs {Permission.draft_edit.value} in {workspace!r}; "
                f"your role ({role.name if role else 'none'}) may approve or reject it "
                "without edited_text",
                details={"permission": Permission.draft_edit.value},
            )
    return services.learning.review(
        workspace, draft_id, review.status, review.edited_text, override=review.override
    )
