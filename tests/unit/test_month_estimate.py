"""A month's estimate for a composing model counts what it is really asked: no piece in its
profile, no call; pieces asked, their prompts; never a whole generation per draft."""

from __future__ import annotations

from pathlib import Path

from service.container import Services
from service.generation.variants import VariantPipeline
from service.library.demo import load_demo
from service.planning.estimate import estimate
from service.planning.service import load_plan
from service.planning.slots import make_slots

DEMO_PLAN = Path(__file__).resolve().parents[2] / "service" / "data" / "demo_plan.json"


def test_a_composing_models_estimate_counts_only_the_pieces_it_is_asked(
    services: Services,
) -> None:
    load_demo(services.db, services.vectors)
    plan = load_plan(DEMO_PLAN)
    slots = make_slots(plan, {})

    def pipeline(capability: str, pieces: frozenset[str]) -> VariantPipeline:
        return VariantPipeline(
            services.db, services.vectors, services.llm,
            capability=capability, pieces=pieces,  # type: ignore[arg-type]
        )  # fmt: skip

    composing = pipeline("small", frozenset())
    none = estimate(composing, "demo", plan, slots)
    assert none.prompt_tokens == 0 and none.completion_tokens == 0 and none.cost_usd == 0
    assert none.drafts == len(slots) and "composed" in none.basis
    asking = pipeline("small", frozenset({"hook", "shorten"}))
    hooks = estimate(asking, "demo", plan, slots)
    full = estimate(pipeline("capable", frozenset({"hook", "shorten"})), "demo", plan, slots)
    assert 0 < hooks.prompt_tokens < full.prompt_tokens
    assert 0 < hooks.completion_tokens < full.completion_tokens
    # The dry runs moved no month's turn: a draft written next borrows as it would have.
    assert not composing._turns and not asking._turns
