"""A person's category choice: validated, locked against re-import, and learnt from."""

from __future__ import annotations

from service.domain import Post
from service.errors import Invalid
from service.library.ingest import index_and_classify
from service.providers.embeddings import Embedder
from service.providers.vectors import VectorStore
from service.storage.db import Database
from service.storage.repositories import PostRepo, WorkspaceRepo


def set_post_category(
    db: Database,
    store: VectorStore,
    embedder: Embedder,
    workspace: str,
    post_id: str,
    category: str,
) -> tuple[Post, int]:
    """Lock the post's category, then reclassify the posts no person has categorised, with the
    corrected post as an extra example. Returns the post and how many were reclassified."""
    with db.session() as s:
        known = WorkspaceRepo(s).get(workspace).categories
        if category not in known:
            raise Invalid(f"unknown category {category!r}", details={"allowed": known})
        post = PostRepo(s).set_category(workspace, post_id, category, confidence=1.0)
    _, reclassified = index_and_classify(db, store, embedder, workspace)
    return post, reclassified
