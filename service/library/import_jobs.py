"""Imports, small or large: the one owner the API, the UI and the job workers call.

A small import runs in the request (parse, store, embed, classify) and answers with its report.
An import over the size or row threshold (GJENBRUK_IMPORT_BACKGROUND_ROWS / _BYTES) is a job on
the same machinery as the month (threads on SQLite, Procrastinate workers on PostgreSQL): the
uploaded files, already saved under the import limits, stay in the data dir's `imports/` folder,
one job item per file reads its file, and the request answers at once with the job. Each file's
progress (rows parsed, stored, embedded) and its report — skipped rows with their numbers and
reasons, inferred columns, a mapping proposal — are kept on the job.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from service.domain import Channel
from service.domain.job import Job, JobItem
from service.errors import Invalid, NotFound
from service.jobs.queue import JobQueue
from service.library.importers import FileReport, ImportLimits, TooLarge
from service.library.importers.limits import validate_timezone
from service.library.ingest import ImportReport, import_file, index_and_classify
from service.providers.embeddings import Embedder
from service.providers.vectors import VectorStore
from service.settings import Settings
from service.storage.db import Database
from service.storage.import_progress import ImportProgressRepo
from service.storage.repositories import JobRepo, WorkspaceRepo

IMPORT_JOB = "library.import"
_COUNT_CHUNK = 1 << 20


class FileProgress(BaseModel):
    key: str
    name: str
    stage: str = Field(description="queued, parsing, embedding, done or failed")
    rows_total: int | None = Field(description="data rows the file holds (estimated); None: xlsx")
    parsed: int
    stored: int
    embedded: int
    report: FileReport | None = None


class ImportJob(BaseModel):
    """A background import: the job (one item per file: done / failed) and each file's
    progress and report."""

    job: Job
    progress: float = Field(description="share of the files finished")
    items: list[JobItem]
    files: list[FileProgress]


class ImportAccepted(BaseModel):
    """The 202 answer: the import runs as a job; follow it at `status_url`."""

    job: ImportJob
    status_url: str


def estimate_rows(path: Path) -> int | None:
    """Data rows of a text export, counted as line ends (a quoted line break counts twice: an
    over-estimate only sends a file to the background sooner). None for a workbook."""
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        return None
    lines = 0
    last = b""
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(_COUNT_CHUNK), b""):
            lines += block.count(b"\n")  # UTF-16's line end holds one 0x0A byte as well
            last = block
    if last and not last.endswith(b"\n"):
        lines += 1
    return max(0, lines - 1)


class Imports:
    """Owner of imports: `run` (sync or job), `handle` (one job item), `job` (its progress)."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        jobs: Callable[[], JobQueue],
        vectors: Callable[[], VectorStore],
        embedder: Callable[[], Embedder],
    ) -> None:
        self._db = db
        self._settings = settings
        self._jobs = jobs
        self._vectors = vectors
        self._embedder = embedder

    @property
    def inbox(self) -> Path:
        return self._settings.data_dir / "imports"

    def new_folder(self) -> Path:
        """Where one request's uploads are saved; `run` takes it over (and removes it)."""
        folder = self.inbox / uuid.uuid4().hex
        folder.mkdir(parents=True)
        return folder

    def needs_job(self, paths: Sequence[Path]) -> bool:
        s = self._settings
        if sum(p.stat().st_size for p in paths if p.is_file()) > s.import_background_bytes:
            return True
        return any((estimate_rows(p) or 0) > s.import_background_rows for p in paths if p.is_file())

    def run(
        self,
        workspace: str,
        folder: Path,
        files: Sequence[tuple[Path, str]],
        *,
        timezone: str | None = None,
        channel: Channel | None = None,
        mapping: dict[str, str] | None = None,
    ) -> ImportReport | ImportAccepted:
        """Import `files` ((saved path inside `folder`, the name the person gave it)): in this
        call when small, else as a job (answered at once). `folder` is removed when done."""
        limits = ImportLimits.from_settings()
        handed = False
        try:
            with self._db.session() as s:
                ws = WorkspaceRepo(s).get(workspace)
            tz = validate_timezone(timezone or ws.timezone)
            if len(files) > limits.max_files:
                raise TooLarge(f"{len(files)} files in one import; the limit is {limits.max_files}")
            paths = [p for p, _ in files]
            if self.needs_job(paths):
                accepted = self._submit(workspace, folder, files, tz, channel, mapping)
                handed = True
                return accepted
            reports = []
            for path, name in files:
                report = import_file(
                    self._db,
                    path,
                    workspace=workspace,
                    timezone=tz,
                    channel=channel,
                    mapping=mapping,
                    limits=limits,
                )
                reports.append(_named(report, path, name))
            embedded, categorised = 0, 0
            if any(r.imported or r.updated for r in reports):
                embedded, categorised = index_and_classify(
                    self._db, self._vectors(), self._embedder(), workspace
                )
            return ImportReport(files=reports, embedded=embedded, categorised=categorised)
        finally:
            if not handed:
                shutil.rmtree(folder, ignore_errors=True)

    def _submit(
        self,
        workspace: str,
        folder: Path,
        files: Sequence[tuple[Path, str]],
        timezone: str,
        channel: Channel | None,
        mapping: dict[str, str] | None,
    ) -> ImportAccepted:
        keys = [f"{i + 1:03d} {name}"[:200] for i, (_, name) in enumerate(files)]
        params: dict[str, Any] = {
            "folder": folder.name,
            "files": {
                k: {"path": str(p.relative_to(folder)), "name": name}
                for k, (p, name) in zip(keys, files, strict=True)
            },
            "timezone": timezone,
            "channel": channel.value if channel else None,
            "mapping": mapping,
        }
        jobs = self._jobs()
        job, _ = jobs.submit(workspace, IMPORT_JOB, keys, params=params)
        with self._db.session() as s:
            ImportProgressRepo(s).create(
                job.id,
                [(k, name, estimate_rows(p)) for k, (p, name) in zip(keys, files, strict=True)],
            )
        jobs.start(job.id)
        return ImportAccepted(
            job=self.job(workspace, job.id),
            status_url=f"/v1/workspaces/{workspace}/imports/{job.id}",
        )

    def handle(self, job: Job, key: str) -> dict[str, Any]:
        """One job item: import one saved file, then embed and classify what it brought."""
        spec = job.params["files"][key]
        folder = self.inbox / str(job.params["folder"])
        path = (folder / spec["path"]).resolve()
        if not path.is_relative_to(self.inbox.resolve()):
            raise Invalid(f"{spec['name']}: not a file of this import")  # params are ours
        name = str(spec["name"])
        channel = Channel(job.params["channel"]) if job.params.get("channel") else None

        def progress(**fields: Any) -> None:
            with self._db.session() as s:
                ImportProgressRepo(s).update(job.id, key, **fields)

        def batch(report: FileReport) -> None:
            progress(parsed=report.rows_read, stored=report.imported + report.updated)

        try:
            progress(stage="parsing")
            report = import_file(
                self._db,
                path,
                workspace=job.workspace,
                timezone=str(job.params["timezone"]),
                channel=channel,
                mapping=job.params.get("mapping"),
                limits=ImportLimits.from_settings(),
                on_batch=batch,
            )
            report = _named(report, path, name)
            stored = report.imported + report.updated
            if report.error and not stored and not report.follower_days:
                # Refused (unreadable, unknown, a mapping to confirm): the item fails, and the
                # report, with its proposal or reasons, stays on the job.
                progress(stage="failed", parsed=report.rows_read, report=_dump(report))
                raise Invalid(report.error)
            progress(
                stage="embedding", parsed=report.rows_read, stored=stored, report=_dump(report)
            )
            embedded, categorised = index_and_classify(
                self._db,
                self._vectors(),
                self._embedder(),
                job.workspace,
                progress=lambda _what, n: progress(embedded=n),
            )
            progress(stage="done", embedded=embedded)
            return {"report": _dump(report), "embedded": embedded, "categorised": categorised}
        except Exception:
            progress(stage="failed")
            raise
        finally:
            # The item's outcome is stored whatever happened here; the file is not needed again.
            path.unlink(missing_ok=True)
            _prune(path.parent, stop=self.inbox)

    def job(self, workspace: str, job_id: str) -> ImportJob:
        """An import job of this workspace (another workspace's, or another kind: 404)."""
        job = self._jobs().get(job_id)
        if job.workspace != workspace or job.kind != IMPORT_JOB:
            raise NotFound(f"no import {job_id!r} in workspace {workspace!r}")
        with self._db.session() as s:
            rows = ImportProgressRepo(s).of_job(job_id)
            items = JobRepo(s).items(job_id)
        results = {i.key: i.result for i in items}
        files = []
        for r in rows:
            report = r.pop("report")
            done = results.get(r["key"]) or {}
            if done.get("report"):
                report = done["report"]
            files.append(
                FileProgress(**r, report=FileReport.model_validate(report) if report else None)
            )
        return ImportJob(job=job, progress=round(job.progress, 4), items=items, files=files)


def _named(report: FileReport, path: Path, name: str) -> FileReport:
    """Name the file as the person sent it, never by our saved path."""
    report.path = name
    if report.error:
        report.error = report.error.replace(str(path), name)
    return report


def _dump(report: FileReport) -> dict[str, Any]:
    return report.model_dump(mode="json")


def _prune(folder: Path, *, stop: Path) -> None:
    """Remove the now empty folders an upload was saved in, up to the inbox."""
    stop = stop.resolve()
    current = folder.resolve()
    while current != stop and current.is_relative_to(stop):
        try:
            current.rmdir()
        except OSError:
            return
        current = current.parent
