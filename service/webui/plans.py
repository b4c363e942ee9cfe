"""The functions the "Månedsplan" tab is handed: plain data in, plain data out, each a call to
the month planner the API uses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from service.domain import DraftStatus
from service.planning.exports import ExportFormat
from service.planning.planner import MonthPlanner
from service.planning.service import parse_plan
from service.storage.db import Database
from service.storage.repositories import DraftRepo, JobRepo

if TYPE_CHECKING:
    from service.learning.service import StyleLearning
    from ui.plans_tab import PlansBackend

_FORMATS: dict[str, ExportFormat] = {
    "ics": "ics", "buffer": "buffer", "hootsuite": "hootsuite", "publer": "publer", "md": "md"
}  # fmt: skip


def plans_backend(
    db: Database, planner: MonthPlanner, learning: StyleLearning | None = None
) -> PlansBackend:
    from ui.plans_tab import PlansBackend

    def slots(workspace: str, raw: str) -> dict[str, Any]:
        return planner.preview(workspace, parse_plan(raw), with_estimate=True).model_dump(
            mode="json"
        )

    def start(workspace: str, raw: str) -> str:
        plan = parse_plan(raw)
        return planner.generate(workspace, plan, planner.schedule(workspace, plan)).id

    def progress(job_id: str) -> dict[str, Any]:
        return planner.run_state(job_id).model_dump(mode="json")

    def drafts(job_id: str) -> list[dict[str, Any]]:
        with db.session() as s:
            items = JobRepo(s).items(job_id)
        return [dict(i.result or {}, key=i.key, error=i.error) for i in items]

    def review(workspace: str, draft_id: str, status: str, text: str) -> dict[str, Any]:
        if learning is not None:  # an approved month draft teaches like a variant
            draft = learning.review(workspace, draft_id, DraftStatus(status), text)
            return draft.model_dump(mode="json")
        with db.session() as s:
            draft = DraftRepo(s).review(workspace, draft_id, DraftStatus(status), text)
        return draft.model_dump(mode="json")

    def download(workspace: str, raw: str, job_id: str, fmt: str, date_format: str) -> bytes:
        # The slots the job stored, not today's: `raw` is only what the tab still shows.
        del raw
        chosen = _FORMATS.get(fmt)
        if chosen is None:
            from service.errors import Invalid

            raise Invalid(f"unknown export format {fmt!r}", details={"allowed": sorted(_FORMATS)})
        return planner.export(planner.job(workspace, job_id), chosen, date_format).data

    return PlansBackend(
        slots=slots, start=start, progress=progress, drafts=drafts, review=review, download=download
    )
