"""Cost and time before a month is generated: tiktoken counts of real rendered prompts (a
sample of the slots) × the price table, and for the local model, tokens ÷ its measured speed."""

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

# Measured on the eval run (evals/recordings/gemma3-270m): attempts per variant incl. repairs,
# and completion tokens per attempt. A capable model needs fewer attempts; this is the ceiling.
ATTEMPTS_PER_DRAFT = 3.0
COMPLETION_TOKENS_PER_ATTEMPT = 150
SAMPLE = 6


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
    counts = []
    for slot in sample:
        req = VariantRequest(
            workspace=workspace,
            text=slot_brief(plan, slot),
            surfaces=[SURFACE_FOR[slot.channel]],
            language=plan.language,
            category=slot.category,
        )
        for messages in pipeline.prompts(req).values():
            counts.append(count_chat_tokens([m.content for m in messages]))
    per_prompt = statistics.mean(counts) if counts else 0.0
    prompt = round(per_prompt * ATTEMPTS_PER_DRAFT * len(slots))
    completion = round(COMPLETION_TOKENS_PER_ATTEMPT * ATTEMPTS_PER_DRAFT * len(slots))
    model = pipeline.llm.model_name
    cost = estimate_cost(model, prompt, completion, pipeline.price_overrides)
    spec = registry().get(model) if pipeline.llm.provider == "local" else None
    speed = spec.tokens_per_second if spec is not None else None
    seconds = None
    if pipeline.llm.provider == "local" and speed:
        # Prompt processing is ~10× faster than generation on these CPUs.
        seconds = round(completion / speed + prompt / (10 * speed), 1)
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
            f"{ATTEMPTS_PER_DRAFT:g} attempts × {len(slots)} drafts"
        ),
    )
