"""Imports, posts with their rates, analytics and category corrections."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import Form, UploadFile
from pydantic import BaseModel, Field

from service.api.deps import ServicesDep, WorkspaceDep, workspace_router
from service.domain import Channel, Post
from service.errors import Invalid
from service.library.corrections import set_post_category
from service.library.ingest import ImportReport, import_paths, index_and_classify
from service.library.reports import PostRow, WorkspaceAnalysis, post_rows, workspace_analysis

router = workspace_router("library")
MAX_UPLOAD = 200 * 1024 * 1024


@router.post("/imports", name="create_import")
def create_import(
    workspace: WorkspaceDep,
    services: ServicesDep,
    files: list[UploadFile],
    timezone: Annotated[str | None, Form()] = None,
    channel: Annotated[Channel | None, Form()] = None,
) -> ImportReport:
    """Upload export files; each is recognised by its headers and reported row by row."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, upload in enumerate(files):
            name = Path(upload.filename or f"upload-{i}").name
            # Keep the folder hint (facebook/, instagram/) that follower files rely on.
            folder = Path(tmp) / str(i) / (channel.value if channel else "")
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / name
            with target.open("wb") as out:
                shutil.copyfileobj(upload.file, out)
            if target.stat().st_size > MAX_UPLOAD:
                raise Invalid(f"{name} is larger than {MAX_UPLOAD // (1024 * 1024)} MB")
            paths.append(target)
        reports = import_paths(
            services.db, paths, workspace=workspace, timezone=timezone, channel=channel
        )
        for r, path, upload in zip(reports, paths, files, strict=True):
            # Name the file as the user sent it, never our temporary path.
            r.path = upload.filename or path.name
            if r.error:
                r.error = r.error.replace(str(path), r.path)
    if all(r.error for r in reports):
        raise Invalid(
            "; ".join(r.error or "" for r in reports),
            details={"files": [r.model_dump(include={"path", "error"}) for r in reports]},
        )
    embedded, categorised = index_and_classify(
        services.db, services.vectors, services.embedder, workspace
    )
    return ImportReport(files=reports, embedded=embedded, categorised=categorised)


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
    """A person's choice: kept on re-import, and used to classify the other posts better."""
    post, _ = set_post_category(
        services.db, services.vectors, services.embedder, workspace, post_id, change.category
    )
    return post
