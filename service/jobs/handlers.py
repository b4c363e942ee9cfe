"""Which function runs each kind of job. Looked up by kind, so any process can resume a job."""

from __future__ import annotations

from typing import TYPE_CHECKING

from service.jobs.runner import Handler

if TYPE_CHECKING:
    from service.container import Services


def job_handlers(services: Services) -> dict[str, Handler]:
    """Job kinds this product runs; each feature adds its kind here."""
    return {}
