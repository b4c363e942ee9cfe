"""The `gjenbruk` command: one Typer sub-app per feature, the everyday commands also at the top.

Every command takes --json and then prints one JSON document: the API's response model for the
same operation."""

from __future__ import annotations

import typer

from service.cli import evals, jobs, library, plans, profiles, system, users, variants
from service.cli import rules as rules_cli

app = typer.Typer(
    name="gjenbruk",
    help="Gjenbruk: reuse what already works on social media.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
variants_app = typer.Typer(help="Reuse a post on other surfaces.", no_args_is_help=True)
variants_app.command("make")(variants.variants)
eval_app = typer.Typer(help="Score the pipeline on eval cases.", no_args_is_help=True)
eval_app.command("run")(evals.eval_)
serve_app = typer.Typer(help="The installation: doctor, demo data, the server.")
serve_app.command("doctor")(system.doctor)
serve_app.command("demo")(system.demo)
serve_app.command("start")(system.serve)

for sub, name in (
    (library.app, "library"),
    (variants_app, "variants-of"),
    (profiles.app, "profiles"),
    (plans.app, "plans"),
    (jobs.app, "jobs"),
    (rules_cli.app, "rules"),
    (eval_app, "evals"),
    (serve_app, "system"),
):
    app.add_typer(sub, name=name)

# The names the README, the Makefile and CI have always used.
app.command("doctor")(system.doctor)
app.command("demo")(system.demo)
app.command("serve")(system.serve)
app.command("worker")(system.worker)
app.command("mcp")(system.mcp)
app.add_typer(users.app, name="users")
app.command("eval")(evals.eval_)
app.command("variants")(variants.variants)
app.command("audit-profiles")(profiles.audit_profiles)
app.command("plan")(plans.plan_)
app.command("drafts")(plans.drafts_)
app.command("import")(library.import_)
for command in (
    library.search, library.workspaces, library.reindex, library.posts, library.analyze,
    library.category,
):  # fmt: skip
    app.command()(command)
app.add_typer(library.followers_app, name="followers")

__all__ = ["app"]
