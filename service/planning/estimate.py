"""Cost and time before a month is generated: tiktoken counts of real rendered prompts (a
sample of the slots) × the price table, and for the local model, tokens ÷ its measured speed.

A model whose capability profile composes (small) is asked only for the pieces the composer
really asks for (a hook line, one shortened sentence; none when its profile lists no pieces):
the sample's drafts are composed without calling the model and the piece prompts counted, so
the estimate is what is asked, not a whole generation per draft."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from pydantic import BaseModel

from service.generation.variants import VariantPipeline, VariantRequest
from service.planning.drafts import SURFACE_FOR, slot_brief
from service.planning.models import ContentPlan, Slot
from service.providers.local_models import registry
from service.providers.prices import estimate_cost
from service.providers.tokens import count_chat_tokens

# API models: an upper bound (every draft repaired twice, 150 tokens an answer), since a month
# billed above its estimate is worse than one below it.
ATTEMPTS_PER_DRAFT = 3.0
COMPLETION_TOKENS_PER_ATTEMPT = 150
# The embedded model, measured on the two dev months (61 drafts, `gjenbruk eval --months`,
# 2026-11-23): prompt tokens per draft 1.24x one rendered prompt (most repairs are rule-based),
# 38 completion tokens per draft, and prompt processing ~18x its generation speed (14-28x).
LOCAL_PROMPTS_PER_DRAFT = 1.25
LOCAL_COMPLETION_TOKENS_PER_DRAFT = 40
LOCAL_PROMPT_SPEEDUP = 18.0
SAMPLE = 6
# A composed draft with no model call: composition, checks and the language check, measured on
# the demo month and both dev months (2026-12-02, 2 cores shared): 0.1–0.3 s; the upper end.
COMPOSE_SECONDS_PER_DRAFT = 0.3


class Estimate(BaseModel):
    drafts: int
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    priced: bool
    seconds: float | None  # local model only: from its measured tokens/s
    basis: str


def estimate(
    pipeline: VariantPipeline, workspace: str, plan: ContentPlan, slots: Sequence[Slot]
) -> Estimate:
    step = max(1, len(slots) // SAMPLE)
    sample = list(slots)[::step][:SAMPLE]
    requests = [
        VariantRequest(
            workspace=workspace,
            text=slot_brief(plan, slot),
            surfaces=[SURFACE_FOR[slot.channel]],
            language=plan.language,
            category=slot.category,
        )
        for slot in sample
    ]
    if pipeline.capability == "small":
        return _composed_estimate(pipeline, requests, len(slots))
    counts = []
    for req in requests:
        for messages in pipeline.prompts(req).values():
            counts.append(count_chat_tokens([m.content for m in messages]))
    per_prompt = statistics.mean(counts) if counts else 0.0
    local = pipeline.llm.provider == "local"
    prompts_per_draft = LOCAL_PROMPTS_PER_DRAFT if local else ATTEMPTS_PER_DRAFT
    per_draft = (
        LOCAL_COMPLETION_TOKENS_PER_DRAFT
        if local
        else COMPLETION_TOKENS_PER_ATTEMPT * ATTEMPTS_PER_DRAFT
    )
    prompt = round(per_prompt * prompts_per_draft * len(slots))
    completion = round(per_draft * len(slots))
    model = pipeline.llm.model_name
    cost = estimate_cost(model, prompt, completion, pipeline.price_overrides)
    spec = registry().get(model) if local else None
    speed = spec.tokens_per_second if spec is not None else None
    seconds = None
    if local and speed:
        seconds = round(completion / speed + prompt / (LOCAL_PROMPT_SPEEDUP * speed), 1)
    return Estimate(
        drafts=len(slots),
        model=model,
        prompt_tokens=prompt,
        completion_tokens=completion,
        cost_usd=cost.usd,
        priced=cost.priced,
        seconds=seconds,
        basis=(
            f"{len(counts)} rendered prompts (mean {per_prompt:.0f} tokens) × "
            f"{prompts_per_draft:g} prompts per draft × {len(slots)} drafts"
            + (" (measured rate of the embedded model)" if local else " (upper bound)")
        ),
    )


def _composed_estimate(
    pipeline: VariantPipeline, requests: Sequence[VariantRequest], drafts: int
) -> Estimate:
    """A composing model: the pieces the sample's compositions ask for, each prompt counted and
    its answer at the bound its grammar sets, scaled to the month; no piece, no call."""
    asked = [p for req in requests for p in pipeline.asked_pieces(req) or []]
    per = drafts / max(1, len(requests))
    prompt = round(sum(count_chat_tokens(texts) for texts, _ in asked) * per)
    completion = round(sum(bound for _, bound in asked) * per)
    model = pipeline.llm.model_name
    cost = estimate_cost(model, prompt, completion, pipeline.price_overrides)
    local = pipeline.llm.provider == "local"
    spec = registry().get(model) if local else None
    speed = spec.tokens_per_second if spec is not None else None
    seconds = round(drafts * COMPOSE_SECONDS_PER_DRAFT, 1)
    if speed and (prompt or completion):
        seconds = round(seconds + completion / speed + prompt / (LOCAL_PROMPT_SPEEDUP * speed), 1)
    pieces = ", ".join(sorted(pipeline.pieces)) or "none"
    return Estimate(
        drafts=drafts,
        model=model,
        prompt_tokens=prompt,
        completion_tokens=completion,
        cost_usd=cost.usd,
        priced=cost.priced,
        seconds=seconds if local else None,
        basis=(
            f"composed ({len(asked)} model pieces asked in {len(requests)} sample drafts; "
            f"pieces in the profile: {pieces}) × {drafts} drafts"
        ),
    )
