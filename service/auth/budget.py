"""The one guard in front of every use case that calls the model (issue 15, bounded work).

A `Budget` is one caller's allowance in one workspace. Before work it is told the work's upper
bound, worked out from the request the same way the cost preview works it out (model calls:
surfaces × variants × attempts; money: tiktoken counts of the rendered prompts × the price
table, service/planning/estimate.py), and refuses with 429 and Retry-After what the day's model
calls or the month's spend cannot cover (service/auth/limits.py); a job is also refused while
the workspace has its maximum of unfinished jobs. The API gets one per request (`BudgetDep`),
the MCP tools one per call; the person at the machine (CLI, MCP over stdio) has none.

After synchronous work the charge is settled to what was really used where that is known
(variants report their model calls and cost); work refused before it started (a 4xx) is not
charged at all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from service.auth.dependencies import path_workspace
from service.auth.limits import (
    caller_scope,
    charge_model_calls,
    charge_spend,
    check_concurrent_jobs,
)
from service.errors import GjenbrukError, Invalid
from service.jobs.queue import Admit, JobQueue

if TYPE_CHECKING:
    from service.container import Services
    from service.domain.job import Job
    from service.generation.variants import VariantRequest
    from service.jobs.queue import ProgressFn
    from service.planning.planner import MonthPlanner
    from service.profiles.rewrite import RewriteRequest
    from service.storage.db import Database

# The cost preview's bound for an API model's answer (service/planning/estimate.py).
REWRITE_COMPLETION_TOKENS = 400  # the rewrite's max_tokens: an answer is never longer


@dataclass
class Charge:
    """What one piece of work was charged; `settle` corrects it to what was really used."""

    budget: Budget
    calls: int
    usd: float
    settled: bool = field(default=False)

    def settle(self, calls: int, usd: float | None = None) -> None:
        if self.settled:
            return
        self.settled = True
        self.budget._adjust(calls - self.calls, None if usd is None else usd - self.usd)


@dataclass(frozen=True)
class Budget:
    services: Services
    scope: str  # who, in which workspace: "user:<id>|ws:<slug>" (limits.caller_scope)
    workspace: str

    @property
    def _attempts(self) -> int:
        return self.services.settings.max_repairs + 1

    def _priced(self) -> bool:
        """Spend is counted only under a cap and for a model with a price (an API model)."""
        from service.providers.prices import estimate_cost

        if self.services.settings.limit_spend_usd_per_month is None:
            return False
        llm = self.services.llm
        return estimate_cost(llm.model_name, 1, 1, self.services.settings.prices).priced

    def _usd(self, prompt_tokens: int, completion_tokens: int) -> float:
        from service.providers.prices import estimate_cost

        model = self.services.llm.model_name
        return estimate_cost(
            model, prompt_tokens, completion_tokens, self.services.settings.prices
        ).usd

    # The charge itself --------------------------------------------------------------------

    def charge(self, calls: int, usd: float, *, per_request_cap: bool = True) -> Charge:
        """Refuse (429) or count `calls` model calls for this caller today and `usd` for the
        workspace this month. One synchronous request is also held to the per-request cap
        (422: waiting would not help); a job is bounded by the concurrent-jobs limit instead."""
        settings = self.services.settings
        with self.services.db.session() as s:
            charge_model_calls(s, settings, self.scope, calls, per_request=per_request_cap)
            if usd > 0:
                charge_spend(s, settings, self.workspace, usd)
        return Charge(self, calls, usd if usd > 0 else 0.0)

    def _adjust(self, calls: int, usd: float | None) -> None:
        from service.auth.repos import UsageRepo

        now = dt.datetime.now(dt.UTC)
        with self.services.db.session() as s:
            usage = UsageRepo(s)
            if calls:
                usage.add_calls(self.scope, now.date(), calls)
            if usd:
                month = now.date().replace(day=1)
                usage.add_micro_usd(f"spend|ws:{self.workspace}", month, round(usd * 1_000_000))

    @contextmanager
    def spending(self, calls: int, usd: float) -> Iterator[Charge]:
        """Charge, run the work, and give the charge back when the work was refused (a 4xx:
        nothing was done); a fault half-way (5xx) keeps it, since calls may have been made."""
        charge = self.charge(calls, usd)
        try:
            yield charge
        except GjenbrukError as exc:
            if exc.http_status < 500:
                charge.settle(0, 0.0)
            raise

    # What each use case will cost at most -------------------------------------------------

    def variants(self, req: VariantRequest) -> tuple[int, float]:
        """Model calls and dollars of a variants request at most: every surface (and the
        permission request added when consent falls short) × n × every repair attempt. Unknown
        surfaces and posts are refused here, as the pipeline would refuse them."""
        from service.domain import CreatorRole, SourceType
        from service.planning.estimate import COMPLETION_TOKENS_PER_ATTEMPT
        from service.providers.tokens import count_chat_tokens
        from service.storage.repositories import AssetRepo, PostRepo

        pipeline = self.services.variants
        surfaces = [pipeline.catalog.get(x) for x in dict.fromkeys(req.surfaces)]
        others = req.source_type is not SourceType.own
        if req.post_id is not None:
            with self.services.db.session() as s:
                post = PostRepo(s).get(req.workspace, req.post_id)
                others = others or post.source_type is not SourceType.own
                others = others or any(
                    a.source_post_id == post.id
                    and a.creator_role in (CreatorRole.customer, CreatorRole.partner)
                    for a in AssetRepo(s).list(req.workspace)
                )
        extra = 1 if others and not any(sf.asks_permission for sf in surfaces) else 0
        per_prompt = req.n * self._attempts
        calls = (len(surfaces) + extra) * per_prompt
        if not self._priced():
            return calls, 0.0
        prompts = pipeline.prompts(req).values()
        tokens = sum(count_chat_tokens([m.content for m in messages]) for messages in prompts)
        prompt = round(tokens * per_prompt * (len(surfaces) + extra) / max(1, len(surfaces)))
        return calls, self._usd(prompt, COMPLETION_TOKENS_PER_ATTEMPT * calls)

    def rewrite(self, req: RewriteRequest) -> tuple[int, float]:
        """A rewrite asks the model `n` times per field: the fields named, or at most every
        prose field of the set (those with a finding)."""
        from service.generation.language import NAMES
        from service.generation.prompts import load_prompt
        from service.generation.surfaces import load_surfaces
        from service.providers.tokens import count_chat_tokens

        if req.n == 0:
            return 0, 0.0
        catalog = load_surfaces().profile_fields
        profiles = req.profiles
        if req.fields:
            targets = [tuple(x.partition(".")[::2]) for x in dict.fromkeys(req.fields)]
        else:
            targets = [
                (channel, name)
                for channel, values in profiles.channels.items()
                for name in values
                if (spec := catalog.get(channel, {}).get(name)) is not None and spec.kind == "prose"
            ]
        calls = len(targets) * req.n
        if not self._priced():
            return calls, 0.0
        template = load_prompt("profile_rewrite")
        prompt = 0
        for channel, name in targets:
            messages = template.messages(
                organisation=profiles.organisation,
                channel=channel,
                field=name,
                limit=1000,
                language_name=NAMES.get(profiles.language, profiles.language),
                facts="",
                keywords=", ".join(profiles.wanted_keywords),
                problems="",
                current=profiles.channels.get(channel, {}).get(name, ""),
                cta="",
            )
            prompt += count_chat_tokens([m.content for m in messages]) * req.n
        return calls, self._usd(prompt, REWRITE_COMPLETION_TOKENS * calls)

    def drafts(self, plan: Any, slots: Sequence[Any]) -> tuple[int, float]:
        """A draft per slot, each with its repair attempts: the cost preview's own estimate."""
        calls = len(slots) * self._attempts
        if not self._priced() or not slots:
            return calls, 0.0
        from service.planning.estimate import estimate

        return calls, estimate(self.services.variants, self.workspace, plan, slots).cost_usd

    def category_drafts(
        self, category: str, channel: str, n: int, language: str
    ) -> tuple[int, float]:
        """n drafts in one category for one channel, priced as n slots of a month plan."""
        from service.planning.drafts import SURFACE_FOR
        from service.planning.models import ContentPlan, PlanChannel, Slot

        if channel not in SURFACE_FOR:
            raise Invalid(f"unknown channel {channel!r}", details={"allowed": sorted(SURFACE_FOR)})
        if not self._priced():
            return n * self._attempts, 0.0
        today = dt.date.today()
        plan = ContentPlan(
            organisation=self.workspace,
            target_month=today.strftime("%Y-%m"),
            language=language,
            channels=[PlanChannel.model_validate({"channel": channel, "posts_per_week": 1})],
            category_weights={category: 1.0},
        )
        slots = [
            Slot(date=today, time=f"{i:02d}:00", channel=channel, category=category, theme=category)
            for i in range(n)
        ]
        return self.drafts(plan, slots)

    # Jobs ---------------------------------------------------------------------------------

    def planner(self) -> MonthPlanner:
        """The month planner whose job submissions go through this budget."""
        from service.planning.planner import MonthPlanner

        services = self.services
        return MonthPlanner(
            services.db,
            BudgetedJobs(services.jobs, self, services.db),
            lambda: services.variants,
        )


class BudgetedJobs(JobQueue):
    """The job queue with the budget at admission: a new job, or a finished one's items sent
    back (a regeneration, a resume), is refused while the workspace has its maximum of
    unfinished jobs, and its drafts are charged as the cost preview counts them, in the very
    transaction that stores the job, so two submissions at the same instant cannot both pass.
    Finding the job an idempotency key already made costs nothing. Every other call is the
    wrapped engine's.

    `budget` is one caller's, or a function giving the caller's budget in a workspace at the
    time of the call (the UI's logged-in person; None: the server itself, unbounded)."""

    def __init__(
        self, jobs: JobQueue, budget: Budget | Callable[[str], Budget | None], db: Database
    ) -> None:
        super().__init__(db, {})
        self._inner = jobs
        if isinstance(budget, Budget):
            fixed = budget
            self._budget_of: Callable[[str], Budget | None] = lambda _ws: fixed
        else:
            self._budget_of = budget

    def _cost(
        self, budget: Budget, keys: Sequence[str], params: dict[str, Any]
    ) -> tuple[int, float]:
        plan, slots = _plan_of(params)
        if plan is not None:
            wanted = set(keys)
            return budget.drafts(plan, [x for x in slots if x.key in wanted])
        return len(keys) * budget._attempts, 0.0

    def _admitter(
        self, workspace: str, keys: Sequence[str], params: dict[str, Any]
    ) -> Admit | None:
        budget = self._budget_of(workspace)
        if budget is None:
            return None
        calls, usd = self._cost(budget, keys, params)
        settings = budget.services.settings

        def admit(s: Session) -> None:
            check_concurrent_jobs(s, settings, workspace)
            charge_model_calls(s, settings, budget.scope, calls, per_request=False)
            if usd > 0:
                charge_spend(s, settings, workspace, usd)

        return admit

    def submit(
        self,
        workspace: str,
        kind: str,
        items: Sequence[str],
        *,
        params: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
        admit: Admit | None = None,
    ) -> tuple[Job, bool]:
        mine = self._admitter(workspace, items, params or {})

        def both(s: Session) -> None:
            if admit is not None:
                admit(s)
            if mine is not None:
                mine(s)

        # The charge is made in the transaction that stores the job: a job found by its key,
        # or one another request stored first, was charged to that request.
        return self._inner.submit(
            workspace, kind, items, params=params, idempotency_key=idempotency_key, admit=both
        )

    def admit(
        self, s: Session, workspace: str, kind: str, keys: Sequence[str], params: dict[str, Any]
    ) -> None:
        self._inner.admit(s, workspace, kind, keys, params)
        mine = self._admitter(workspace, keys, params)
        if mine is not None:
            mine(s)

    def get(self, job_id: str) -> Job:
        return self._inner.get(job_id)

    def start(self, job_id: str) -> object:
        return self._inner.start(job_id)

    def run(self, job_id: str, *, on_progress: ProgressFn | None = None) -> Job:
        return self._inner.run(job_id, on_progress=on_progress)

    def cancel(self, job_id: str) -> Job:
        return self._inner.cancel(job_id)

    def resume_unfinished(self) -> list[str]:
        return self._inner.resume_unfinished()


def _plan_of(params: dict[str, Any]) -> tuple[Any, list[Any]]:
    """A month job's plan and slots from its parameters (see MonthPlanner.generate)."""
    from service.planning.models import ContentPlan, Slot

    if "plan" not in params or "slots" not in params:
        return None, []
    plan = ContentPlan.model_validate(params["plan"])
    return plan, [Slot.model_validate(x) for x in params["slots"]]


def request_budget(request: Request) -> Budget:
    """The caller's budget in the route's workspace (after `authorize` found the caller)."""
    services: Services = request.app.state.services
    return Budget(services, caller_scope(request), path_workspace(request) or "")


BudgetDep = Annotated[Budget, Depends(request_budget)]
