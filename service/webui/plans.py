"""The functions the "Månedsplan" and "Status" tabs are handed: plain data in, plain data out,
each a call to the owner the API uses (the month planner, the job queue, the plan store)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from service.domain import DraftStatus
from service.domain.job import Job
from service.generation.facts import FactKind, extract_facts
from service.generation.surfaces import LinkRule, load_surfaces
from service.jobs.progress import cancel_job, progress_of, resume_job, workspace_jobs
from service.jobs.queue import JobQueue
from service.messages import render
from service.planning.drafts import PLAN_JOB, SURFACE_FOR
from service.planning.exports import ExportFormat
from service.planning.models import PLAN_CHANNELS
from service.planning.planner import MonthPlanner
from service.planning.service import parse_plan
from service.storage.db import Database
from service.storage.repositories import DraftRepo, JobRepo, PlanRepo

if TYPE_CHECKING:
    from service.learning.service import StyleLearning
    from ui.plans_tab import PlansBackend
    from ui.status_tab import StatusBackend

_FORMATS: dict[str, ExportFormat] = {
    "ics": "ics", "buffer": "buffer", "hootsuite": "hootsuite", "publer": "publer", "md": "md"
}  # fmt: skip


def networks() -> dict[str, dict[str, Any]]:
    """Per plan channel, what its preview needs from the surface data: the surface's name in
    each language, where the network cuts the text ("… more") and its hard limit."""
    catalog = load_surfaces()
    out: dict[str, dict[str, Any]] = {}
    for channel, surface_id in SURFACE_FOR.items():
        sf = catalog.get(surface_id)
        out[channel] = {
            "names": {lang: sf.name(lang) for lang in ("nb", "nn", "en")},
            "visible": sf.length.visible,
            "max": sf.length.max,
        }
    return out


def card_link(channel: str, text: str) -> dict[str, str] | None:
    """The link a network would show as a link card under the post: the first address in the
    text, on a surface whose links are clickable (Instagram and TikTok show none); None when
    the post carries no link."""
    surface_id = SURFACE_FOR.get(channel)
    if surface_id is None or load_surfaces().get(surface_id).links is not LinkRule.clickable:
        return None
    urls = [f for f in extract_facts(text) if f.kind is FactKind.url]
    if not urls:
        return None
    first = min(urls, key=lambda f: text.find(f.text))
    return {"url": first.text, "domain": first.key.split("/")[0]}


def check_text(check: dict[str, Any], lang: str) -> str:
    """What a check measured, in the reader's language (its catalogue code and parameters)."""
    if check.get("code"):
        return render(str(check["code"]), check.get("params") or {}, lang)
    return str(check.get("detail") or "")


def _sent_back(job: Job) -> dict[str, Any]:
    """The job a regeneration runs in, and how many slots it sent back to be written (0: there
    was nothing to write again)."""
    return {"job_id": job.id, "pending": job.total - job.done - job.failed}


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

    def regenerate(workspace: str, job_id: str, mode: str) -> dict[str, Any]:
        """The month's job writes again every slot not approved ("all") or only the failed,
        empty and rejected ones ("failed"); approved drafts and their edits stay. A conflict
        while the job still runs."""
        if mode not in ("all", "failed"):
            from service.errors import Invalid

            raise Invalid(f"unknown regeneration {mode!r}", details={"allowed": ["all", "failed"]})
        chosen: Literal["all", "failed"] = "all" if mode == "all" else "failed"
        return _sent_back(planner.regenerate(planner.job(workspace, job_id), chosen))

    def regenerate_slot(workspace: str, job_id: str, key: str) -> dict[str, Any]:
        """One slot's draft written again in the month's job (not an approved one)."""
        return _sent_back(planner.regenerate_slot(planner.job(workspace, job_id), key))

    def move(workspace: str, job_id: str, key: str, day: str, at: str) -> dict[str, Any]:
        """A slot moved to another day (and time) of the month; its draft and verdict stay."""
        return planner.move_slot(planner.job(workspace, job_id), key, day, at).model_dump(
            mode="json"
        )

    def progress(job_id: str) -> dict[str, Any]:
        return progress_of(planner.run_state(job_id)).model_dump(mode="json")

    def drafts(workspace: str, job_id: str) -> list[dict[str, Any]]:
        """Each slot's draft with what people decided about it (status, edit)."""
        out = []
        for d in planner.drafts(planner.job(workspace, job_id)):
            row = d.model_dump(mode="json")
            row["link"] = card_link(d.slot.channel, d.current_text)
            out.append(row)
        return out

    def review(
        workspace: str, draft_id: str, status: str, text: str, override: bool = False
    ) -> dict[str, Any]:
        """A verdict on a card; approving a draft that failed its checks needs `override` (the
        card's explicit "approve anyway"), recorded on the draft."""
        if learning is not None:  # an approved month draft teaches like a variant
            draft = learning.review(
                workspace, draft_id, DraftStatus(status), text, override=override
            )
            return draft.model_dump(mode="json")
        with db.session() as s:
            draft = DraftRepo(s).review(
                workspace, draft_id, DraftStatus(status), text, override=override
            )
        return draft.model_dump(mode="json")

    def download(workspace: str, raw: str, job_id: str, fmt: str, date_format: str) -> bytes:
        # The slots the job stored, not today's: `raw` is only what the tab still shows.
        del raw
        chosen = _FORMATS.get(fmt)
        if chosen is None:
            from service.errors import Invalid

            raise Invalid(f"unknown export format {fmt!r}", details={"allowed": sorted(_FORMATS)})
        return planner.export(planner.job(workspace, job_id), chosen, date_format).data

    def validate(raw: str) -> dict[str, Any]:
        """The plan as the API would read it (the same model, the same messages)."""
        return parse_plan(raw).model_dump(mode="json")

    def save(workspace: str, raw: str) -> dict[str, Any]:
        return planner.create_plan(workspace, parse_plan(raw)).plan.model_dump(mode="json")

    def saved(workspace: str) -> dict[str, Any] | None:
        with db.session() as s:
            stored = PlanRepo(s).latest(workspace)
        return None if stored is None else stored.plan.model_dump(mode="json")

    def latest_job(workspace: str) -> str | None:
        """The workspace's newest month-plan job: the calendar a reload opens with."""
        with db.session() as s:
            jobs = JobRepo(s).for_workspace(workspace, limit=50)
        return next((j.id for j in jobs if j.kind == PLAN_JOB), None)

    return PlansBackend(
        slots=slots,
        start=start,
        regenerate=regenerate,
        regenerate_slot=regenerate_slot,
        move=move,
        progress=progress,
        drafts=drafts,
        review=review,
        download=download,
        validate=validate,
        save=save,
        saved=saved,
        latest_job=latest_job,
        channels=lambda: list(PLAN_CHANNELS),
        networks=networks,
        check_text=check_text,
    )


def status_backend(db: Database, queue: JobQueue) -> StatusBackend:
    from ui.status_tab import StatusBackend

    def jobs(workspace: str) -> list[dict[str, Any]]:
        return [p.model_dump(mode="json") for p in workspace_jobs(db, workspace)]

    def cancel(workspace: str, job_id: str) -> dict[str, Any]:
        return cancel_job(queue, workspace, job_id).model_dump(mode="json")

    def resume(workspace: str, job_id: str) -> dict[str, Any]:
        return resume_job(db, queue, workspace, job_id).model_dump(mode="json")

    return StatusBackend(jobs=jobs, cancel=cancel, resume=resume)
