"""`gjenbruk profiles audit` (alias `audit-profiles`): `--json` prints the API's
`AuditResponse`, or with `--rewrite` its `RewriteResponse`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from service.cli.common import JsonOpt, err, progress, run, services
from service.profiles.auditor import AuditResponse, RewriteResponse

app = typer.Typer(help="Profile texts across channels: audit and rewrite.", no_args_is_help=True)


@app.command("audit")
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
    from service.profiles.files import load_profiles
    from service.profiles.rewrite import RewriteRequest

    def body() -> AuditResponse | RewriteResponse:
        profiles = load_profiles(file)
        auditor = services().profiles
        audited = auditor.audit(profiles, workspace)
        if not rewrite:
            return audited
        with progress("Skriver forslag") as bar:
            bar.add_task("forslag", total=None)
            return auditor.rewrite(RewriteRequest(profiles=profiles, n=n))

    def show(out: AuditResponse | RewriteResponse) -> None:
        report = out.audit if isinstance(out, RewriteResponse) else out
        table = Table("kanal.felt", "kode", "funn", "forslag", title=report.summary)
        for f in report.findings:
            table.add_row(f"{f.channel}.{f.field}", f.code, f.evidence, f.suggestion)
        err.print(table)
        for r in out.rewrites if isinstance(out, RewriteResponse) else []:
            size = f"{r.chars}/{r.limit or '–'} tegn"
            err.rule(f"{r.channel}.{r.field} ({size}, {r.origin})")
            typer.echo(r.text)
            err.print(f"  [dim]{r.diff}[/]")

    run(as_json, body, show)
