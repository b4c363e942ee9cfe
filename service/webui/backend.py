"""Everything the mounted UI is handed, built from the container's owners."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from service.container import Services
from service.doctor import diagnose
from service.library.corrections import set_post_category
from service.library.reports import post_rows, workspace_analysis
from service.library.search import search_posts
from service.storage.repositories import WorkspaceRepo
from service.webui.plans import plans_backend, status_backend
from service.webui.profiles import profiles_backend
from service.webui.variants import variants_backend

if TYPE_CHECKING:
    from ui.app import UiBackend


def ui_backend(services: Services) -> UiBackend:
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
        search_threshold=services.settings.search_min_similarity,
        analytics=analytics,
        variants=variants_backend(services),
        profiles=profiles_backend(services.profiles),
        plans=plans_backend(services.db, services.planner),
        jobs=status_backend(services.db, services.jobs),
    )
