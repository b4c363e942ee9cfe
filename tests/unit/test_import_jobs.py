"""Large imports run as a background job with per-file progress; small ones stay in the call.
The job must end with the numbers a synchronous import of the same file gives, and keep each
file's report (skipped rows with their numbers and reasons; a refused file's reason)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.container import Services
from service.domain import Workspace
from service.domain.job import ItemStatus, JobStatus
from service.library.import_jobs import IMPORT_JOB, ImportAccepted, ImportJob, estimate_rows
from service.library.ingest import ImportReport
from service.settings import Settings
from service.storage.repositories import PostRepo, WorkspaceRepo
from tests.fixtures.synthetic import english, to_csv, translate

ROWS = 160
BAD = (7, 42)  # 1-based data rows whose publish time is broken


@pytest.fixture
def small_threshold(settings: Settings) -> Settings:
    settings.import_background_rows = 100
    settings.import_background_bytes = 10 * 1024 * 1024
    return settings


@pytest.fixture
def svc(small_threshold: Settings, services: Services) -> Iterator[Services]:
    with services.db.session() as s:
        for slug in ("bg", "sync"):
            WorkspaceRepo(s).save(Workspace(slug=slug, name=slug))
    yield services


def _export(tmp: Path, rows: int = ROWS, name: str = "Innlegg.csv") -> Path:
    header, data = english("meta_facebook_posts", 0, rows)
    time_col = header.index("Publish time")
    for r in BAD:
        data[r - 1][time_col] = "not a time"
    path = tmp / name
    path.write_text(to_csv(translate(header, "de"), data), encoding="utf-8")
    return path


def _staged(svc: Services, *sources: Path) -> tuple[Path, list[tuple[Path, str]]]:
    """As the route does: the uploads saved into a folder the import takes over."""
    folder = svc.imports.new_folder()
    files = []
    for i, src in enumerate(sources):
        target = folder / str(i) / src.name
        target.parent.mkdir(parents=True)
        shutil.copy(src, target)
        files.append((target, src.name))
    return folder, files


def _finish(svc: Services, accepted: ImportAccepted) -> ImportJob:
    job_id = accepted.job.job.id
    thread = svc.jobs.start(job_id)  # the same thread the import started
    assert hasattr(thread, "join")
    thread.join(timeout=120)
    return svc.imports.job(accepted.job.job.workspace, job_id)


def test_the_row_estimate_counts_data_rows_of_a_text_export(tmp_path: Path) -> None:
    assert estimate_rows(_export(tmp_path)) == ROWS
    (tmp_path / "t.csv").write_text("a,b\n1,2\n3,4", encoding="utf-8")
    assert estimate_rows(tmp_path / "t.csv") == 2
    assert estimate_rows(tmp_path / "x.xlsx") is None


def test_a_small_import_stays_in_the_call(svc: Services, tmp_path: Path) -> None:
    folder, files = _staged(svc, _export(tmp_path, rows=60))
    out = svc.imports.run("sync", folder, files)
    assert isinstance(out, ImportReport)
    assert out.files[0].imported == 60 - len(BAD)
    assert not folder.exists(), "the saved upload is removed after a synchronous import"


def test_a_large_import_is_a_job_with_the_numbers_of_a_synchronous_one(
    svc: Services, tmp_path: Path
) -> None:
    export = _export(tmp_path)
    folder, files = _staged(svc, export)
    accepted = svc.imports.run("bg", folder, files)
    assert isinstance(accepted, ImportAccepted)
    assert accepted.job.job.kind == IMPORT_JOB
    assert accepted.status_url.endswith(accepted.job.job.id)
    assert accepted.job.files[0].rows_total == ROWS
    done = _finish(svc, accepted)
    assert done.job.status is JobStatus.done and done.job.done == 1
    progress = done.files[0]
    assert progress.stage == "done"
    assert progress.parsed == ROWS and progress.stored == ROWS - len(BAD)
    assert progress.embedded == ROWS - len(BAD)
    report = progress.report
    assert report is not None and report.path == "Innlegg.csv"
    assert [s.row for s in report.skipped] == [r + 1 for r in BAD]  # +1: the header line
    assert all(s.reason for s in report.skipped)
    assert report.inferred, "the German headers were placed by content; the report says so"
    assert not folder.exists(), "the job removes the file it read"

    settings = svc.settings
    settings.import_background_rows = 10_000
    folder2, files2 = _staged(svc, export)
    sync = svc.imports.run("sync", folder2, files2)
    assert isinstance(sync, ImportReport)
    mine, theirs = report, sync.files[0]
    for name in ("rows_read", "imported", "updated", "changed", "format", "channel"):
        assert getattr(mine, name) == getattr(theirs, name), name
    assert mine.skipped == theirs.skipped
    with svc.db.session() as s:
        assert PostRepo(s).count("bg") == PostRepo(s).count("sync") == ROWS - len(BAD)


def test_a_refused_file_fails_its_item_and_keeps_its_report(svc: Services, tmp_path: Path) -> None:
    good = _export(tmp_path)
    junk = tmp_path / "notes.csv"
    junk.write_text("hello,world\n" + "a,b\n" * 200, encoding="utf-8")
    folder, files = _staged(svc, good, junk)
    accepted = svc.imports.run("bg", folder, files)
    assert isinstance(accepted, ImportAccepted)
    done = _finish(svc, accepted)
    assert done.job.status is JobStatus.done
    assert (done.job.done, done.job.failed) == (1, 1)
    items = {i.key: i for i in done.items or []}
    failed = next(f for f in done.files if f.name == "notes.csv")
    assert items[failed.key].status is ItemStatus.failed
    assert failed.stage == "failed"
    assert failed.report is not None and failed.report.error
    assert "notes.csv" in (items[failed.key].error or "")
    assert str(folder) not in (items[failed.key].error or ""), "never our saved path"


def test_an_import_job_is_reached_only_through_its_workspace(svc: Services, tmp_path: Path) -> None:
    from service.errors import NotFound

    folder, files = _staged(svc, _export(tmp_path))
    accepted = svc.imports.run("bg", folder, files)
    assert isinstance(accepted, ImportAccepted)
    _finish(svc, accepted)
    with pytest.raises(NotFound):
        svc.imports.job("sync", accepted.job.job.id)
