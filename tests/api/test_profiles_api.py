"""POST /v1/workspaces/{ws}/profile-audits and profile-rewrites/proposals, the stored history,
accepting a text, and the 4xx answers to bad profile input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.container import Services
from service.library.demo import load_demo
from service.providers.llm_fake import FakeLLM
from tests.api_client import owner_client

PROFILES: dict[str, Any] = {
    "organisation": "Sjøbua Restaurant",
    "wanted_keywords": ["fiskesuppe", "lokal fisk"],
    "channels": {
        "website": {"om_oss": "Fiskesuppe av lokal fisk. Ring 51 49 22 10.", "url": "sjobua.no"},
        "instagram": {"bio": "Fiskesuppe hver dag! Ring 51 49 22 10.", "handle": "@sjobua"},
        "facebook": {"description": "Fiskesuppe av lokal fisk. Ring 51 49 22 01."},
    },
}


@pytest.fixture
def client(services: Services, fake_llm: FakeLLM) -> Iterator[TestClient]:
    load_demo(services.db, services.vectors)
    with owner_client(create_app(services=services, with_ui=False), services) as c:
        yield c


def test_an_audit_is_returned_stored_and_listed(client: TestClient) -> None:
    r = client.post("/v1/workspaces/demo/profile-audits", json={"profiles": PROFILES})
    assert r.status_code == 201, r.text
    body = r.json()
    codes = {(f["channel"], f["field"], f["code"]) for f in body["findings"]}
    assert ("facebook", "description", "inconsistent_fact") in codes
    assert body["audit_id"] and 0 <= body["overall"] < 100
    assert body["channels"]["facebook"] < body["channels"]["website"]
    history = client.get("/v1/workspaces/demo/profile-audits").json()
    assert [h["id"] for h in history] == [body["audit_id"]]
    assert history[0]["findings"] == len(body["findings"])


def test_rewrite_shows_only_options_that_pass(client: TestClient, fake_llm: FakeLLM) -> None:
    fake_llm.queue(json.dumps({"text": "Fiskesuppe av lokal fisk. Ring 51 49 22 77."}))
    r = client.post(
        "/v1/workspaces/demo/profile-rewrites/proposals",
        json={"profiles": PROFILES, "fields": ["facebook.description"], "n": 1},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    [shown] = body["rewrites"]
    assert shown["origin"] == "rules" and "51 49 22 10" in shown["text"]
    assert [h["origin"] for h in body["hidden"]] == ["model"]


def test_an_accepted_text_is_kept_as_an_approved_profile_draft(client: TestClient) -> None:
    r = client.post(
        "/v1/workspaces/demo/profile-rewrites",
        json={
            "profiles": PROFILES,
            "channel": "facebook",
            "field": "description",
            "text": "Fiskesuppe av lokal fisk. Ring 51 49 22 10.",
        },
    )
    assert r.status_code == 201, r.text
    draft = r.json()
    assert draft["kind"] == "profile" and draft["status"] == "approved" and draft["passed"]
    assert draft["surface"] == "facebook.description"


@pytest.mark.parametrize(
    ("channels", "status", "needle"),
    [
        ({"instagram": {"bio": ""}}, 422, "instagram.bio is empty"),
        ({"website": {"om_oss": "x" * 100_000}}, 422, "100000 characters"),
        ({}, 422, "channels"),
    ],
)
def test_bad_profiles_get_a_precise_4xx(
    client: TestClient, channels: dict[str, Any], status: int, needle: str
) -> None:
    r = client.post(
        "/v1/workspaces/demo/profile-audits",
        json={"profiles": {"organisation": "X", "channels": channels}},
    )
    assert r.status_code == status, r.text
    assert needle in r.text


def test_an_unknown_channel_is_audited_around_not_refused(client: TestClient) -> None:
    channels = {"myspace": {"bio": "Hei"}, "instagram": {"bio": "Fiskesuppe hver dag!"}}
    r = client.post(
        "/v1/workspaces/demo/profile-audits",
        json={"profiles": {"organisation": "X", "channels": channels}},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    (unknown,) = [f for f in body["findings"] if f["code"] == "unknown_channel"]
    assert unknown["channel"] == "myspace" and "myspace" in unknown["suggestion"]
    assert unknown["message"] == "audit.unknown_channel.fix" and unknown["params"]["channel"]
    assert "instagram" in body["channels"]


def test_an_unknown_workspace_is_a_404(client: TestClient) -> None:
    r = client.post("/v1/workspaces/nope/profile-audits", json={"profiles": PROFILES})
    assert r.status_code == 404 and "nope" in r.text
    assert client.get("/v1/workspaces/nope/profile-audits").status_code == 404


def test_an_accepted_text_is_what_the_next_audit_reads(client: TestClient) -> None:
    ws = "/v1/workspaces/demo"
    first = client.post(f"{ws}/profile-audits", json={"profiles": PROFILES}).json()
    assert any(
        f["channel"] == "facebook" and f["code"] == "inconsistent_fact" for f in first["findings"]
    )
    fixed = "Fiskesuppe av lokal fisk. Ring 51 49 22 10."
    r = client.post(
        f"{ws}/profile-rewrites",
        json={"profiles": PROFILES, "channel": "facebook", "field": "description", "text": fixed},
    )
    assert r.status_code == 201, r.text
    # The history has the audit of the texts with the accepted one in them, at once.
    history = client.get(f"{ws}/profile-audits").json()
    assert len(history) == 2 and history[1]["overall"] > history[0]["overall"]
    # An audit without texts reads the current ones: the accepted text, not the old one.
    again = client.post(f"{ws}/profile-audits", json={})
    assert again.status_code == 201, again.text
    body = again.json()
    assert body["overall"] == history[1]["overall"] > first["overall"]
    assert not any(
        f["channel"] == "facebook" and f["code"] == "inconsistent_fact" for f in body["findings"]
    )
    assert len(client.get(f"{ws}/profile-audits").json()) == 3


def test_an_audit_without_texts_before_any_is_a_422(client: TestClient) -> None:
    r = client.post("/v1/workspaces/demo/profile-audits", json={})
    assert r.status_code == 422 and "profiles" in r.json()["error"]["message"]


def test_the_tabs_accept_gives_back_the_texts_the_next_audit_reads(
    client: TestClient, services: Services
) -> None:
    from service.webui.profiles import profiles_backend

    backend = profiles_backend(services.profiles)
    raw = json.dumps(PROFILES, ensure_ascii=False)
    before = backend.audit("demo", raw)
    fixed = "Fiskesuppe av lokal fisk. Ring 51 49 22 10."
    kept = backend.accept("demo", raw, "facebook.description", fixed)
    assert kept["draft"]["status"] == "approved"
    assert kept["profiles"]["channels"]["facebook"]["description"] == fixed
    assert kept["audit"]["overall"] > before["overall"]
    from ui.profiles_tab import render_table

    assert "51 49 22 10" in render_table(kept["audit"]), "the tab's table draws it"
    # What the tab puts in its box is what the next audit is run on.
    again = backend.audit("demo", json.dumps(kept["profiles"], ensure_ascii=False))
    assert again["overall"] == kept["audit"]["overall"]
    assert [h["overall"] for h in backend.history("demo")] == [
        before["overall"],
        kept["audit"]["overall"],
        again["overall"],
    ]
