"""Plans as people type them (scalar facts), refused at the door only where the meaning is
unclear or a later step could not use the value; eval cases outside the sample data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from evals.cases import load_cases
from service.errors import Invalid
from service.planning.models import ContentPlan

BASE: dict[str, Any] = {
    "organisation": "Hotell",
    "target_month": "2026-10",
    "channels": [{"channel": "facebook", "posts_per_week": 2}],
    "category_weights": {"produkt": 1},
}


def _plan(**change: Any) -> ContentPlan:
    return ContentPlan.model_validate({**BASE, **change})


def test_scalar_facts_are_facts() -> None:
    plan = _plan(facts={"rooms": 48, "rating": 4.5, "pool": True, "bar": False, "note": None})
    assert plan.facts == {"rooms": "48", "rating": "4.5", "pool": "ja", "bar": "nei"}


@pytest.mark.parametrize("value", [[1, 2], {"a": 1}, float("inf")])
def test_facts_whose_meaning_is_unclear_are_refused_naming_the_key(value: object) -> None:
    with pytest.raises(ValidationError, match=r"facts\.rooms"):
        _plan(facts={"rooms": value})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "unknown timezone"),
        ({"timezone": "../../etc/passwd"}, "unknown timezone"),
        ({"target_month": "0000-01"}, "between 2000-01 and 2100-12"),
        ({"target_month": "9999-12"}, "between 2000-01 and 2100-12"),
        ({"target_month": ""}, "YYYY-MM"),
        ({"category_weights": {"a": 1e308}}, "0 to 1000"),
        ({"category_weights": {"a": float("nan")}}, "0 to 1000"),
        ({"channels": [{"channel": "facebook", "posts_per_week": 2, "time": "99:99"}]}, "pattern"),
        ({"channels": [{"channel": "facebook", "posts_per_week": 2, "time": "24:00"}]}, "pattern"),
    ],
)
def test_values_a_later_step_could_not_use_are_refused_at_the_door(
    change: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        _plan(**change)


def test_valid_edges_are_accepted() -> None:
    plan = _plan(
        target_month="2100-12",
        timezone="America/Argentina/Buenos_Aires",
        channels=[{"channel": "facebook", "posts_per_week": 2, "time": "23:59"}],
    )
    assert plan.days[-1].isoformat() == "2100-12-31"


def _cases(path: Path, **extra: Any) -> Path:
    case = {"id": "c1", "source": {"text": "Hei"}, "target_surfaces": ["facebook_post"], **extra}
    path.write_text(json.dumps(case) + "\n", encoding="utf-8")
    return path


def test_cases_outside_the_sample_data_take_the_workspace_from_the_case_or_the_option(
    tmp_path: Path,
) -> None:
    own = _cases(tmp_path / "own.jsonl", workspace="hotell")
    assert load_cases(own)[0].workspace == "hotell"
    assert load_cases(own, workspace="other")[0].workspace == "hotell"  # the case's own wins
    bare = _cases(tmp_path / "bare.jsonl")
    assert load_cases(bare, workspace="hotell")[0].workspace == "hotell"
    with pytest.raises(Invalid, match="line 1: the case names no workspace"):
        load_cases(bare)
