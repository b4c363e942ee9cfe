"""A test client logged in as the owner of every workspace the test makes.

Every route answers only a known caller now (service/auth/). The API tests are about what the
routes do, not about who may call them (tests/api/test_auth_*.py are), so they log in once as
a single owner, like a single-user install, and each workspace made during the test (by the
demo loader, an import, a fixture) is owned by that person before the next request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Request

from service.auth.bootstrap import adopt_unowned, create_owner
from service.auth.dependencies import CSRF_HEADER
from service.container import Services

OWNER = "tester"
PASSWORD = "a-long-test-password-123"


@contextmanager
def owner_client(
    app: FastAPI, services: Services, *, raise_server_exceptions: bool = True
) -> Iterator[TestClient]:
    create_owner(services.db, OWNER, PASSWORD)

    def own_new_workspaces(_request: Request) -> None:
        adopt_unowned(services.db, OWNER)

    with TestClient(app, raise_server_exceptions=raise_server_exceptions) as client:
        r = client.post("/v1/login", json={"user": OWNER, "password": PASSWORD})
        assert r.status_code == 200, r.text
        client.headers[CSRF_HEADER] = r.json()["csrf_token"]
        client.event_hooks["request"].append(own_new_workspaces)
        yield client
