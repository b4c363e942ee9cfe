"""Semantic search over a workspace's posts, shown with how each post performed."""

from __future__ import annotations

from pydantic import BaseModel

from service.domain import Post
from service.library.performance import engagement_rate, reach_rate
from service.providers.vectors import VectorStore
from service.storage.db import Database
from service.storage.repositories import PostRepo, WorkspaceRepo


class SearchHit(BaseModel):
    post_id: str
    channel: str
    published_at: str
    category: str | None
    text: str
    similarity: float
    reach: int | None
    engagements: int | None
    engagement_rate: float | None
    reach_rate: float | None


def search_posts(
    db: Database, store: VectorStore, workspace: str, query: str, *, k: int = 10
) -> list[SearchHit]:
    with db.session() as s:
        WorkspaceRepo(s).get(workspace)  # a clear NotFound beats an empty list
        hits = store.query(workspace, query, k=k)
        repo = PostRepo(s)
        posts: dict[str, Post] = {}
        for hit in hits:
            post_id = str(hit.metadata.get("post_id", ""))
            if post_id:
                posts[hit.id] = repo.get(workspace, post_id)
    out: list[SearchHit] = []
    for hit in hits:
        post = posts.get(hit.id)
        if post is None:
            continue
        out.append(
            SearchHit(
                post_id=post.id,
                channel=post.channel.value,
                published_at=post.published_at.isoformat(),
                category=post.category,
                text=post.text,
                similarity=round(hit.similarity, 4),
                reach=post.metrics.reach,
                engagements=post.metrics.engagements,
                engagement_rate=engagement_rate(post),
                reach_rate=reach_rate(post),
            )
        )
    return out
