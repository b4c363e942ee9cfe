"""Diversity within a month on hand-made drafts: a month of near-copies must score as one, and
a recording keeps its month drafts through a write and a read."""

from __future__ import annotations

import json
from pathlib import Path

from evals.month_diversity import MonthDraft, record_months, score_month, score_months
from evals.runner import Recording, read_recording, write_recording
from service.container import Services
from service.domain import DraftStatus
from service.providers.llm_fake import FakeLLM
from service.storage.repositories import DraftRepo

VARIED = [
    "Blåskjell i hvitvin til 229 kr på Sjøbua i helgen, bestill bord på sjobua.no.",
    "Julebordet nærmer seg: ribbe, pinnekjøtt og lutefisk på bryggekanten fra 725 kr.",
    "Møt Jorunn, som baker surdeigsbrødet vårt klokka fem hver morgen.",
    "Kveldssol over fjorden og første reker fra båten – vi har åpent til ti i kveld.",
]


def _drafts(texts: list[str], plan: str = "sjobua", channel: str = "instagram") -> list[MonthDraft]:
    return [
        MonthDraft(
            plan=plan,
            slot=f"{plan}-{i}",
            channel=channel,
            category="tilbud",
            text=t,
            passed=i % 2 == 0,
        )
        for i, t in enumerate(texts)
    ]


def test_a_month_of_near_copies_scores_as_repetitive_and_a_varied_month_does_not() -> None:
    copies = score_month("sjobua", _drafts([VARIED[0]] * 3 + [VARIED[0] + " Velkommen!"]))
    varied = score_month("sjobua", _drafts(VARIED))
    assert copies["near_duplicate_rate"] == 1.0 and varied["near_duplicate_rate"] == 0.0
    assert copies["self_bleu"] > 80 > 20 > varied["self_bleu"]
    assert copies["distinct_2"] < varied["distinct_2"]
    assert varied["passed"] == 2 and varied["with_text"] == 4
    assert varied["near_duplicate_rate_by_channel"] == {"instagram": 0.0}


def test_months_are_scored_per_plan_and_kept_in_a_recording(tmp_path: Path) -> None:
    drafts = _drafts(VARIED[:2], plan="a") + _drafts(VARIED[2:], plan="b", channel="facebook")
    assert [m["plan"] for m in score_months(drafts)] == ["a", "b"]
    write_recording(
        tmp_path, Recording(model="m", started="s", cases=[], outputs=[], months=drafts)
    )
    assert read_recording(tmp_path).months == drafts


def test_a_month_is_recorded_through_the_real_plan_job_and_its_repetition_shows(
    tmp_path: Path, services: Services, fake_llm: FakeLLM
) -> None:
    """The scripted model writes the same post every time: the plan job retries the near-copy
    once, keeps what it got, and the month's scores must say it repeats itself."""
    folder = tmp_path / "siderkompaniet"
    folder.mkdir()
    plan = {
        "organisation": "Siderkompaniet",
        "target_month": "2026-12",
        "language": "nb",
        "channels": [{"channel": "facebook", "posts_per_week": 2}],
        "category_weights": {"produkt": 0.5, "ansatte": 0.5},
    }
    (folder / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    fake_llm.default = json.dumps(
        {"text": "Årets første sider er tappet. Kom innom gårdsbutikken!"}
    )
    drafts = record_months(services, [folder])
    assert len(drafts) == 9 and {d.plan for d in drafts} == {"siderkompaniet"}
    assert len({d.slot for d in drafts}) == 9 and all(d.text for d in drafts)
    month = score_month("siderkompaniet", drafts)
    assert month["near_duplicate_rate"] == 1.0 and month["distinct_2"] < 0.2
    # Each near-copy was written again; the replaced draft is kept, set aside as rejected, so
    # review shows one proposed draft per slot.
    with services.db.session() as s:
        proposed = DraftRepo(s).list("siderkompaniet", status=DraftStatus.proposed)
        rejected = DraftRepo(s).list("siderkompaniet", status=DraftStatus.rejected)
    # A slot is compared with the month's drafts of every category written before it or beside
    # it in the same process (no text twice in a month, issue 21): slots written in parallel see
    # each other, so even the first may be retried; each slot is retried at most once.
    assert len(proposed) == 9 and 0 < len(rejected) <= 9
    # A second eval run writes its own month, not the first run's drafts again.
    fake_llm.default = json.dumps({"text": "Ny uke, nye epler: se hva vi presser i gården nå!"})
    again = record_months(services, [folder])
    assert len(again) == 9 and all(d.text.startswith("Ny uke") for d in again)
