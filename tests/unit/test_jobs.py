from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from itertools import count
from typing import Any

import pytest

from service.container import Services
from service.domain import Workspace
from service.domain.draft import DraftStatus
from service.domain.job import ItemStatus, Job, JobStatus
from service.errors import Conflict, Invalid, NotFound
from service.jobs.runner import JobRunner
from service.library.demo import load_demo
from service.planning.models import ContentPlan
from service.providers.llm_fake import FakeLLM
from service.storage.repositories import DraftRepo, JobRepo, WorkspaceRepo

ITEMS = [f"slot-{i}" for i in range(6)]


@pytest.fixture
def ws(services: Services) -> str:
    with services.db.session() as s:
        WorkspaceRepo(s).save(Workspace(slug="w", name="W"))
    return "w"


def _echo(job: Job, key: str) -> dict[str, Any]:
    return {"text": f"utkast for {key}", "theme": job.params.get("theme")}


def test_a_job_runs_every_item_and_stores_each_result(services: Services, ws: str) -> None:
    runner = JobRunner(services.db, {"echo": _echo})
    job, created = runner.submit(ws, "echo", ITEMS, params={"theme": "jul"})
    final = runner.run(job.id)
    assert created and final.status is JobStatus.done and final.done == 6
    with services.db.session() as s:
        items = JobRepo(s).items(job.id)
    assert items[0].result == {"text": "utkast for slot-0", "theme": "jul"}


def test_the_same_idempotency_key_returns_the_same_job(services: Services, ws: str) -> None:
    runner = JobRunner(services.db, {"echo": _echo})
    first, created1 = runner.submit(ws, "echo", ITEMS, idempotency_key="k1")
    second, created2 = runner.submit(ws, "echo", ITEMS, idempotency_key="k1")
    assert (created1, created2) == (True, False) and first.id == second.id


def test_reusing_a_key_for_a_different_request_is_a_conflict(services: Services, ws: str) -> None:
    runner = JobRunner(services.db, {"echo": _echo})
    runner.submit(ws, "echo", ITEMS, params={"theme": "jul"}, idempotency_key="k1")
    with pytest.raises(Conflict, match="different request"):
        runner.submit(ws, "echo", ITEMS, params={"theme": "påske"}, idempotency_key="k1")


def test_a_failing_item_is_recorded_and_the_rest_still_run(services: Services, ws: str) -> None:
    def flaky(job: Job, key: str) -> dict[str, Any]:
        if key == "slot-2":
            raise RuntimeError("modellen svarte ikke")
        return {"ok": key}

    runner = JobRunner(services.db, {"flaky": flaky})
    job, _ = runner.submit(ws, "flaky", ITEMS)
    final = runner.run(job.id)
    assert (final.done, final.failed) == (5, 1)
    with services.db.session() as s:
        failed = JobRepo(s).items(job.id, status=ItemStatus.failed)
    assert [(i.key, i.error) for i in failed] == [("slot-2", "RuntimeError: modellen svarte ikke")]


def test_resuming_runs_only_what_was_not_finished(services: Services, ws: str) -> None:
    calls: list[str] = []

    def record(job: Job, key: str) -> dict[str, Any]:
        calls.append(key)
        return {}

    runner = JobRunner(services.db, {"rec": record})
    job, _ = runner.submit(ws, "rec", ITEMS)
    with services.db.session() as s:  # as if a crash happened after two items
        JobRepo(s).finish_item(job.id, "slot-0", result={}, error=None)
        JobRepo(s).finish_item(job.id, "slot-1", result={}, error=None)
        JobRepo(s).update(job.id, status=JobStatus.running.value)
    assert runner.resume_unfinished() == [job.id]
    for _ in range(100):
        if runner.get(job.id).status is JobStatus.done:
            break
        time.sleep(0.05)
    assert runner.get(job.id).status is JobStatus.done
    assert calls == ITEMS[2:]


def test_cancel_stops_before_the_remaining_items(services: Services, ws: str) -> None:
    started = threading.Event()
    release = threading.Event()

    def slow(job: Job, key: str) -> dict[str, Any]:
        started.set()
        release.wait(5)
        return {}

    runner = JobRunner(services.db, {"slow": slow})
    job, _ = runner.submit(ws, "slow", ITEMS)
    thread = runner.start(job.id)
    assert started.wait(5)
    runner.cancel(job.id)
    release.set()
    thread.join(10)
    final = runner.get(job.id)
    assert final.status is JobStatus.cancelled and final.done == 1


def test_concurrency_is_bounded_by_the_setting(services: Services, ws: str) -> None:
    lock = threading.Lock()
    active = 0
    peak = 0

    def busy(job: Job, key: str) -> dict[str, Any]:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.05)
        with lock:
            active -= 1
        return {}

    runner = JobRunner(services.db, {"busy": busy}, concurrency=3)
    job, _ = runner.submit(ws, "busy", [f"i{n}" for n in range(9)])
    assert runner.run(job.id).done == 9
    assert peak == 3


def test_bad_requests_are_refused_clearly(services: Services, ws: str) -> None:
    runner = JobRunner(services.db, {"echo": _echo})
    with pytest.raises(Invalid, match="unknown job kind"):
        runner.submit(ws, "nope", ITEMS)
    with pytest.raises(Invalid, match="unique"):
        runner.submit(ws, "echo", ["a", "a"])
    with pytest.raises(NotFound):
        runner.submit("no-such-ws", "echo", ITEMS)


def test_a_key_inserted_by_another_process_after_our_look_up_returns_theirs(
    services: Services, ws: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The look-up and the insert are two statements: another process can insert the same key
    in between. The unique constraint decides; the loser gets the winner's job, not an error."""
    runner = JobRunner(services.db, {"echo": _echo})
    theirs, _ = runner.submit(ws, "echo", ITEMS, idempotency_key="race")
    real_find = JobRepo.find_by_key
    calls = {"n": 0}

    def find_late(self: JobRepo, workspace: str, key: str) -> Job | None:
        calls["n"] += 1
        return None if calls["n"] == 1 else real_find(self, workspace, key)

    monkeypatch.setattr(JobRepo, "find_by_key", find_late)
    mine, created = runner.submit(ws, "echo", ITEMS, idempotency_key="race")
    assert not created and mine.id == theirs.id and calls["n"] == 2
    calls["n"] = 0
    with pytest.raises(Conflict, match="different request"):
        runner.submit(ws, "echo", ITEMS, params={"theme": "x"}, idempotency_key="race")


def test_an_item_run_twice_stores_its_first_result_only(services: Services, ws: str) -> None:
    from service.jobs.queue import run_item, settle

    runner = JobRunner(services.db, {"echo": _echo})
    job, _ = runner.submit(ws, "echo", ["a", "b"])
    calls: list[str] = []

    def counted(job: Job, key: str) -> dict[str, Any]:
        calls.append(key)
        return {"n": len(calls)}

    assert run_item(services.db, lambda _: counted, job.id, "a")
    assert not run_item(
        services.db, lambda _: counted, job.id, "a"
    )  # a retried task: no model call
    with services.db.session() as s:
        assert not JobRepo(s).finish_item(job.id, "a", result={"n": 99}, error=None)
        assert JobRepo(s).item(job.id, "a").result == {"n": 1}
    assert settle(services.db, job.id) is None  # "b" still pending
    assert runner.get(job.id).status is JobStatus.running
    assert run_item(services.db, lambda _: counted, job.id, "b")
    settled = settle(services.db, job.id)
    assert settled is not None and settled.status is JobStatus.done and calls == ["a", "b"]
    assert settle(services.db, job.id) is None  # settled once


def test_a_cancelled_job_starts_no_item_and_settles_as_cancelled(
    services: Services, ws: str
) -> None:
    from service.jobs.queue import request_cancel, run_item, settle

    runner = JobRunner(services.db, {"echo": _echo})
    job, _ = runner.submit(ws, "echo", ["a", "b"])
    assert run_item(services.db, lambda _: _echo, job.id, "a")
    request_cancel(services.db, job.id)
    assert not run_item(services.db, lambda _: _echo, job.id, "b")
    final = settle(services.db, job.id)
    assert final is not None and final.status is JobStatus.cancelled and final.done == 1


def test_the_engine_follows_the_database_unless_set(tmp_path: Any) -> None:
    from service.jobs.factory import job_engine
    from service.settings import Settings

    sqlite = Settings(data_dir=tmp_path, env="test", llm="fake", embeddings="fake")
    pg = Settings(
        data_dir=tmp_path, env="test", llm="fake", embeddings="fake",
        database_url="postgresql+psycopg://u@127.0.0.1/db",
    )  # fmt: skip
    assert job_engine(sqlite) == "inprocess" and job_engine(pg) == "procrastinate"
    forced = Settings(
        data_dir=tmp_path, env="test", llm="fake", embeddings="fake",
        database_url="postgresql+psycopg://u@127.0.0.1/db", job_engine="inprocess",
    )  # fmt: skip
    assert job_engine(forced) == "inprocess"


class _Killed(BaseException):
    """The process dying: not an error run_item records, it stops everything."""


def _month(services: Services, fake_llm: FakeLLM, reply: Callable[[int], str]) -> Job:
    load_demo(services.db, services.vectors)
    calls = count()
    fake_llm.default = lambda _messages: json.dumps({"text": reply(next(calls))})
    plan = ContentPlan.model_validate(
        {
            "organisation": "Eplehagen Sideri",
            "target_month": "2026-12",
            "channels": [{"channel": "facebook", "posts_per_week": 2}],
            "category_weights": {"produkt": 1.0},
        }
    )
    slots = services.planner.schedule("demo", plan)[:4]
    return services.planner.generate("demo", plan, slots, background=False)


def _one_at_a_time(services: Services) -> JobRunner:
    """The month's items in order, so that which drafts are near-copies of earlier ones (and
    so what the killed run had stored) is the same on every run of the test."""
    return JobRunner(services.db, services.job_handlers, concurrency=1)


def _kill_when_recording(monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    """The worker dies after the item's handler stored its draft, before the item's outcome is
    recorded: the one moment a draft exists that no job item names."""
    real = JobRepo.finish_item
    killed: list[str] = []

    def finish(self: JobRepo, job_id: str, item: str, **kw: Any) -> bool:
        if item == key and not killed:
            killed.append(item)
            raise _Killed
        return real(self, job_id, item, **kw)

    monkeypatch.setattr(JobRepo, "finish_item", finish)


def _drafts_by_item(services: Services, job: Job) -> tuple[list[Any], dict[str, Any]]:
    with services.db.session() as s:
        items = {i.key: i for i in JobRepo(s).items(job.id)}
        drafts = DraftRepo(s).list("demo")
    return drafts, items


def _assert_one_live_draft_per_slot_and_no_orphan(services: Services, job: Job) -> None:
    drafts, items = _drafts_by_item(services, job)
    assert all(i.status is ItemStatus.done for i in items.values())
    chosen = {str(i.result["draft_id"]) for i in items.values() if i.result}
    replaced = {str(d) for i in items.values() if i.result for d in i.result["replaced_draft_ids"]}
    named = chosen | replaced
    assert len(chosen) == len(items)
    assert {d.id for d in drafts} == named, "a stored draft that no job item names"
    live = [d for d in drafts if d.status is not DraftStatus.rejected]
    assert sorted(d.id for d in live) == sorted(chosen), "exactly one live draft per slot"


def test_an_item_killed_between_storing_its_draft_and_its_outcome_is_retried_without_an_orphan(
    services: Services, fake_llm: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [
        "Nå har vi tappet årets første flasker med sider. Kom innom gårdsbutikken!",
        "Eplene fra nedre hage er plukket, og mosten står klar i kjelleren til helga.",
        "Smaking på låven fredag: tre nye sorter, ost fra nabogården og god tid til prat.",
        "Blomstringen i mai ga oss en rekordhøst; takk til alle som hjalp med plukkingen.",
    ]
    job = _month(services, fake_llm, lambda n: texts[n % len(texts)])
    victim = list(_drafts_by_item(services, job)[1])[1]
    _kill_when_recording(monkeypatch, victim)
    with pytest.raises(_Killed):
        _one_at_a_time(services).run(job.id)
    drafts, items = _drafts_by_item(services, job)
    assert items[victim].status is ItemStatus.pending
    named = {str(i.result["draft_id"]) for i in items.values() if i.result}
    orphan = [d for d in drafts if d.id not in named]
    assert len(orphan) == 1  # what the killed run left behind
    calls_before = len(fake_llm.requests)

    final = _one_at_a_time(services).run(job.id)  # the retry (another worker, or a restart)

    assert final.status is JobStatus.done and final.done == 4
    _assert_one_live_draft_per_slot_and_no_orphan(services, job)
    _, items = _drafts_by_item(services, job)
    assert items[victim].result is not None
    assert items[victim].result["draft_id"] == orphan[0].id, "the retry took the stored draft up"
    assert items[victim].result["text"] == orphan[0].text
    retried = [k for k, i in items.items() if k != victim and i.status is ItemStatus.done]
    # Only the items the killed run never reached called the model again.
    assert len(fake_llm.requests) - calls_before <= len(retried) * 3


def test_a_near_copy_rewritten_before_the_kill_is_not_written_a_third_time(
    services: Services, fake_llm: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every answer is the same text: each slot after the first is a near-copy, written twice.
    The kill comes after the second attempt was stored; the retry keeps both attempts' drafts
    and that judgement, and stores no third."""
    job = _month(services, fake_llm, lambda _n: "Nytappet sider i gårdsbutikken hver lørdag!")
    victim = list(_drafts_by_item(services, job)[1])[2]
    _kill_when_recording(monkeypatch, victim)
    with pytest.raises(_Killed):
        _one_at_a_time(services).run(job.id)
    stored_before, _ = _drafts_by_item(services, job)
    calls_before = len(fake_llm.requests)

    assert _one_at_a_time(services).run(job.id).done == 4

    _assert_one_live_draft_per_slot_and_no_orphan(services, job)
    drafts, items = _drafts_by_item(services, job)
    result = items[victim].result
    assert result is not None and result["regenerated"] and len(result["replaced_draft_ids"]) == 1
    assert {result["draft_id"], *result["replaced_draft_ids"]} <= {d.id for d in stored_before}
    # The slot after the victim (never reached) wrote its two attempts; the victim none.
    assert len(fake_llm.requests) - calls_before == len(drafts) - len(stored_before)


def test_a_model_draft_still_a_near_copy_after_its_rewrite_fails_and_is_not_exported(
    services: Services, fake_llm: FakeLLM
) -> None:
    """No text twice in a month: a model that answers every slot with the same text gets one
    rewrite per slot; what is still a copy after it fails `month_unique` (stored so), and an
    export of the month carries the text once."""
    text = "Nytappet sider i gårdsbutikken hver lørdag!"
    job = _month(services, fake_llm, lambda _n: text)
    finished = _one_at_a_time(services).run(job.id)
    assert finished.done == 4
    drafts, items = _drafts_by_item(services, job)
    results = [i.result for i in items.values() if i.result]
    copies = [r for r in results if r["regenerated"]]
    assert len(copies) == 3, "every slot after the first was written again"
    for r in copies:
        assert r["passed"] is False
        assert [c["name"] for c in r["checks"] if not c["passed"]] == ["month_unique"]
    stored = {d.id: d for d in drafts}
    assert all(stored[r["draft_id"]].passed is False for r in copies)
    exported = services.planner.export(finished, "md", include=("approved", "proposed")).data
    assert exported.decode().count("Nytappet sider") == 1
