"""Every MCP tool through the SDK's client (in-process) against the demo workspace and the fake
model: the result is the API's model and matches the advertised output schema; bad arguments and
unknown ids are tool errors with a precise message, never a crash."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import jsonschema
import pytest
from mcp import Client
from mcp_types import CallToolResult, Tool
from pydantic import BaseModel

from service.api.plans import GenerateOut
from service.auth import access
from service.auth.bootstrap import add_user
from service.auth.permissions import Role
from service.container import Services
from service.domain import Draft
from service.generation.variants import VariantResponse
from service.jobs.views import JobView
from service.library.demo import load_demo
from service.library.reports import WorkspaceAnalysis
from service.mcp.access import Access
from service.mcp.server import build_server
from service.mcp.tools import TOOL_PERMISSIONS, TopPosts
from service.planning.planner import Schedule
from service.profiles.auditor import AuditResponse, RewriteResponse
from service.providers.llm_fake import FakeLLM

WS = "demo"
PLAN: dict[str, Any] = {
    "organisation": "Eplehagen Sideri",
    "target_month": "2026-12",
    "channels": [{"channel": "facebook", "posts_per_week": 1}],
    "category_weights": {"produkt": 0.5, "ansatte": 0.5},
}
PROFILES: dict[str, Any] = {
    "organisation": "Sjøbua Restaurant",
    "wanted_keywords": ["fiskesuppe", "lokal fisk"],
    "channels": {
        "website": {"om_oss": "Fiskesuppe av lokal fisk. Ring 51 49 22 10.", "url": "sjobua.no"},
        "facebook": {"description": "Fiskesuppe av lokal fisk. Ring 51 49 22 01."},
    },
}
REPLY = json.dumps({"text": "Nå har vi tappet årets første flasker med sider. Kom innom!"})

Session = Callable[[Client, dict[str, Tool]], Awaitable[None]]


@pytest.fixture
def demo(services: Services, fake_llm: FakeLLM) -> Services:
    load_demo(services.db, services.vectors)
    fake_llm.default = REPLY
    return services


def with_client(services: Services, body: Session) -> None:
    async def main() -> None:
        async with Client(build_server(services)) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            await body(client, tools)

    anyio.run(main)


def structured(result: CallToolResult, tool: Tool) -> Any:
    """The result's JSON, checked against the tool's advertised output schema."""
    assert not result.is_error, result.content
    assert tool.output_schema is not None
    data = result.structured_content
    jsonschema.validate(data, tool.output_schema)
    # A list result is wrapped as {"result": [...]}, as the SDK does for non-objects.
    return data["result"] if set(data or {}) == {"result"} else data


def model(result: CallToolResult, tool: Tool, cls: type[BaseModel]) -> Any:
    return cls.model_validate(structured(result, tool))


def error_text(result: CallToolResult) -> str:
    assert result.is_error
    return " ".join(getattr(c, "text", "") for c in result.content)


def test_every_tool_answers_with_the_apis_models(demo: Services) -> None:
    async def body(client: Client, tools: dict[str, Tool]) -> None:
        assert set(tools) == set(TOOL_PERMISSIONS)
        call = client.call_tool

        hits = structured(
            await call("search_posts", {"workspace": WS, "query": "sider"}), tools["search_posts"]
        )
        assert hits and all(h["similarity"] <= 1 for h in hits)

        top = model(await call("top_posts", {"workspace": WS}), tools["top_posts"], TopPosts)
        assert top.high_performers and any(top.high_performers.values())
        analysis = model(
            await call("analyze_workspace", {"workspace": WS}),
            tools["analyze_workspace"],
            WorkspaceAnalysis,
        )
        assert set(analysis.channels) == set(top.high_performers)

        ask = {"post_id": hits[0]["post_id"], "surfaces": ["facebook_post"]}
        out = model(
            await call("create_variants", {"workspace": WS, "ask": ask}),
            tools["create_variants"],
            VariantResponse,
        )
        variant = out.variants[0]
        assert variant.checks and variant.passed == all(c.passed for c in variant.checks if c.hard)

        audit = model(
            await call("audit_profiles", {"workspace": WS, "profiles": PROFILES}),
            tools["audit_profiles"],
            AuditResponse,
        )
        assert any(f.code == "inconsistent_fact" for f in audit.findings)
        rewrite = model(
            await call(
                "rewrite_profile_field",
                {"workspace": WS, "request": {"profiles": PROFILES, "n": 1}},
            ),
            tools["rewrite_profile_field"],
            RewriteResponse,
        )
        assert rewrite.model_dump()  # proposals per faulted field, each audited again

        schedule = model(
            await call("plan_month", {"workspace": WS, "plan": PLAN}), tools["plan_month"], Schedule
        )
        assert schedule.plan_id and schedule.slots and schedule.estimate is not None
        started = model(
            await call("generate_month", {"workspace": WS, "plan_id": schedule.plan_id}),
            tools["generate_month"],
            GenerateOut,
        )
        assert started.total == len(schedule.slots)
        progress: list[float] = []

        async def on_progress(done: float, total: float | None, message: str | None) -> None:
            progress.append(done)

        status = model(
            await call(
                "job_status",
                {"workspace": WS, "job_id": started.job_id, "items": True, "wait_seconds": 120},
                progress_callback=on_progress,
            ),
            tools["job_status"],
            JobView,
        )
        assert status.job.status.value == "done" and status.items
        assert progress == sorted(progress)

        drafts = [
            Draft.model_validate(d)
            for d in structured(await call("list_drafts", {"workspace": WS}), tools["list_drafts"])
        ]
        written = {str(i.result["draft_id"]) for i in status.items if i.result}
        assert len(written) == len(schedule.slots) and written <= {d.id for d in drafts}
        assert all(
            d.checks and d.passed == all(c.passed for c in d.checks if c.hard) for d in drafts
        )
        edited = model(
            await call(
                "review_draft",
                {
                    "workspace": WS,
                    "draft_id": drafts[0].id,
                    "review": {"status": "approved", "edited_text": "Ny tekst."},
                },
            ),
            tools["review_draft"],
            Draft,
        )
        assert edited.status.value == "approved" and edited.edited_text == "Ny tekst."
        approved = structured(
            await call("list_drafts", {"workspace": WS, "status": "approved"}), tools["list_drafts"]
        )
        assert [d["id"] for d in approved] == [drafts[0].id]

    with_client(demo, body)


def test_bad_arguments_and_unknown_ids_are_precise_tool_errors(demo: Services) -> None:
    async def body(client: Client, tools: dict[str, Tool]) -> None:
        call = client.call_tool
        msg = error_text(await call("search_posts", {"workspace": WS, "query": "x", "k": 0}))
        assert "k" in msg and "greater than or equal to 1" in msg
        msg = error_text(await call("search_posts", {"workspace": "nope", "query": "x"}))
        assert "not_found" in msg and "nope" in msg
        bad_plan = {**PLAN, "target_month": "desember"}
        msg = error_text(await call("plan_month", {"workspace": WS, "plan": bad_plan}))
        assert "target_month" in msg
        msg = error_text(
            await call("create_variants", {"workspace": WS, "ask": {"surfaces": ["facebook_post"]}})
        )
        assert "exactly one of post_id or text" in msg
        msg = error_text(
            await call(
                "create_variants",
                {"workspace": WS, "ask": {"text": "Hei", "surfaces": ["fax"]}},
            )
        )
        assert "unknown surface 'fax'" in msg
        msg = error_text(await call("job_status", {"workspace": WS, "job_id": "nope"}))
        assert "not_found" in msg
        msg = error_text(
            await call(
                "review_draft",
                {"workspace": WS, "draft_id": "nope", "review": {"status": "approved"}},
            )
        )
        assert "not_found" in msg
        schedule = structured(
            await call("plan_month", {"workspace": WS, "plan": PLAN}), tools["plan_month"]
        )
        assert schedule["plan_id"]
        # The server is still up and answering after every refusal.
        assert len((await client.list_tools()).tools) == len(TOOL_PERMISSIONS)

    with_client(demo, body)


def test_resources_give_surfaces_categories_voice_and_the_month(demo: Services) -> None:
    async def body(client: Client, tools: dict[str, Tool]) -> None:
        templates = (await client.list_resource_templates()).resource_templates
        assert {t.name for t in templates} == {
            "surfaces",
            "categories",
            "brand_voice",
            "month_calendar",
        }

        async def read(path: str) -> Any:
            result = await client.read_resource(f"gjenbruk://workspaces/{WS}/{path}")
            return json.loads(getattr(result.contents[0], "text", ""))

        surfaces = (await read("surfaces"))["surfaces"]
        assert any(s["id"] == "facebook_post" and s["length"] for s in surfaces)
        categories = (await read("categories"))["categories"]
        assert "produkt" in categories
        voice = await read("brand-voice")
        assert voice["workspace"] == WS and voice["language"] in {"nb", "nn", "en"}
        december = (await read("calendar/2026-12"))["occasions"]
        names = {o["name"] for o in december}
        assert "Julaften" in names and all(o["date"].startswith("2026-12") for o in december)
        with pytest.raises(Exception, match="YYYY-MM"):
            await read("calendar/desember")
        with pytest.raises(Exception, match="no workspace"):
            await client.read_resource("gjenbruk://workspaces/nope/categories")

    with_client(demo, body)


def test_a_member_is_held_to_their_role_and_the_request_limit(demo: Services) -> None:
    add_user(demo.db, "rita", workspace=WS, role=Role.reviewer, password="a long password")
    with demo.db.session() as s:
        rita = Access(access.caller_for_user(s, "rita"))
    demo.settings.limit_requests_per_minute = 3

    async def main() -> None:
        async with Client(build_server(demo, lambda _: rita)) as client:
            names = {t.name for t in (await client.list_tools()).tools}
            assert "review_draft" in names and "create_variants" not in names
            review = {"status": "approved", "edited_text": "Min versjon."}
            edit = await client.call_tool(
                "review_draft", {"workspace": WS, "draft_id": "x", "review": review}
            )
            assert "draft.edit" in error_text(edit)  # a reviewer approves, but may not edit
            await client.call_tool("list_drafts", {"workspace": WS})
            await client.call_tool("list_drafts", {"workspace": WS})
            limited = await client.call_tool("list_drafts", {"workspace": WS})
            assert "limit_exceeded" in error_text(limited) and "3 requests a minute" in error_text(
                limited
            )

    anyio.run(main)
