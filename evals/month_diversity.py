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

from evals.library import ensure_library
from evals.text_metrics import distinct_n, near_duplicate_rate, self_bleu
from service.container import Services
from service.domain.job import Job
from service.planning.service import load_plan

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
    services: Services, folders: Sequence[Path], progress: ProgressFn | None = None
) -> list[MonthDraft]:
    """Run each folder's plan.json through the product's month planner, as `gjenbruk plan
    --generate` does, on the folder's own library."""
    planner = services.planner
    out: list[MonthDraft] = []
    for folder in folders:
        plan_file = folder / "plan.json"
        if not plan_file.is_file():
            continue
        ensure_library(services, folder.name, folder)
        plan = load_plan(plan_file)
        slots = planner.schedule(folder.name, plan)
        # A run of its own: the plan's idempotency key would hand back a month finished by an
        # earlier eval (other code, other prompt) from the same data directory.
        job = planner.generate(
            folder.name, plan, slots, key=f"eval-{uuid.uuid4()}", background=False
        )

        def tick(j: Job, name: str = folder.name) -> None:
            if progress:
                progress(f"måned {name}: {j.current or j.status}", j.done + j.failed, j.total)

        job = planner.run(job, on_progress=tick)
        out += [
            MonthDraft(
                plan=folder.name,
                slot=p.slot.key,
                channel=p.slot.channel,
                category=p.slot.category,
                text=p.text,
                passed=p.passed,
            )
            for p in planner.posts(job)
        ]
    return out
