"""The `gjenbruk` command. Every command takes --json and then prints one JSON document."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from service.errors import GjenbrukError
from service.settings import Settings, get_settings

app = typer.Typer(
    name="gjenbruk",
    help="Gjenbruk: reuse what already works on social media.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
# Human output and progress go to stderr so that --json leaves stdout with exactly one document.
err = Console(stderr=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
WorkspaceOpt = Annotated[str | None, typer.Option("--workspace", "-w", help="Workspace slug.")]


def _dump(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_dump(v) for v in value]
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    return value


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(_dump(value), ensure_ascii=False, indent=2) + "\n")


def run(as_json: bool, fn: Callable[[], Any], show: Callable[[Any], None]) -> None:
    """Run a command body; known errors become a clear message (or JSON) and exit code 2."""
    try:
        result = fn()
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


def _services(settings: Settings | None = None) -> Any:
    from service.container import Services

    return Services(settings or get_settings())


@app.command()
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


@app.command()
def demo(as_json: JsonOpt = False) -> None:
    """Load the demo workspace (an invented Hardanger cider farm), embedded for search."""
    from service.library.demo import load_demo

    def body() -> Any:
        services = _services()
        with progress("Laster demo-arbeidsområdet og lager vektorer") as bar:
            task = bar.add_task("demo", total=1)
            report = load_demo(services.db, services.vectors)
            bar.update(task, completed=1)
        return report

    run(
        as_json,
        body,
        lambda r: err.print(
            f"Demo «{r.workspace}»: {r.posts} innlegg ({r.imported} nye, {r.updated} oppdatert), "
            f"{r.embedded} vektorer laget, {r.unchanged_vectors} uendret."
        ),
    )


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for, e.g. 'ansatte som lager mat'.")],
    workspace: WorkspaceOpt = None,
    k: Annotated[int, typer.Option("-k", "--top", min=1, max=100, help="How many hits.")] = 10,
    as_json: JsonOpt = False,
) -> None:
    """Search a workspace's posts by meaning, with how each performed."""
    from service.library.search import search_posts

    def body() -> Any:
        services = _services()
        ws = workspace or services.settings.default_workspace
        return search_posts(services.db, services.vectors, ws, query, k=k)

    def show(hits: list[Any]) -> None:
        table = Table("likhet", "kanal", "dato", "kategori", "eng./rekkevidde", "tekst")
        for h in hits:
            er = f"{h.engagement_rate:.1%}" if h.engagement_rate is not None else "–"
            table.add_row(
                f"{h.similarity:.3f}",
                h.channel,
                h.published_at[:10],
                h.category or "",
                er,
                h.text[:80],
            )
        err.print(table if hits else "Ingen treff.")

    run(as_json, body, show)


@app.command()
def workspaces(as_json: JsonOpt = False) -> None:
    """List workspaces."""
    from service.storage.repositories import WorkspaceRepo

    def body() -> Any:
        with _services().db.session() as s:
            return WorkspaceRepo(s).list()

    run(as_json, body, lambda ws: err.print("\n".join(f"{w.slug}\t{w.name}" for w in ws)))


@app.command()
def reindex(workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """Re-embed a workspace's posts with the active embedding model (needed after changing it)."""
    from service.library.indexing import index_posts
    from service.storage.repositories import PostRepo, WorkspaceRepo

    def body() -> Any:
        services = _services()
        ws = workspace or services.settings.default_workspace
        with services.db.session() as s:
            WorkspaceRepo(s).get(ws)
            posts = PostRepo(s).list(ws)
        services.vectors.drop(ws)
        with progress(f"Lager vektorer for {len(posts)} innlegg") as bar:
            task = bar.add_task("reindex", total=len(posts))
            embedded = 0
            for start in range(0, len(posts), 64):
                embedded += index_posts(services.vectors, ws, posts[start : start + 64]).embedded
                bar.update(task, completed=min(start + 64, len(posts)))
        return {"workspace": ws, "embedded": embedded, "model": services.embedder.name}

    run(as_json, body, lambda r: err.print(f"{r['embedded']} innlegg indeksert med {r['model']}."))


jobs_app = typer.Typer(help="Batch jobs: show progress, resume, cancel.", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")


def follow_job(services: Any, job_id: str) -> Any:
    """Run or resume a job in the foreground with a progress bar."""
    with progress("Jobb") as bar:
        task = bar.add_task("jobb", total=None)

        def update(job: Any) -> None:
            bar.update(
                task,
                total=job.total,
                completed=job.done + job.failed,
                description=f"Jobb {job.id[:8]}: {job.current or job.status}",
            )

        return services.jobs.run(job_id, on_progress=update)


@jobs_app.command("show")
def jobs_show(job_id: str, as_json: JsonOpt = False) -> None:
    """Show a job's status and progress."""
    run(
        as_json,
        lambda: _services().jobs.get(job_id),
        lambda j: err.print(f"{j.id}: {j.status} {j.done}/{j.total} ferdig, {j.failed} feilet"),
    )


@jobs_app.command("resume")
def jobs_resume(job_id: str, as_json: JsonOpt = False) -> None:
    """Continue a job that stopped (crash, restart); finished items are not redone."""
    run(
        as_json,
        lambda: follow_job(_services(), job_id),
        lambda j: err.print(f"{j.id}: {j.status} {j.done}/{j.total} ferdig, {j.failed} feilet"),
    )


@jobs_app.command("cancel")
def jobs_cancel(job_id: str, as_json: JsonOpt = False) -> None:
    """Ask a running job to stop after the items in progress."""
    run(
        as_json,
        lambda: _services().jobs.cancel(job_id),
        lambda j: err.print(f"{j.id}: avbryter ({j.status})"),
    )


@app.command()
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

    settings = get_settings()
    h, p = host or settings.host, port or settings.port
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


if __name__ == "__main__":  # pragma: no cover
    app()
