"""Imports over HTTP (multipart), analytics, and category corrections."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.container import Services
from tests.api_client import owner_client
from tests.conftest import SHARED_DATA

SJOBUA = SHARED_DATA / "sjobua-restaurant"


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with owner_client(create_app(services=services, with_ui=False), services) as c:
        assert (
            c.post("/v1/workspaces", json={"slug": "sjobua", "name": "Sjøbua"}).status_code == 201
        )
        yield c


def upload(client: TestClient, *paths: Path, **form: str) -> dict[str, object]:
    files = [("files", (p.name, p.read_bytes())) for p in paths]
    r = client.post("/v1/workspaces/sjobua/imports", files=files, data=form)
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    return body


def test_an_uploaded_export_is_imported_analysed_and_correctable(client: TestClient) -> None:
    export = next((SJOBUA / "facebook").glob("Sep-*.csv"))
    report = upload(client, export, SJOBUA / "facebook" / "Followers.csv", channel="facebook")
    files = report["files"]
    assert isinstance(files, list) and len(files) == 2
    posts_file = next(f for f in files if f["path"] == export.name)
    assert posts_file["format"] == "meta_facebook_posts"
    assert posts_file["imported"] == posts_file["rows_read"] > 100 and not posts_file["skipped"]
    assert report["embedded"] == posts_file["imported"]

    again = upload(client, export, channel="facebook")["files"]
    assert isinstance(again, list) and again[0]["imported"] == 0

    rows = client.get("/v1/workspaces/sjobua/analytics/posts").json()
    assert len(rows) == posts_file["imported"]
    assert all(r["followers_at_posting"] for r in rows), "the follower file gives every date"
    analysis = client.get("/v1/workspaces/sjobua/analytics").json()
    assert analysis["channels"]["facebook"]["high_performers"]

    target = rows[0]["id"]
    r = client.put(
        f"/v1/workspaces/sjobua/posts/{target}/category", json={"category": "nostalgi/historie"}
    )
    assert r.status_code == 200 and r.json()["category_locked"] is True
    upload(client, export, channel="facebook")
    after = {p["id"]: p for p in client.get("/v1/workspaces/sjobua/analytics/posts").json()}
    assert after[target]["category"] == "nostalgi/historie", "a correction survives re-import"


def test_an_unknown_category_is_refused_with_the_allowed_ones(client: TestClient) -> None:
    export = next((SJOBUA / "instagram").glob("Sep-*.csv"))
    upload(client, export)
    post_id = client.get("/v1/workspaces/sjobua/analytics/posts").json()[0]["id"]
    r = client.put(f"/v1/workspaces/sjobua/posts/{post_id}/category", json={"category": "x"})
    assert r.status_code == 422
    assert "unknown category 'x'" in r.json()["error"]["message"]
    assert "produkt" in r.json()["error"]["details"]["allowed"]
    missing = client.put("/v1/workspaces/sjobua/posts/0/category", json={"category": "produkt"})
    assert missing.status_code == 404


def test_a_file_in_no_known_format_is_reported_not_a_500(client: TestClient) -> None:
    r = client.post(
        "/v1/workspaces/sjobua/imports",
        files=[("files", ("notes.csv", b"foo;bar\n1;2\n"))],
    )
    assert r.status_code == 422, r.text
    message = r.json()["error"]["message"]
    assert message.startswith("notes.csv: not a format we know") and "/tmp" not in message
    assert "Closest: meta_facebook_posts" in message


def test_an_upload_to_an_unknown_workspace_is_a_404(client: TestClient) -> None:
    r = client.post("/v1/workspaces/nope/imports", files=[("files", ("a.csv", b"x"))])
    assert r.status_code == 404


def test_an_unsure_upload_is_a_409_with_the_proposal_and_confirming_imports_it(
    client: TestClient, tmp_path: Path
) -> None:
    from tests.unit.test_import_mapping import CONFIRM, _shuffled

    path, _ = _shuffled(tmp_path, "de.csv")
    files = [("files", (path.name, path.read_bytes()))]
    r = client.post("/v1/workspaces/sjobua/imports", files=files)
    assert r.status_code == 409, r.text
    proposal = r.json()["error"]["details"]["proposal"]
    assert proposal["rows"] == 30 and proposal["unsure"]
    r = client.post(
        "/v1/workspaces/sjobua/imports", files=files, data={"mapping": json.dumps(CONFIRM)}
    )
    assert r.status_code == 200, r.text
    assert r.json()["files"][0]["imported"] == 30


@pytest.mark.parametrize("name", ["..", "."])
def test_a_file_named_dot_dot_is_a_precise_4xx(client: TestClient, name: str) -> None:
    r = client.post("/v1/workspaces/sjobua/imports", files=[("files", (name, b"a,b\n1,2\n"))])
    assert 400 <= r.status_code < 500, r.text
    assert r.json()["error"]["message"]


def test_an_unknown_timezone_is_a_422_not_a_500(client: TestClient) -> None:
    r = client.post(
        "/v1/workspaces/sjobua/imports",
        files=[("files", ("a.csv", b"a,b\n1,2\n"))],
        data={"timezone": "Mars/Olympus"},
    )
    assert r.status_code == 422 and "Mars/Olympus" in r.text


def test_a_large_import_answers_202_with_a_job_that_ends_with_the_files_report(
    client: TestClient, services: Services, tmp_path: Path
) -> None:
    import time

    from tests.fixtures.synthetic import english, to_csv

    header, rows = english("meta_facebook_posts", 0, 150)
    rows[9][header.index("Publish time")] = "yesterday-ish"
    big = tmp_path / "big.csv"
    big.write_text(to_csv(header, rows), encoding="utf-8")
    services.settings.import_background_rows = 100
    r = client.post(
        "/v1/workspaces/sjobua/imports", files=[("files", (big.name, big.read_bytes()))]
    )
    assert r.status_code == 202, r.text
    body = r.json()
    assert r.headers["location"] == body["status_url"]
    assert body["job"]["job"]["kind"] == "library.import"
    assert body["job"]["files"][0]["name"] == "big.csv"
    deadline = time.monotonic() + 120
    while True:
        view = client.get(body["status_url"]).json()
        if view["job"]["status"] in ("done", "failed", "cancelled"):
            break
        assert time.monotonic() < deadline, view
        time.sleep(0.2)
    assert view["job"]["status"] == "done" and view["job"]["done"] == 1
    file = view["files"][0]
    assert file["stage"] == "done" and file["parsed"] == 150 and file["stored"] == 149
    assert file["report"]["imported"] == 149
    assert [s["row"] for s in file["report"]["skipped"]] == [11]
    posts = client.get("/v1/workspaces/sjobua/analytics/posts").json()
    assert len(posts) == 149

    services.settings.import_background_rows = 10_000
    again = upload(client, big)["files"]
    assert isinstance(again, list)
    assert (again[0]["imported"], again[0]["updated"]) == (0, 149), "small again: in the call"
    other = client.get("/v1/workspaces/sjobua/imports/not-a-job")
    assert other.status_code == 404
