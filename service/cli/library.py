"""`gjenbruk library …`: a workspace's posts: import, search, analytics, corrections."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from pydantic import BaseModel
from rich.table import Table

from service.cli.common import JsonOpt, WorkspaceOpt, err, progress, run, services, workspace_of
from service.container import Services
from service.domain import Channel, FollowerCount, Post, Workspace
from service.errors import Invalid
from service.library.ingest import ImportReport
from service.library.reports import PostRow, WorkspaceAnalysis
from service.library.search import SearchHit

app = typer.Typer(help="A workspace's posts: import, search, analytics.", no_args_is_help=True)
followers_app = typer.Typer(help="Follower counts a person knows (e.g. LinkedIn's start total).")


class Reindexed(BaseModel):
    workspace: str
    embedded: int
    model: str


class FollowerSet(FollowerCount):
    workspace: str


def _rate(rate: float | None) -> str:
    return f"{rate:.1%}" if rate is not None else "–"


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for, e.g. 'ansatte som lager mat'.")],
    workspace: WorkspaceOpt = None,
    k: Annotated[int, typer.Option("-k", "--top", min=1, max=100, help="How many hits.")] = 10,
    as_json: JsonOpt = False,
) -> None:
    """Search a workspace's posts by meaning, with how each performed."""
    from service.library.search import search_posts

    def body() -> list[SearchHit]:
        svc = services()
        return search_posts(svc.db, svc.vectors, workspace_of(svc, workspace), query, k=k)

    def show(hits: list[SearchHit]) -> None:
        table = Table("likhet", "kanal", "dato", "kategori", "eng./rekkevidde", "tekst")
        for h in hits:
            table.add_row(
                f"{h.similarity:.3f}", h.channel, h.published_at[:10], h.category or "",
                _rate(h.engagement_rate), h.text[:80],
            )  # fmt: skip
        err.print(table if hits else "Ingen treff.")

    run(as_json, body, show)


@app.command()
def workspaces(as_json: JsonOpt = False) -> None:
    """List workspaces."""
    from service.storage.repositories import WorkspaceRepo

    def body() -> list[Workspace]:
        with services().db.session() as s:
            return WorkspaceRepo(s).list()

    run(as_json, body, lambda ws: err.print("\n".join(f"{w.slug}\t{w.name}" for w in ws)))


@app.command()
def reindex(workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """Re-embed a workspace's posts with the active embedding model (needed after changing it)."""
    from service.library.indexing import index_posts
    from service.storage.repositories import PostRepo, WorkspaceRepo

    def body() -> Reindexed:
        svc = services()
        ws = workspace_of(svc, workspace)
        with svc.db.session() as s:
            WorkspaceRepo(s).get(ws)
            posts = PostRepo(s).list(ws)
        svc.vectors.drop(ws)
        with progress(f"Lager vektorer for {len(posts)} innlegg") as bar:
            task = bar.add_task("reindex", total=len(posts))
            embedded = 0
            for start in range(0, len(posts), 64):
                embedded += index_posts(svc.vectors, ws, posts[start : start + 64]).embedded
                bar.update(task, completed=min(start + 64, len(posts)))
        return Reindexed(workspace=ws, embedded=embedded, model=svc.embedder.name)

    run(as_json, body, lambda r: err.print(f"{r.embedded} innlegg indeksert med {r.model}."))


def _ensure_workspace(svc: Services, slug: str, timezone: str | None, *, create: bool) -> None:
    """A mistyped -w must not quietly start an empty workspace: a new one is made only when
    asked (--create), or when it is the configured default one."""
    from service.library.importers.limits import validate_timezone
    from service.storage.repositories import WorkspaceRepo

    if timezone is not None:
        validate_timezone(timezone)
    with svc.db.session() as s:
        repo = WorkspaceRepo(s)
        if repo.find(slug) is not None:
            return
        if not create and slug != svc.settings.default_workspace:
            known = ", ".join(w.slug for w in repo.list()) or "none yet"
            raise Invalid(
                f"no workspace {slug!r} (known: {known}); add --create to start a new one",
                details={"workspace": slug},
            )
        repo.save(Workspace(slug=slug, name=slug, timezone=timezone or "Europe/Oslo"))
        err.print(f"Opprettet arbeidsområdet «{slug}».")


@app.command("import")
def import_(
    paths: Annotated[list[Path], typer.Argument(help="Export files or folders of them.")],
    workspace: WorkspaceOpt = None,
    timezone: Annotated[
        str | None, typer.Option(help="Zone of times without one (default: the workspace's).")
    ] = None,
    channel: Annotated[
        str | None, typer.Option(help="Channel of a follower file whose folder does not say.")
    ] = None,
    create: Annotated[bool, typer.Option("--create", help="Start the workspace if new.")] = False,
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help='Confirm a column: field=column, e.g. reach="Räckvidd".'),
    ] = None,
    map_file: Annotated[
        Path | None, typer.Option(help="A mapping file (JSON/YAML), e.g. an edited proposal.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import platform exports (Business Suite, LinkedIn, X, legacy Insights, our own CSV/JSON).
    A file whose columns cannot be placed with confidence is not imported: its proposal is
    shown, and --map/--map-file confirm it. Exit code 1 when any file was not imported."""
    from service.library.ingest import import_paths, index_and_classify, parse_mapping

    outcome: list[ImportReport] = []

    def body() -> ImportReport:
        svc = services()
        ws = workspace_of(svc, workspace)
        try:
            chosen = Channel(channel) if channel else None
        except ValueError as exc:
            raise Invalid(f"unknown channel {channel!r}") from exc
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise Invalid(f"no such file or folder: {', '.join(missing)}")
        mapping = parse_mapping(map_ or [], map_file)
        _ensure_workspace(svc, ws, timezone, create=create)
        with progress("Importerer") as bar:
            task = bar.add_task("import", total=None)

            def update(name: str, rows: int) -> None:
                bar.update(task, completed=rows, description=f"{Path(name).name}: {rows} rader")

            files = import_paths(
                svc.db,
                paths,
                workspace=ws,
                timezone=timezone,
                channel=chosen,
                progress=update,
                mapping=mapping,
            )
            bar.update(task, description="Lager vektorer og kategoriserer", completed=0)
            embedded, categorised = index_and_classify(
                svc.db, svc.vectors, svc.embedder, ws, progress=update
            )
        outcome.append(ImportReport(files=files, embedded=embedded, categorised=categorised))
        return outcome[0]

    def show(report: ImportReport) -> None:
        table = Table("fil", "format", "lest", "nye", "oppdatert", "hoppet over", "merknad")
        for f in report.files:
            table.add_row(
                Path(f.path).name, f.format or "–", str(f.rows_read), str(f.imported),
                str(f.updated), str(len(f.skipped)), f.error or "; ".join(f.notes),
            )  # fmt: skip
        err.print(table)
        for f in report.files:
            for skip in f.skipped[:20]:
                err.print(f"  {Path(f.path).name} rad {skip.row}: {skip.reason}")
        err.print(f"{report.embedded} innlegg fikk vektorer, {report.categorised} kategorisert.")
        for f in report.files:
            if f.proposal is not None:
                err.print(f"[bold]{Path(f.path).name}[/]: usikre kolonner, ingenting importert.")
                for field in f.proposal.fields:
                    err.print(
                        f"  {field.field} ← {field.column!s} ({field.confidence:.0%}; "
                        f"{', '.join(map(str, field.samples[:3]))})"
                    )
                err.print('  Bekreft med --map felt="kolonne" eller --map-file.')

    run(as_json, body, show)
    if outcome and any(f.error or f.proposal for f in outcome[0].files):
        raise typer.Exit(1)


@app.command()
def posts(workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """List a workspace's posts with followers at posting, reach and engagement rates."""
    from service.library.reports import post_rows

    def body() -> list[PostRow]:
        svc = services()
        return post_rows(svc.db, workspace_of(svc, workspace))

    def show(rows: list[PostRow]) -> None:
        table = Table("id", "kanal", "publisert", "kategori", "rekkevidde", "eng./rekkevidde")
        for r in rows:
            reach = str(r.reach if r.reach is not None else "–")
            table.add_row(
                r.id, r.channel, r.published_at[:16], r.category or "", reach,
                _rate(r.engagement_rate),
            )  # fmt: skip
        err.print(table)

    run(as_json, body, show)


@app.command()
def analyze(
    workspace: WorkspaceOpt = None,
    reuse_after: Annotated[int, typer.Option(help="Months before a post is due for reuse.")] = 6,
    as_json: JsonOpt = False,
) -> None:
    """What works per channel: high performers, categories, best hour band or weekday."""
    from service.library.reports import workspace_analysis

    def body() -> WorkspaceAnalysis:
        svc = services()
        ws = workspace_of(svc, workspace)
        return workspace_analysis(svc.db, ws, reuse_after_months=reuse_after)

    def show(report: WorkspaceAnalysis) -> None:
        for name, a in report.channels.items():
            best = a.best_hour_band or a.best_weekday or "–"
            err.print(f"[bold]{name}[/]: {a.n_posts} innlegg, beste tid: {best}")
            for h in a.high_performer_details[:5]:
                err.print(f"  {h.id}: {h.reason}")

    run(as_json, body, show)


@followers_app.command("set")
def followers_set(
    channel: Annotated[str, typer.Option(help="facebook, instagram, linkedin, …")],
    date: Annotated[str, typer.Option(help="The day (YYYY-MM-DD) the total was true at its end.")],
    count: Annotated[int, typer.Option(min=0, help="Total followers.")],
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a known follower total; later new-follower counts are added to it."""
    from service.storage.repositories import FollowerRepo, WorkspaceRepo

    def body() -> FollowerSet:
        svc = services()
        ws = workspace_of(svc, workspace)
        try:
            point = FollowerCount(
                channel=Channel(channel), date=dt.date.fromisoformat(date), followers=count
            )
        except ValueError as exc:
            raise Invalid(f"bad follower count: {exc}") from exc
        with svc.db.session() as s:
            WorkspaceRepo(s).get(ws)
            FollowerRepo(s).save_counts(ws, [point], source="user")
        return FollowerSet(workspace=ws, **point.model_dump())

    run(as_json, body, lambda r: err.print(f"{r.channel}: {r.followers} følgere {r.date}"))


@app.command()
def category(
    post_id: Annotated[str, typer.Argument(help="The platform's post id.")],
    name: Annotated[str, typer.Argument(help="One of the workspace's categories.")],
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Correct a post's category: that post only (no other post moves); kept on re-import."""
    from service.library.corrections import set_post_category

    def body() -> Post:
        svc = services()
        ws = workspace_of(svc, workspace)
        post, _ = set_post_category(svc.db, svc.vectors, svc.embedder, ws, post_id, name)
        return post

    run(as_json, body, lambda p: err.print(f"{p.id}: {p.category}"))


app.add_typer(followers_app, name="followers")
