"""The simulated-editor eval: learning on makes new outputs comply; learning off does not."""

from __future__ import annotations

from evals.simulated_editor import DEFAULT_RECORDING, POLICIES, Output, load_outputs, simulate
from tests.conftest import require


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
