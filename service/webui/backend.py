"""Everything the mounted UI is handed, built from the container's owners.

Every function that acts in a workspace goes through the permission table first, for the person
logged in (the same table as the routes): the UI hides what a role may not do, and a call made
anyway is refused here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from service.auth import access
from service.auth.budget import Budget, BudgetedJobs
from service.auth.permissions import Permission
from service.auth.ui import ui_permissions, ui_require, ui_require_any
from service.container import Services
from service.doctor import diagnose
from service.domain import Channel, FollowerCount
from service.errors import (
    ConfigurationError,
    GjenbrukError,
    Invalid,
    LimitExceeded,
    NotFound,
    Unauthenticated,
)
from service.library.corrections import set_post_category
from service.library.import_jobs import ImportAccepted
from service.library.reports import post_rows, workspace_analysis
from service.library.search import search_posts
from service.messages import has, render
from service.planning.planner import MonthPlanner
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


@dataclass(frozen=True)
class Metered:
    """A UI call that makes model calls itself, as its API route does: charged `cost(budget,
    *args)` before it runs (the cost preview's bound), settled to `used(answer)` after."""

    cost: Callable[..., tuple[int, float]]
    used: Callable[[Any], tuple[int, float | None]] | None = None


# Jobs (a month's drafts, a regeneration, a resume) are charged by the UI's budgeted job queue
# where they are stored (BudgetedJobs), for the person logged in; here they only get the same
# refusal message.
QUEUED = None


def _variants_cost(budget: Budget, request: dict[str, Any], *_: Any) -> tuple[int, float]:
    from service.generation.variants import VariantRequest

    return budget.variants(VariantRequest(**request))


def _variants_used(answer: dict[str, Any]) -> tuple[int, float | None]:
    calls = sum(int(v.get("attempts") or 0) for v in answer.get("variants", []))
    return calls, (float(answer["cost_usd"]) if answer.get("cost_priced") else None)


def _rewrite_cost(budget: Budget, raw: str, field: str, n: int, *_: Any) -> tuple[int, float]:
    from service.profiles.rewrite import RewriteRequest
    from service.webui.profiles import _parse as parse_profiles

    return budget.rewrite(RewriteRequest(profiles=parse_profiles(raw), fields=[field], n=n))


# Every UI action that makes the model work, per backend of `ui_backend` and its function name:
# each goes through the caller's budget (service/auth/budget.py) like the API's routes, after
# the permission check, and a refusal reaches the person as a message in their language.
GENERATING: dict[str, dict[str, Metered | None]] = {
    "variants": {"generate": Metered(_variants_cost, _variants_used)},
    "profiles": {"propose": Metered(_rewrite_cost)},
    "plans": {"start": QUEUED, "regenerate": QUEUED, "regenerate_slot": QUEUED},
    "jobs": {"resume": QUEUED},
}


def refusal(exc: GjenbrukError, lang: str) -> Exception | None:
    """A budget's refusal as the UI shows it (gr.Error: Gradio shows its message, no
    traceback), in the reader's language; None for any other error."""
    import gradio as gr

    details = exc.details
    if isinstance(exc, LimitExceeded):
        kind = str(details.get("limit") or "")
        until = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=exc.retry_after)
        params = {k: v for k, v in details.items() if isinstance(v, int | float | str)}
        params["until"] = until.strftime("%Y-%m-%d %H:%M UTC")
        if kind == "spend_usd_per_month":  # dollars to the cent, as the cost preview shows them
            for key in ("spent", "max", "asked"):
                if isinstance(params.get(key), int | float):
                    params[key] = f"{float(params[key]):.2f}"
        code = f"limit.{kind}"
    elif isinstance(exc, Invalid) and {"model_calls", "limit"} <= details.keys():
        code, params = (
            "limit.model_calls_per_request",
            {
                "calls": details["model_calls"],
                "max": details["limit"],
            },
        )
    else:
        return None
    if not has(code, lang):
        return gr.Error(exc.message)
    try:
        return gr.Error(render(code, params, lang))
    except Invalid:  # a parameter the message needs was not sent: the plain reason
        return gr.Error(exc.message)


def ui_backend(services: Services) -> UiBackend:
    from ui.analytics_view import AnalyticsBackend
    from ui.app import UiAccess, UiBackend, current_user, in_event
    from ui.texts import language_of

    def ui_language() -> str:
        from gradio.context import LocalContext

        return language_of(LocalContext.request.get(None))

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

    def ui_budget(workspace: str) -> Budget | None:
        """The logged-in person's budget in `workspace`, as the API's for their session; None
        while the page is being built (the server itself)."""
        if not in_event():
            return None
        name = current_user()
        if not name:
            raise Unauthenticated("log in first")
        with db.session() as s:
            caller = access.caller_for_user(s, name)
        return Budget(services, f"user:{caller.user_id}|ws:{workspace}", workspace)

    def budgeted(fn: F, metered: Metered | None, where: Callable[..., str | None]) -> F:
        """`fn` charged to the caller's budget (Metered) or left to the budgeted job queue
        (QUEUED); either way a refusal becomes the person's message."""

        def charged(*args: Any, **kwargs: Any) -> Any:
            try:
                budget = None if metered is None else ui_budget(where(*args, **kwargs) or "")
                if budget is None or metered is None:
                    return fn(*args, **kwargs)
                with budget.spending(*metered.cost(budget, *args, **kwargs)) as charge:
                    answer = fn(*args, **kwargs)
                if metered.used is not None:
                    charge.settle(*metered.used(answer))
                return answer
            except GjenbrukError as exc:
                shown = refusal(exc, ui_language())
                if shown is None:
                    raise
                raise shown from exc

        return charged  # type: ignore[return-value]

    def guarded(
        backend: B,
        rules: dict[str, tuple[Permission, Callable[..., str | None]]],
        name: str = "",
    ) -> B:
        """Each function in `rules` behind its permission and, if it is in GENERATING under
        `name`, the budget."""
        metered = GENERATING.get(name, {})
        changes = {}
        for fn_name, (p, w) in rules.items():
            fn = getattr(backend, fn_name)
            if fn_name in metered:
                fn = budgeted(fn, metered[fn_name], w)
            changes[fn_name] = guard(fn, p, w)
        unguarded = set(metered) - set(rules)
        if unguarded:
            raise ConfigurationError(f"generating UI calls without a permission: {unguarded}")
        return dataclasses.replace(backend, **changes)  # type: ignore[type-var]

    # The month planner and the job queue the UI's actions use: the container's, with every
    # job stored, regenerated or resumed charged to the person logged in.
    jobs = BudgetedJobs(services.jobs, ui_budget, db)
    planner = MonthPlanner(db, jobs, lambda: services.variants)

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
        "analytics",
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
        "variants",
    )
    profiles = guarded(
        profiles_backend(services.profiles),
        {
            "audit": (P.generate, lambda ws, *_: ws or None),
            "propose": (P.generate, lambda *_: None),
            "accept": (P.library_edit, first),
            "history": read,
        },
        "profiles",
    )
    plans = guarded(
        plans_backend(db, planner, services.learning),
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
        "plans",
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
            status_backend(db, jobs),
            {
                "jobs": read,
                "cancel": (P.job_cancel, first),
                "resume": (P.generate, first),
            },
            "jobs",
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
