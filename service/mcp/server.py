"""The MCP server: the tools and resources over one `Services`, for stdio or HTTP."""

from __future__ import annotations

from typing import Any

import anyio
from mcp.server.context import ServerRequestContext
from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_REQUEST, ListToolsResult, PaginatedRequestParams

from service.container import Services
from service.errors import GjenbrukError
from service.mcp.access import LOCAL, AccessOf
from service.mcp.resources import Resources
from service.mcp.tools import TOOL_PERMISSIONS, Tools
from service.settings import Settings

INSTRUCTIONS = (
    "Gjenbruk: find a workspace's posts that worked, reuse them across surfaces, audit profile "
    "texts, plan and generate a month, review drafts. Every generated text carries its checks "
    "and `passed`; never publish a text with `passed: false` without a person's review. "
    "generate_month returns a job id at once; follow it with job_status."
)


class GjenbrukMCP(MCPServer[Any]):
    """Lists only the tools the caller's role allows somewhere (a viewer's key sees no write
    tool); each call is still checked in its own workspace."""

    def __init__(self, access_of: AccessOf) -> None:
        super().__init__(name="gjenbruk", instructions=INSTRUCTIONS)
        self._access_of = access_of

    async def _handle_list_tools(
        self, ctx: ServerRequestContext[Any], params: PaginatedRequestParams | None
    ) -> ListToolsResult:
        raw = getattr(ctx.request, "headers", None)
        headers = None if raw is None else {k.lower(): v for k, v in raw.items()}
        try:
            access = await anyio.to_thread.run_sync(self._access_of, headers)
        except GjenbrukError as exc:
            raise MCPError(INVALID_REQUEST, f"{exc.code}: {exc.message}") from exc
        tools = await self.list_tools()
        return ListToolsResult(tools=[t for t in tools if access.may(TOOL_PERMISSIONS[t.name])])


def build_server(services: Services, access_of: AccessOf = lambda _: LOCAL) -> GjenbrukMCP:
    server = GjenbrukMCP(access_of)
    Tools(services, access_of).register(server)
    Resources(services, access_of).register(server)
    return server


def run_stdio(settings: Settings) -> None:
    """`gjenbruk mcp`: serve the person at this machine (a desktop assistant) over stdin and
    stdout, with the CLI's rights. Stdout is the protocol's: nothing else may print there."""
    services = Services(settings)
    try:
        build_server(services).run("stdio")
    finally:
        services.close()
