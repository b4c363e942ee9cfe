"""Bounded work per caller through the real app: the day's model calls, the per-request cap, the
month's spend with a priced model, and the unfinished jobs of a workspace. Every generating
route goes through the one budget guard (service/auth/budget.py); over a limit the answer is
429 with Retry-After and the one error body, before any model call is made."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.container import Services
from service.planning.drafts import PLAN_JOB
from service.providers.embeddings import HashingEmbedder
from service.providers.llm_fake import FakeLLM
from service.settings import Settings
from tests.api_client import owner_client

REPLY = json.dumps({"text": "Kom innom gårdsbutikken og smak årets sider i helgen!"})
ASK = {"text": "Årets sider er tappet. Kom innom gårdsbutikken!", "surfaces": ["facebook_post"]}
PLAN: dict[str, Any] = {
    "organisation": "Acme",
    "target_month": "2026-12",
    "channels": [{"channel": "facebook", "posts_per_week": 1}],
    "category_weights": {"produkt": 1.0},
}


def _client(tmp_path: Path, **limits: Any) -> Iterator[tuple[TestClient, Services, FakeLLM]]:
    settings = Settings(
        data_dir=tmp_path / "data",
        env="test",
        llm="fake",
        embeddings="fake",
        allowed_hosts=["testserver"],
        limit_requests_per_minute=100_000,
        max_repairs=2,
        **limits,
    )
    llm = FakeLLM(default=REPLY)
    services = Services(settings, llm=llm, embedder=HashingEmbedder())
    with owner_client(create_app(services=services, with_ui=False), services) as client:
        for slug in ("acme", "other"):
            r = client.post("/v1/workspaces", json={"slug": slug, "name": slug.title()})
            assert r.status_code == 201, r.text
        yield client, services, llm
    services.close()


@pytest.fixture
def make(tmp_path: Path) -> Iterator[Any]:
    made: list[Iterator[tuple[TestClient, Services, FakeLLM]]] = []

    def build(**limits: Any) -> tuple[TestClient, Services, FakeLLM]:
        gen = _client(tmp_path, **limits)
        made.append(gen)
        return next(gen)

    yield build
    for gen in made:
        next(gen, None)


def _refused(r: Any, limit: str) -> dict[str, Any]:
    assert r.status_code == 429, r.text
    error: dict[str, Any] = r.json()["error"]
    assert error["code"] == "limit_exceeded" and error["details"]["limit"] == limit
    assert int(r.headers["Retry-After"]) == error["details"]["retry_after"] >= 1
    return error


def test_the_days_model_calls_are_counted_per_caller_and_workspace(make: Any) -> None:
    # One pasted text for one surface is at most 3 calls (1 + 2 repairs): a day of 3 holds one.
    client, _services, llm = make(limit_model_calls_per_day=3)
    assert client.post("/v1/workspaces/acme/variants", json=ASK).status_code == 200
    calls = len(llm.requests)
    r = client.post("/v1/workspaces/acme/variants", json=ASK)
    error = _refused(r, "model_calls_per_day")
    assert error["details"]["used"] == calls  # the first request was settled to what it used
    assert int(r.headers["Retry-After"]) <= 24 * 3600
    # The stream is refused the same way, before it starts (not a 200 with an error line).
    r = client.post("/v1/workspaces/acme/variants/stream", json=ASK)
    _refused(r, "model_calls_per_day")
    assert len(llm.requests) == calls  # nothing refused reached the model
    # Another workspace of the same person has its own allowance.
    assert client.post("/v1/workspaces/other/variants", json=ASK).status_code == 200


def test_category_drafts_and_profile_rewrites_count_against_the_same_day(make: Any) -> None:
    client, _services, llm = make(limit_model_calls_per_day=5)
    r = client.post(
        "/v1/workspaces/acme/drafts/category",
        json={"category": "produkt", "channel": "facebook", "n": 2},
    )
    _refused(r, "model_calls_per_day")  # 2 drafts × 3 attempts > 5
    rewrite = {
        "profiles": {
            "organisation": "Acme",
            "channels": {"facebook": {"intro": "Vi lager sider."}},
        },
        "fields": ["facebook.intro"],
        "n": 3,
    }
    assert (
        client.post("/v1/workspaces/acme/profile-rewrites/proposals", json=rewrite).status_code
        == 200
    )
    r = client.post("/v1/workspaces/acme/profile-rewrites/proposals", json=rewrite)
    _refused(r, "model_calls_per_day")  # 3 + 3 > 5
    assert len(llm.requests) <= 3


def test_one_request_above_the_per_request_cap_is_refused_without_waiting(make: Any) -> None:
    client, _services, llm = make(limit_model_calls_per_request=5)
    r = client.post(
        "/v1/workspaces/acme/variants", json={**ASK, "surfaces": ["facebook_post", "x_post"]}
    )
    assert r.status_code == 422 and "Retry-After" not in r.headers  # waiting does not help
    assert r.json()["error"]["details"] == {"model_calls": 6, "limit": 5}
    assert llm.requests == []


def test_the_months_spend_with_a_priced_model_is_capped_per_workspace(make: Any) -> None:
    # A price of a dollar a token: any request costs more than the cap.
    client, _services, llm = make(
        limit_spend_usd_per_month=1.0,
        prices={"fake": {"input": 1_000_000.0, "output": 1_000_000.0}},
    )
    r = client.post("/v1/workspaces/acme/variants", json=ASK)
    error = _refused(r, "spend_usd_per_month")
    assert error["details"]["spent"] == 0 and int(r.headers["Retry-After"]) <= 31 * 24 * 3600
    assert llm.requests == []


def test_a_cheap_request_is_charged_what_it_cost(make: Any) -> None:
    client, services, _llm = make(
        limit_spend_usd_per_month=1.0, prices={"fake": {"input": 1.0, "output": 1.0}}
    )
    r = client.post("/v1/workspaces/acme/variants", json=ASK)
    assert r.status_code == 200, r.text
    import datetime as dt

    from service.auth.repos import UsageRepo

    month = dt.datetime.now(dt.UTC).date().replace(day=1)
    with services.db.session() as s:
        spent = UsageRepo(s).micro_usd("spend|ws:acme", month) / 1_000_000
    assert spent == pytest.approx(r.json()["cost_usd"], abs=2e-6) and spent > 0


def _planned(client: TestClient, ws: str = "acme") -> str:
    r = client.post(f"/v1/workspaces/{ws}/plans", json={"plan": PLAN})
    assert r.status_code == 201, r.text
    plan_id = str(r.json()["id"])
    assert client.post(f"/v1/workspaces/{ws}/plans/{plan_id}/slots").status_code == 200
    return plan_id


def test_a_workspace_has_at_most_its_unfinished_jobs(make: Any) -> None:
    client, services, _llm = make(limit_concurrent_jobs=1)
    plan_id = _planned(client)
    # An unfinished job of the workspace, never started: it holds the one place.
    waiting, _ = services.jobs.submit("acme", PLAN_JOB, ["x"], params={}, idempotency_key="hold")
    r = client.post(f"/v1/workspaces/acme/plans/{plan_id}/generate")
    _refused(r, "concurrent_jobs")
    # Another workspace is not held up by this one.
    assert (
        client.post(f"/v1/workspaces/other/plans/{_planned(client, 'other')}/generate").status_code
        == 202
    )
    assert client.post(f"/v1/workspaces/acme/jobs/{waiting.id}/cancel").status_code == 200
    first = client.post(f"/v1/workspaces/acme/plans/{plan_id}/generate")
    assert first.status_code == 202, first.text
    # Asking for the plan's own job again is no new job, whatever the count.
    again = client.post(f"/v1/workspaces/acme/plans/{plan_id}/generate")
    assert again.status_code == 202 and again.json()["job_id"] == first.json()["job_id"]


def test_a_month_job_is_charged_to_the_day_of_the_person_who_asked(make: Any) -> None:
    client, _services, llm = make(limit_model_calls_per_day=2)
    plan_id = _planned(client)
    r = client.post(f"/v1/workspaces/acme/plans/{plan_id}/generate")
    _refused(r, "model_calls_per_day")
    assert llm.requests == []


def test_a_regeneration_is_charged_before_anything_is_sent_back(make: Any) -> None:
    """Writing a month again makes model calls too: the rewrite is admitted by the same budget
    (in the transaction that reopens the job), and a refusal leaves the job and its drafts as
    they were."""
    import time

    client, services, _llm = make(limit_model_calls_per_day=1000)
    plan_id = _planned(client)
    generate = f"/v1/workspaces/acme/plans/{plan_id}/generate"
    first = client.post(generate)
    assert first.status_code == 202, first.text
    job_id = first.json()["job_id"]
    deadline = time.monotonic() + 120
    while (job := client.get(f"/v1/workspaces/acme/jobs/{job_id}").json()["job"])[
        "status"
    ] != "done":
        assert time.monotonic() < deadline, job
        time.sleep(0.2)
    slots = int(job["total"])
    import datetime as dt

    from service.auth.repos import UsageRepo

    day = dt.datetime.now(dt.UTC).date()
    from sqlalchemy import select

    from service.storage.auth_tables import UsageRow

    with services.db.session() as s:
        scopes = [r for r in s.scalars(select(UsageRow.scope)) if r.startswith("user:")]
        assert len(scopes) == 1 and scopes[0].endswith("|ws:acme")
        scope = scopes[0]
        assert UsageRepo(s).calls(scope, day) == slots * 3
    drafts = client.get(f"/v1/workspaces/acme/jobs/{job_id}", params={"items": "true"}).json()
    before = {i["key"]: i["result"]["draft_id"] for i in drafts["items"]}
    statuses = {d["id"]: d["status"] for d in client.get("/v1/workspaces/acme/drafts").json()}
    # The day now holds fewer calls than a whole month again.
    services.settings.limit_model_calls_per_day = slots * 3 + slots * 3 - 1
    _refused(client.post(generate, params={"regenerate": "all"}), "model_calls_per_day")
    after = client.get(f"/v1/workspaces/acme/jobs/{job_id}", params={"items": "true"}).json()
    assert after["job"]["status"] == "done"
    assert {i["key"]: i["result"]["draft_id"] for i in after["items"]} == before
    now = {d["id"]: d["status"] for d in client.get("/v1/workspaces/acme/drafts").json()}
    assert now == statuses, "no draft was set aside for a rewrite that was refused"
    services.settings.limit_model_calls_per_day = slots * 6
    again = client.post(generate, params={"regenerate": "all"})
    assert again.status_code == 202, again.text
    with services.db.session() as s:
        assert UsageRepo(s).calls(scope, day) == slots * 6
