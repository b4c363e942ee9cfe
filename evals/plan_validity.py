"""Month-plan cases: the slots for each shared-data plan.json against its plan_expectations.json
(post counts per channel, marking days in the month), plus the planner's own rules (no post on a
public holiday, an occasion's post on or before its day, the category mix)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from service.planning.calendar import occasions
from service.planning.models import ContentPlan
from service.planning.slots import category_counts, make_slots


def score_plan(folder: Path) -> dict[str, Any]:
    plan = ContentPlan.model_validate(json.loads((folder / "plan.json").read_text("utf-8")))
    expected = json.loads((folder / "ground_truth" / "plan_expectations.json").read_text("utf-8"))
    slots = make_slots(plan)
    found = occasions(plan)
    per_channel = Counter(s.channel for s in slots)
    counts_ok = {
        ch: low <= per_channel[ch] <= high
        for ch, (low, high) in expected.get("expected_post_count", {}).items()
    }
    month_days = {o["date"] for o in expected.get("marking_days_in_month", [])}
    known = {o.date.isoformat() for o in found}
    in_month = {d for d in month_days if d.startswith(plan.target_month)}
    holidays = {o.date for o in found if o.kind == "public_holiday"}
    by_name = {o.name: o.date for o in found}
    late = [
        s.key for s in slots if s.occasion and not 0 <= (by_name[s.occasion] - s.date).days <= 3
    ]
    want = category_counts(plan.category_weights, len(slots))
    got = Counter(s.category for s in slots)
    distance = sum(abs(got[k] - n) for k, n in want.items()) / (2 * max(1, len(slots)))
    return {
        "plan": folder.name,
        "slots": len(slots),
        "post_counts_ok": counts_ok,
        "marking_days_known": f"{len(in_month & known)}/{len(in_month)}",
        "posts_on_public_holidays": sum(s.date in holidays for s in slots),
        "occasion_posts_after_the_day": late,
        "category_mix_distance": round(distance, 3),
        "valid": all(counts_ok.values())
        and not late
        and not any(s.date in holidays for s in slots)
        and in_month <= known,
    }


def score_plans(folders: list[Path]) -> list[dict[str, Any]]:
    return [
        score_plan(f)
        for f in folders
        if (f / "plan.json").is_file() and (f / "ground_truth" / "plan_expectations.json").is_file()
    ]
