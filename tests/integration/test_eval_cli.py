"""`gjenbruk eval`: re-scoring a committed recording needs no model and gives the same figures
every time; a live run with the embedded model on one case writes a report with every metric."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from service.cli import app
from tests.conftest import SHARED_DATA, require

RECORDING = Path(__file__).resolve().parents[2] / "evals" / "recordings" / "gemma3-270m"
METRICS = {"instruction_accuracy", "case_accuracy", "fact_recall", "fact_precision", "usable"}


def _run(tmp_path: Path, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        app, ["eval", "--json", "--out", str(tmp_path / "report"), *args],
        env={"GJENBRUK_DATA_DIR": str(tmp_path / "data")},
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


@pytest.mark.integration
def test_a_live_run_with_the_embedded_model_scores_every_output(tmp_path: Path) -> None:
    require(SHARED_DATA.is_dir(), "shared data not present")
    out = _run(tmp_path, "--limit", "1", "--record", str(tmp_path / "rec"))
    product = out["systems"]["product"]
    assert product["n_outputs"] >= 1 and not product["unscored"]
    assert product["overall"]["seconds"]["mean"] > 0
    assert (tmp_path / "rec" / "outputs.jsonl").read_text(encoding="utf-8").strip()
