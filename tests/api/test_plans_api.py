"""Month plans over HTTP with the scripted model: plan → slots with estimate → generation job
with progress → exports that parse; the same generation asked twice is one job."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from itertools import count
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from service.app import create_app
from service.container import Services
from service.library.demo import load_demo
from service.providers.llm_fake import FakeLLM
from tests.api_client import owner_client
from tests.fixtures.answers import ANSWERS, varied_text

PLAN: dict[str, Any] = {
    "organisation": "Eplehagen Sideri",
    "target_month": "2026-12",
    "channels": [{"channel": "facebook", "posts_per_week": 2}],
    "category_weights": {"produkt": 0.5, "ansatte": 0.5},
}


WS = "/v1/workspaces/demo"


@pytest.fixture
def client(services: Services, fake_llm: FakeLLM) -> Iterator[TestClient]:
    load_demo(services.db, services.vectors)
    calls = count()
    fake_llm.default = lambda _messages: json.dumps({"text": varied_text(next(calls))})
    with owner_client(create_app(services=services, with_ui=False), services) as c:
        yield c


def test_plan_slots_generate_and_export(client: TestClient) -> None:
    r = client.post(f"{WS}/plans", json={"plan": PLAN})
    assert r.status_code == 201, r.text
    plan = r.json()
    assert any(o["name"] == "Julaften" for o in plan["occasions"])
    assert client.post(f"{WS}/plans/{plan['id']}/generate").status_code == 422  # slots first
    slots = client.post(f"{WS}/plans/{plan['id']}/slots").json()
    assert len(slots["slots"]) == 9 and slots["estimate"]["prompt_tokens"] > 0
    first = client.post(f"{WS}/plans/{plan['id']}/generate").json()
    second = client.post(f"{WS}/plans/{plan['id']}/generate").json()
    assert first["job_id"] == second["job_id"] and first["total"] == 9
    # Another Idempotency-Key is no regeneration: the plan's job is the answer.
    other = client.post(
        f"{WS}/plans/{plan['id']}/generate", headers={"Idempotency-Key": "another-tab"}
    ).json()
    assert other["job_id"] == first["job_id"]
    deadline = time.monotonic() + 120
    while (job := client.get(f"{WS}/jobs/{first['job_id']}").json()["job"])["status"] != "done":
        assert time.monotonic() < deadline, job
        time.sleep(0.2)
    assert job["done"] == 9
    export = f"{WS}/plans/{plan['id']}/export"
    # Nobody has reviewed anything yet: nothing is exported, and the file says why.
    ics = client.get(export, params={"format": "ics"})
    assert ics.headers["content-type"].startswith("text/calendar")
    assert list(Calendar.from_ical(ics.content).walk("VEVENT")) == []
    assert json.loads(ics.headers["X-Gjenbruk-Left-Out"]) == {"not_reviewed": 9}
    # Unreviewed ones only when asked for.
    proposed = client.get(export, params={"format": "ics", "include": ["approved", "proposed"]})
    assert len(list(Calendar.from_ical(proposed.content).walk("VEVENT"))) == 9

    items = client.get(f"{WS}/jobs/{first['job_id']}", params={"items": "true"}).json()["items"]
    ids = [i["result"]["draft_id"] for i in items]
    edited = "Nytappet sider fra oss, redigert av et menneske. Velkommen innom!"
    verdicts = [("approved", edited)] + [("approved", None)] * 4 + [("rejected", None)] * 2
    for draft_id, (status, text) in zip(ids, verdicts, strict=False):
        body = {"status": status} | ({"edited_text": text} if text else {})
        assert client.patch(f"{WS}/drafts/{draft_id}", json=body).status_code == 200
    buffer = client.get(export, params={"format": "buffer"})
    rows = list(csv.DictReader(io.StringIO(buffer.text)))
    assert len(rows) == 5, "the approved ones, no rejected, no unreviewed"
    assert edited in [r["Text"] for r in rows], "the person's edit, not the generated text"
    assert json.loads(buffer.headers["X-Gjenbruk-Left-Out"]) == {"not_reviewed": 2, "rejected": 2}


def test_bad_plans_and_unknown_ids_get_a_clear_4xx(client: TestClient) -> None:
    bad = {**PLAN, "target_month": "desember"}
    r = client.post(f"{WS}/plans", json={"plan": bad})
    assert r.status_code == 422 and "target_month" in r.text
    r = client.post("/v1/workspaces/nope/plans", json={"plan": PLAN})
    assert r.status_code == 404
    assert client.post(f"{WS}/plans/nope/slots").status_code == 404
    plan = client.post(f"{WS}/plans", json={"plan": PLAN}).json()
    r = client.get(f"{WS}/plans/{plan['id']}/export", params={"format": "pdf"})
    assert r.status_code == 422


def test_another_workspaces_plan_is_a_404_on_every_plan_route(client: TestClient) -> None:
    plan = client.post(f"{WS}/plans", json={"plan": PLAN}).json()
    assert client.post("/v1/workspaces", json={"slug": "other", "name": "O"}).status_code == 201
    foreign = f"/v1/workspaces/other/plans/{plan['id']}"
    assert client.get(foreign).status_code == 404
    assert client.post(f"{foreign}/slots").status_code == 404
    assert client.post(f"{foreign}/generate").status_code == 404
    assert client.get(f"{foreign}/export").status_code == 404
    assert client.get(f"{WS}/plans/{plan['id']}").json()["slots"] is None, "nothing was stored"


def test_drafts_in_one_category_come_checked_and_distinct(
    client: TestClient, fake_llm: FakeLLM
) -> None:
    texts = [
        "Møt Ingrid, som har beskåret epletrærne våre i over tretti vintre.",
        "Bak disken i gårdsbutikken står Ola hver lørdag og deler ut smaksprøver.",
        "Kari tapper siderflaskene for hånd, én og én, før de får etikett.",
    ]
    fake_llm.queue(*(json.dumps({"text": t}) for t in texts))
    r = client.post(
        f"{WS}/drafts/category",
        json={"category": "ansatte", "channel": "instagram", "n": 3},
    )
    assert r.status_code == 200, r.text
    drafts = r.json()["drafts"]
    assert [d["text"] for d in drafts] == texts
    assert all(d["passed"] and d["slot"]["category"] == "ansatte" for d in drafts)
    assert all(d["near_duplicate_similarity"] < 0.95 for d in drafts)
    bad = client.post(
        f"{WS}/drafts/category",
        json={"category": "ansatte", "channel": "myspace", "n": 3},
    )
    assert bad.status_code == 422 and "myspace" in bad.text


def test_the_ui_download_exports_the_slots_the_job_stored(
    client: TestClient, services: Services
) -> None:
    """What the tab still shows may have moved (another time, a new import's best hours): the
    download is of the month the job wrote, not a schedule made again today."""
    from service.webui.plans import plans_backend

    backend = plans_backend(services.db, services.planner)
    job_id = backend.start("demo", json.dumps(PLAN))
    deadline = time.monotonic() + 120
    while not services.jobs.get(job_id).status.finished:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    for d in backend.drafts("demo", job_id):
        backend.review("demo", str(d["draft_id"]), "approved", str(d["text"]))
    moved = {**PLAN, "channels": [{"channel": "facebook", "posts_per_week": 2, "time": "06:15"}]}
    data = backend.download("demo", json.dumps(moved), job_id, "buffer", "dd/mm")
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert len(rows) == 9 and {r["Text"] for r in rows} <= set(ANSWERS)
    assert client.get(f"/v1/workspaces/demo/jobs/{job_id}").json()["job"]["status"] == "done"


def _done(client: TestClient, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while (job := client.get(f"{WS}/jobs/{job_id}").json()["job"])["status"] != "done":
        assert time.monotonic() < deadline, job
        time.sleep(0.2)
    return dict(job)


def test_a_regeneration_is_asked_for_and_keeps_what_people_approved(client: TestClient) -> None:
    plan = client.post(f"{WS}/plans", json={"plan": PLAN}).json()
    client.post(f"{WS}/plans/{plan['id']}/slots")
    generate = f"{WS}/plans/{plan['id']}/generate"
    job_id = client.post(generate).json()["job_id"]
    _done(client, job_id)
    items = client.get(f"{WS}/jobs/{job_id}", params={"items": "true"}).json()["items"]
    ids = {i["key"]: i["result"]["draft_id"] for i in items}
    keys = list(ids)
    edited = "Sider fra egen hage, redigert av et menneske. Velkommen innom!"
    client.patch(f"{WS}/drafts/{ids[keys[0]]}", json={"status": "approved", "edited_text": edited})
    for key in keys[1:3]:
        client.patch(f"{WS}/drafts/{ids[key]}", json={"status": "rejected"})

    assert client.post(generate, params={"regenerate": "sometimes"}).status_code == 422
    r = client.post(generate, params={"regenerate": "failed"})
    assert r.status_code == 202, r.text
    assert r.json()["job_id"] == job_id and r.json()["pending"] == 2, "the two rejected ones"
    assert client.get(f"{WS}/plans/{plan['id']}").json()["job_id"] == job_id
    _done(client, job_id)
    items = client.get(f"{WS}/jobs/{job_id}", params={"items": "true"}).json()["items"]
    now = {i["key"]: i["result"]["draft_id"] for i in items}
    assert now[keys[0]] == ids[keys[0]], "the approved draft, with its edit, stays"
    assert all(now[k] != ids[k] for k in keys[1:3]), "the rejected slots have new drafts"
    assert all(now[k] == ids[k] for k in keys[3:]), "the unreviewed passing ones stay"
    export = client.get(
        f"{WS}/plans/{plan['id']}/export",
        params={"format": "buffer", "include": ["approved", "proposed"]},
    )
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert len(rows) == 9 and edited in [r["Text"] for r in rows]
    # Asked again without a regeneration: the same job, nothing sent back.
    again = client.post(generate).json()
    assert again["job_id"] == job_id and again["pending"] == 0 and again["status"] == "done"
    # One slot by its key: only it is sent back; an approved one is a 409.
    one = client.post(generate, params={"slot": keys[4]})
    assert one.status_code == 202, one.text
    assert one.json()["job_id"] == job_id and one.json()["pending"] == 1
    _done(client, job_id)
    items = client.get(f"{WS}/jobs/{job_id}", params={"items": "true"}).json()["items"]
    later = {i["key"]: i["result"]["draft_id"] for i in items}
    assert later[keys[4]] != now[keys[4]]
    assert all(later[k] == now[k] for k in keys if k != keys[4])
    assert client.post(generate, params={"slot": keys[0]}).status_code == 409
