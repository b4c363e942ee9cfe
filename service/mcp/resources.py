"""Read-only context an assistant needs before it writes: surfaces and their rules, the
workspace's categories and brand voice, and a month's calendar. Each is JSON of the models the
rest of the product reads, behind the workspace.read permission."""

from __future__ import annotations

import re
from typing import Any

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError
from pydantic import BaseModel

from service.auth.permissions import Permission
from service.container import Services
from service.domain import Workspace
from service.errors import GjenbrukError, Invalid
from service.generation.surfaces import Surface, load_surfaces
from service.mcp.access import AccessOf
from service.mcp.tools import headers_of
from service.planning.calendar import marking_days, public_holidays
from service.planning.models import Occasion
from service.storage.repositories import WorkspaceRepo

PREFIX = "gjenbruk://workspaces/{workspace}"
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class Surfaces(BaseModel):
    surfaces: list[Surface]


class Categories(BaseModel):
    workspace: str
    categories: list[str]


class BrandVoice(BaseModel):
    workspace: str
    name: str
    language: str
    timezone: str
    brand_voice: str


class MonthCalendar(BaseModel):
    month: str
    occasions: list[Occasion]


def month_calendar(month: str) -> MonthCalendar:
    match = _MONTH.match(month)
    if match is None:
        raise Invalid(f"month must be YYYY-MM, got {month!r}")
    year, number = int(match[1]), int(match[2])
    days = [o for o in public_holidays(year) + marking_days(year) if o.date.month == number]
    return MonthCalendar(month=month, occasions=sorted(days, key=lambda o: (o.date, o.name)))


class Resources:
    def __init__(self, services: Services, access_of: AccessOf) -> None:
        self.services = services
        self.access_of = access_of

    async def _read(self, ctx: Context, workspace: str, work: Any) -> str:
        def guarded() -> str:
            access = self.access_of(headers_of(ctx))
            access.check(self.services.db, workspace, Permission.workspace_read)
            out: BaseModel = work()
            return out.model_dump_json(indent=1)

        try:
            return await anyio.to_thread.run_sync(guarded)
        except GjenbrukError as exc:
            raise ResourceError(f"{exc.code}: {exc.message}") from exc

    def register(self, server: MCPServer[Any]) -> None:
        services = self.services

        def stored(slug: str) -> Workspace:
            with services.db.session() as s:
                return WorkspaceRepo(s).get(slug)

        @server.resource(
            f"{PREFIX}/surfaces",
            name="surfaces",
            description="Every surface a text can be written for, with its length, hashtag, "
            "emoji, link and call-to-action rules.",
            mime_type="application/json",
        )
        async def surfaces(workspace: str, ctx: Context) -> str:
            return await self._read(
                ctx, workspace, lambda: Surfaces(surfaces=list(load_surfaces().surfaces.values()))
            )

        @server.resource(
            f"{PREFIX}/categories",
            name="categories",
            description="The workspace's content categories.",
            mime_type="application/json",
        )
        async def categories(workspace: str, ctx: Context) -> str:
            return await self._read(
                ctx,
                workspace,
                lambda: Categories(workspace=workspace, categories=stored(workspace).categories),
            )

        @server.resource(
            f"{PREFIX}/brand-voice",
            name="brand_voice",
            description="The workspace's brand voice and style, language and timezone.",
            mime_type="application/json",
        )
        async def brand_voice(workspace: str, ctx: Context) -> str:
            def work() -> BrandVoice:
                ws = stored(workspace)
                return BrandVoice(
                    workspace=ws.slug,
                    name=ws.name,
                    language=ws.language,
                    timezone=ws.timezone,
                    brand_voice=ws.brand_voice,
                )

            return await self._read(ctx, workspace, work)

        @server.resource(
            f"{PREFIX}/calendar/{{month}}",
            name="month_calendar",
            description="Public holidays and marking days of a month (YYYY-MM) in Norway.",
            mime_type="application/json",
        )
        async def calendar(workspace: str, month: str, ctx: Context) -> str:
            return await self._read(ctx, workspace, lambda: month_calendar(month))
