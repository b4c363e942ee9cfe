"""POST /v1/workspaces/{ws}/variants (and its NDJSON stream) and draft review, with the
scripted model."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.container import Services
from service.library.demo import load_demo
from service.providers.llm_fake import FakeLLM
from tests.api_client import owner_client

GOOD = "Ny vintersider med kanel og nellik! 229,- flaska i gårdsbutikken og på eplehagen.no."


@pytest.fixture
def client(services: Services, fake_llm: FakeLLM) -> Iterator[TestClient]:
    load_demo(services.db, services.vectors)
    fake_llm.default = json.dumps({"text": GOOD}, ensure_ascii=False)
    with owner_client(create_app(services=services, with_ui=False), services) as c:
        yield c


def test_variants_of_a_library_post_come_with_checks_examples_and_cost(client: TestClient) -> None:
    r = client.post(
        "/v1/workspaces/demo/variants",
        json={
            "post_id": "demo-fb-007",
            "surfaces": ["facebook_post", "linkedin_post"],
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert [v["surface"] for v in body["variants"]] == ["facebook_post", "linkedin_post"]
    v = body["variants"][0]
    assert v["passed"] and v["text"] == GOOD and v["draft_id"]
    assert {c["name"] for c in v["checks"]} >= {
        "length",
        "facts_kept",
        "no_invented_facts",
        "language",
    }
    assert v["examples_used"] and "demo-fb-007" not in v["examples_used"]
    assert body["source"]["post_id"] == "demo-fb-007"
    assert {f["key"] for f in body["source"]["facts"]} >= {"229", "eplehagen.no"}
    assert body["usage"]["prompt_tokens"] > 0 and body["cost_priced"] is False


def test_an_unknown_surface_is_a_422_listing_the_valid_ones(client: TestClient) -> None:
    r = client.post("/v1/workspaces/demo/variants", json={"text": "Hei", "surfaces": ["myspace"]})
    assert r.status_code == 422
    assert r.json()["error"]["message"] == "unknown surface 'myspace'"
    assert "google_rsa" in r.json()["error"]["details"]["allowed"]


def test_a_request_without_a_source_is_a_422_saying_so(client: TestClient) -> None:
    r = client.post("/v1/workspaces/demo/variants", json={"surfaces": ["x_post"]})
    assert r.status_code == 422 and "exactly one of post_id or text" in r.json()["error"]["message"]


def test_unknown_workspace_and_post_are_404s(client: TestClient) -> None:
    r = client.post("/v1/workspaces/nope/variants", json={"text": "Hei", "surfaces": ["x_post"]})
    assert r.status_code == 404
    r = client.post("/v1/workspaces/demo/variants", json={"post_id": "x", "surfaces": ["x_post"]})
    assert r.status_code == 404 and "no post 'x'" in r.json()["error"]["message"]


def test_the_stream_reports_progress_then_the_result(client: TestClient) -> None:
    body = {"post_id": "demo-fb-007", "surfaces": ["facebook_post", "x_post"]}
    with client.stream("POST", "/v1/workspaces/demo/variants/stream", json=body) as r:
        assert r.headers["content-type"].startswith("application/x-ndjson")
        lines = [json.loads(line) for line in r.iter_lines() if line]
    assert [line["progress"]["done"] for line in lines[:-1]] == [1, 2]
    assert len(lines[-1]["result"]["variants"]) == 2


def test_a_draft_is_approved_with_the_editors_edit_kept_beside_it(client: TestClient) -> None:
    v = client.post(
        "/v1/workspaces/demo/variants", json={"text": GOOD, "surfaces": ["facebook_post"]}
    ).json()["variants"][0]
    edit = GOOD.replace("Ny", "Helt ny")
    r = client.patch(
        f"/v1/workspaces/demo/drafts/{v['draft_id']}",
        json={"status": "approved", "edited_text": edit},
    )
    assert r.status_code == 200
    assert r.json()["status"] == "approved" and r.json()["edited_text"] == edit
    assert r.json()["text"] == v["text"], "the generated text is kept beside the edit"
    approved = client.get("/v1/workspaces/demo/drafts", params={"status": "approved"}).json()
    assert [d["id"] for d in approved] == [v["draft_id"]]
    assert (
        client.patch("/v1/workspaces/demo/drafts/nope", json={"status": "rejected"}).status_code
        == 404
    )


def test_approving_a_failed_draft_needs_an_explicit_override_which_is_recorded(
    client: TestClient, fake_llm: FakeLLM, model_answers_stay: Services
) -> None:
    # English in a bokmål workspace: stored, but failing the language check.
    fake_llm.default = json.dumps(
        {"text": "Our new winter cider with cinnamon and clove is here. Come visit us soon."}
    )
    r = client.post(
        "/v1/workspaces/demo/variants", json={"text": GOOD, "surfaces": ["facebook_post"]}
    )
    [v] = r.json()["variants"]
    assert not v["passed"] and v["draft_id"]
    url = f"/v1/workspaces/demo/drafts/{v['draft_id']}"
    refused = client.patch(url, json={"status": "approved"})
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert "override" in error["message"] and "language" in error["details"]["failed_checks"]
    assert client.get("/v1/workspaces/demo/drafts", params={"status": "approved"}).json() == []
    assert client.patch(url, json={"status": "rejected"}).status_code == 200, "no rule for that"
    ok = client.patch(url, json={"status": "approved", "override": True})
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == "approved" and ok.json()["checks_overridden"] is True
    listed = client.get("/v1/workspaces/demo/drafts", params={"status": "approved"}).json()
    assert [d["checks_overridden"] for d in listed] == [True]
