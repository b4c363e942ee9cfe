"""create_app(settings) -> FastAPI: providers built once, routers, error handlers, the UI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from service import __version__
from service.api import health, jobs, library, plans, profiles, search, variants, workspaces
from service.api.auth import ROUTERS as AUTH_ROUTERS
from service.api.errors import install_error_handlers
from service.api.responses import document_errors
from service.api.style_rules import router as style_rules_router
from service.auth.dependencies import authorize
from service.auth.http import install_auth_error_handlers
from service.auth.limits import limit_requests
from service.auth.web import LoginRedirect, install_web_security
from service.container import Services
from service.settings import Settings, get_settings


def create_app(
    settings: Settings | None = None, *, services: Services | None = None, with_ui: bool = True
) -> FastAPI:
    settings = settings or (services.settings if services else get_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Jobs cut short by a crash or restart continue where they stopped.
        app.state.services.jobs.resume_unfinished()
        # A mounted app's own lifespan never runs: the MCP endpoint's runs inside ours.
        async with app.state.mcp.running():
            yield
        app.state.services.close()

    app = FastAPI(
        title="Gjenbruk",
        version=__version__,
        lifespan=lifespan,
        # A route's name is its operation id: stable for clients and the permission table.
        generate_unique_id_function=lambda route: route.name,
        # The schema and its page are behind the login like every route (see below).
        docs_url=None,
        openapi_url=None,
    )
    # Built here rather than in the lifespan so that the mounted UI can be handed its functions.
    app.state.services = services or Services(settings)
    install_error_handlers(app)
    install_auth_error_handlers(app)
    # Every route goes through the one permission table (service/auth/permissions.py): who
    # calls, in which workspace, with which right; nothing decides on its own.
    gate = [Depends(authorize), Depends(limit_requests)]
    for auth_router in AUTH_ROUTERS:
        app.include_router(auth_router)
    for router in (
        health.router,
        workspaces.router,
        search.router,
        jobs.router,
        library.router,
        variants.router,
        profiles.router,
        plans.router,
        style_rules_router,
        workspaces.scoped,
    ):
        app.include_router(router, dependencies=gate)
    # The schema lists every status each route answers, with the one error body.
    document_errors(app)

    @app.get("/openapi.json", include_in_schema=False, dependencies=gate, name="openapi")
    def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False, dependencies=gate, name="docs")
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="Gjenbruk API")

    @app.get("/", include_in_schema=False, dependencies=gate)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/" if with_ui else "/docs")

    if with_ui:
        from service.auth.ui import ui_auth_dependency
        from service.webui.backend import ui_backend
        from ui.app import mount_ui

        mount_ui(app, ui_backend(app.state.services), ui_auth_dependency(app))
        app.add_middleware(LoginRedirect)
    # Agents: the same use cases over MCP (streamable HTTP), behind the same keys and roles; it
    # checks its own Bearer key against the permission table, being a mount, not a route.
    from service.mcp.http import mcp_http_app

    app.state.mcp = mcp_http_app(app.state.services, host=settings.host)
    app.mount("/mcp", app.state.mcp.app)
    install_web_security(app, settings)
    return app
