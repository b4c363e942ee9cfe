"""The OpenAPI document says what the code does (the schemathesis test checks it broadly; these
name the cases issue 14 found): statuses with the one error body, the validators' bounds, 405
with Allow, and the stream refusing bad input before it starts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.container import Services
from service.providers.llm_fake import FakeLLM
from tests.api_client import owner_client


@pytest.fixture
def client(services: Services, fake_llm: FakeLLM) -> Iterator[TestClient]:
    fake_llm.default = json.dumps({"text": "Kom innom gårdsbutikken i helgen!"})
    with owner_client(create_app(services=services, with_ui=False), services) as c:
        assert c.post("/v1/workspaces", json={"slug": "acme", "name": "Acme"}).status_code == 201
        yield c


def test_the_document_lists_each_routes_errors_with_the_one_body(client: TestClient) -> None:
    doc: dict[str, Any] = client.get("/openapi.json").json()
    get_plan = doc["paths"]["/v1/workspaces/{workspace}/plans/{plan_id}"]["get"]["responses"]
    assert {"200", "401", "403", "404", "422", "429"} <= set(get_plan)
    error = get_plan["404"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/ErrorBody"}
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    limited = doc["paths"]["/v1/workspaces/{workspace}/variants"]["post"]["responses"]["429"]
    assert "Retry-After" in limited["headers"]
    imports = doc["paths"]["/v1/workspaces/{workspace}/imports"]["post"]["responses"]
    assert {"409", "413"} <= set(imports)


def test_the_document_states_the_validators_bounds(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    plan = schemas["ContentPlan"]["properties"]
    assert plan["target_month"]["pattern"] == r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"
    assert (
        "Europe/Oslo" in plan["timezone"]["enum"] and "Mars/Olympus" not in plan["timezone"]["enum"]
    )
    weights = plan["category_weights"]["additionalProperties"]
    assert weights["exclusiveMinimum"] == 0 and weights["maximum"] == 1000
    assert schemas["Workspace"]["properties"]["slug"]["pattern"].startswith("^[a-z0-9]")


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"target_month": ""}, "target_month"),
        ({"target_month": "9999-12"}, "target_month"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"category_weights": {"produkt": 1e308}}, "category_weights"),
        ({"category_weights": {"produkt": 0}}, "category_weights"),
        ({"channels": [{"channel": "facebook", "posts_per_week": 2, "time": "99:99"}]}, "time"),
        ({"exclude_dates": [0]}, "exclude_dates"),
    ],
)
def test_a_plan_that_could_not_be_exported_is_refused_at_the_door(
    client: TestClient, change: dict[str, Any], where: str
) -> None:
    plan = {
        "organisation": "Acme",
        "target_month": "2026-12",
        "channels": [{"channel": "facebook", "posts_per_week": 2}],
        "category_weights": {"produkt": 1.0},
        **change,
    }
    r = client.post("/v1/workspaces/acme/plans", json={"plan": plan})
    assert r.status_code == 422, r.text
    assert where in r.json()["error"]["message"]


def test_405_names_every_method_of_the_path(client: TestClient) -> None:
    r = client.delete("/v1/workspaces")
    assert r.status_code == 405 and r.headers["Allow"] == "GET, HEAD, POST"
    assert r.json()["error"]["code"] == "method_not_allowed"
    # /drafts/category is its own resource, not a draft called "category".
    r = client.get("/v1/workspaces/acme/drafts/category")
    assert r.status_code == 405 and r.headers["Allow"] == "POST"


def test_the_stream_refuses_what_the_plain_route_refuses_before_it_starts(
    client: TestClient, fake_llm: FakeLLM
) -> None:
    for body, status in (
        ({"post_id": "nope", "surfaces": ["x_post"]}, 404),
        ({"text": "Hei", "surfaces": ["myspace"]}, 422),
        ({"surfaces": ["x_post"]}, 422),
    ):
        plain = client.post("/v1/workspaces/acme/variants", json=body)
        stream = client.post("/v1/workspaces/acme/variants/stream", json=body)
        assert plain.status_code == stream.status_code == status, stream.text
        assert stream.headers["content-type"].startswith("application/json")
        assert stream.json()["error"]["code"] == plain.json()["error"]["code"]
    assert fake_llm.requests == []
