"""Import files into a workspace: parse (streaming), store in batches, embed, classify."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from pydantic import BaseModel

from service.domain import Asset, Channel, FollowerCount, Post
from service.library.categories import CategoryClassifier
from service.library.importers import (
    FileReport,
    FollowerDelta,
    SkippedRow,
    UnknownFormat,
    Unreadable,
    open_export,
)
from service.library.indexing import index_posts, vector_id
from service.providers.embeddings import Embedder
from service.providers.vectors import VectorStore
from service.storage.db import Database
from service.storage.repositories import (
    AssetRepo,
    FollowerRepo,
    PostRepo,
    UpsertCounts,
    WorkspaceRepo,
)

BATCH = 500
ProgressFn = Callable[[str, int], None]  # (file, rows done so far)


class ImportReport(BaseModel):
    files: list[FileReport]
    embedded: int = 0
    categorised: int = 0


def expand(paths: Iterable[Path]) -> list[Path]:
    """Folders become the files inside them (hidden files and ground truth are still files)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(
                sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith("."))
            )
        else:
            out.append(p)
    return out


def _flush(
    db: Database,
    workspace: str,
    posts: list[Post],
    counts: list[FollowerCount],
    deltas: list[FollowerDelta],
    assets: list[Asset],
    report: FileReport,
) -> None:
    def add(c: UpsertCounts) -> None:
        report.imported += c.imported
        report.updated += c.updated
        report.changed += c.changed

    with db.session() as s:
        if posts:
            add(PostRepo(s).upsert_many(posts))
        if counts:
            add(FollowerRepo(s).save_counts(workspace, counts))
            report.follower_days += len(counts)
        by_channel: dict[Channel, list[FollowerDelta]] = {}
        for d in deltas:
            by_channel.setdefault(d.channel, []).append(d)
        for channel, items in by_channel.items():
            add(
                FollowerRepo(s).save_deltas(
                    workspace, channel, [(d.date, d.new_followers) for d in items]
                )
            )
            report.follower_days += len(items)
        if assets:
            add(AssetRepo(s).upsert_many(assets))
    for batch in (posts, counts, deltas, assets):
        batch.clear()


def import_file(
    db: Database,
    path: Path,
    *,
    workspace: str,
    timezone: str,
    channel: Channel | None = None,
    progress: ProgressFn | None = None,
) -> FileReport:
    try:
        stream = open_export(path, workspace=workspace, timezone=timezone, channel=channel)
    except (UnknownFormat, Unreadable) as exc:
        return FileReport(path=str(path), format=None, error=str(exc))
    report = FileReport(
        path=str(path),
        format=stream.format,
        channel=stream.channel.value if stream.channel else None,
    )
    posts: list[Post] = []
    counts: list[FollowerCount] = []
    deltas: list[FollowerDelta] = []
    assets: list[Asset] = []
    try:
        for item in stream:
            report.rows_read += 1
            match item:
                case SkippedRow():
                    report.skipped.append(item)
                case Post():
                    posts.append(item)
                case FollowerCount():
                    counts.append(item)
                case FollowerDelta():
                    deltas.append(item)
                case Asset():
                    assets.append(item)
            if len(posts) + len(counts) + len(deltas) + len(assets) >= BATCH:
                _flush(db, workspace, posts, counts, deltas, assets, report)
                if progress:
                    progress(str(path), report.rows_read)
    except (Unreadable, ValueError) as exc:
        # What was read before the fault is kept; the rest of the file is reported.
        report.error = f"stopped after {report.rows_read} rows: {exc}"
    _flush(db, workspace, posts, counts, deltas, assets, report)
    report.notes = list(stream.notes)
    if progress:
        progress(str(path), report.rows_read)
    return report


def import_paths(
    db: Database,
    paths: Sequence[Path],
    *,
    workspace: str,
    timezone: str | None = None,
    channel: Channel | None = None,
    progress: ProgressFn | None = None,
) -> list[FileReport]:
    with db.session() as s:
        ws = WorkspaceRepo(s).get(workspace)
    tz = timezone or ws.timezone
    return [
        import_file(db, p, workspace=workspace, timezone=tz, channel=channel, progress=progress)
        for p in expand(paths)
    ]


def index_and_classify(
    db: Database,
    store: VectorStore,
    embedder: Embedder,
    workspace: str,
    progress: ProgressFn | None = None,
) -> tuple[int, int]:
    """Embed new or changed posts, then (re)classify every post no person has categorised."""
    with db.session() as s:
        ws = WorkspaceRepo(s).get(workspace)
        posts = PostRepo(s).list(workspace)
    embedded = 0
    for start in range(0, len(posts), 64):
        embedded += index_posts(store, workspace, posts[start : start + 64]).embedded
        if progress:
            progress("embeddings", min(start + 64, len(posts)))
    vectors = store.vectors(workspace, [vector_id(p) for p in posts])
    with_vec = [(p, vectors[vector_id(p)]) for p in posts if vector_id(p) in vectors]
    locked = [(v, p.category) for p, v in with_vec if p.category_locked and p.category]
    todo = [(p, v) for p, v in with_vec if not p.category_locked]
    if not todo:
        return embedded, 0
    clf = CategoryClassifier(embedder, ws.categories, labelled=locked)
    results = clf.classify([v for _, v in todo])
    with db.session() as s:
        repo = PostRepo(s)
        for (post, _), res in zip(todo, results, strict=True):
            repo.set_category(
                workspace, post.id, res.category, confidence=res.confidence, locked=False
            )
    return embedded, len(todo)
