"""The texts for people in a response follow `?lang=`: check details, failed reasons, warnings,
findings and the audit summary; the data (a variant's text) stays as written."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.container import Services
from service.library.demo import load_demo
from service.messages import render
from service.providers.llm_fake import FakeLLM
from tests.api.test_profiles_api import PROFILES
from tests.api_client import owner_client

ENGLISH = "We love cider. Come and taste it this weekend, friends!"
SOURCE = {"text": "Så fin tur i eplehagen i dag! Anbefales, vi kommer igjen neste år 🍎"}


@pytest.fixture
def client(services: Services, fake_llm: FakeLLM) -> Iterator[TestClient]:
    load_demo(services.db, services.vectors)
    fake_llm.default = json.dumps({"text": ENGLISH}, ensure_ascii=False)
    with owner_client(create_app(services=services, with_ui=False), services) as c:
        yield c


def _ask() -> dict[str, object]:
    return {**SOURCE, "surfaces": ["instagram_post"], "language": "nb", "source_type": "ugc"}


def test_variants_render_checks_reasons_and_warnings_in_the_asked_language(
    client: TestClient, model_answers_stay: Services
) -> None:
    by_lang = {}
    for lang in ("nb", "nn", "en"):
        r = client.post(f"/v1/workspaces/demo/variants?lang={lang}", json=_ask())
        assert r.status_code == 200, r.text
        by_lang[lang] = r.json()
    en = by_lang["en"]
    v = next(x for x in en["variants"] if x["surface"] == "instagram_post")
    assert v["text"] == ENGLISH and not v["passed"]
    assert any(r.startswith("language: expected Norwegian Bokmål") for r in v["failed_reasons"])
    assert all(c["detail"] == render(c["code"], c["params"], "en") for c in v["checks"])
    assert any("the content is from the customer" in w for w in en["warnings"])
    assert [n["code"] for n in en["notices"]] == [n["code"] for n in by_lang["nb"]["notices"]]
    nb = next(x for x in by_lang["nb"]["variants"] if x["surface"] == "instagram_post")
    assert any(r.startswith("språk: ventet bokmål") for r in nb["failed_reasons"])
    nn = next(x for x in by_lang["nn"]["variants"] if x["surface"] == "instagram_post")
    assert any(r.startswith("språk: venta bokmål") for r in nn["failed_reasons"])
    drafts = client.get("/v1/workspaces/demo/drafts?lang=en").json()
    assert drafts and all(
        c["detail"] == render(c["code"], c["params"], "en") for d in drafts for c in d["checks"]
    )


def test_the_stream_renders_its_result_in_the_asked_language(client: TestClient) -> None:
    r = client.post("/v1/workspaces/demo/variants/stream?lang=en", json=_ask())
    assert r.status_code == 200, r.text
    result = json.loads(r.text.strip().splitlines()[-1])["result"]
    assert any("customer" in w for w in result["warnings"])


def test_an_audit_and_its_proposals_render_in_the_asked_language(client: TestClient) -> None:
    r = client.post("/v1/workspaces/demo/profile-audits?lang=en", json={"profiles": PROFILES})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["summary"].startswith("Sjøbua Restaurant: overall score"), body["summary"]
    phone = next(f for f in body["findings"] if f["code"] == "inconsistent_fact")
    assert phone["suggestion"].startswith("The phone number is")
    r = client.post(
        "/v1/workspaces/demo/profile-rewrites/proposals?lang=nn",
        json={"profiles": PROFILES, "n": 0},
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert "samla poeng" in out["audit"]["summary"]
    checks = [c for o in out["rewrites"] + out["hidden"] for c in o["checks"]]
    assert checks and all(c["detail"] == render(c["code"], c["params"], "nn") for c in checks)


def test_an_unknown_language_is_refused_at_the_door(client: TestClient) -> None:
    r = client.post("/v1/workspaces/demo/variants?lang=de", json=_ask())
    assert r.status_code == 422
