"""Run the real variant pipeline (or replay a recording) on eval cases, score every output, and
score the baselines beside it.

A recording is `outputs.jsonl` (one line per output: system, case, surface, parts, the retrieved
examples' texts, timing and usage) plus `meta.json`; replaying it re-scores without a model, so
CI and metric changes need no generation.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from evals.baselines import BASELINES
from evals.cases import RepurposeCase, shared_data_dir
from evals.library import ensure_library
from evals.month_diversity import MonthDraft
from evals.scoring import OutputScore, score_case_diversity, score_output
from service.container import Services
from service.errors import Invalid
from service.generation.surfaces import SurfaceCatalog, load_surfaces
from service.settings import Settings

PRODUCT = "product"
ProgressFn = Callable[[str, int, int], None]


class Output(BaseModel):
    system: str
    case_id: str
    surface: str
    parts: dict[str, Any]
    examples: list[str] = []
    seconds: float = 0.0
    model: str = ""
    product_passed: bool | None = None
    first_attempt_passed: bool | None = None
    attempts: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    error: str = ""


class Recording(BaseModel):
    model: str
    started: str
    cases: list[str]
    outputs: list[Output]
    months: list[MonthDraft] = []  # a month plan's drafts, when recorded with --months


def baseline_outputs(cases: Sequence[RepurposeCase], catalog: SurfaceCatalog) -> list[Output]:
    out: list[Output] = []
    for case in cases:
        for surface_id in case.target_surfaces:
            surface = catalog.surfaces.get(surface_id)
            if surface is None:
                continue
            limits = case.surface_limits.get(surface_id)
            for system, make in BASELINES.items():
                parts = make(surface, case.source.text, limits)
                out.append(Output(system=system, case_id=case.id, surface=surface_id, parts=parts))
    return out


def product_outputs(
    services: Services,
    cases: Sequence[RepurposeCase],
    progress: ProgressFn | None = None,
) -> list[Output]:
    from service.generation.variants import VariantRequest

    data = shared_data_dir()
    names = {c.workspace: c.organisation for c in cases if c.organisation}
    for workspace in dict.fromkeys(c.workspace for c in cases):
        ensure_library(services, workspace, data / workspace, names.get(workspace, ""))
    model = services.llm.model_name
    outputs: list[Output] = []
    for i, case in enumerate(cases):
        if progress:
            progress(case.id, i, len(cases))
        known = [s for s in case.target_surfaces if s in services.variants.catalog.surfaces]
        for unknown in sorted(set(case.target_surfaces) - set(known)):
            outputs.append(
                Output(
                    system=PRODUCT, case_id=case.id, surface=unknown, parts={}, model=model,
                    error=f"unknown surface {unknown!r}",
                )
            )  # fmt: skip
        if not known:
            continue
        started = time.perf_counter()
        response = services.variants.run(
            VariantRequest(
                workspace=case.workspace,
                text=case.source.text,
                surfaces=known,
                language=case.language if case.language in ("nb", "nn", "en") else None,
            )
        )
        per_output = (time.perf_counter() - started) / max(1, len(response.variants))
        examples = [e.text for e in response.examples]
        for v in response.variants:
            if v.surface not in known:
                continue  # e.g. a permission request the pipeline added on its own
            outputs.append(
                Output(
                    system=PRODUCT,
                    case_id=case.id,
                    surface=v.surface,
                    parts=v.parts,
                    examples=examples,
                    seconds=round(per_output, 2),
                    model=v.model,
                    product_passed=v.passed,
                    first_attempt_passed=v.first_attempt_passed,
                    attempts=v.attempts,
                    prompt_tokens=v.usage.prompt_tokens,
                    completion_tokens=v.usage.completion_tokens,
                )
            )
    if progress:
        progress("", len(cases), len(cases))
    return outputs


def write_recording(directory: Path, recording: Recording) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    meta = recording.model_dump(exclude={"outputs", "months"})
    (directory / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n")
    with (directory / "outputs.jsonl").open("w", encoding="utf-8") as f:
        for o in recording.outputs:
            f.write(o.model_dump_json() + "\n")
    if recording.months:
        with (directory / "months.jsonl").open("w", encoding="utf-8") as f:
            for m in recording.months:
                f.write(m.model_dump_json() + "\n")


def read_recording(directory: Path) -> Recording:
    meta_file, outputs_file = directory / "meta.json", directory / "outputs.jsonl"
    if not meta_file.is_file() or not outputs_file.is_file():
        raise Invalid(f"{directory} is not a recording (needs meta.json and outputs.jsonl)")
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    lines = outputs_file.read_text(encoding="utf-8").splitlines()
    outputs = [Output.model_validate_json(line) for line in lines if line.strip()]
    months_file = directory / "months.jsonl"  # only in recordings made with --months
    month_lines = (
        months_file.read_text(encoding="utf-8").splitlines() if months_file.is_file() else []
    )
    months = [MonthDraft.model_validate_json(line) for line in month_lines if line.strip()]
    return Recording(outputs=outputs, months=months, **meta)


def record_product(
    services: Services, cases: Sequence[RepurposeCase], progress: ProgressFn | None = None
) -> Recording:
    started = datetime.now(UTC).isoformat(timespec="seconds")
    return Recording(
        model=services.llm.model_name,
        started=started,
        cases=[c.id for c in cases],
        outputs=product_outputs(services, cases, progress),
    )


class Scored(BaseModel):
    output: Output
    score: OutputScore | None  # None: the output could not be scored (an unknown surface)


def score_all(
    cases: Sequence[RepurposeCase], outputs: Sequence[Output], catalog: SurfaceCatalog | None = None
) -> list[Scored]:
    catalog = catalog or load_surfaces()
    by_id = {c.id: c for c in cases}
    scored: list[Scored] = []
    for o in outputs:
        case = by_id.get(o.case_id)
        surface = catalog.surfaces.get(o.surface)
        if case is None:
            continue  # a recording made on more cases than this run asks for
        score = None if surface is None else score_output(case, surface, o.parts, o.examples)
        scored.append(Scored(output=o, score=score))
    return scored


def diversity(scored: Sequence[Scored], system: str) -> list[Any]:
    from evals.scoring import prose

    by_case: dict[str, list[str]] = {}
    for s in scored:
        if s.output.system == system:
            by_case.setdefault(s.output.case_id, []).append(prose(s.output.parts))
    return [score_case_diversity(case_id, texts) for case_id, texts in by_case.items()]


def settings_for_model(base: Settings, model: str | None) -> Settings:
    """`local`, `openai`, a local model name from local_models.yaml, or a path to a .gguf."""
    if model is None:
        return base
    if model in ("local", "openai"):
        return base.model_copy(update={"llm": model})
    return base.model_copy(update={"llm": "local", "local_model": model})
