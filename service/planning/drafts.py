"""One draft per slot, through the same pipeline and checks as reuse variants: the slot's brief
(theme, occasion, campaign details with their prices) is the source, grounded in the slot's
category's best posts. A draft too close to one already written this month is written again."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from service.generation.surfaces import load_surfaces
from service.generation.variants import VariantPipeline, VariantRequest
from service.planning.models import ContentPlan, Slot
from service.providers.embeddings import Embedder

SURFACE_FOR = load_surfaces().plan_surfaces()
# multilingual-e5 similarities crowd high (~0.8 for related texts); 0.95 is a near-copy.
NEAR_DUPLICATE = 0.95
PLAN_JOB = "plan_drafts"


def slot_brief(plan: ContentPlan, slot: Slot) -> str:
    lines = [f"{slot.theme}.", f"Kategori: {slot.category}."]
    if slot.occasion:
        lines.append(f"Anledning: {slot.occasion} ({slot.date.strftime('%d.%m.')}).")
    campaign = next((c for c in plan.campaigns if c.name == slot.campaign), None)
    if campaign is not None and campaign.details:
        lines.append(campaign.details)
    return " ".join(lines)


# Earlier drafts' vectors, so a month of N drafts embeds N texts, not N²/2.
_VECTORS: dict[tuple[str, str], list[float]] = {}


def _embed(embedder: Embedder, texts: Sequence[str]) -> list[list[float]]:
    missing = [t for t in dict.fromkeys(texts) if (embedder.name, t) not in _VECTORS]
    if missing:
        if len(_VECTORS) > 20_000:
            _VECTORS.clear()
        for text, vector in zip(missing, embedder.embed_documents(missing), strict=True):
            _VECTORS[(embedder.name, text)] = vector
    return [_VECTORS[(embedder.name, t)] for t in texts]


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def draft_for_slot(
    pipeline: VariantPipeline,
    embedder: Embedder,
    workspace: str,
    plan: ContentPlan,
    slot: Slot,
    earlier: Callable[[], Sequence[str]],
) -> dict[str, Any]:
    """Generate, check, and compare with the month's earlier drafts; one retry on a near-copy.

    `earlier` is asked after each generation, not before: with parallel workers, drafts that
    finished while this one was being written count too."""
    spec = next(c for c in plan.channels if c.channel == slot.channel)
    brief = slot_brief(plan, slot)
    tone = ""
    best: dict[str, Any] = {}
    replaced: list[str] = []
    for attempt in range(2):
        if best.get("draft_id"):
            replaced.append(str(best["draft_id"]))
        out = pipeline.run(
            VariantRequest(
                workspace=workspace,
                text=brief,
                surfaces=[SURFACE_FOR[slot.channel]],
                language=spec.language or plan.language,
                category=slot.category,
                tone=tone,
            )
        )
        v = out.variants[0]
        similarity = 0.0
        others = list(earlier()) if v.text else []
        if others:
            mine = _embed(embedder, [v.text])[0]
            similarity = max(_cosine(mine, e) for e in _embed(embedder, others))
        best = {
            "slot": slot.model_dump(mode="json"),
            "text": v.text,
            "checks": [c.model_dump() for c in v.checks],
            "passed": v.passed,
            "draft_id": v.draft_id,
            "near_duplicate_similarity": round(similarity, 4),
            "regenerated": attempt > 0,
            "replaced_draft_ids": replaced,
            "usage": v.usage.model_dump(),
        }
        if similarity < NEAR_DUPLICATE:
            break
        tone = "helt annerledes vinkling og åpning enn forrige innlegg i samme kategori"
    for draft_id in replaced:
        pipeline.set_aside(workspace, draft_id)
    return best
