"""The MCP server over its two real transports with the SDK's client: stdio (a subprocess, as a
desktop assistant starts `gjenbruk mcp`) and streamable HTTP on 127.0.0.1 behind API keys, where
no key is refused, a viewer's key sees no write tool and a key names no other workspace."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import httpx
import httpx2
import pytest
import uvicorn
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult
from starlette.applications import Starlette
from starlette.routing import Mount

from service.auth import access, tokens
from service.auth.bootstrap import add_user
from service.auth.permissions import Role
from service.auth.repos import AuditRepo
from service.container import Services
from service.domain import Workspace
from service.errors import ConfigurationError
from service.library.demo import load_demo
from service.mcp.http import mcp_http_app
from service.mcp.tools import TOOL_PERMISSIONS
from service.providers.llm_fake import FakeLLM
from service.storage.repositories import WorkspaceRepo

ROOT = Path(__file__).resolve().parents[2]
READ_TOOLS = {"search_posts", "top_posts", "analyze_workspace", "job_status", "list_drafts"}
PLAN = {
    "organisation": "Eplehagen Sideri",
    "target_month": "2026-12",
    "channels": [{"channel": "facebook", "posts_per_week": 1}],
    "category_weights": {"produkt": 1.0},
}


def text(result: CallToolResult) -> str:
    return " ".join(getattr(c, "text", "") for c in result.content)


def _key(services: Services, user: str, role: Role) -> str:
    pepper = tokens.load_pepper(services.settings)
    with services.db.session() as s:
        by = access.caller_for_user(s, user)
        _, secret = access.create_key(s, pepper, by, "demo", role=role, days=30, max_days=365)
    return secret


@pytest.fixture
def keys(services: Services, fake_llm: FakeLLM) -> dict[str, str]:
    load_demo(services.db, services.vectors)
    fake_llm.default = json.dumps(
        {"text": "Årets første sider er tappet. Kom innom gårdsbutikken!"}
    )
    with services.db.session() as s:
        WorkspaceRepo(s).save(Workspace(slug="other", name="Other"))
    add_user(services.db, "olga", workspace="demo", role=Role.owner, password="a long password")
    add_user(services.db, "vera", workspace="demo", role=Role.viewer, password="a long password")
    return {
        "owner": _key(services, "olga", Role.owner),
        "viewer": _key(services, "vera", Role.viewer),
    }


@pytest.fixture
def url(services: Services, keys: dict[str, str]) -> Iterator[str]:
    """The MCP endpoint mounted in a host app as the integrator mounts it, on a loopback port."""
    mcp = mcp_http_app(services, host="127.0.0.1")

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with mcp.running():
            yield

    app = Starlette(routes=[Mount("/mcp", app=mcp.app)], lifespan=lifespan)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/mcp/"
    server.should_exit = True
    thread.join(10)


def http_client(url: str, key: str) -> Client:
    headers = {"Authorization": f"Bearer {key}"}
    # A long read timeout: job_status may hold the response open while the job runs.
    http = httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=300))
    return Client(streamable_http_client(url, http_client=http))


def test_without_a_valid_key_http_is_refused(url: str) -> None:
    hello = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    r = httpx.post(url, json=hello, headers={"Accept": "application/json, text/event-stream"})
    assert r.status_code == 401 and "API key" in r.json()["error"]["message"]
    assert r.headers["www-authenticate"].startswith("Bearer")
    r = httpx.post(url, json=hello, headers={"Authorization": "Bearer gjk_not-a-key"})
    assert r.status_code == 401 and "revoked" in r.json()["error"]["message"]

    async def main() -> None:
        async with http_client(url, "gjk_wrong") as client:
            await client.list_tools()

    with pytest.raises(BaseException):  # noqa: B017 - the SDK wraps the 401 in a group
        anyio.run(main)


def test_an_owner_key_works_its_workspace_and_cannot_name_another(
    url: str, keys: dict[str, str], services: Services
) -> None:
    async def main() -> None:
        async with http_client(url, keys["owner"]) as client:
            tools = {t.name for t in (await client.list_tools()).tools}
            assert tools == set(TOOL_PERMISSIONS)
            analysis = await client.call_tool("analyze_workspace", {"workspace": "demo"})
            assert not analysis.is_error and analysis.structured_content
            assert analysis.structured_content["workspace"] == "demo"
            other = await client.call_tool("analyze_workspace", {"workspace": "other"})
            assert other.is_error and "not_found" in text(other) and "'other'" in text(other)
            plan = await client.call_tool("plan_month", {"workspace": "demo", "plan": PLAN})
            plan_id = (plan.structured_content or {})["plan_id"]
            started = await client.call_tool(
                "generate_month", {"workspace": "demo", "plan_id": plan_id}
            )
            job_id = (started.structured_content or {})["job_id"]
            seen: list[float] = []

            async def progress(done: float, total: float | None, message: str | None) -> None:
                seen.append(done)

            done = await client.call_tool(
                "job_status",
                {"workspace": "demo", "job_id": job_id, "wait_seconds": 120},
                progress_callback=progress,
            )
            assert (done.structured_content or {})["job"]["status"] == "done"
            assert seen == sorted(seen)  # progress, where it came, only moved forward

    anyio.run(main)
    with services.db.session() as s:
        actions = {e.action for e in AuditRepo(s).list("demo")}
    assert {"mcp.plan_month", "mcp.generate_month"} <= actions
    assert "mcp.analyze_workspace" not in actions  # reads are not logged, as over HTTP


def test_a_viewer_key_sees_no_write_tool_and_is_refused_one(url: str, keys: dict[str, str]) -> None:
    async def main() -> None:
        async with http_client(url, keys["viewer"]) as client:
            tools = {t.name for t in (await client.list_tools()).tools}
            assert tools == READ_TOOLS
            listed = await client.call_tool("list_drafts", {"workspace": "demo"})
            assert not listed.is_error
            refused = await client.call_tool(
                "review_draft",
                {"workspace": "demo", "draft_id": "x", "review": {"status": "approved"}},
            )
            assert (
                refused.is_error and "viewer" in text(refused) and "draft.review" in text(refused)
            )
            refused = await client.call_tool("plan_month", {"workspace": "demo", "plan": PLAN})
            assert refused.is_error and "plan.edit" in text(refused)

    anyio.run(main)


def test_http_refuses_a_network_address_while_no_user_exists(services: Services) -> None:
    with pytest.raises(ConfigurationError, match=r"refusing to listen on 0\.0\.0\.0"):
        mcp_http_app(services, host="0.0.0.0")
    mcp_http_app(services, host="127.0.0.1")
    add_user(services.db, "olga", workspace=None, role=Role.owner, password="a long password")
    mcp_http_app(services, host="0.0.0.0")


def test_stdio_serves_the_local_person(services: Services, keys: dict[str, str]) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "GJENBRUK_DATA_DIR": str(services.settings.data_dir),
        "GJENBRUK_ENV": "test",
        "GJENBRUK_LLM": "fake",
        "GJENBRUK_EMBEDDINGS": "local",
    }
    params = StdioServerParameters(
        command=sys.executable,
        args=[
            "-c",
            "from service.mcp.server import run_stdio; from service.settings import Settings; "
            "run_stdio(Settings())",
        ],
        env=env,
        cwd=str(ROOT),
    )

    async def main() -> None:
        async with Client(params) as client:
            tools = {t.name for t in (await client.list_tools()).tools}
            assert tools == set(TOOL_PERMISSIONS)
            top = await client.call_tool("top_posts", {"workspace": "demo"})
            assert not top.is_error and (top.structured_content or {})["high_performers"]
            missing = await client.call_tool("list_drafts", {"workspace": "nope"})
            assert missing.is_error and "no workspace 'nope'" in text(missing)
            bad = await client.call_tool("list_drafts", {"workspace": "demo", "status": "maybe"})
            assert bad.is_error and "status" in text(bad)
            voice = await client.read_resource("gjenbruk://workspaces/demo/brand-voice")
            assert json.loads(getattr(voice.contents[0], "text", ""))["workspace"] == "demo"

    anyio.run(main)
