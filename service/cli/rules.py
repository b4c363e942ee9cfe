"""`gjenbruk rules`: the workspace's style rules (what the editors' edits taught, and rules people
write), and its brand voice. `--json` prints the API's `RuleView` / `BrandVoice` shapes."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from service.cli.common import JsonOpt, WorkspaceOpt, err, run, services, workspace_of
from service.errors import Invalid
from service.learning.rules import RuleKind, ScopeType
from service.learning.service import RuleIn, RulePatch, RuleView
from service.learning.voice import BrandVoice

app = typer.Typer(
    help="Style rules learnt from edits or written by people: list, add, on/off, remove.",
    no_args_is_help=True,
)


def _show(rules: list[RuleView]) -> None:
    table = Table("id", "status", "regel", "gjelder", "kilde", "belegg", "v")
    for r in rules:
        scope = r.scope_value or r.scope.value
        evidence = f"{r.support}/{r.considered}" if r.source.value != "manual" else "–"
        mark = "" if r.enforced else " (veiledning)"
        table.add_row(
            r.id[:8], r.status, r.text + mark, scope, r.source.value, evidence, str(r.version)
        )
    err.print(table)


def _resolve(workspace: str, prefix: str) -> str:
    """A rule's full id from the first characters the list shows."""
    ids = [r.id for r in services().learning.rules(workspace) if r.id.startswith(prefix)]
    if len(ids) != 1:
        raise Invalid(f"{'no' if not ids else 'more than one'} rule id starts with {prefix!r}")
    return ids[0]


def _params(pairs: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise Invalid(f"a parameter is key=value, not {pair!r}")
        out[key] = int(value) if value.isdigit() else value
    return out


@app.command("list")
def list_rules(
    workspace: WorkspaceOpt = None,
    evidence: Annotated[bool, typer.Option("--evidence", help="Show each rule's edits.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """The rules with status (proposed / on / off), scope, source and evidence."""

    def body() -> list[RuleView]:
        svc = services()
        return svc.learning.rules(workspace_of(svc, workspace))

    def show(rules: list[RuleView]) -> None:
        _show(rules)
        for r in rules if evidence else []:
            err.rule(f"{r.id[:8]} {r.text}")
            for e in r.evidence:
                err.print(f"  [red]- {e.before}[/]\n  [green]+ {e.after}[/]")

    run(as_json, body, show)


@app.command("add")
def add_rule(
    kind: Annotated[RuleKind, typer.Argument(help="What the rule asks.")],
    params: Annotated[
        list[str] | None, typer.Argument(help="key=value, e.g. phrase=billig or max=2")
    ] = None,
    channel: Annotated[str | None, typer.Option(help="Only for this channel.")] = None,
    surface: Annotated[str | None, typer.Option(help="Only for this surface.")] = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a rule, e.g. `gjenbruk rules add forbidden_phrase phrase=billig`."""

    def body() -> RuleView:
        if channel and surface:
            raise Invalid("a rule is for one channel or one surface, not both")
        scope = ScopeType.channel if channel else ScopeType.surface if surface else None
        rule = RuleIn(
            kind=kind,
            params=_params(params or []),
            scope=scope or ScopeType.workspace,
            scope_value=channel or surface or "",
        )
        svc = services()
        return svc.learning.add_rule(workspace_of(svc, workspace), rule)

    run(as_json, body, lambda r: _show([r]))


def _switch(rule_id: str, enabled: bool, workspace: str | None, as_json: bool) -> None:
    def body() -> RuleView:
        svc = services()
        ws = workspace_of(svc, workspace)
        return svc.learning.update_rule(ws, _resolve(ws, rule_id), RulePatch(enabled=enabled))

    run(as_json, body, lambda r: _show([r]))


RuleId = Annotated[str, typer.Argument(help="The rule's id (its first characters will do).")]


@app.command("on")
def rule_on(rule_id: RuleId, workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """Switch a rule on; for a proposal this is accepting it."""
    _switch(rule_id, True, workspace, as_json)


@app.command("off")
def rule_off(rule_id: RuleId, workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """Switch a rule off (kept, with its history)."""
    _switch(rule_id, False, workspace, as_json)


@app.command("rm")
def remove_rule(rule_id: RuleId, workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """Delete a rule; a deleted mined rule is not proposed again."""

    def body() -> dict[str, str]:
        svc = services()
        ws = workspace_of(svc, workspace)
        full = _resolve(ws, rule_id)
        svc.learning.delete_rule(ws, full)
        return {"deleted": full}

    run(as_json, body, lambda out: err.print(f"Slettet {out['deleted'][:8]}"))


@app.command("voice")
def voice(workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """The brand voice: the saved one, else one analysed from the best own posts."""

    def body() -> BrandVoice:
        svc = services()
        return svc.learning.voice(workspace_of(svc, workspace))

    def show(v: BrandVoice) -> None:
        for key, value in v.model_dump(exclude={"stats"}).items():
            err.print(f"[bold]{key}[/]: {value}")
        if v.stats is not None:
            err.print(f"[dim]{v.stats.model_dump()}[/]")

    run(as_json, body, show)
