"""Load the demo workspace (an invented Hardanger cider farm) so the product can be tried."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from service.domain import Channel, ChannelProfile, Post, Workspace
from service.library.demo_year import YEAR_FILE, compose_year
from service.library.indexing import index_posts
from service.providers.vectors import VectorStore
from service.storage.db import Database
from service.storage.repositories import FollowerRepo, PostRepo, ProfileRepo, WorkspaceRepo

DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "demo_workspace.yaml"


class DemoReport(BaseModel):
    workspace: str
    posts: int
    imported: int
    updated: int
    embedded: int
    unchanged_vectors: int
    follower_days: int = 0


def load_demo(
    db: Database,
    store: VectorStore,
    *,
    path: Path = DEMO_FILE,
    full_year: bool = False,
    year_path: Path = YEAR_FILE,
) -> DemoReport:
    """The demo workspace. With `full_year` (what `gjenbruk demo` loads) it also gets a year of
    posts on three channels and daily follower totals, so the analysis has something to say;
    without it, the dozen hand-written posts only (quick to embed, for tests)."""
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
    year = compose_year(year_path, workspace=ws.slug) if full_year else None
    if year is not None:
        posts += year.posts
    with db.session() as s:
        WorkspaceRepo(s).save(ws)
        for channel, fields in raw.get("profiles", {}).items():
            handle = fields.pop("handle", "")
            ProfileRepo(s).save(
                ws.slug, ChannelProfile(channel=Channel(channel), handle=handle, bio_fields=fields)
            )
        counts = PostRepo(s).upsert_many(posts)
        if year is not None:
            FollowerRepo(s).save_counts(ws.slug, year.followers, source="demo")
    vectors = index_posts(store, ws.slug, posts)
    return DemoReport(
        workspace=ws.slug,
        posts=len(posts),
        imported=counts.imported,
        updated=counts.updated,
        embedded=vectors.embedded,
        unchanged_vectors=vectors.unchanged,
        follower_days=len(year.followers) if year else 0,
    )
