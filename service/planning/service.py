"""A plan file read with a precise error, a job's identity, and the export formats: the pure
steps under `planning.planner.MonthPlanner`."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pydantic import ValidationError

from service.errors import Invalid
from service.planning.exports import (
    ExportFormat,
    PlannedPost,
    buffer_csv,
    hootsuite_csv,
    ics,
    markdown,
    publer_csv,
    tracked,
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


def export(
    fmt: ExportFormat,
    posts: list[PlannedPost],
    *,
    workspace: str,
    plan: ContentPlan,
    date_format: str = "dd/mm",
) -> bytes:
    title = f"{plan.organisation} – {plan.target_month}"
    posts = tracked(posts, campaign=str(plan.target_month))
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
