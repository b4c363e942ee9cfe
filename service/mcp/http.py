"""Streamable HTTP for remote agents: the product's API keys (Bearer), each call limited by the
key's role and workspace through the permission table.

Mount it in the app (`app.mount("/mcp", mcp.app)`, clients use `/mcp/`) and run
`mcp.running()` inside the app's lifespan: a mounted app's own lifespan never runs.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send

from service.auth import tokens
from service.auth.repos import UserRepo
from service.auth.web import check_bind
from service.container import Services
from service.errors import GjenbrukError
from service.mcp.access import AccessOf, key_access
from service.mcp.server import GjenbrukMCP, build_server


class BearerGuard:
    """Refuses a request without a valid key before the protocol sees it (401, like the API)."""

    def __init__(self, app: ASGIApp, access_of: AccessOf) -> None:
        self.app = app
        self.access_of = access_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            await anyio.to_thread.run_sync(self.access_of, headers)
        except GjenbrukError as exc:
            body = json.dumps({"error": {"code": exc.code, "message": exc.message}}).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": exc.http_status,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"www-authenticate", b'Bearer realm="gjenbruk"'),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


@dataclass(frozen=True)
class McpHttp:
    app: ASGIApp
    server: GjenbrukMCP

    def running(self) -> AbstractAsyncContextManager[None]:
        """The session manager's task group; enter it once, in the host app's lifespan."""
        return _running(self.server)


@asynccontextmanager
async def _running(server: GjenbrukMCP) -> AsyncIterator[None]:
    async with server.session_manager.run():
        yield


def mcp_http_app(services: Services, *, host: str = "127.0.0.1") -> McpHttp:
    """The MCP endpoint for an app serving on `host`; refuses (ConfigurationError) a
    non-loopback address while no user exists, as `gjenbruk serve` does."""
    with services.db.session() as s:
        users = UserRepo(s).count()
    check_bind(host, users)
    access_of = key_access(services.db, tokens.load_pepper(services.settings))
    server = build_server(services, access_of)
    # Stateless: every POST is authenticated on its own, and no session outlives its key.
    inner = server.streamable_http_app(streamable_http_path="/", stateless_http=True, host=host)
    return McpHttp(app=BearerGuard(inner, access_of), server=server)
