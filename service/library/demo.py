"""Load the demo workspace (an invented Hardanger cider farm) so the product can be tried."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from service.domain import Channel, ChannelProfile, Post, Workspace
from service.library.indexing import index_posts
from service.providers.vectors import VectorStore
from service.storage.db import Database
from service.storage.repositories import PostRepo, ProfileRepo, WorkspaceRepo

DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "demo_workspace.yaml"


class DemoReport(BaseModel):
    workspace: str
    posts: int
    imported: int
    updated: int
    embedded: int
    unchanged_vectors: int


def load_demo(db: Database, store: VectorStore, *, path: Path = DEMO_FILE) -> DemoReport:
    raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    ws = Workspace.model_validate(raw["workspace"])
    # A category written in the demo file was chosen by a person: no classifier run moves it.
    posts = [
        Post.model_validate(
            {
                **p,
                "workspace": ws.slug,
                "category_locked": p.get("category_locked", "category" in p),
            }
        )
        for p in raw["posts"]
    ]
    with db.session() as s:
        WorkspaceRepo(s).save(ws)
        for channel, fields in raw.get("profiles", {}).items():
            handle = fields.pop("handle", "")
            ProfileRepo(s).save(
                ws.slug, ChannelProfile(channel=Channel(channel), handle=handle, bio_fields=fields)
            )
        counts = PostRepo(s).upsert_many(posts)
    vectors = index_posts(store, ws.slug, posts)
    return DemoReport(
        workspace=ws.slug,
        posts=len(posts),
        imported=counts.imported,
        updated=counts.updated,
        embedded=vectors.embedded,
        unchanged_vectors=vectors.unchanged,
    )
