"""`gjenbruk jobs show|resume|cancel`: `--json` prints the API's `JobView`."""

from __future__ import annotations

import typer

from service.cli.common import JsonOpt, err, follow_job, run, services
from service.jobs.views import JobView

app = typer.Typer(help="Batch jobs: show progress, resume, cancel.", no_args_is_help=True)


def _show(view: JobView) -> None:
    j = view.job
    err.print(f"{j.id}: {j.status} {j.done}/{j.total} ferdig, {j.failed} feilet")


@app.command("show")
def jobs_show(job_id: str, as_json: JsonOpt = False) -> None:
    """Show a job's status and progress."""
    run(as_json, lambda: JobView.of(services().jobs.get(job_id)), _show)


@app.command("resume")
def jobs_resume(job_id: str, as_json: JsonOpt = False) -> None:
    """Continue a job that stopped (crash, restart); finished items are not redone."""
    run(as_json, lambda: JobView.of(follow_job(services(), job_id)), _show)


@app.command("cancel")
def jobs_cancel(job_id: str, as_json: JsonOpt = False) -> None:
    """Ask a running job to stop after the items in progress."""

    def show(view: JobView) -> None:
        err.print(f"{view.job.id}: avbryter ({view.job.status})")

    run(as_json, lambda: JobView.of(services().jobs.cancel(job_id)), show)
