"""Diversity within a month: the drafts one month plan produced, through the real plan job, scored
for repetition (Self-BLEU, distinct-2, near-duplicate rate over the month and within each channel).

Generating a month takes minutes with the embedded model, so it runs only with `--months` and is
recorded (`months.jsonl`) like the variants, for replay without a model.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from evals.text_metrics import distinct_n, near_duplicate_rate, self_bleu

ProgressFn = Callable[[str, int, int], None]


class MonthDraft(BaseModel):
    plan: str
    slot: str
    channel: str
    category: str
    text: str
    passed: bool


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def score_month(plan: str, drafts: Sequence[MonthDraft]) -> dict[str, Any]:
    texts = [d.text for d in drafts if d.text.strip()]
    channels = sorted({d.channel for d in drafts})
    per_channel = {
        ch: _round(near_duplicate_rate([d.text for d in drafts if d.channel == ch and d.text]))
        for ch in channels
    }
    return {
        "plan": plan,
        "drafts": len(drafts),
        "with_text": len(texts),
        "passed": sum(d.passed for d in drafts),
        "self_bleu": _round(self_bleu(texts)),
        "distinct_2": _round(distinct_n(texts, 2)),
        "near_duplicate_rate": _round(near_duplicate_rate(texts)),
        "near_duplicate_rate_by_channel": per_channel,
    }


def score_months(drafts: Sequence[MonthDraft]) -> list[dict[str, Any]]:
    plans = dict.fromkeys(d.plan for d in drafts)
    return [score_month(p, [d for d in drafts if d.plan == p]) for p in plans]


def record_months(
    services: Any, folders: Sequence[Path], progress: ProgressFn | None = None
) -> list[MonthDraft]:
    """Run each folder's plan.json through the product's plan job, as `gjenbruk plan --generate`
    does, on the folder's own library."""
    from evals.runner import ensure_library
    from service.planning.service import best_hours, load_plan, planned_posts, submit_plan_job
    from service.planning.slots import make_slots

    out: list[MonthDraft] = []
    for folder in folders:
        plan_file = folder / "plan.json"
        if not plan_file.is_file():
            continue
        workspace = folder.name
        ensure_library(services, workspace, folder)
        plan = load_plan(plan_file)
        slots = make_slots(plan, best_hours(services.db, workspace))
        # A run of its own: the plan's idempotency key would hand back a month finished by an
        # earlier eval (other code, other prompt) from the same data directory.
        job = submit_plan_job(services, workspace, plan, slots, key=f"eval-{uuid.uuid4()}")

        def tick(j: Any, name: str = folder.name) -> None:
            if progress:
                progress(f"måned {name}: {j.current or j.status}", j.done + j.failed, j.total)

        services.jobs.run(job.id, on_progress=tick)
        out += [
            MonthDraft(
                plan=folder.name,
                slot=p.slot.key,
                channel=p.slot.channel,
                category=p.slot.category,
                text=p.text,
                passed=p.passed,
            )
            for p in planned_posts(services, job.id, slots)
        ]
    return out
