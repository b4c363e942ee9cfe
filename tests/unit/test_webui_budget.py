"""The UI's generating actions go through the same budget as the API, for the person logged in:
variants, profile rewrites, a month's drafts and a job's resume are charged to that person in
that workspace, and a refusal reaches them as a message in their language (gr.Error, which
Gradio shows as it is), not a traceback."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gradio as gr
import pytest
from gradio.context import LocalContext

from service.auth import access
from service.auth.bootstrap import adopt_unowned, create_owner
from service.auth.repos import UsageRepo
from service.container import Services
from service.domain import Workspace
from service.errors import LimitExceeded
from service.messages import render
from service.providers.embeddings import HashingEmbedder
from service.providers.llm_fake import FakeLLM
from service.settings import Settings
from service.storage.repositories import WorkspaceRepo
from service.webui.backend import GENERATING, refusal, ui_backend

REPLY = json.dumps({"text": "Kom innom gårdsbutikken og smak årets sider i helgen!"})
ASK: dict[str, Any] = {
    "workspace": "a",
    "text": "Årets sider er tappet. Kom innom gårdsbutikken!",
    "surfaces": ["facebook_post"],
    "n": 1,
}
PLAN = {
    "organisation": "Acme",
    "target_month": "2026-12",
    "channels": [{"channel": "facebook", "posts_per_week": 1}],
    "category_weights": {"produkt": 1.0},
}


def _services(tmp_path: Path, **limits: Any) -> Services:
    settings = Settings(
        data_dir=tmp_path / "data",
        env="test",
        llm="fake",
        embeddings="fake",
        allowed_hosts=["testserver"],
        max_repairs=2,
        **limits,
    )
    services = Services(settings, llm=FakeLLM(default=REPLY), embedder=HashingEmbedder())
    with services.db.session() as s:
        WorkspaceRepo(s).save(Workspace(slug="a", name="A"))
    create_owner(services.db, "olga", "an-owner-password-123")
    adopt_unowned(services.db, "olga")
    return services


@pytest.fixture
def make(tmp_path: Path) -> Iterator[Any]:
    made: list[Services] = []

    def build(**limits: Any) -> Services:
        made.append(_services(tmp_path / str(len(made)), **limits))
        return made[-1]

    yield build
    LocalContext.request.set(None)
    for services in made:
        services.close()


def _as(user: str, lang: str = "nb") -> None:
    request = SimpleNamespace(username=user, headers={"accept-language": lang})
    LocalContext.request.set(request)  # type: ignore[arg-type]


def _calls(services: Services, workspace: str = "a") -> int:
    with services.db.session() as s:
        user_id = access.caller_for_user(s, "olga").user_id
        return UsageRepo(s).calls(f"user:{user_id}|ws:{workspace}", dt.datetime.now(dt.UTC).date())


def test_variants_in_the_ui_are_charged_to_the_person_and_settled(make: Any) -> None:
    services = make()
    backend = ui_backend(services)
    _as("olga")
    out = backend.variants.generate(dict(ASK), lambda *_: None)
    used = sum(v["attempts"] for v in out["variants"])
    assert used >= 1 and len(services.llm.requests) >= 1
    assert _calls(services) == used  # the bound charged first, then what was really used


def test_a_spent_day_refuses_ui_variants_in_the_readers_language(make: Any) -> None:
    # One surface x 1 variant x 3 attempts is more than the day allows.
    services = make(limit_model_calls_per_day=2)
    backend = ui_backend(services)
    for lang in ("nn", "en"):
        _as("olga", lang)
        with pytest.raises(gr.Error) as refused:
            backend.variants.generate(dict(ASK), lambda *_: None)
        message = refused.value.message
        assert "0" in message and "2" in message and "UTC" in message
        start = render(
            "limit.model_calls_per_day", {"used": 0, "max": 2, "asked": 3, "until": ""}, lang
        )
        assert message.startswith(start.split("(")[0])
        assert "Traceback" not in message
    assert _calls(services) == 0  # nothing was charged, no model call made
    assert services.llm.requests == []


def test_a_too_big_request_and_a_spent_day_refuse_profile_rewrites(make: Any) -> None:
    services = make(limit_model_calls_per_request=2)
    backend = ui_backend(services)
    _as("olga", "nb")
    raw = json.dumps({"organisation": "Acme", "channels": {"facebook": {"description": "Hei"}}})
    with pytest.raises(gr.Error) as refused:
        backend.profiles.propose(raw, "facebook.description", 3)
    expected = render("limit.model_calls_per_request", {"calls": 3, "max": 2}, "nb")
    assert refused.value.message == expected


def test_a_months_drafts_in_the_ui_go_through_the_budgeted_queue(make: Any) -> None:
    # Four or five slots x 3 attempts: more than 6 calls, so the month is refused before any
    # job is stored; with room for it, it is charged to the person.
    services = make(limit_model_calls_per_day=6)
    backend = ui_backend(services)
    _as("olga", "en")
    with pytest.raises(gr.Error) as refused:
        backend.plans.start("a", json.dumps(PLAN))
    assert refused.value.message.startswith("Your model calls for today")
    assert backend.jobs is not None and backend.jobs.jobs("a") == []
    services = make(limit_model_calls_per_day=100)
    backend = ui_backend(services)
    _as("olga")
    job_id = backend.plans.start("a", json.dumps(PLAN))
    slots = len(backend.plans.slots("a", json.dumps(PLAN))["slots"])
    assert job_id and _calls(services) == slots * 3


def test_every_generating_ui_call_is_wired(make: Any) -> None:
    """Each name in the table is a function of its backend (building the backend refuses a
    generating name without a permission rule)."""
    services = make()
    backend = ui_backend(services)
    for name, functions in GENERATING.items():
        part = getattr(backend, name)
        for fn in functions:
            assert callable(getattr(part, fn)), (name, fn)


def test_only_budget_refusals_become_messages() -> None:
    exc = LimitExceeded(
        "x", retry_after=60, details={"limit": "concurrent_jobs", "unfinished": 2, "max": 2}
    )
    shown = refusal(exc, "nb")
    assert isinstance(shown, gr.Error)
    assert shown.message == render("limit.concurrent_jobs", {"unfinished": 2, "max": 2}, "nb")
    from service.errors import NotFound

    assert refusal(NotFound("no"), "nb") is None


def test_a_spent_month_is_told_in_dollars_to_the_cent() -> None:
    exc = LimitExceeded(
        "x",
        retry_after=3600,
        details={"limit": "spend_usd_per_month", "spent": 4.98765, "max": 5.0, "asked": 0.0421},
    )
    shown = refusal(exc, "en")
    assert isinstance(shown, gr.Error)
    assert "$4.99 of $5.00" in shown.message and "about $0.04" in shown.message
    assert "UTC" in shown.message


def test_resuming_a_job_in_the_status_tab_is_charged_before_it_runs_again(make: Any) -> None:
    from service.domain.job import JobStatus
    from service.planning.drafts import PLAN_JOB
    from service.storage.repositories import JobRepo

    services = make(limit_model_calls_per_day=4)
    job, _ = services.jobs.submit("a", PLAN_JOB, ["k1", "k2"], params={})
    with services.db.session() as s:
        assert JobRepo(s).set_status(job.id, JobStatus.cancelled, when=[JobStatus.queued])
    backend = ui_backend(services)
    assert backend.jobs is not None
    _as("olga", "nb")
    # Two items x 3 attempts would pass the day's 4 calls: refused, and the job stays put.
    with pytest.raises(gr.Error) as refused:
        backend.jobs.resume("a", job.id)
    assert refused.value.message.startswith("Dagens modellkall")
    assert services.jobs.get(job.id).status is JobStatus.cancelled
    assert _calls(services) == 0
