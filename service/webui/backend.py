"""Everything the mounted UI is handed, built from the container's owners.

Every function that acts in a workspace goes through the permission table first, for the person
logged in (the same table as the routes): the UI hides what a role may not do, and a call made
anyway is refused here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from service.auth.permissions import Permission
from service.auth.ui import ui_permissions, ui_require, ui_require_any
from service.container import Services
from service.doctor import diagnose
from service.domain import Channel, FollowerCount
from service.errors import Invalid, NotFound
from service.library.corrections import set_post_category
from service.library.import_jobs import ImportAccepted
from service.library.reports import post_rows, workspace_analysis
from service.library.search import search_posts
from service.storage.repositories import FollowerRepo, JobRepo, PostRepo, WorkspaceRepo
from service.webui.plans import plans_backend, status_backend
from service.webui.profiles import profiles_backend
from service.webui.rules import rules_backend
from service.webui.variants import variants_backend

if TYPE_CHECKING:
    from ui.app import UiBackend
    from ui.import_tab import ImportBackend

P = Permission
F = TypeVar("F", bound=Callable[..., Any])
B = TypeVar("B")


def ui_backend(services: Services) -> UiBackend:
    from ui.analytics_view import AnalyticsBackend
    from ui.app import UiAccess, UiBackend, current_user, in_event

    db = services.db

    def guard(fn: F, permission: Permission, where: Callable[..., str | None]) -> F:
        """`fn` runs only when the person logged in holds `permission` in the workspace that
        `where(*args)` names (None: in any of theirs)."""

        def checked(*args: Any, **kwargs: Any) -> Any:
            if not in_event():
                # Building the page (a tab filling its first choices): the server itself asks.
                return fn(*args, **kwargs)
            workspace = where(*args, **kwargs)
            if workspace is None:
                ui_require_any(db, current_user(), permission)
            else:
                ui_require(db, current_user(), workspace, permission)
            return fn(*args, **kwargs)

        return checked  # type: ignore[return-value]

    def first(*args: Any, **_: Any) -> str:
        return str(args[0] or "")

    def of_job(job_id: str, *_: Any, **__: Any) -> str:
        with db.session() as s:
            try:
                return JobRepo(s).get(job_id, counts=False).workspace
            except NotFound:
                return ""  # refused below like an unknown workspace

    def guarded(backend: B, rules: dict[str, tuple[Permission, Callable[..., str | None]]]) -> B:
        changes = {name: guard(getattr(backend, name), p, w) for name, (p, w) in rules.items()}
        return dataclasses.replace(backend, **changes)  # type: ignore[type-var]

    def search(workspace: str, query: str, k: int) -> list[dict[str, Any]]:
        hits = search_posts(db, services.vectors, workspace, query, k=k)
        return [h.model_dump() for h in hits]

    def workspaces() -> list[str]:
        with db.session() as s:
            return [w.slug for w in WorkspaceRepo(s).list()]

    def categories(workspace: str) -> list[str]:
        with db.session() as s:
            return WorkspaceRepo(s).get(workspace).categories

    def set_category(workspace: str, post_id: str, category: str) -> dict[str, Any]:
        with services.db.session() as s:
            before = PostRepo(s).get(workspace, post_id).category
        post, reclassified = set_post_category(
            db, services.vectors, services.embedder, workspace, post_id, category
        )
        return {
            "post": post.model_dump(mode="json"),
            "before": before,
            "reclassified": reclassified,
        }

    read = (P.workspace_read, first)
    analytics = guarded(
        AnalyticsBackend(
            posts=lambda ws: [r.model_dump() for r in post_rows(db, ws)],
            analysis=lambda ws: workspace_analysis(db, ws).model_dump(mode="json"),
            categories=categories,
            set_category=set_category,
            reuse=lambda ws: services.learning.reuse(ws).model_dump(mode="json"),
        ),
        {
            "posts": read,
            "analysis": read,
            "categories": read,
            "set_category": (P.library_edit, first),
            "reuse": read,
        },
    )
    plain_variants = variants_backend(services)
    top_posts = plain_variants.top_posts
    variants = guarded(
        # A picker filled on page load asks before the search box has a value.
        dataclasses.replace(plain_variants, top_posts=lambda ws, q: top_posts(ws, q or "")),
        {
            "top_posts": read,
            "generate": (P.generate, lambda request, *_: str(request.get("workspace") or "")),
            "review": (P.draft_review, first),
        },
    )
    profiles = guarded(
        profiles_backend(services.profiles),
        {
            "audit": (P.generate, lambda ws, *_: ws or None),
            "propose": (P.generate, lambda *_: None),
            "accept": (P.library_edit, first),
            "history": read,
        },
    )
    plans = guarded(
        plans_backend(db, services.planner, services.learning),
        {
            "slots": (P.plan_edit, first),
            "start": (P.generate, first),
            "regenerate": (P.generate, first),
            "regenerate_slot": (P.generate, first),
            "move": (P.plan_edit, first),
            "progress": (P.workspace_read, of_job),
            # The job is looked up in this workspace (planner.job): another's id is a 404.
            "drafts": (P.workspace_read, first),
            "review": (P.draft_review, first),
            "download": (P.workspace_read, first),
            "save": (P.plan_edit, first),
            "saved": read,
            "latest_job": read,
        },
    )
    imports = guarded(
        import_backend(services),
        {
            "run": (P.library_import, first),
            "job": read,
            "set_followers": (P.library_edit, first),
            "linkedin_start": read,
        },
    )
    rules = guarded(
        rules_backend(services.learning),
        {
            "rules": read,
            "kinds": (P.workspace_read, lambda *_: None),
            "add": (P.library_edit, first),
            "update": (P.library_edit, first),
            "delete": (P.library_edit, first),
            "voice": read,
            "save_voice": (P.library_edit, first),
        },
    )
    return UiBackend(
        search=guard(search, P.workspace_read, first),
        workspaces=workspaces,
        status=lambda: diagnose(services.settings),
        default_workspace=services.settings.default_workspace,
        search_threshold=services.settings.search_min_similarity,
        analytics=analytics,
        variants=variants,
        profiles=profiles,
        plans=plans,
        imports=imports,
        rules=rules,
        jobs=guarded(
            status_backend(db, services.jobs),
            {
                "jobs": read,
                "cancel": (P.job_cancel, first),
                "resume": (P.generate, first),
            },
        ),
        access=UiAccess(permissions=lambda user: ui_permissions(db, user)),
    )


def import_backend(services: Services) -> ImportBackend:
    """The import tab's calls: the files Gradio saved are copied into an import folder of the
    data dir and handed to the same owner the API calls (small: now; large: a job)."""
    from ui.import_tab import ImportBackend

    def run(workspace: str, paths: list[str], mapping: dict[str, str] | None) -> dict[str, Any]:
        imports = services.imports
        folder = imports.new_folder()
        files = []
        try:
            for i, raw in enumerate(paths):
                source = Path(raw)
                target = folder / str(i) / source.name
                target.parent.mkdir(parents=True)
                shutil.copyfile(source, target)
                files.append((target, source.name))
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        out = imports.run(workspace, folder, files, mapping=mapping)
        if isinstance(out, ImportAccepted):
            return {"job": out.job.model_dump(mode="json")}
        return {"report": out.model_dump(mode="json")}

    def job(workspace: str, job_id: str) -> dict[str, Any]:
        return services.imports.job(workspace, job_id).model_dump(mode="json")

    def set_followers(workspace: str, count: int, day: str) -> dict[str, Any]:
        try:
            point = FollowerCount(
                channel=Channel.linkedin, date=dt.date.fromisoformat(day), followers=count
            )
        except ValueError as exc:
            raise Invalid(f"bad follower count or date: {exc}") from exc
        with services.db.session() as s:
            WorkspaceRepo(s).get(workspace)
            FollowerRepo(s).save_counts(workspace, [point], source="user")
        return point.model_dump(mode="json")

    def linkedin_start(workspace: str) -> str:
        """The day before the workspace's first LinkedIn follower day: where a total is needed
        for every later day to have one."""
        with services.db.session() as s:
            deltas = FollowerRepo(s).deltas(workspace, Channel.linkedin)
        return (deltas[0][0] - dt.timedelta(days=1)).isoformat() if deltas else ""

    return ImportBackend(
        run=run, job=job, set_followers=set_followers, linkedin_start=linkedin_start
    )
