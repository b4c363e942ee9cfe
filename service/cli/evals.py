"""`gjenbruk eval`: score the variant pipeline (and two baselines) on eval cases."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from service.cli.common import JsonOpt, err, progress, run
from service.settings import get_settings


def eval_(
    model: Annotated[
        str | None,
        typer.Option(help="local, openai, a local model name (e.g. smollm2-135m) or a .gguf path."),
    ] = None,
    cases: Annotated[
        list[Path] | None, typer.Option("--cases", help="Case file(s), JSONL; default: dev cases.")
    ] = None,
    case: Annotated[list[str] | None, typer.Option("--case", help="Only this case id.")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many cases.", min=1)] = None,
    record: Annotated[Path | None, typer.Option(help="Save the outputs here.")] = None,
    replay: Annotated[Path | None, typer.Option(help="Re-score saved outputs, no model.")] = None,
    out: Annotated[Path | None, typer.Option(help="Report folder.")] = None,
    months: Annotated[
        bool,
        typer.Option(
            "--months",
            help="Also run each plan.json through the plan job (minutes) and score "
            "the month's diversity.",
        ),
    ] = False,
    judge: Annotated[
        str | None,
        typer.Option(
            help="Also ask this API model (another family than the generator) to judge; "
            "default GJENBRUK_EVAL_JUDGE_MODEL, unset: no judge."
        ),
    ] = None,
    judge_against: Annotated[
        str,
        typer.Option(help="Pairwise opponent: baseline_truncate, baseline_copy or a recording."),
    ] = "baseline_truncate",
    judge_limit: Annotated[
        int | None, typer.Option(help="Judge at most this many product outputs.", min=1)
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Score the variant pipeline (and two baselines) on eval cases; write report.md/.json."""
    from evals.run import run_eval

    def body() -> dict[str, Any]:
        with progress("Evaluerer") as bar:
            task = bar.add_task("eval", total=None)

            def tick(case_id: str, done: int, total: int) -> None:
                bar.update(task, completed=done, total=total, description=case_id or "ferdig")

            return run_eval(
                get_settings(),
                case_files=cases or [],
                case_ids=case or [],
                limit=limit,
                model=model,
                record=record,
                replay=replay,
                out=out,
                progress=tick,
                judge_model=judge,
                judge_against=judge_against,
                judge_limit=judge_limit,
                months=months,
            )

    def show(summary: dict[str, Any]) -> None:
        from evals.report import markdown

        typer.echo(markdown(summary))
        err.print(f"Rapport: {summary['meta']['report_dir']}")

    run(as_json, body, show)
