"""`gjenbruk eval`: re-scoring a committed recording needs no model and gives the same figures
every time; a live run with the embedded model on one case writes a report with every metric."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from service.cli import app
from service.providers.local_models import resolve_model_path
from tests.conftest import SHARED_DATA, require
from tests.integration.servers import llama_cpp_server

RECORDING = Path(__file__).resolve().parents[2] / "evals" / "recordings" / "gemma3-270m"
METRICS = {"instruction_accuracy", "case_accuracy", "fact_recall", "fact_precision", "usable"}


def _run(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = CliRunner().invoke(
        app, ["eval", "--json", "--out", str(tmp_path / "report"), *args],
        env={"GJENBRUK_DATA_DIR": str(tmp_path / "data"), **(env or {})},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_recording_is_rescored_without_a_model_and_the_same_twice(tmp_path: Path) -> None:
    require(SHARED_DATA.is_dir(), "shared data not present")
    first = _run(tmp_path, "--replay", str(RECORDING))
    second = _run(tmp_path, "--replay", str(RECORDING))
    assert first["systems"] == second["systems"]
    systems = first["systems"]
    assert set(systems) == {"product", "baseline_copy", "baseline_truncate"}
    product = systems["product"]
    assert set(product["overall"]) >= METRICS
    assert all(product["overall"][m]["n"] > 0 for m in METRICS)
    # The baselines lose where they must: a copy is never an adaptation.
    assert systems["baseline_copy"]["overall"]["usable"]["mean"] == 0.0
    assert first["cases"] and (tmp_path / "report" / "report.md").is_file()
    audit = first["profile_audit"]["deterministic_micro"]
    assert audit["f1"] >= 0.9
    assert first["plan_validity"] and all(p["valid"] for p in first["plan_validity"])


def test_a_recorded_month_is_rescored_for_diversity(tmp_path: Path) -> None:
    require(SHARED_DATA.is_dir(), "shared data not present")
    months = _run(tmp_path, "--replay", str(RECORDING.parent / "gemma3-270m-dev30"))["months"]
    assert {m["plan"]: m["drafts"] for m in months} == {
        "fjordkanten-storsenter": 26,
        "sjobua-restaurant": 35,
    }
    assert all(0 <= m["near_duplicate_rate"] <= 1 and m["self_bleu"] > 0 for m in months)


@pytest.mark.integration
def test_a_live_run_with_the_embedded_model_scores_every_output(tmp_path: Path) -> None:
    require(SHARED_DATA.is_dir(), "shared data not present")
    out = _run(tmp_path, "--limit", "1", "--record", str(tmp_path / "rec"))
    product = out["systems"]["product"]
    assert product["n_outputs"] >= 1 and not product["unscored"]
    assert product["overall"]["seconds"]["mean"] > 0
    assert (tmp_path / "rec" / "outputs.jsonl").read_text(encoding="utf-8").strip()


@pytest.mark.integration
def test_the_llm_judge_runs_against_an_openai_compatible_server_and_caches(
    tmp_path: Path,
) -> None:
    """A real judge over a socket: llama.cpp's server with smollm2 (another family than the
    gemma recording). Its grades are not the point; the call path, both orders and the cache are."""
    require(SHARED_DATA.is_dir(), "shared data not present")
    model, _ = resolve_model_path("smollm2-135m", tmp_path / "models")
    args = ("--replay", str(RECORDING), "--judge", "smollm2-135m", "--judge-limit", "1")
    with llama_cpp_server(model) as base:
        env = {"GJENBRUK_EVAL_JUDGE_BASE_URL": base}
        first = _run(tmp_path, *args, env=env)["judge"]
        again = _run(tmp_path, *args, env=env)["judge"]
    assert first["judge"] == "smollm2-135m" and first["against"] == "baseline_truncate"
    # One product output: a score for it and for the baseline, then the pair in both orders.
    assert first["calls"] == 4 and first["cache_hits"] == 0
    answered = len(first["items"]) + len(first["errors"])
    assert answered == 3  # two scores and one pair, each either a verdict or a reported error
    assert again["cache_hits"] >= 4 - 2 * len(first["errors"])
    assert again["calls"] <= 2 * len(first["errors"])
    assert (tmp_path / "data" / "evals" / "judge_cache.jsonl").is_file()


def test_a_judge_of_the_generators_family_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    require(SHARED_DATA.is_dir(), "shared data not present")
    result = CliRunner().invoke(
        app, ["eval", "--replay", str(RECORDING), "--judge", "gemma-3-27b",
              "--out", str(tmp_path / "r")],
        env={"GJENBRUK_DATA_DIR": str(tmp_path / "data"),
             "GJENBRUK_EVAL_JUDGE_BASE_URL": "http://127.0.0.1:9/v1"},
    )  # fmt: skip
    assert result.exit_code != 0
    assert "same model family" in result.output


COMPOSED = RECORDING.parent / "gemma3-270m-composed-dev30"


def test_the_composed_recording_meets_the_small_model_bars_and_the_baselines_stay_unusable(
    tmp_path: Path,
) -> None:
    """The embedded default composing its variants (issue 18), re-scored from its recording: its
    first answer passes, it is usable on every surface, and the copy and truncate baselines,
    scored beside it by the same metric, stay at 0 % usable."""
    require(SHARED_DATA.is_dir(), "shared data not present")
    summary = _run(tmp_path, "--replay", str(COMPOSED))
    systems = summary["systems"]
    product = systems["product"]["overall"]
    assert product["first_attempt_passed"]["mean"] >= 0.8
    assert product["product_passed"]["mean"] >= 0.97
    assert product["usable"]["mean"] >= 0.85
    by_surface = systems["product"]["by_surface"]
    assert all(s["usable"]["mean"] >= 0.8 for s in by_surface.values()), by_surface
    assert systems["product"]["diversity"]["near_duplicate_rate"]["mean"] <= 0.3
    for baseline in ("baseline_copy", "baseline_truncate"):
        assert systems[baseline]["overall"]["usable"]["mean"] == 0.0
