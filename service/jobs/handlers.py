"""Which function runs each kind of job. Looked up by kind, so any process can resume a job.

Each handler is built by its feature's owner and handed in; this module knows only kinds."""

from __future__ import annotations

from service.jobs.queue import Handler
from service.library.import_jobs import IMPORT_JOB
from service.planning.drafts import PLAN_JOB


def job_handlers(*, plan_drafts: Handler, library_import: Handler) -> dict[str, Handler]:
    """Job kinds this product runs; each feature adds its kind (and its handler) here."""
    return {PLAN_JOB: plan_drafts, IMPORT_JOB: library_import}
