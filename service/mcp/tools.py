"""The MCP tools: each one the API route's owner call, with the route's models and permission.

Nothing here writes or checks text itself: variants, month drafts and profile rewrites come
from the same owners as over HTTP, so every text carries its checks and `passed` as there.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field, ValidationError

from service.api.plans import GenerateOut
from service.api.variants import Review
from service.auth.budget import Budget
from service.auth.limits import RequestLimiter
from service.auth.permissions import Permission
from service.auth.repos import AuditRepo
from service.container import Services
from service.domain import Draft, DraftStatus
from service.domain.profile_audit import ProfileSet
from service.errors import GjenbrukError, NotFound
from service.generation.variants import VariantAsk, VariantRequest, VariantResponse
from service.jobs.views import JobView
from service.library.analytics import HighPerformer, ReuseSuggestion
from service.library.reports import WorkspaceAnalysis, workspace_analysis
from service.library.search import SearchHit, search_posts
from service.mcp.access import Access, AccessOf
from service.planning.models import ContentPlan
from service.planning.planner import Schedule
from service.profiles.auditor import AuditResponse, RewriteResponse
from service.profiles.rewrite import RewriteRequest
from service.storage.repositories import DraftRepo, JobRepo

T = TypeVar("T")
P = Permission

# Each tool's permission, from the same table as its route (service/auth/permissions.ROUTES).
TOOL_PERMISSIONS: dict[str, Permission] = {
    "search_posts": P.workspace_read,
    "top_posts": P.workspace_read,
    "analyze_workspace": P.workspace_read,
    "create_variants": P.generate,
    "audit_profiles": P.generate,
    "rewrite_profile_field": P.generate,
    "plan_month": P.plan_edit,
    "generate_month": P.generate,
    "job_status": P.workspace_read,
    "list_drafts": P.workspace_read,
    "review_draft": P.draft_review,
}

Workspace = Annotated[
    str, Field(min_length=1, max_length=63, description="the workspace's slug, e.g. 'demo'")
]
JOB_POLL_SECONDS = 0.5


class TopPosts(BaseModel):
    """What worked: high performers per channel and the posts due for reuse."""

    workspace: str
    high_performers: dict[str, list[HighPerformer]]
    due_for_reuse: list[ReuseSuggestion]


def error_message(exc: GjenbrukError | ValidationError) -> str:
    """The precise sentence a tool error carries (the API's code and message)."""
    if isinstance(exc, ValidationError):
        parts = [
            f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}" for e in exc.errors()
        ]
        return "invalid: " + "; ".join(parts)
    return f"{exc.code}: {exc.message}"


def headers_of(ctx: Context) -> dict[str, str] | None:
    try:
        raw = ctx.headers
    except ValueError:  # no request (called in-process): the local caller
        return None
    return None if raw is None else {k.lower(): v for k, v in raw.items()}


class Tools:
    """The tools over one container; `access_of` says who the current request's caller is."""

    def __init__(self, services: Services, access_of: AccessOf) -> None:
        self.services = services
        self.access_of = access_of
        # Its own buckets at the API's rate: a key's calls here do not spend its HTTP budget.
        self.limiter = RequestLimiter(services.settings.limit_requests_per_minute)

    async def _call(
        self,
        ctx: Context,
        workspace: str,
        tool: str,
        work: Callable[[Access], T],
    ) -> T:
        """Check the caller against the tool's permission, then run the (blocking) owner call
        off the event loop; a key's change to the world is written to the audit log, as the
        API's `authorize` does for its routes."""
        permission = TOOL_PERMISSIONS[tool]

        def guarded() -> T:
            access = self.access_of(headers_of(ctx))
            access.check(self.services.db, workspace, permission)
            if access.caller is not None:
                self.limiter.hit(f"user:{access.caller.user_id}|ws:{workspace}")
            out = work(access)
            if access.caller is not None and permission is not Permission.workspace_read:
                with self.services.db.session() as s:
                    AuditRepo(s).add(
                        actor=access.caller.actor, action=f"mcp.{tool}", workspace=workspace
                    )
            return out

        try:
            return await anyio.to_thread.run_sync(guarded)
        except (GjenbrukError, ValidationError) as exc:
            raise ToolError(error_message(exc)) from exc

    def _budget(self, access: Access, workspace: str) -> Budget | None:
        """The key's caller's budget for model work here, as over HTTP; the person at the
        machine (stdio) has none, like the CLI."""
        if access.caller is None:
            return None
        return Budget(self.services, f"user:{access.caller.user_id}|ws:{workspace}", workspace)

    # Library

    async def search_posts(
        self,
        workspace: Workspace,
        query: Annotated[str, Field(min_length=1, max_length=2000, description="what to find")],
        ctx: Context,
        k: Annotated[int, Field(ge=1, le=100)] = 10,
    ) -> list[SearchHit]:
        """Posts in the workspace's library closest in meaning to `query`, with their reach."""
        s = self.services
        return await self._call(
            ctx,
            workspace,
            "search_posts",
            lambda _: search_posts(s.db, s.vectors, workspace, query, k=k),
        )

    async def top_posts(
        self,
        workspace: Workspace,
        ctx: Context,
        reuse_after_months: Annotated[int, Field(ge=1, le=60)] = 6,
    ) -> TopPosts:
        """High performers per channel (engagement against the channel's median, among posts
        with enough reach) and the posts due for reuse."""

        def work(_: Access) -> TopPosts:
            a = workspace_analysis(
                self.services.db, workspace, reuse_after_months=reuse_after_months
            )
            return TopPosts(
                workspace=workspace,
                high_performers={ch: c.high_performer_details for ch, c in a.channels.items()},
                due_for_reuse=a.due_for_reuse,
            )

        return await self._call(ctx, workspace, "top_posts", work)

    async def analyze_workspace(
        self,
        workspace: Workspace,
        ctx: Context,
        reuse_after_months: Annotated[int, Field(ge=1, le=60)] = 6,
    ) -> WorkspaceAnalysis:
        """Per channel: reach and engagement medians, categories, formats, hours and weekdays
        that work; and the posts due for reuse."""
        return await self._call(
            ctx,
            workspace,
            "analyze_workspace",
            lambda _: workspace_analysis(
                self.services.db, workspace, reuse_after_months=reuse_after_months
            ),
        )

    # Generation (through the check-and-repair pipeline)

    async def create_variants(
        self, workspace: Workspace, ask: VariantAsk, ctx: Context
    ) -> VariantResponse:
        """Variants of a library post (`post_id`) or pasted `text` for the given surfaces, each
        with its checks; one that fails its checks after repair has `passed: false`."""

        def work(access: Access) -> VariantResponse:
            req = VariantRequest(workspace=workspace, **ask.model_dump())
            budget = self._budget(access, workspace)
            if budget is None:
                return self.services.variants.run(req)
            with budget.spending(*budget.variants(req)) as charge:
                out = self.services.variants.run(req)
            used = sum(v.attempts for v in out.variants)
            charge.settle(used, out.cost_usd if out.cost_priced else None)
            return out

        return await self._call(ctx, workspace, "create_variants", work)

    async def audit_profiles(
        self, workspace: Workspace, profiles: ProfileSet, ctx: Context
    ) -> AuditResponse:
        """Findings (code, field, evidence, suggested fix) and scores for the profile texts;
        stored in the workspace's audit history."""
        return await self._call(
            ctx,
            workspace,
            "audit_profiles",
            lambda _: self.services.profiles.audit(profiles, workspace),
        )

    async def rewrite_profile_field(
        self, workspace: Workspace, request: RewriteRequest, ctx: Context
    ) -> RewriteResponse:
        """Rewrite proposals per field (`fields` as channel.field; empty: every field with a
        finding), each audited again; only those passing the hard checks are in `rewrites`."""

        def work(access: Access) -> RewriteResponse:
            budget = self._budget(access, workspace)
            if budget is None:
                return self.services.profiles.rewrite(request, workspace)
            with budget.spending(*budget.rewrite(request)):
                return self.services.profiles.rewrite(request, workspace)

        return await self._call(ctx, workspace, "rewrite_profile_field", work)

    # Month plans

    async def plan_month(self, workspace: Workspace, plan: ContentPlan, ctx: Context) -> Schedule:
        """Store the plan and schedule its month: slots, the occasions in it, and what
        generating the drafts costs. Generate them with generate_month(plan_id)."""
        planner = self.services.planner

        def work(_: Access) -> Schedule:
            view = planner.create_plan(workspace, plan)
            return planner.approve_slots(workspace, view.id)

        return await self._call(ctx, workspace, "plan_month", work)

    async def generate_month(
        self,
        workspace: Workspace,
        plan_id: Annotated[str, Field(min_length=1, max_length=64)],
        ctx: Context,
        idempotency_key: Annotated[str | None, Field(max_length=200)] = None,
    ) -> GenerateOut:
        """Start (or find) the job that writes a checked draft per slot of a planned month and
        return its id at once; follow it with job_status."""

        def work(access: Access) -> GenerateOut:
            budget = self._budget(access, workspace)
            planner = budget.planner() if budget is not None else self.services.planner
            job = planner.generate_plan(workspace, plan_id, idempotency_key)
            return GenerateOut(job_id=job.id, status=job.status.value, total=job.total)

        return await self._call(ctx, workspace, "generate_month", work)

    async def job_status(
        self,
        workspace: Workspace,
        job_id: Annotated[str, Field(min_length=1, max_length=64)],
        ctx: Context,
        items: bool = False,
        wait_seconds: Annotated[
            float,
            Field(
                ge=0,
                le=600,
                description="wait up to this long for the job to finish, reporting progress",
            ),
        ] = 0,
    ) -> JobView:
        """A job's status and progress (with each item's result if `items`). With
        `wait_seconds`, progress notifications go to a client that asked for them."""
        jobs = self.services.jobs

        def read(_: Access) -> JobView:
            job = jobs.get(job_id)
            if job.workspace != workspace:
                raise NotFound(f"no job {job_id!r} in workspace {workspace!r}")
            listed = None
            if items:
                with self.services.db.session() as s:
                    listed = JobRepo(s).items(job_id)
            return JobView.of(job, listed)

        deadline = time.monotonic() + wait_seconds
        view = await self._call(ctx, workspace, "job_status", read)
        while not view.job.status.finished and time.monotonic() < deadline:
            await ctx.report_progress(
                view.job.done + view.job.failed,
                view.job.total,
                f"{view.job.status.value}: {view.job.current or ''}".strip(": "),
            )
            await anyio.sleep(JOB_POLL_SECONDS)
            view = await self._call(ctx, workspace, "job_status", read)
        return view

    # Review

    async def list_drafts(
        self, workspace: Workspace, ctx: Context, status: DraftStatus | None = None
    ) -> list[Draft]:
        """The workspace's drafts (variants, month posts, accepted profile texts), each with its
        checks and `passed`; filter by `status`."""

        def work(_: Access) -> list[Draft]:
            with self.services.db.session() as s:
                return DraftRepo(s).list(workspace, status=status)

        return await self._call(ctx, workspace, "list_drafts", work)

    async def review_draft(
        self,
        workspace: Workspace,
        draft_id: Annotated[str, Field(min_length=1, max_length=64)],
        review: Review,
        ctx: Context,
    ) -> Draft:
        """Approve or reject a draft, optionally with an edit (kept beside the original; an
        edit needs the draft.edit permission)."""

        def work(access: Access) -> Draft:
            if review.edited_text is not None:
                access.check(self.services.db, workspace, Permission.draft_edit)
            return self.services.learning.review(
                workspace, draft_id, review.status, review.edited_text, override=review.override
            )

        return await self._call(ctx, workspace, "review_draft", work)

    def register(self, server: MCPServer[Any]) -> None:
        for name in TOOL_PERMISSIONS:
            fn = getattr(self, name)
            server.add_tool(fn, name=name, description=(fn.__doc__ or "").strip())
