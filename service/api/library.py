"""Imports, posts with their rates, analytics and category corrections."""

from __future__ import annotations

import json
import shutil
from typing import Annotated

from fastapi import Form, UploadFile
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field

from service.api.deps import ServicesDep, WorkspaceDep, workspace_router
from service.domain import Channel, Post
from service.domain.workspace import ZONES
from service.errors import Conflict, Invalid
from service.library.corrections import set_post_category
from service.library.import_jobs import ImportAccepted, ImportJob
from service.library.importers.limits import UploadGuard, save_upload, validate_timezone
from service.library.ingest import ImportReport, alias_patch
from service.library.reports import PostRow, WorkspaceAnalysis, post_rows, workspace_analysis

router = workspace_router("library")


@router.post(
    "/imports",
    name="create_import",
    response_model=ImportReport,
    responses={202: {"model": ImportAccepted, "description": "a large import, run as a job"}},
)
def create_import(
    workspace: WorkspaceDep,
    services: ServicesDep,
    files: list[UploadFile],
    timezone: Annotated[
        str | None, Form(description="an IANA name", json_schema_extra={"enum": ZONES})
    ] = None,
    channel: Annotated[Channel | None, Form()] = None,
    mapping: Annotated[
        str | None,
        Form(description='a confirmed mapping, JSON: {"reach": "Räckvidd", ...} (field -> column)'),
    ] = None,
) -> ImportReport | JSONResponse:
    """Upload export files; each is recognised by its content and headers and reported row by
    row. A file whose required columns cannot be placed with confidence is a 409 carrying the
    proposal; send it back confirmed (or corrected) as `mapping`. An import over the size or row
    threshold (GJENBRUK_IMPORT_BACKGROUND_ROWS / _BYTES) answers 202 at once with its job;
    follow it at `status_url`."""
    if timezone is not None:
        validate_timezone(timezone)
    confirmed = _mapping(mapping)
    guard = UploadGuard()
    imports = services.imports
    folder = imports.new_folder()
    try:
        saved = []
        for i, upload in enumerate(files):
            # Keep the folder hint (facebook/, instagram/) that follower files rely on.
            where = folder / str(i) / (channel.value if channel else "")
            path = save_upload(upload.file, where, upload.filename, guard)
            saved.append((path, upload.filename or path.name))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    outcome = imports.run(
        workspace, folder, saved, timezone=timezone, channel=channel, mapping=confirmed
    )
    if isinstance(outcome, ImportAccepted):
        return JSONResponse(
            outcome.model_dump(mode="json"),
            status_code=202,
            headers={"Location": outcome.status_url},
        )
    reports = outcome.files
    proposals = [r for r in reports if r.proposal is not None]
    if proposals and all(r.error or r.proposal for r in reports):
        raise Conflict(
            "; ".join(r.error or "" for r in proposals),
            details={
                "reason": "mapping_needed",
                "files": [r.model_dump(mode="json", include={"path", "error"}) for r in reports],
                "proposal": proposals[0].proposal.model_dump(mode="json")
                if proposals[0].proposal
                else None,
            },
        )
    if all(r.error for r in reports):
        raise Invalid(
            "; ".join(r.error or "" for r in reports),
            details={"files": [r.model_dump(include={"path", "error"}) for r in reports]},
        )
    return outcome


@router.get("/imports/{job_id}", name="get_import")
def get_import(workspace: WorkspaceDep, job_id: str, services: ServicesDep) -> ImportJob:
    """A background import: files done or failed, and each file's rows parsed, stored and
    embedded, with its report (skipped rows and reasons) as soon as it is read."""
    return services.imports.job(workspace, job_id)


def _mapping(raw: str | None) -> dict[str, str] | None:
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise Invalid(f"mapping: not JSON ({exc.msg})") from exc
    if isinstance(data, dict) and isinstance(data.get("mapping"), dict):
        data = data["mapping"]  # a proposal as this route returned it, edited
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise Invalid('mapping: an object of field -> column names, e.g. {"reach": "Räckvidd"}')
    return data


@router.get(
    "/import-mappings/alias-patch",
    name="import_alias_patch",
    response_class=PlainTextResponse,
    responses={
        200: {
            "content": {
                "text/yaml": {
                    "schema": {
                        "type": "object",
                        "properties": {"fields": {"type": "object"}},
                        "required": ["fields"],
                    }
                }
            }
        }
    },
)
def import_alias_patch(workspace: WorkspaceDep, services: ServicesDep) -> PlainTextResponse:
    """Header names people confirmed in this workspace, as a patch to the alias data."""
    return PlainTextResponse(alias_patch(services.db, workspace), media_type="text/yaml")


@router.get("/analytics/posts", name="analytics_posts")
def analytics_posts(workspace: WorkspaceDep, services: ServicesDep) -> list[PostRow]:
    return post_rows(services.db, workspace)


@router.get("/analytics", name="analytics")
def analytics(
    workspace: WorkspaceDep, services: ServicesDep, reuse_after_months: int = 6
) -> WorkspaceAnalysis:
    return workspace_analysis(services.db, workspace, reuse_after_months=reuse_after_months)


class CategoryChange(BaseModel):
    category: str = Field(min_length=1, max_length=64)


@router.put("/posts/{post_id}/category", name="set_post_category")
def set_category(
    workspace: WorkspaceDep, post_id: str, change: CategoryChange, services: ServicesDep
) -> Post:
    """A person's choice for this post only: kept on re-import; no other post moves (it is
    used as an example when the others are classified again, e.g. at the next import)."""
    post, _ = set_post_category(
        services.db, services.vectors, services.embedder, workspace, post_id, change.category
    )
    return post
