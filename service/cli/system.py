"""`gjenbruk doctor`, `demo` and `serve`: the installation itself."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from service.cli.common import JsonOpt, emit_json, err, progress, run, services
from service.errors import GjenbrukError
from service.library.demo import DemoReport
from service.settings import get_settings


def doctor(as_json: JsonOpt = False) -> None:
    """Show which providers are active, model files found, the data dir and versions."""
    from service.doctor import diagnose

    def show(d: dict[str, Any]) -> None:
        table = Table(show_header=False)
        for key, value in d.items():
            table.add_row(
                key,
                json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value),
            )
        err.print(table)

    run(as_json, lambda: diagnose(get_settings()), show)


def demo(as_json: JsonOpt = False) -> None:
    """Load the demo workspace (an invented Hardanger cider farm), embedded for search."""
    from service.library.demo import load_demo

    def body() -> DemoReport:
        svc = services()
        with progress("Laster demo-arbeidsområdet og lager vektorer") as bar:
            task = bar.add_task("demo", total=1)
            report = load_demo(svc.db, svc.vectors, full_year=True)
            bar.update(task, completed=1)
        return report

    def show(r: DemoReport) -> None:
        err.print(
            f"Demo «{r.workspace}»: {r.posts} innlegg ({r.imported} nye, {r.updated} oppdatert), "
            f"{r.embedded} vektorer laget, {r.unchanged_vectors} uendret."
        )

    run(as_json, body, show)


def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to bind (default from settings).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from settings).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Start the API and the web UI."""
    import uvicorn

    from service.app import create_app
    from service.auth.bootstrap import prepare_serve
    from service.storage.db import Database

    settings = get_settings()
    h, p = host or settings.host, port or settings.port
    settings = settings.model_copy(update={"host": h, "port": p})
    db = Database(settings.resolved_database_url)
    try:
        db.migrate()
        # On 127.0.0.1 the first start creates the local owner; elsewhere without a user it
        # refuses to start, so no open service is ever published.
        message = prepare_serve(db, settings)
    except GjenbrukError as exc:
        err.print(f"[bold red]Feil:[/] {exc.message}")
        raise typer.Exit(2) from exc
    finally:
        db.dispose()
    if message:
        err.print(message)
    addresses = {
        "api": f"http://{h}:{p}/v1",
        "docs": f"http://{h}:{p}/docs",
        "ui": f"http://{h}:{p}/ui/",
    }
    if as_json:
        emit_json(addresses)
    else:
        err.print(f"API: {addresses['api']}  (docs: {addresses['docs']})\nUI:  {addresses['ui']}")
    uvicorn.run(create_app(settings), host=h, port=p, log_level="info")


def worker(
    concurrency: Annotated[
        int | None,
        typer.Option(help="Items at once in this worker (default: 1 with the embedded model)."),
    ] = None,
) -> None:
    """Run a job worker (PostgreSQL deployment): it works month drafts and other job items
    until stopped (SIGTERM lets the items in progress finish)."""
    from service.jobs.worker import run_worker

    svc = services()
    settings = svc.settings
    n = concurrency or (1 if settings.llm_provider == "local" else settings.job_concurrency)
    try:
        svc.warm_up()
        run_worker(settings, svc.job_handlers, concurrency=n)
    except GjenbrukError as exc:
        err.print(f"[bold red]Feil:[/] {exc.message}")
        raise typer.Exit(2) from exc


def mcp() -> None:
    """Serve the use cases to a desktop assistant over stdio (MCP); stdout is the protocol's."""
    from service.mcp.server import run_stdio

    run_stdio(get_settings())
