"""Plan → slots → (job of drafts) → exports: the steps the CLI, API and UI share."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from service.errors import Invalid
from service.planning.drafts import PLAN_JOB
from service.planning.exports import (
    ExportFormat,
    PlannedPost,
    buffer_csv,
    hootsuite_csv,
    ics,
    markdown,
    publer_csv,
)
from service.planning.models import ContentPlan, Slot


def parse_plan(raw: str, name: str = "plan.json") -> ContentPlan:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise Invalid(f"{name}: not JSON (line {exc.lineno}: {exc.msg})") from exc
    try:
        return ContentPlan.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "plan"
        raise Invalid(f"{name}: {where}: {first['msg']}") from exc


def load_plan(path: Path) -> ContentPlan:
    if not path.is_file():
        raise Invalid(f"no such file: {path}")
    return parse_plan(path.read_text(encoding="utf-8-sig"), path.name)


def job_key(workspace: str, plan: ContentPlan, slots: list[Slot]) -> str:
    """The same plan and slots for the same workspace is the same job: asking twice does not
    start a second one."""
    payload = json.dumps(
        [workspace, plan.model_dump(mode="json"), [s.model_dump(mode="json") for s in slots]],
        sort_keys=True,
        ensure_ascii=False,
    )
    return "plan-" + hashlib.sha256(payload.encode()).hexdigest()[:32]


def submit_plan_job(
    services: Any, workspace: str, plan: ContentPlan, slots: list[Slot], key: str | None = None
) -> Any:
    job, _ = services.jobs.submit(
        workspace,
        PLAN_JOB,
        [s.key for s in slots],
        params={
            "plan": plan.model_dump(mode="json"),
            "slots": [s.model_dump(mode="json") for s in slots],
        },
        idempotency_key=key or job_key(workspace, plan, slots),
    )
    return job


def planned_posts(services: Any, job_id: str, slots: list[Slot]) -> list[PlannedPost]:
    from service.storage.repositories import JobRepo

    with services.db.session() as s:
        items = {i.key: i for i in JobRepo(s).items(job_id)}
    out = []
    for slot in slots:
        item = items.get(slot.key)
        result = (item.result if item else None) or {}
        out.append(
            PlannedPost(
                slot=slot, text=str(result.get("text", "")), passed=bool(result.get("passed"))
            )
        )
    return out


def export(
    fmt: ExportFormat,
    posts: list[PlannedPost],
    *,
    workspace: str,
    plan: ContentPlan,
    date_format: str = "dd/mm",
) -> bytes:
    title = f"{plan.organisation} – {plan.target_month}"
    if fmt == "md":
        return markdown(posts, title).encode()
    if fmt == "buffer":
        return buffer_csv(posts).encode()
    if fmt == "hootsuite":
        if date_format not in ("dd/mm", "mm/dd"):
            raise Invalid("--date-format must be dd/mm or mm/dd")
        return hootsuite_csv(posts, "dd/mm" if date_format == "dd/mm" else "mm/dd").encode()
    if fmt == "publer":
        return publer_csv(posts).encode()
    return ics(posts, workspace, plan.timezone, title)


def best_hours(db: Any, workspace: str) -> dict[str, str]:
    """Each channel's best hour band from the workspace's own posts, as a posting time: the
    middle of the band ("17-19" → "18:00"). Channels without a verdict keep the defaults."""
    from service.library.reports import workspace_analysis

    out: dict[str, str] = {}
    for channel, analysis in workspace_analysis(db, workspace).channels.items():
        band = analysis.best_hour_band
        if band:
            start, end = (int(x) for x in band.split("-"))
            out[channel] = f"{(start + end) // 2:02d}:00"
    return out


def category_drafts(
    services: Any, workspace: str, category: str, channel: str, n: int, language: str = "nb"
) -> list[dict[str, Any]]:
    """ "5 drafts in category ansatte for Instagram": n drafts grounded in that category's best
    posts, each checked, none a near-copy of another."""
    import datetime as dt
    from functools import partial

    from service.planning.drafts import SURFACE_FOR, draft_for_slot
    from service.planning.slots import THEMES_NB

    if channel not in SURFACE_FOR:
        raise Invalid(f"unknown channel {channel!r}", details={"allowed": sorted(SURFACE_FOR)})
    if not 1 <= n <= 20:
        raise Invalid("n must be between 1 and 20")
    today = dt.date.today()
    plan = ContentPlan(
        organisation=workspace,
        target_month=today.strftime("%Y-%m"),
        language=language,
        channels=[{"channel": channel, "posts_per_week": 1}],
        category_weights={category: 1.0},
    )
    out: list[dict[str, Any]] = []
    for i in range(n):
        slot = Slot(
            date=today,
            time=f"{i:02d}:00",
            channel=channel,
            category=category,
            theme=THEMES_NB.get(category, category),
        )
        written = [str(d["text"]) for d in out if d.get("text")]
        out.append(
            draft_for_slot(
                services.variants, services.embedder, workspace, plan, slot, partial(list, written)
            )
        )
    return out
