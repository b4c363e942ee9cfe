"""`gjenbruk variants`: reuse a post (or pasted text) on other surfaces; `--json` prints the
API's `VariantResponse`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from service.cli.common import JsonOpt, WorkspaceOpt, err, progress, run, services, workspace_of
from service.errors import Invalid
from service.generation.surfaces import load_surfaces
from service.generation.variants import VariantRequest, VariantResponse


def variants(
    post_id: Annotated[str | None, typer.Argument(help="A library post's id.")] = None,
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="Target surface ids, comma-separated (an unknown one lists the valid ids)",
        ),
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

    def body() -> VariantResponse:
        svc = services()
        if (post_id is None) == (text_file is None):
            raise Invalid("give a POST_ID or --text-file, not both")
        surfaces = [s.strip() for s in to.split(",") if s.strip()]
        if not surfaces:
            raise Invalid(
                "--to needs at least one surface", details={"allowed": svc.variants.catalog.ids()}
            )
        try:
            text = text_file.read_text(encoding="utf-8") if text_file else None
        except OSError as exc:
            raise Invalid(f"cannot read {text_file}: {exc.strerror}") from exc
        req = VariantRequest.model_validate(
            {
                "workspace": workspace_of(svc, workspace),
                "post_id": post_id,
                "text": text,
                "surfaces": surfaces,
                "language": language,
                "n": n,
                "phase": phase,
                "tone": tone,
                "source_type": source_type,
                "author": author,
            }
        )
        with progress("Skriver varianter") as bar:
            task = bar.add_task("varianter", total=len(surfaces) * n)

            def tick(surface: str, done: int, total: int) -> None:
                bar.update(task, completed=done, total=total, description=surface)

            return svc.variants.run(req, tick)

    def show(result: VariantResponse) -> None:
        catalog = load_surfaces()
        for w in result.warnings:
            err.print(f"[yellow]Advarsel:[/] {w}")
        for v in result.variants:
            mark = "[green]✓ bestått[/]" if v.passed else "[red]✗ feilet[/]"
            # The surface's name in the variant's language (nb/nn/en labels from the loader);
            # an id is for --to and --json, not for a reader.
            err.rule(f"{catalog.get(v.surface).name(v.language)} ({v.language}) {mark}")
            typer.echo(v.text)
            for reason in v.failed_reasons:
                err.print(f"  [red]• {reason}[/]")
            if v.examples_used:
                err.print(f"  basert på: {', '.join(v.examples_used)}")

    run(as_json, body, show)
