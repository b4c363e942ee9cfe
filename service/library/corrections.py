"""A person's category choice: validated, locked against re-import, and learnt from only when
the person asks, so a correction of one post never moves another post's category unseen."""

from __future__ import annotations

from pydantic import BaseModel

from service.domain import Post
from service.errors import Invalid
from service.library.ingest import index_and_classify
from service.providers.embeddings import Embedder
from service.providers.vectors import VectorStore
from service.storage.db import Database
from service.storage.repositories import PostRepo, WorkspaceRepo


class CategoryChange(BaseModel):
    channel: str
    post_id: str
    before: str | None
    after: str | None


class CategoryCorrection(BaseModel):
    post: Post
    # Posts the classifier moved when asked to learn from the correction; empty otherwise.
    reclassified: list[CategoryChange]


def correct_category(
    db: Database,
    store: VectorStore,
    embedder: Embedder,
    workspace: str,
    post_id: str,
    category: str,
    *,
    reclassify: bool = False,
) -> CategoryCorrection:
    """Lock this post's category. With `reclassify`, the posts no person has categorised are
    classified again with the corrected post as an extra example, and each change is listed."""
    with db.session() as s:
        known = WorkspaceRepo(s).get(workspace).categories
        if category not in known:
            raise Invalid(f"unknown category {category!r}", details={"allowed": known})
        post = PostRepo(s).set_category(workspace, post_id, category, confidence=1.0)
    if not reclassify:
        return CategoryCorrection(post=post, reclassified=[])
    before = _categories(db, workspace)
    index_and_classify(db, store, embedder, workspace)
    after = _categories(db, workspace)
    changes = [
        CategoryChange(channel=channel, post_id=pid, before=before.get((channel, pid)), after=cat)
        for (channel, pid), cat in after.items()
        if before.get((channel, pid)) != cat
    ]
    return CategoryCorrection(post=post, reclassified=changes)


def set_post_category(
    db: Database,
    store: VectorStore,
    embedder: Embedder,
    workspace: str,
    post_id: str,
    category: str,
    *,
    reclassify: bool = False,
) -> tuple[Post, int]:
    """`correct_category` for callers that only need the post and how many others moved."""
    done = correct_category(
        db, store, embedder, workspace, post_id, category, reclassify=reclassify
    )
    return done.post, len(done.reclassified)


def _categories(db: Database, workspace: str) -> dict[tuple[str, str], str | None]:
    with db.session() as s:
        return {(p.channel.value, p.id): p.category for p in PostRepo(s).list(workspace)}
