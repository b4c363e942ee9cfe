"""create_app(settings) -> FastAPI: providers built once, routers, error handlers, the UI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from service import __version__
from service.api import health, jobs, library, plans, profiles, search, variants, workspaces
from service.api.errors import install_error_handlers
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
        yield
        app.state.services.close()

    app = FastAPI(
        title="Gjenbruk",
        version=__version__,
        lifespan=lifespan,
        # A route's name is its operation id: stable for clients and the permission table.
        generate_unique_id_function=lambda route: route.name,
    )
    # Built here rather than in the lifespan so that the mounted UI can be handed its functions.
    app.state.services = services or Services(settings)
    install_error_handlers(app)
    for router in (
        health.router,
        workspaces.router,
        search.router,
        jobs.router,
        library.router,
        variants.router,
        profiles.router,
        plans.router,
        workspaces.scoped,
    ):
        app.include_router(router)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/" if with_ui else "/docs")

    if with_ui:
        from service.webui.backend import ui_backend
        from ui.app import mount_ui

        mount_ui(app, ui_backend(app.state.services))
    return app
