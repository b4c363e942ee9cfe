"""`gjenbruk plans …` (aliases `plan`, `drafts`): a month plan through the month planner, the
same owner the API's plan routes use."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from service.cli.common import (
    JsonOpt,
    WorkspaceOpt,
    err,
    follow_job,
    progress,
    run,
    services,
    workspace_of,
)
from service.errors import Invalid
from service.planning.exports import ExportFormat
from service.planning.planner import CategoryDrafts, ExportWritten, Include, MonthRun

app = typer.Typer(help="Month plans: slots, drafts per slot, exports.", no_args_is_help=True)
FORMATS: dict[str, ExportFormat] = {
    "ics": "ics", "buffer": "buffer", "hootsuite": "hootsuite", "publer": "publer", "md": "md"
}  # fmt: skip


@app.command("month")
def plan_(
    file: Annotated[Path, typer.Argument(help="A month plan, like shared/data/*/plan.json.")],
    slots_only: Annotated[bool, typer.Option("--slots-only", help="Only the schedule.")] = False,
    generate: Annotated[bool, typer.Option("--generate", help="Write a draft per slot.")] = False,
    regenerate: Annotated[
        str | None,
        typer.Option(
            "--regenerate",
            help="all or failed: write this month's drafts again (every slot not approved, or "
            "only failed, empty and rejected ones); approved drafts and edits are kept",
        ),
    ] = None,
    export_format: Annotated[
        str | None, typer.Option("--export", help="ics, buffer, hootsuite, publer or md")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Where to write the export.")] = None,
    date_format: Annotated[
        str, typer.Option("--date-format", help="Hootsuite: dd/mm or mm/dd")
    ] = "dd/mm",
    include: Annotated[
        list[str] | None,
        typer.Option(
            "--include",
            help="approved (default) and/or proposed: unreviewed drafts too, marked as such",
        ),
    ] = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Slots for a month from a plan (frequencies, category mix, holidays); with --generate a
    checked draft per slot as a resumable job; exports for Buffer, Hootsuite, Publer, iCal."""
    from service.planning.service import load_plan

    def body() -> MonthRun:
        plan = load_plan(file)
        fmt = None
        if export_format is not None:
            fmt = FORMATS.get(export_format)
            if fmt is None:
                raise Invalid(f"--export must be one of {', '.join(FORMATS)}")
            if out is None:
                raise Invalid("--export needs --out PATH")
            if not generate:
                raise Invalid("--export writes drafts: add --generate")
        if regenerate not in (None, "all", "failed"):
            raise Invalid("--regenerate must be all or failed")
        if regenerate is not None and not generate:
            raise Invalid("--regenerate writes drafts: add --generate")
        if date_format not in ("dd/mm", "mm/dd"):
            raise Invalid("--date-format must be dd/mm or mm/dd")
        chosen: list[Include] = []
        for name in include or ["approved"]:
            if name not in ("approved", "proposed"):
                raise Invalid("--include must be approved or proposed")
            chosen.append("approved" if name == "approved" else "proposed")
        svc = services()
        ws = workspace_of(svc, workspace)
        planner = svc.planner
        # Estimated and generated in the workspace whose best hours made the slots.
        schedule = planner.preview(ws, plan, with_estimate=generate or not slots_only)
        result = MonthRun(**schedule.model_dump())
        if not generate:
            return result
        # The same plan file is the same job: without --regenerate a month already written is
        # only read back; with it, that job writes the chosen slots again (a month not written
        # yet, or one interrupted, is simply written or resumed).
        job = planner.generate(ws, plan, schedule.slots, background=False)
        if regenerate is not None and job.status.finished:
            job = planner.regenerate(
                job, "all" if regenerate == "all" else "failed", background=False
            )
        job = follow_job(svc, job.id)
        result.job_id = job.id
        result.drafts = planner.drafts(job)
        if fmt is not None and out is not None:
            file_out = planner.export(job, fmt, date_format, chosen)
            out.write_bytes(file_out.data)
            result.export = ExportWritten(format=fmt, path=str(out), bytes=len(file_out.data))
        return result

    def show(res: MonthRun) -> None:
        table = Table("dato", "tid", "kanal", "kategori", "tema", title=str(file))
        for s in res.slots:
            table.add_row(s.date.isoformat(), s.time, s.channel, s.category, s.theme)
        err.print(table)
        if res.estimate is not None:
            e = res.estimate
            err.print(
                f"Anslag: {e.drafts} utkast, {e.prompt_tokens} + {e.completion_tokens} "
                f"tokens, ${e.cost_usd:.4f}"
                + (f", ca. {e.seconds / 60:.0f} min lokalt" if e.seconds else "")
            )
        for d in res.drafts:
            mark = "[green]✓[/]" if d.passed else "[red]✗[/]"
            err.rule(f"{d.slot.date} {d.slot.channel} {d.slot.category} {mark}")
            typer.echo(d.text)
        if res.export is not None:
            err.print(f"Skrev {res.export.path} ({res.export.format}).")

    run(as_json, body, show)


@app.command("drafts")
def drafts_(
    category: Annotated[str, typer.Option(help="A content category, e.g. ansatte.")],
    channel: Annotated[str, typer.Option(help="instagram, facebook, linkedin, tiktok or x")],
    n: Annotated[int, typer.Option("-n", help="How many drafts (1-20).")] = 5,
    language: Annotated[str, typer.Option(help="nb, nn or en")] = "nb",
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Drafts in one category for one channel, grounded in that category's best posts."""

    def body() -> CategoryDrafts:
        svc = services()
        ws = workspace_of(svc, workspace)
        with progress(f"Skriver {n} utkast") as bar:
            bar.add_task("utkast", total=None)
            return svc.planner.category_drafts(ws, category, channel, n, language)

    def show(res: CategoryDrafts) -> None:
        for d in res.drafts:
            mark = "[green]✓[/]" if d["passed"] else "[red]✗[/]"
            err.rule(f"{d['slot']['category']} · {d['slot']['channel']} {mark}")
            typer.echo(d["text"])

    run(as_json, body, show)
