"""Generating a month again is asked for, never a side effect: the plan's job is the answer
until a caller asks for a regeneration of every slot or of the failed/rejected ones, and a
regeneration writes over nothing a person approved (nor their edit of it)."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Sequence

import pytest

from service.container import Services
from service.domain import DraftStatus
from service.domain.job import Job
from service.errors import Conflict
from service.library.demo import load_demo
from service.planning.models import ContentPlan
from service.planning.planner import PlannedDraft
from service.providers.llm import ChatMessage
from service.providers.llm_fake import FakeLLM
from service.storage.repositories import DraftRepo, PlanRepo
from tests.fixtures.answers import varied_text

# The scripted model's failures must stay failures: no composed draft stands in for them.
pytestmark = pytest.mark.usefixtures("model_answers_stay")

PLAN = ContentPlan.model_validate(
    {
        "organisation": "Eplehagen Sideri",
        "target_month": "2026-12",
        "channels": [{"channel": "facebook", "posts_per_week": 2}],
        "category_weights": {"produkt": 0.5, "ansatte": 0.5},
    }
)
# English in a bokmål month fails the language check: a stored draft that did not pass.
EN = "Our first bottles of cider this year are ready. Come and visit the farm shop soon!"


class Model:
    """The scripted model: drafts in the category `failing` come back in the wrong language."""

    def __init__(self, fake: FakeLLM) -> None:
        self.failing: str | None = "ansatte"
        self.written: list[str] = []  # its bokmål answers, each a text of its own
        fake.default = self.reply

    def reply(self, messages: Sequence[ChatMessage]) -> str:
        prompt = "\n".join(m.content for m in messages)
        wrong = self.failing is not None and f"Kategori: {self.failing}." in prompt
        if not wrong:
            self.written.append(varied_text(len(self.written)))
        return json.dumps({"text": EN if wrong else self.written[-1]}, ensure_ascii=False)


def _wait(services: Services, job_id: str) -> Job:
    deadline = time.monotonic() + 120
    while not (job := services.jobs.get(job_id)).status.finished:
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    return job


def _month(services: Services) -> tuple[str, Job]:
    load_demo(services.db, services.vectors)
    plan_id = services.planner.create_plan("demo", PLAN).id
    services.planner.approve_slots("demo", plan_id)
    job = services.planner.generate_plan("demo", plan_id)
    return plan_id, _wait(services, job.id)


def _by_slot(services: Services, job: Job) -> dict[str, PlannedDraft]:
    return {d.slot.key: d for d in services.planner.drafts(job)}


def _review(
    services: Services, draft: PlannedDraft, status: DraftStatus, text: str | None = None
) -> None:
    assert draft.draft_id
    with services.db.session() as s:
        DraftRepo(s).review("demo", draft.draft_id, status, text, override=not draft.passed)


def test_asking_again_returns_the_plans_job_and_writes_nothing(
    services: Services, fake_llm: FakeLLM
) -> None:
    Model(fake_llm)
    plan_id, job = _month(services)
    calls = len(fake_llm.requests)
    again = services.planner.generate_plan("demo", plan_id, key="another-tab")
    assert again.id == job.id and again.status.finished
    assert len(fake_llm.requests) == calls, "no draft was written again"


def test_regenerating_the_failed_slots_keeps_every_decision_and_every_passing_draft(
    services: Services, fake_llm: FakeLLM
) -> None:
    model = Model(fake_llm)
    plan_id, job = _month(services)
    before = _by_slot(services, job)
    failed = [k for k, d in before.items() if not d.passed]
    passing = [k for k, d in before.items() if d.passed]
    assert len(failed) >= 3 and len(passing) >= 3, "the month has both kinds"
    edited = "Sider fra egen hage, redigert av et menneske. Velkommen innom!"
    approved, rejected, unreviewed = passing[0], passing[1], passing[2:]
    approved_failing, failing_left = failed[0], failed[1:]
    _review(services, before[approved], DraftStatus.approved, edited)
    _review(services, before[rejected], DraftStatus.rejected)
    _review(services, before[approved_failing], DraftStatus.approved)  # confirmed override

    model.failing = None
    again = services.planner.generate_plan("demo", plan_id, regenerate="failed")
    assert again.id == job.id, "the same job writes the slots again"
    with services.db.session() as s:
        assert PlanRepo(s).get(plan_id).job_id == job.id
    after = _by_slot(services, _wait(services, job.id))

    for key in (approved, approved_failing, *unreviewed):
        assert after[key].draft_id == before[key].draft_id, key
    assert after[approved].status == "approved" and after[approved].current_text == edited
    assert after[approved_failing].status == "approved" and not after[approved_failing].passed
    for key in (rejected, *failing_left):
        assert after[key].draft_id != before[key].draft_id, key
        assert after[key].passed and after[key].status == "proposed"
        assert after[key].text in model.written
    with services.db.session() as s:
        replaced = DraftRepo(s).many("demo", [str(before[k].draft_id) for k in failing_left])
    assert {d.status for d in replaced.values()} == {DraftStatus.rejected}, (
        "a replaced unreviewed draft is set aside, not left waiting for review"
    )

    # The export and the calendar read the current draft of each slot.
    buffer = services.planner.export_plan("demo", plan_id, "buffer")
    rows = list(csv.DictReader(io.StringIO(buffer.data.decode())))
    assert edited in [r["Text"] for r in rows]
    assert buffer.left_out == {"failed_checks": 1, "not_reviewed": len(after) - 2}
    full = services.planner.export_plan("demo", plan_id, "md", include=("approved", "proposed"))
    assert sum(t in full.data.decode() for t in model.written) == len(after) - 2
    assert EN not in full.data.decode()


def test_regenerating_all_rewrites_every_slot_but_the_approved_ones(
    services: Services, fake_llm: FakeLLM
) -> None:
    model = Model(fake_llm)
    plan_id, job = _month(services)
    before = _by_slot(services, job)
    keep = next(k for k, d in before.items() if d.passed)
    _review(services, before[keep], DraftStatus.approved, "Godkjent og redigert tekst om sider.")
    model.failing = None
    out = services.planner.generate_plan("demo", plan_id, regenerate="all")
    assert out.id == job.id and out.total - out.done - out.failed == len(before) - 1
    after = _by_slot(services, _wait(services, job.id))
    assert after[keep].draft_id == before[keep].draft_id
    assert after[keep].current_text == "Godkjent og redigert tekst om sider."
    assert all(
        after[k].draft_id != before[k].draft_id and after[k].passed for k in before if k != keep
    )


def test_nothing_to_regenerate_and_a_running_job_are_answered_without_writing(
    services: Services, fake_llm: FakeLLM
) -> None:
    Model(fake_llm).failing = None
    plan_id, job = _month(services)
    calls = len(fake_llm.requests)
    assert services.planner.generate_plan("demo", plan_id, regenerate="failed").id == job.id
    assert len(fake_llm.requests) == calls, "every draft passed: nothing to write again"
    # A job not finished (here: submitted, not started) is still writing its slots.
    later = PLAN.model_copy(update={"target_month": "2027-02"})
    queued = services.planner.generate(
        "demo", later, services.planner.schedule("demo", later), background=False
    )
    assert not queued.status.finished
    with pytest.raises(Conflict, match="still writing"):
        services.planner.regenerate(queued, "all")
    assert services.jobs.get(queued.id).done == 0


def test_a_month_drafts_checks_keep_their_catalogue_codes_for_the_readers_language(
    services: Services, fake_llm: FakeLLM
) -> None:
    from service.messages import render

    Model(fake_llm)
    _, job = _month(services)
    checks = [c for d in services.planner.drafts(job) for c in d.checks]
    assert checks and all(c.code for c in checks)
    failing = next(c for c in checks if not c.passed)
    assert render(failing.code, failing.params, "en") != render(failing.code, failing.params, "nb")


def test_the_calendar_approves_a_failed_draft_only_as_an_explicit_override(
    services: Services, fake_llm: FakeLLM
) -> None:
    from service.errors import Conflict
    from service.webui.plans import plans_backend

    Model(fake_llm)
    _, job = _month(services)
    bad = next(d for d in services.planner.drafts(job) if not d.passed and d.draft_id)
    assert bad.draft_id
    backend = plans_backend(services.db, services.planner, services.learning)
    with pytest.raises(Conflict):
        backend.review("demo", bad.draft_id, "approved", bad.text, False)
    done = backend.review("demo", bad.draft_id, "approved", bad.text, True)
    assert done["status"] == "approved" and done["checks_overridden"]
