"""What every `gjenbruk` command shares: the container, --json, errors as a message and exit code
2 (never a traceback), and progress on stderr so that stdout holds exactly one JSON document."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, TypeVar

import typer
from pydantic import TypeAdapter, ValidationError
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from service.container import Services
from service.domain.job import Job
from service.errors import GjenbrukError, Invalid
from service.settings import get_settings

R = TypeVar("R")
err = Console(stderr=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
WorkspaceOpt = Annotated[
    str | None, typer.Option("--workspace", "-w", help="Workspace slug (default: the configured).")
]


def emit_json(value: object) -> None:
    data = TypeAdapter(type(value)).dump_python(value, mode="json")
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def invalid(exc: ValidationError) -> Invalid:
    first = exc.errors()[0]
    where = ".".join(map(str, first["loc"])) or "input"
    return Invalid(f"{where}: {first['msg']}")


def run(as_json: bool, fn: Callable[[], R], show: Callable[[R], None]) -> None:
    """Run a command body; known errors become a clear message (or JSON) and exit code 2.

    With --json the result is printed as is: commands return the API's response model for the
    same operation, so both speak one shape."""
    try:
        try:
            result = fn()
        except ValidationError as exc:
            raise invalid(exc) from exc
    except GjenbrukError as exc:
        if as_json:
            emit_json({"error": {"code": exc.code, "message": exc.message, "details": exc.details}})
        else:
            err.print(f"[bold red]Feil:[/] {exc.message}")
        raise typer.Exit(2) from exc
    if as_json:
        emit_json(result)
    else:
        show(result)


@contextmanager
def progress(description: str) -> Iterator[Progress]:
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        yield bar


def services() -> Services:
    return Services(get_settings())


def workspace_of(svc: Services, workspace: str | None) -> str:
    """The workspace a command acts on: the one named, else the configured default, for every
    step of the command alike."""
    return workspace or svc.settings.default_workspace


def follow_job(svc: Services, job_id: str) -> Job:
    """Run or resume a job in the foreground with a progress bar."""
    with progress("Jobb") as bar:
        task = bar.add_task("jobb", total=None)

        def update(job: Job) -> None:
            bar.update(
                task,
                total=job.total,
                completed=job.done + job.failed,
                description=f"Jobb {job.id[:8]}: {job.current or job.status}",
            )

        return svc.jobs.run(job_id, on_progress=update)
