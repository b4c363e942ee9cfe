"""One eval run end to end: cases -> outputs (generated or replayed) -> scores -> report files."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evals.baselines import BASELINES
from evals.cases import RepurposeCase, default_case_files, load_cases
from evals.judge import Judge, JudgeCache, check_families, run_judge
from evals.month_diversity import record_months, score_months
from evals.plan_validity import score_plans
from evals.profile_audit import score_folders
from evals.report import markdown, summarise
from evals.runner import (
    PRODUCT,
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
from service.providers.llm import LLM
from service.settings import Settings


def select_cases(
    files: Sequence[Path], limit: int | None, ids: Sequence[str], workspace: str | None = None
) -> list[RepurposeCase]:
    files = list(files) or default_case_files()
    if not files:
        raise Invalid("no case files: pass --cases FILE or set GJENBRUK_SHARED_DATA")
    cases = [c for f in files for c in load_cases(f, workspace)]
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


def _case_roots(case_files: Sequence[Path]) -> list[Path]:
    return sorted({f.parent for f in case_files} or {f.parent for f in default_case_files()})


def make_judge_llm(settings: Settings, judge_model: str) -> LLM:
    """The judge is always an API model (OpenAI or an OpenAI-compatible server)."""
    from service.providers.llm_factory import make_llm

    has_key = settings.openai_api_key is not None and bool(
        settings.openai_api_key.get_secret_value()
    )
    base_url = settings.eval_judge_base_url or settings.openai_base_url
    if not (has_key or base_url):
        raise Invalid(
            "the LLM judge needs an API model: set GJENBRUK_OPENAI_API_KEY, or "
            "GJENBRUK_EVAL_JUDGE_BASE_URL / GJENBRUK_OPENAI_BASE_URL (an OpenAI-compatible server)"
        )
    return make_llm(
        settings.model_copy(
            update={"llm": "openai", "openai_model": judge_model, "openai_base_url": base_url}
        )
    )


def run_eval(
    settings: Settings,
    *,
    case_files: Sequence[Path] = (),
    case_ids: Sequence[str] = (),
    limit: int | None = None,
    model: str | None = None,
    record: Path | None = None,
    replay: Path | None = None,
    out: Path | None = None,
    progress: ProgressFn | None = None,
    judge_model: str | None = None,
    judge_against: str = "baseline_truncate",
    judge_limit: int | None = None,
    months: bool = False,
) -> dict[str, Any]:
    cases = select_cases(case_files, limit, case_ids)
    judge_model = judge_model or settings.eval_judge_model
    # Refuse a judge that cannot run, or an opponent that cannot be read, before spending
    # minutes on generation.
    judge_llm = make_judge_llm(settings, judge_model) if judge_model else None
    if judge_against == PRODUCT:
        raise Invalid("--judge-against must name a baseline or another recording, not the product")
    # Another recording (e.g. the other candidate model) is scored and judged beside this one.
    other = None if judge_against in BASELINES else read_recording(Path(judge_against))

    def refuse_kin(generator: str) -> None:
        if judge_model:
            check_families(judge_model, [generator, *([other.model] if other else [])])

    catalog = load_surfaces()
    if replay is not None:
        recording = read_recording(replay)
        refuse_kin(recording.model)
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
            refuse_kin(services.llm.model_name)
            recording = record_product(services, cases, progress)
            if months:
                recording.months = record_months(services, _case_roots(case_files), progress)
        finally:
            services.close()
        if record is not None:
            write_recording(record, recording)
        source = "live run" + (f", recorded to {record}" if record else "")
    outputs = [*recording.outputs, *baseline_outputs(cases, catalog)]
    if other is not None:
        judge_against = f"{PRODUCT}:{other.model}"
        outputs += [o.model_copy(update={"system": judge_against}) for o in other.outputs]
    scored = score_all(cases, outputs, catalog)
    meta = {
        "model": recording.model,
        "started": recording.started,
        "n_cases": len(cases),
        "source": source,
    }
    summary = summarise(scored, meta)
    summary["profile_audit"] = profile_audit_suite(case_files)
    summary["judge"] = None
    if judge_llm is not None:
        judge = Judge(
            judge_llm,
            JudgeCache(settings.data_dir / "evals" / "judge_cache.jsonl"),
            prompts_dir=settings.prompts_dir,
        )
        summary["judge"] = run_judge(
            judge, cases, outputs, catalog,
            product=PRODUCT, against=judge_against, limit=judge_limit, progress=progress,
        )  # fmt: skip
    summary["plan_validity"] = score_plans(_case_roots(case_files))
    summary["months"] = score_months(recording.months)
    target = out or settings.data_dir / "evals" / datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target.mkdir(parents=True, exist_ok=True)
    (target / "report.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (target / "report.md").write_text(markdown(summary), encoding="utf-8")
    summary["meta"]["report_dir"] = str(target)
    return summary


__all__ = ["Recording", "run_eval", "select_cases"]
