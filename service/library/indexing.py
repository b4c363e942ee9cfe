"""Keep the vector store in step with the relational store (idempotent)."""

from __future__ import annotations

from collections.abc import Sequence

from service.domain import Post
from service.providers.vectors import UpsertReport, VectorItem, VectorStore


def vector_id(post: Post) -> str:
    return f"post:{post.channel.value}:{post.id}"


def post_item(post: Post) -> VectorItem:
    return VectorItem(
        id=vector_id(post),
        text=post.text,
        metadata={
            "kind": "post",
            "post_id": post.id,
            "channel": post.channel.value,
            "category": post.category or "",
            "published_at": post.published_at.isoformat(),
        },
    )


def index_posts(store: VectorStore, workspace: str, posts: Sequence[Post]) -> UpsertReport:
    """Embed posts with text; an unchanged post is not embedded twice."""
    return store.upsert(workspace, [post_item(p) for p in posts if p.text.strip()])
