"""One MCP call with the embedded local model: a variant written through the tool comes back with
its checks and a `passed` that agrees with them, as over HTTP."""

from __future__ import annotations

import anyio
import jsonschema
import pytest
from mcp import Client

from service.container import Services
from service.generation.variants import VariantResponse
from service.library.demo import load_demo
from service.mcp.server import build_server
from service.providers.embeddings import Embedder
from service.settings import Settings

pytestmark = pytest.mark.integration


def test_create_variants_over_mcp_with_the_local_model(
    tmp_path_factory: pytest.TempPathFactory, e5: Embedder
) -> None:
    settings = Settings(data_dir=tmp_path_factory.mktemp("mcp"), env="test", llm="local")
    services = Services(settings, embedder=e5)
    load_demo(services.db, services.vectors)
    ask = {
        "text": "Vi har tappet årets første flasker med eplesider. Gårdsbutikken er åpen lørdag.",
        "surfaces": ["facebook_post"],
    }

    async def main() -> None:
        async with Client(build_server(services)) as client:
            tool = next(t for t in (await client.list_tools()).tools if t.name == "create_variants")
            result = await client.call_tool("create_variants", {"workspace": "demo", "ask": ask})
            assert not result.is_error, result.content
            jsonschema.validate(result.structured_content, tool.output_schema or {})
            out = VariantResponse.model_validate(result.structured_content)
            for variant in out.variants:
                assert variant.checks and variant.text.strip()
                assert variant.passed == all(c.passed for c in variant.checks if c.hard)

    try:
        anyio.run(main)
    finally:
        services.close()
