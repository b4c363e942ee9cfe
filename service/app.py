"""create_app(settings) -> FastAPI: providers built once, routers, error handlers, the UI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from service import __version__
from service.api import health, jobs, library, plans, profiles, search, variants, workspaces
from service.api.errors import install_error_handlers
from service.container import Services
from service.doctor import diagnose
from service.library.corrections import set_post_category
from service.library.reports import post_rows, workspace_analysis
from service.library.search import search_posts
from service.settings import Settings, get_settings
from service.storage.repositories import WorkspaceRepo

if TYPE_CHECKING:
    from ui.app import UiBackend


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

    app = FastAPI(title="Gjenbruk", version=__version__, lifespan=lifespan)
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
        plans.drafts_router,
    ):
        app.include_router(router)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/" if with_ui else "/docs")

    if with_ui:
        from ui.app import mount_ui

        mount_ui(app, _ui_backend(app.state.services))
    return app


def _ui_backend(services: Services) -> UiBackend:
    from service.ui_plans import plans_backend
    from service.ui_profiles import profiles_backend
    from service.ui_variants import variants_backend
    from ui.analytics_view import AnalyticsBackend
    from ui.app import UiBackend

    def search(workspace: str, query: str, k: int) -> list[dict[str, Any]]:
        hits = search_posts(services.db, services.vectors, workspace, query, k=k)
        return [h.model_dump() for h in hits]

    def workspaces() -> list[str]:
        with services.db.session() as s:
            return [w.slug for w in WorkspaceRepo(s).list()]

    def categories(workspace: str) -> list[str]:
        with services.db.session() as s:
            return WorkspaceRepo(s).get(workspace).categories

    def set_category(workspace: str, post_id: str, category: str) -> dict[str, Any]:
        post, reclassified = set_post_category(
            services.db, services.vectors, services.embedder, workspace, post_id, category
        )
        return {"post": post.model_dump(mode="json"), "reclassified": reclassified}

    analytics = AnalyticsBackend(
        posts=lambda ws: [r.model_dump() for r in post_rows(services.db, ws)],
        analysis=lambda ws: workspace_analysis(services.db, ws).model_dump(mode="json"),
        categories=categories,
        set_category=set_category,
    )
    return UiBackend(
        search=search,
        workspaces=workspaces,
        status=lambda: diagnose(services.settings),
        default_workspace=services.settings.default_workspace,
        analytics=analytics,
        variants=variants_backend(services),
        profiles=profiles_backend(services),
        plans=plans_backend(services),
    )
