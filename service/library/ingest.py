"""Import files into a workspace: parse (streaming), store in batches, embed, classify."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from service.domain import Asset, Channel, FollowerCount, Post
from service.errors import Invalid
from service.learning.service import relink
from service.library.categories import CategoryClassifier
from service.library.importers import (
    FileReport,
    FollowerDelta,
    ImportLimits,
    MappingNeeded,
    SkippedRow,
    TooLarge,
    UnknownFormat,
    Unreadable,
    open_export,
)
from service.library.importers.aliases import aliases, normalize
from service.library.importers.limits import validate_timezone
from service.library.indexing import index_posts, vector_id
from service.providers.embeddings import Embedder
from service.providers.vectors import VectorStore
from service.storage.db import Database
from service.storage.mappings import MappingRepo
from service.storage.repositories import (
    AssetRepo,
    FollowerRepo,
    LegacyIndex,
    PostRepo,
    UpsertCounts,
    WorkspaceRepo,
)

BATCH = 500
ProgressFn = Callable[[str, int], None]  # (file, rows done so far)
BatchFn = Callable[["FileReport"], None]  # the file's report after each stored batch


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
    legacy: LegacyIndex,
) -> None:
    def add(c: UpsertCounts) -> None:
        report.imported += c.imported
        report.updated += c.updated
        report.changed += c.changed

    with db.session() as s:
        if posts:
            add(PostRepo(s, legacy).upsert_many(posts))
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
    mapping: dict[str, str] | None = None,
    limits: ImportLimits | None = None,
    on_batch: BatchFn | None = None,
) -> FileReport:
    """Import one file. `mapping` (field -> column) is a person's confirmation: it is used now
    and stored for the file's header signature, so the next such file imports with no question.
    A file the importer is unsure about is answered with `report.proposal`, nothing stored."""

    def remembered(signature: str) -> dict[str, str] | None:
        with db.session() as s:
            return MappingRepo(s).get(workspace, signature)

    try:
        stream = open_export(
            path,
            workspace=workspace,
            timezone=timezone,
            channel=channel,
            mapping=mapping,
            remembered=remembered,
            limits=limits,
        )
    except MappingNeeded as exc:
        return FileReport(
            path=str(path),
            format=exc.proposal.format,
            channel=exc.proposal.channel,
            signature=exc.proposal.signature,
            proposal=exc.proposal,
            error=str(exc),
        )
    except (UnknownFormat, Unreadable, TooLarge) as exc:
        return FileReport(path=str(path), format=None, error=str(exc))
    report = FileReport(
        path=str(path),
        format=stream.format,
        channel=stream.channel.value if stream.channel else None,
        signature=stream.signature,
        inferred=list(stream.inferred),
        mapping_source=stream.mapping_source,
    )
    posts: list[Post] = []
    counts: list[FollowerCount] = []
    deltas: list[FollowerDelta] = []
    assets: list[Asset] = []
    ids: set[tuple[str, str]] = set()
    legacy: LegacyIndex = {}  # the workspace's legacy Facebook ids, read once for the file
    post_rows = 0
    try:
        for item in stream:
            report.rows_read += 1
            match item:
                case SkippedRow():
                    report.skipped.append(item)
                case Post():
                    posts.append(item)
                    post_rows += 1
                    ids.add((item.channel.value, item.id))
                case FollowerCount():
                    counts.append(item)
                case FollowerDelta():
                    deltas.append(item)
                case Asset():
                    assets.append(item)
            if len(posts) + len(counts) + len(deltas) + len(assets) >= BATCH:
                _flush(db, workspace, posts, counts, deltas, assets, report, legacy)
                if progress:
                    progress(str(path), report.rows_read)
                if on_batch:
                    on_batch(report)
    except (Unreadable, ValueError) as exc:
        # What was read before the fault is kept; the rest of the file is reported.
        report.error = f"stopped after {report.rows_read} rows: {exc}"
    _flush(db, workspace, posts, counts, deltas, assets, report, legacy)
    report.notes = list(stream.notes)
    report.warnings.extend(_id_warnings(post_rows, len(ids)))
    with db.session() as s:
        repo = MappingRepo(s)
        if mapping and stream.signature:
            columns = [str(c) for c in (stream.parts[0].header if stream.parts else [])]
            repo.save(workspace, stream.signature, stream.format, stream.mapping, columns)
        for metric, before, now, earlier in repo.swap_sources(
            workspace, stream.format, dict(stream.ctx.sources), Path(path).name
        ):
            report.warnings.append(
                f"the {metric} numbers changed meaning: this file gives them from {now!r}, "
                f"earlier files ({earlier}) from {before!r}; the two are not comparable "
                "(Meta's Views count every play, Impressions did not)"
            )
    if progress:
        progress(str(path), report.rows_read)
    return report


def _id_warnings(rows: int, distinct: int) -> list[str]:
    if rows > 1 and distinct == 1:
        return [
            f"every one of the {rows} rows has the same post ID: only one post was kept. "
            "Is the ID column the right one (a page or account ID)?"
        ]
    if distinct < rows:
        return [f"{rows - distinct} rows repeat a post ID of this file; the last one was kept"]
    return []


def import_paths(
    db: Database,
    paths: Sequence[Path],
    *,
    workspace: str,
    timezone: str | None = None,
    channel: Channel | None = None,
    progress: ProgressFn | None = None,
    mapping: dict[str, str] | None = None,
    limits: ImportLimits | None = None,
) -> list[FileReport]:
    """Import files and folders. `mapping` applies to every file it fits (the CLI's --map)."""
    limits = limits or ImportLimits.from_settings()
    with db.session() as s:
        ws = WorkspaceRepo(s).get(workspace)
    tz = validate_timezone(timezone or ws.timezone)
    files = expand(paths)
    if len(files) > limits.max_files:
        raise TooLarge(
            f"{len(files)} files in one import; the limit is {limits.max_files} "
            "(GJENBRUK_IMPORT_MAX_FILES)"
        )
    return [
        import_file(
            db,
            p,
            workspace=workspace,
            timezone=tz,
            channel=channel,
            progress=progress,
            mapping=mapping,
            limits=limits,
        )
        for p in files
    ]


def parse_mapping(items: Sequence[str] = (), file: Path | None = None) -> dict[str, str] | None:
    """`--map reach=Räckvidd` options and/or a JSON or YAML mapping file, as one mapping."""
    out: dict[str, str] = {}
    if file is not None:
        if not file.is_file():
            raise Invalid(f"no such mapping file: {file}")
        try:
            raw: Any = yaml.safe_load(file.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise Invalid(f"{file.name}: not JSON or YAML ({exc})") from exc
        if isinstance(raw, dict) and isinstance(raw.get("mapping"), dict):
            raw = raw["mapping"]  # a proposal as the API returned it, edited
        if not isinstance(raw, dict) or not all(isinstance(v, str | int) for v in raw.values()):
            raise Invalid(f"{file.name}: expected an object of field: column")
        out.update({str(k): str(v) for k, v in raw.items()})
    for item in items:
        field, sep, column = item.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise Invalid(f"--map {item!r}: write it as field=column, e.g. reach=Räckvidd")
        out[field.strip()] = column.strip().strip('"')
    return out or None


def alias_patch(db: Database, workspace: str) -> str:
    """Header names people confirmed that the alias table does not know, as a YAML patch to
    service/data/header_aliases.yaml (fields -> names to add)."""
    from service.library.importers.formats import FORMATS

    with db.session() as s:
        saved = MappingRepo(s).all(workspace)
    table = aliases()
    specs = {f.name: f for f in FORMATS}
    new: dict[str, list[str]] = {}
    for item in saved:
        spec = specs.get(item["format"])
        for name, column in item["mapping"].items():
            fld = name
            if spec is not None and name not in spec.fields:
                fld = next((f for f in spec.fields if f.split("_", 1)[-1] == name), name)
            if fld not in table or column.lower().startswith("column "):
                continue
            if normalize(column) not in table[fld] and column not in new.get(fld, []):
                new.setdefault(fld, []).append(column)
    return yaml.safe_dump({"fields": new}, allow_unicode=True, sort_keys=True)


def report_json(reports: Sequence[FileReport]) -> str:
    return json.dumps([r.model_dump(mode="json") for r in reports], ensure_ascii=False)


def index_and_classify(
    db: Database,
    store: VectorStore,
    embedder: Embedder,
    workspace: str,
    progress: ProgressFn | None = None,
) -> tuple[int, int]:
    """The end of every import (API, background job, CLI): embed new or changed posts,
    (re)classify every post no person has categorised, then link the posts to the Gjenbruk
    drafts they were published from and store those links (the reuse report reads them)."""
    embedded, categorised = _embed_and_classify(db, store, embedder, workspace, progress)
    relink(db, workspace)
    return embedded, categorised


def _embed_and_classify(
    db: Database,
    store: VectorStore,
    embedder: Embedder,
    workspace: str,
    progress: ProgressFn | None,
) -> tuple[int, int]:
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
