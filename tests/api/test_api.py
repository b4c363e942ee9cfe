from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.container import Services
from service.library.demo import load_demo
from tests.api_client import owner_client


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    load_demo(services.db, services.vectors)
    app = create_app(services=services, with_ui=False)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internal detail")

    with owner_client(app, services, raise_server_exceptions=False) as c:
        yield c


def test_health_names_the_active_providers(client: TestClient) -> None:
    body = client.get("/v1/health").json()
    assert body["status"] == "ok" and body["llm"] == "fake" and body["embeddings"] == "local"


def test_search_returns_the_workspaces_posts_with_performance(client: TestClient) -> None:
    hits = client.get(
        "/v1/workspaces/demo/search", params={"q": "epleinnhøsting i Hardanger"}
    ).json()
    assert hits and all(h["post_id"].startswith("demo-") for h in hits)
    assert hits[0]["similarity"] >= hits[-1]["similarity"]
    assert any(h["engagement_rate"] is not None for h in hits)


def test_an_unknown_workspace_is_a_404_with_a_precise_message(client: TestClient) -> None:
    r = client.get("/v1/workspaces/nope/search", params={"q": "x"})
    assert r.status_code == 404
    assert r.json()["error"] == {
        "code": "not_found",
        "message": "no workspace 'nope'",
        "details": {"workspace": "nope"},
    }


def test_a_missing_parameter_is_a_422_naming_it(client: TestClient) -> None:
    r = client.get("/v1/workspaces/demo/search")
    assert r.status_code == 422
    assert r.json()["error"]["message"] == "query.q: Field required"


def test_creating_a_workspace_twice_is_a_conflict(client: TestClient) -> None:
    body = {"slug": "kafe-x", "name": "Kafé X"}
    assert client.post("/v1/workspaces", json=body).status_code == 201
    r = client.post("/v1/workspaces", json=body)
    assert r.status_code == 409 and "exists" in r.json()["error"]["message"]


def test_a_bad_workspace_slug_is_refused_with_the_rule(client: TestClient) -> None:
    r = client.post("/v1/workspaces", json={"slug": "Has Spaces", "name": "X"})
    assert r.status_code == 422 and "slug must be" in r.json()["error"]["message"]


def test_an_unexpected_error_is_a_500_that_leaks_nothing(client: TestClient) -> None:
    r = client.get("/boom")
    assert r.status_code == 500
    assert "secret" not in r.text and r.json()["error"]["code"] == "internal"


def test_posts_of_the_demo_workspace_are_listed(client: TestClient) -> None:
    posts = client.get("/v1/workspaces/demo/posts").json()
    assert len(posts) == 12 and {p["channel"] for p in posts} == {"facebook", "instagram"}


def test_a_jobs_progress_is_visible_over_http(client: TestClient, services: Services) -> None:
    from service.jobs.runner import JobRunner

    runner = JobRunner(services.db, {"echo": lambda job, key: {"key": key}})
    job, _ = runner.submit("demo", "echo", ["a", "b", "c"])
    queued = client.get(f"/v1/workspaces/demo/jobs/{job.id}").json()
    assert queued["job"]["status"] == "queued" and queued["progress"] == 0
    runner.run(job.id)
    done = client.get(f"/v1/workspaces/demo/jobs/{job.id}", params={"items": True}).json()
    assert done["job"]["status"] == "done" and done["progress"] == 1.0
    assert [i["result"] for i in done["items"]] == [{"key": "a"}, {"key": "b"}, {"key": "c"}]


def test_an_unknown_job_is_a_404(client: TestClient) -> None:
    r = client.get("/v1/workspaces/demo/jobs/not-a-job")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_another_workspaces_job_is_a_404_and_cannot_be_cancelled(
    client: TestClient, services: Services
) -> None:
    from service.jobs.runner import JobRunner

    assert client.post("/v1/workspaces", json={"slug": "other", "name": "O"}).status_code == 201
    runner = JobRunner(services.db, {"echo": lambda job, key: {"key": key}})
    job, _ = runner.submit("demo", "echo", ["a"])
    foreign = f"/v1/workspaces/other/jobs/{job.id}"
    assert client.get(foreign, params={"items": True}).status_code == 404
    assert client.post(f"{foreign}/cancel").status_code == 404
    assert runner.get(job.id).cancel_requested is False
    assert client.post(f"/v1/workspaces/demo/jobs/{job.id}/cancel").status_code == 200


def test_every_route_has_a_stable_operation_id(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    ids = [op["operationId"] for ops in paths.values() for op in ops.values()]
    assert len(ids) == len(set(ids)) and all("_v1_" not in i for i in ids)
    unscoped = ("/v1/health", "/v1/workspaces", "/v1/login", "/v1/logout", "/v1/me")
    scoped = [
        p
        for p in paths
        if p.startswith("/v1") and p not in unscoped and not p.startswith("/v1/review/{token}")
    ]
    assert all(p.startswith("/v1/workspaces/{workspace}") for p in scoped), scoped
