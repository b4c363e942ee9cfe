"""One eval run end to end: cases -> outputs (generated or replayed) -> scores -> report files."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evals.cases import RepurposeCase, default_case_files, load_cases
from evals.plan_validity import score_plans
from evals.profile_audit import score_folders
from evals.report import markdown, summarise
from evals.runner import (
    ProgressFn,
    Recording,
    baseline_outputs,
    read_recording,
    record_product,
    score_all,
    settings_for_model,
    write_recording,
)
from service.errors import Invalid
from service.generation.surfaces import load_surfaces


def select_cases(
    files: Sequence[Path], limit: int | None, ids: Sequence[str]
) -> list[RepurposeCase]:
    files = list(files) or default_case_files()
    if not files:
        raise Invalid("no case files: pass --cases FILE or set GJENBRUK_SHARED_DATA")
    cases = [c for f in files for c in load_cases(f)]
    if ids:
        unknown = sorted(set(ids) - {c.id for c in cases})
        if unknown:
            raise Invalid(f"unknown case id(s): {', '.join(unknown)}")
        cases = [c for c in cases if c.id in ids]
    if limit is not None:
        # Spread a small sample over every organisation rather than taking the first file only.
        by_ws: dict[str, list[RepurposeCase]] = {}
        for c in cases:
            by_ws.setdefault(c.workspace, []).append(c)
        picked: list[RepurposeCase] = []
        while len(picked) < min(limit, len(cases)):
            for group in by_ws.values():
                if group and len(picked) < limit:
                    picked.append(group.pop(0))
        cases = picked
    return cases


def profile_audit_suite(case_files: Sequence[Path]) -> dict[str, Any] | None:
    """Bio-audit cases: every case folder (or the shared data) with profiles.json and its
    ground truth. Deterministic, so it runs on every eval."""
    roots = {f.parent for f in case_files} or {f.parent for f in default_case_files()}
    folders = sorted(
        r for r in roots
        if (r / "profiles.json").is_file()
        and (r / "ground_truth" / "profiles_ground_truth.json").is_file()
    )  # fmt: skip
    return score_folders(folders) if folders else None


def run_eval(
    settings: Any,
    *,
    case_files: Sequence[Path] = (),
    case_ids: Sequence[str] = (),
    limit: int | None = None,
    model: str | None = None,
    record: Path | None = None,
    replay: Path | None = None,
    out: Path | None = None,
    progress: ProgressFn | None = None,
) -> dict[str, Any]:
    cases = select_cases(case_files, limit, case_ids)
    catalog = load_surfaces()
    if replay is not None:
        recording = read_recording(replay)
        missing = {c.id for c in cases} - set(recording.cases)
        if missing and not case_files and not case_ids and limit is None:
            cases = [c for c in cases if c.id in recording.cases]
        elif missing:
            raise Invalid(f"the recording has no outputs for: {', '.join(sorted(missing))}")
        source = f"replay of {replay}"
    else:
        from service.container import Services

        eval_settings = settings_for_model(settings, model).model_copy(
            update={"data_dir": settings.data_dir / "eval"}
        )
        services = Services(eval_settings)
        try:
            recording = record_product(services, cases, progress)
        finally:
            services.close()
        if record is not None:
            write_recording(record, recording)
        source = "live run" + (f", recorded to {record}" if record else "")
    outputs = [*recording.outputs, *baseline_outputs(cases, catalog)]
    scored = score_all(cases, outputs, catalog)
    meta = {
        "model": recording.model,
        "started": recording.started,
        "n_cases": len(cases),
        "source": source,
    }
    summary = summarise(scored, meta)
    summary["profile_audit"] = profile_audit_suite(case_files)
    roots = sorted({f.parent for f in case_files} or {f.parent for f in default_case_files()})
    summary["plan_validity"] = score_plans(roots)
    target = out or settings.data_dir / "evals" / datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target.mkdir(parents=True, exist_ok=True)
    (target / "report.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (target / "report.md").write_text(markdown(summary), encoding="utf-8")
    summary["meta"]["report_dir"] = str(target)
    return summary


__all__ = ["Recording", "run_eval", "select_cases"]
