"""The `gjenbruk` command. Every command takes --json and then prints one JSON document."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
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


def _ensure_workspace(services: Any, slug: str, timezone: str | None) -> None:
    from service.domain import Workspace
    from service.storage.repositories import WorkspaceRepo

    with services.db.session() as s:
        repo = WorkspaceRepo(s)
        if repo.find(slug) is None:
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
    as_json: JsonOpt = False,
) -> None:
    """Import platform exports (Business Suite, LinkedIn, X, legacy Insights, our own CSV/JSON)."""
    from service.domain import Channel
    from service.errors import Invalid
    from service.library.ingest import ImportReport, import_paths, index_and_classify

    def body() -> Any:
        services = _services()
        ws = workspace or services.settings.default_workspace
        try:
            chosen = Channel(channel) if channel else None
        except ValueError as exc:
            raise Invalid(f"unknown channel {channel!r}") from exc
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise Invalid(f"no such file or folder: {', '.join(missing)}")
        _ensure_workspace(services, ws, timezone)
        with progress("Importerer") as bar:
            task = bar.add_task("import", total=None)

            def update(name: str, rows: int) -> None:
                bar.update(task, completed=rows, description=f"{Path(name).name}: {rows} rader")

            files = import_paths(
                services.db,
                paths,
                workspace=ws,
                timezone=timezone,
                channel=chosen,
                progress=update,
            )
            bar.update(task, description="Lager vektorer og kategoriserer", completed=0)
            embedded, categorised = index_and_classify(
                services.db, services.vectors, services.embedder, ws, progress=update
            )
        return ImportReport(files=files, embedded=embedded, categorised=categorised)

    def show(report: Any) -> None:
        table = Table("fil", "format", "lest", "nye", "oppdatert", "hoppet over", "merknad")
        for f in report.files:
            table.add_row(
                Path(f.path).name,
                f.format or "–",
                str(f.rows_read),
                str(f.imported),
                str(f.updated),
                str(len(f.skipped)),
                f.error or "; ".join(f.notes),
            )
        err.print(table)
        for f in report.files:
            for skip in f.skipped[:20]:
                err.print(f"  {Path(f.path).name} rad {skip.row}: {skip.reason}")
        err.print(f"{report.embedded} innlegg fikk vektorer, {report.categorised} kategorisert.")

    run(as_json, body, show)


@app.command()
def posts(workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """List a workspace's posts with followers at posting, reach and engagement rates."""
    from service.library.reports import post_rows

    def body() -> Any:
        services = _services()
        return post_rows(services.db, workspace or services.settings.default_workspace)

    def show(rows: list[Any]) -> None:
        table = Table("id", "kanal", "publisert", "kategori", "rekkevidde", "eng./rekkevidde")
        for r in rows:
            er = f"{r.engagement_rate:.1%}" if r.engagement_rate is not None else "–"
            table.add_row(
                r.id,
                r.channel,
                r.published_at[:16],
                r.category or "",
                str(r.reach if r.reach is not None else "–"),
                er,
            )
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

    def body() -> Any:
        services = _services()
        ws = workspace or services.settings.default_workspace
        report = workspace_analysis(services.db, ws, reuse_after_months=reuse_after)
        # One object keyed by channel; each channel carries its own due-for-reuse list.
        out: dict[str, Any] = {}
        for name, a in report.channels.items():
            out[name] = {
                **a.model_dump(mode="json"),
                "due_for_reuse": [
                    r.model_dump(mode="json") for r in report.due_for_reuse if r.channel == name
                ],
            }
        return out

    def show(out: dict[str, Any]) -> None:
        for name, a in out.items():
            best = a["best_hour_band"] or a["best_weekday"] or "–"
            err.print(f"[bold]{name}[/]: {a['n_posts']} innlegg, beste tid: {best}")
            for h in a["high_performer_details"][:5]:
                err.print(f"  {h['id']}: {h['reason']}")

    run(as_json, body, show)


followers_app = typer.Typer(help="Follower counts a person knows (e.g. LinkedIn's start total).")
app.add_typer(followers_app, name="followers")


@followers_app.command("set")
def followers_set(
    channel: Annotated[str, typer.Option(help="facebook, instagram, linkedin, …")],
    date: Annotated[str, typer.Option(help="The day (YYYY-MM-DD) the total was true at its end.")],
    count: Annotated[int, typer.Option(min=0, help="Total followers.")],
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a known follower total; later new-follower counts are added to it."""
    import datetime as dt

    from service.domain import Channel, FollowerCount
    from service.errors import Invalid
    from service.storage.repositories import FollowerRepo, WorkspaceRepo

    def body() -> Any:
        services = _services()
        ws = workspace or services.settings.default_workspace
        try:
            point = FollowerCount(
                channel=Channel(channel), date=dt.date.fromisoformat(date), followers=count
            )
        except ValueError as exc:
            raise Invalid(f"bad follower count: {exc}") from exc
        with services.db.session() as s:
            WorkspaceRepo(s).get(ws)
            FollowerRepo(s).save_counts(ws, [point], source="user")
        return {"workspace": ws, **point.model_dump(mode="json")}

    run(as_json, body, lambda r: err.print(f"{r['channel']}: {r['followers']} følgere {r['date']}"))


@app.command()
def category(
    post_id: Annotated[str, typer.Argument(help="The platform's post id.")],
    name: Annotated[str, typer.Argument(help="One of the workspace's categories.")],
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Correct a post's category; the correction is kept on re-import and teaches the rest."""
    from service.library.corrections import set_post_category

    def body() -> Any:
        services = _services()
        ws = workspace or services.settings.default_workspace
        post, _ = set_post_category(
            services.db, services.vectors, services.embedder, ws, post_id, name
        )
        return post

    run(as_json, body, lambda p: err.print(f"{p.id}: {p.category}"))


@app.command()
def variants(
    post_id: Annotated[str | None, typer.Argument(help="A library post's id.")] = None,
    to: Annotated[
        str,
        typer.Option("--to", help="Target surfaces, comma-separated, e.g. linkedin_post,meta_ad"),
    ] = "",
    text_file: Annotated[
        Path | None, typer.Option("--text-file", help="Reuse this text instead of a post.")
    ] = None,
    language: Annotated[str | None, typer.Option("--language", help="nb, nn or en")] = None,
    source_type: Annotated[
        str, typer.Option("--source-type", help="own, ugc or partner (pasted text)")
    ] = "own",
    author: Annotated[str, typer.Option("--author", help="Who made the content.")] = "",
    n: Annotated[int, typer.Option("-n", help="Variants per surface (1-3).")] = 1,
    phase: Annotated[
        str | None, typer.Option("--phase", help="discover, explore, act, share, learn")
    ] = None,
    tone: Annotated[str, typer.Option("--tone")] = "",
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Reuse a post (or pasted text) on other surfaces, each variant checked against its rules."""
    from pydantic import ValidationError

    from service.errors import Invalid
    from service.generation.variants import VariantRequest

    def body() -> Any:
        services = _services()
        if (post_id is None) == (text_file is None):
            raise Invalid("give a POST_ID or --text-file, not both")
        surfaces = [s.strip() for s in to.split(",") if s.strip()]
        if not surfaces:
            raise Invalid(
                "--to needs at least one surface",
                details={"allowed": services.variants.catalog.ids()},
            )
        try:
            req = VariantRequest(
                workspace=workspace or services.settings.default_workspace,
                post_id=post_id,
                text=text_file.read_text(encoding="utf-8") if text_file else None,
                surfaces=surfaces,
                language=language,
                n=n,
                phase=phase,
                tone=tone,
                source_type=source_type,
                author=author,
            )
        except ValidationError as exc:
            first = exc.errors()[0]
            raise Invalid(
                f"{'.'.join(map(str, first['loc'])) or 'request'}: {first['msg']}"
            ) from exc
        except OSError as exc:
            raise Invalid(f"cannot read {text_file}: {exc.strerror}") from exc
        with progress("Skriver varianter") as bar:
            task = bar.add_task("varianter", total=len(surfaces) * n)

            def tick(surface: str, done: int, total: int) -> None:
                bar.update(task, completed=done, total=total, description=surface)

            out = services.variants.run(req, tick)
        return {
            "variants": [
                {
                    "surface": v.surface,
                    "language": v.language,
                    "text": v.text,
                    "parts": {k: p for k, p in v.parts.items() if k != "text"},
                    "checks": [
                        c.model_dump(include={"name", "passed", "detail"}) for c in v.checks
                    ],
                    "passed": v.passed,
                    "failed_reasons": v.failed_reasons,
                    "examples_used": v.examples_used,
                    "usage": v.usage.model_dump(),
                    "draft_id": v.draft_id,
                }
                for v in out.variants
            ],
            "warnings": out.warnings,
            "cost_usd": out.cost_usd,
        }

    def show(result: dict[str, Any]) -> None:
        for w in result["warnings"]:
            err.print(f"[yellow]Advarsel:[/] {w}")
        for v in result["variants"]:
            mark = "[green]✓ bestått[/]" if v["passed"] else "[red]✗ feilet[/]"
            err.rule(f"{v['surface']} ({v['language']}) {mark}")
            typer.echo(v["text"])
            for reason in v["failed_reasons"]:
                err.print(f"  [red]• {reason}[/]")
            if v["examples_used"]:
                err.print(f"  basert på: {', '.join(v['examples_used'])}")

    run(as_json, body, show)


@app.command("audit-profiles")
def audit_profiles(
    file: Annotated[Path, typer.Argument(help="A profiles file: profiles.json shape, or CSV.")],
    rewrite: Annotated[
        bool, typer.Option("--rewrite", help="Also propose rewrites (rule fix + model options).")
    ] = False,
    n: Annotated[int, typer.Option("-n", help="Model options per field (0-3).", min=0, max=3)] = 1,
    workspace: Annotated[
        str | None, typer.Option("--workspace", "-w", help="Store the audit in this workspace.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Audit profile texts across channels: limits, facts, outdated claims, CTA, keywords."""
    from service.profiles.audit import audit
    from service.profiles.files import load_profiles
    from service.profiles.rewrite import RewriteRequest
    from service.profiles.rewrite import rewrite as propose

    def body() -> Any:
        profiles = load_profiles(file)
        services = _services() if (rewrite and n) or workspace else None
        report = audit(profiles)
        options: list[Any] = []
        if rewrite:
            with progress("Skriver forslag") as bar:
                bar.add_task("forslag", total=None)
                llm = services.llm if services is not None and n else None
                _, options, _ = propose(RewriteRequest(profiles=profiles, n=n), llm)
        if workspace and services is not None:
            from service.storage.repositories import ProfileAuditRepo, WorkspaceRepo

            with services.db.session() as s:
                WorkspaceRepo(s).get(workspace)
                ProfileAuditRepo(s).add(workspace, profiles, report)
        return {
            "findings": [
                f.model_dump(
                    mode="json", include={"channel", "field", "code", "evidence", "suggestion"}
                )
                for f in report.findings
            ],
            "scores": {
                "overall": report.overall,
                "channels": report.channels,
                "fields": {f"{x.channel}.{x.field}": x.score for x in report.fields},
            },
            "summary": report.summary,
            "rewrites": [
                {
                    "channel": o.channel,
                    "field": o.field,
                    "text": o.text,
                    "chars": o.chars,
                    "limit": o.limit,
                    "origin": o.origin,
                    "checks": [
                        c.model_dump(include={"name", "passed", "detail"}) for c in o.checks
                    ],
                    "diff": o.diff,
                }
                for o in options
            ],
        }

    def show(out: dict[str, Any]) -> None:
        table = Table("kanal.felt", "kode", "funn", "forslag", title=out["summary"])
        for f in out["findings"]:
            table.add_row(f"{f['channel']}.{f['field']}", f["code"], f["evidence"], f["suggestion"])
        err.print(table)
        for r in out["rewrites"]:
            size = f"{r['chars']}/{r['limit'] or '–'} tegn"
            err.rule(f"{r['channel']}.{r['field']} ({size}, {r['origin']})")
            typer.echo(r["text"])
            err.print(f"  [dim]{r['diff']}[/]")

    run(as_json, body, show)


@app.command("plan")
def plan_(
    file: Annotated[Path, typer.Argument(help="A month plan, like shared/data/*/plan.json.")],
    slots_only: Annotated[bool, typer.Option("--slots-only", help="Only the schedule.")] = False,
    generate: Annotated[bool, typer.Option("--generate", help="Write a draft per slot.")] = False,
    export_format: Annotated[
        str | None, typer.Option("--export", help="ics, buffer, hootsuite, publer or md")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Where to write the export.")] = None,
    date_format: Annotated[
        str, typer.Option("--date-format", help="Hootsuite: dd/mm or mm/dd")
    ] = "dd/mm",
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Slots for a month from a plan (frequencies, category mix, holidays); with --generate a
    checked draft per slot as a resumable job; exports for Buffer, Hootsuite, Publer, iCal."""
    from service.errors import Invalid
    from service.planning.estimate import estimate
    from service.planning.service import (
        best_hours,
        export,
        load_plan,
        planned_posts,
        submit_plan_job,
    )
    from service.planning.slots import make_slots

    formats = ("ics", "buffer", "hootsuite", "publer", "md")

    def body() -> Any:
        plan = load_plan(file)
        if export_format is not None and export_format not in formats:
            raise Invalid(f"--export must be one of {', '.join(formats)}")
        if export_format is not None and out is None:
            raise Invalid("--export needs --out PATH")
        if export_format is not None and not generate:
            raise Invalid("--export writes drafts: add --generate")
        services = None
        hours: dict[str, str] = {}
        if workspace:
            from service.storage.repositories import WorkspaceRepo

            services = _services()
            with services.db.session() as s:
                if WorkspaceRepo(s).find(workspace) is not None:
                    hours = best_hours(services.db, workspace)
        slots = make_slots(plan, hours)
        result: dict[str, Any] = {
            "slots": [
                s.model_dump(
                    mode="json",
                    include={"date", "time", "channel", "category", "theme", "occasion"},
                )
                for s in slots
            ],
            "drafts": [],
            "estimate": {},
        }
        if slots_only and not generate:
            return result
        services = services or _services()
        ws = workspace or services.settings.default_workspace
        from service.storage.repositories import WorkspaceRepo

        with services.db.session() as s:
            if WorkspaceRepo(s).find(ws) is None:
                raise Invalid(
                    f"no workspace {ws!r}: import the organisation's posts first "
                    f"(gjenbruk import EXPORTS -w {ws})"
                )
        result["estimate"] = estimate(services.variants, ws, plan, slots).model_dump()
        if not generate:
            return result
        job = submit_plan_job(services, ws, plan, slots)
        job = follow_job(services, job.id)
        result["job_id"] = job.id
        posts = planned_posts(services, job.id, slots)
        from service.storage.repositories import JobRepo

        with services.db.session() as s:
            items = {i.key: i for i in JobRepo(s).items(job.id)}
        result["drafts"] = [
            {
                "slot": p.slot.model_dump(mode="json"),
                "text": p.text,
                "checks": [
                    {k: c[k] for k in ("name", "passed", "detail")}
                    for c in ((items[p.slot.key].result or {}).get("checks", []))
                ],
                "passed": p.passed,
            }
            for p in posts
        ]
        if export_format is not None and out is not None:
            data = export(
                export_format,  # type: ignore[arg-type]
                posts,
                workspace=ws,
                plan=plan,
                date_format=date_format,
            )
            out.write_bytes(data)
            result["export"] = {"format": export_format, "path": str(out), "bytes": len(data)}
        return result

    def show(res: dict[str, Any]) -> None:
        table = Table("dato", "tid", "kanal", "kategori", "tema", title=str(file))
        for s in res["slots"]:
            table.add_row(s["date"], s["time"], s["channel"], s["category"], s["theme"])
        err.print(table)
        if res["estimate"]:
            e = res["estimate"]
            err.print(
                f"Anslag: {e['drafts']} utkast, {e['prompt_tokens']} + {e['completion_tokens']} "
                f"tokens, ${e['cost_usd']:.4f}"
                + (f", ca. {e['seconds'] / 60:.0f} min lokalt" if e.get("seconds") else "")
            )
        for d in res["drafts"]:
            mark = "[green]✓[/]" if d["passed"] else "[red]✗[/]"
            err.rule(f"{d['slot']['date']} {d['slot']['channel']} {d['slot']['category']} {mark}")
            typer.echo(d["text"])
        if res.get("export"):
            err.print(f"Skrev {res['export']['path']} ({res['export']['format']}).")

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
    from service.planning.service import category_drafts

    def body() -> Any:
        services = _services()
        ws = workspace or services.settings.default_workspace
        with progress(f"Skriver {n} utkast") as bar:
            bar.add_task("utkast", total=None)
            return {"drafts": category_drafts(services, ws, category, channel, n, language)}

    def show(res: dict[str, Any]) -> None:
        for d in res["drafts"]:
            mark = "[green]✓[/]" if d["passed"] else "[red]✗[/]"
            err.rule(f"{d['slot']['category']} · {d['slot']['channel']} {mark}")
            typer.echo(d["text"])

    run(as_json, body, show)


@app.command("eval")
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

    def body() -> Any:
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
