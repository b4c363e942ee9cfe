"""Bio-audit cases: the audit's findings against the flaws planted in profiles.json, as precision,
recall and F1 per finding code. A finding matches a planted flaw on the same channel, field and
code; where a field has two flaws of one code, the evidence decides which is which."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from service.domain.profile_audit import Finding, ProfileSet
from service.profiles.audit import audit

# The ground truth names fact conflicts by the fact; the product reports one code with evidence.
GT_CODES = {
    "inconsistent_phone": "inconsistent_fact",
    "inconsistent_url": "inconsistent_fact",
    "inconsistent_name": "inconsistent_fact",
    "inconsistent_hours": "inconsistent_fact",
    "missing_keywords": "missing_keyword",
}
DETERMINISTIC = ("over_limit", "inconsistent_fact", "outdated", "no_cta", "missing_keyword")


class CodeScore(BaseModel):
    code: str
    planted: int
    found: int
    matched: int
    precision: float | None
    recall: float | None
    f1: float | None


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text.lower().replace("–", "-")).strip()


def _overlap(a: str, b: str) -> bool:
    x, y = _norm(a), _norm(b)
    return bool(x and y) and (x in y or y in x)


def match(findings: list[Finding], planted: list[dict[str, Any]]) -> tuple[int, list[Finding]]:
    """Planted flaws matched, and the findings no planted flaw accounts for."""
    left = list(findings)
    matched = 0
    for flaw in planted:
        code = GT_CODES.get(flaw["type"], flaw["type"])
        same = [
            f
            for f in left
            if (f.channel, f.field, f.code.value) == (flaw["channel"], flaw["field"], code)
        ]
        if flaw.get("evidence") and len(same) > 1:
            same.sort(key=lambda f: not _overlap(f.evidence, str(flaw["evidence"])))
        if same:
            left.remove(same[0])
            matched += 1
    return matched, left


def score_folder(folder: Path, today: Any = None) -> dict[str, Any]:
    profiles = ProfileSet.model_validate(json.loads((folder / "profiles.json").read_text("utf-8")))
    truth = json.loads((folder / "ground_truth" / "profiles_ground_truth.json").read_text("utf-8"))
    report = audit(profiles, today=today)
    planted = truth["planted_flaws"]
    per_code: dict[str, dict[str, int]] = {}
    for flaw in planted:
        code = GT_CODES.get(flaw["type"], flaw["type"])
        per_code.setdefault(code, {"planted": 0, "found": 0, "matched": 0})["planted"] += 1
    for f in report.findings:
        per_code.setdefault(f.code.value, {"planted": 0, "found": 0, "matched": 0})["found"] += 1
    for code in per_code:
        mine = [f for f in report.findings if f.code.value == code]
        theirs = [p for p in planted if GT_CODES.get(p["type"], p["type"]) == code]
        per_code[code]["matched"] = match(mine, theirs)[0]
    _, unexplained = match(report.findings, planted)
    return {
        "organisation": profiles.organisation,
        "counts": per_code,
        "unexplained": [f.model_dump(mode="json") for f in unexplained],
    }


def _prf(planted: int, found: int, matched: int) -> tuple[float | None, float | None, float | None]:
    p = matched / found if found else None
    r = matched / planted if planted else None
    f1 = 2 * p * r / (p + r) if p is not None and r is not None and p + r else None
    return p, r, f1


def score_folders(folders: list[Path], today: Any = None) -> dict[str, Any]:
    results = [score_folder(f, today) for f in folders]
    totals: dict[str, dict[str, int]] = {}
    for result in results:
        for code, c in result["counts"].items():
            t = totals.setdefault(code, {"planted": 0, "found": 0, "matched": 0})
            for k in t:
                t[k] += c[k]
    codes = []
    for code, counts in sorted(totals.items()):
        p, r, f1 = _prf(counts["planted"], counts["found"], counts["matched"])
        codes.append(CodeScore(code=code, precision=p, recall=r, f1=f1, **counts))
    det = [c for c in codes if c.code in DETERMINISTIC]
    planted = sum(c.planted for c in det)
    found = sum(c.found for c in det)
    matched = sum(c.matched for c in det)
    return {
        "per_code": [c.model_dump() for c in codes],
        "deterministic_micro": dict(
            zip(("precision", "recall", "f1"), _prf(planted, found, matched), strict=True)
        ),
        "organisations": results,
    }
