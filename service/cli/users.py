"""`gjenbruk users`: the people who may use the server (see README: Users, roles, keys)."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import BaseModel

from service.cli.common import JsonOpt, err, run, services

app = typer.Typer(help="People and their roles.", no_args_is_help=True)


class NewUser(BaseModel):
    user: str
    password: str
    workspaces: list[str]


@app.command("create-owner")
def create_owner_(name: str, as_json: JsonOpt = False) -> None:
    """Create a person who owns every workspace that has no owner yet; prints a one-time
    password."""
    from service.auth.bootstrap import create_owner

    def body() -> NewUser:
        made = create_owner(services().db, name)
        return NewUser(user=name, password=made.password, workspaces=made.workspaces)

    def show(u: NewUser) -> None:
        err.print(f"Eier «{u.user}», passord (vises én gang): {u.password}")
        err.print(f"Eier av: {', '.join(u.workspaces) or '–'}")

    run(as_json, body, show)


@app.command("create")
def create_user_(
    name: str,
    workspace: Annotated[str | None, typer.Option("--workspace", "-w")] = None,
    role: Annotated[str, typer.Option(help="owner, editor, reviewer or viewer")] = "viewer",
    as_json: JsonOpt = False,
) -> None:
    """Create a person, optionally a member of one workspace with a role; prints a one-time
    password."""
    from service.auth.bootstrap import add_user
    from service.auth.permissions import Role
    from service.errors import Invalid

    def body() -> NewUser:
        try:
            parsed = Role.parse(role)
        except ValueError as exc:
            raise Invalid(str(exc)) from exc
        password = add_user(services().db, name, workspace=workspace, role=parsed)
        return NewUser(user=name, password=password, workspaces=[workspace] if workspace else [])

    def show(u: NewUser) -> None:
        err.print(f"«{u.user}», passord (vises én gang): {u.password}")

    run(as_json, body, show)
