"""The simulated-editor eval: learning on makes new outputs comply; learning off does not."""

from __future__ import annotations

from pathlib import Path

from evals.simulated_editor import (
    DEFAULT_RECORDING,
    POLICIES,
    Output,
    first_cases,
    load_outputs,
    load_recorded,
    quality_table,
    simulate,
    simulate_pipeline,
)
from tests.conftest import SHARED_DATA, require


def test_recorded_outputs_comply_after_learning() -> None:
    require(DEFAULT_RECORDING.is_file(), f"no recording at {DEFAULT_RECORDING}")
    results = simulate(load_outputs(DEFAULT_RECORDING))
    assert [r.policy for r in results] == [p.name for p in POLICIES]
    for r in results:
        assert r.n > 0 and r.after >= r.before
        if r.rules:
            assert r.after >= 0.95, r


def test_a_hashtag_habit_is_learnt_and_enforced() -> None:
    tags = " ".join(f"#t{i}" for i in range(5))
    outs = [
        Output(
            case_id=f"org-{i:02d}", surface="instagram_post", text=f"Tekst nummer {i}.\n\n{tags}"
        )
        for i in range(1, 9)
    ]
    [cap] = [r for r in simulate(outs) if r.policy == "cap hashtags at 2"]
    assert (cap.edited, cap.n, cap.before, cap.after) == (4, 4, 0.0, 1.0)
    assert cap.rules == ["org: hashtag_cap{'max': 2}@*"]


def test_through_the_product_a_learnt_sign_off_is_on_every_new_output(tmp_path: Path) -> None:
    """The same eval end to end: the pipeline generates (the recording's answers replayed), the
    edits are approvals through the learning owner, proposals are accepted, new outputs comply."""
    require(DEFAULT_RECORDING.is_file(), f"no recording at {DEFAULT_RECORDING}")
    require(SHARED_DATA.is_dir(), f"no shared data at {SHARED_DATA}")
    org = [r for r in load_recorded(DEFAULT_RECORDING) if r.workspace == "sjobua-restaurant"]
    odd = [r for r in org if int(r.case_id[-2:]) % 2 == 1][:4]
    even = [r for r in org if int(r.case_id[-2:]) % 2 == 0][:3]
    sign_off = next(p for p in POLICIES if p.name.startswith("add sign-off"))
    [r] = simulate_pipeline([*odd, *even], tmp_path, [sign_off])
    assert (r.edited, r.n, r.off, r.on) == (4, 3, 0.0, 1.0)
    assert r.rules == ["sjobua-restaurant: sign_off{'text': 'Vel møtt!'}@*"]
    assert r.passed_on >= r.passed_off
    # The eval's other metrics are measured on the same outputs both ways.
    assert r.quality_off is not None and r.quality_on is not None
    for q in (r.quality_off, r.quality_on):
        for value in q.model_dump().values():
            assert value is None or 0.0 <= value <= 1.0
    assert r.quality_on.fact_recall is not None and r.quality_on.usable > 0
    assert r.quality_on.usable >= r.quality_off.usable
    rows = quality_table([r]).splitlines()
    assert len(rows) == 3 and rows[2].startswith(f"| {r.policy} | ") and "→" in rows[2]


def test_a_bounded_run_takes_whole_cases_odd_and_even() -> None:
    require(DEFAULT_RECORDING.is_file(), f"no recording at {DEFAULT_RECORDING}")
    recorded = load_recorded(DEFAULT_RECORDING)
    two = first_cases(recorded, 2)
    ids = sorted({r.case_id for r in two})
    assert len(ids) == 2 and {int(i[-2:]) % 2 for i in ids} == {0, 1}
    assert two == [r for r in recorded if r.case_id in ids]
