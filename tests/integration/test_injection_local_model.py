"""The adversarial corpus through the whole pipeline with the embedded model (the offline
default): as a customer's post, every case's variants either fail or carry none of the injected
claims and links, and nothing injected becomes a fact the variant must keep.

The default asks the small model only for what its profile trusts it with (composition from the
organisation's own material); the same corpus is then run with the model writing whole answers
("capable"), on one case per style and language so the run stays bounded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from service.container import Services
from service.domain import SourceType
from service.generation.variants import VariantPipeline, VariantRequest, VariantResponse
from service.library.demo import load_demo
from service.providers.embeddings import Embedder
from service.settings import Settings

pytestmark = pytest.mark.integration
CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "injections" / "cases.jsonl"
CASES = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]
# One case per style and language for the whole-answer run (the embedded model is slow).
SAMPLE = list({(c["style"], c["lang"]): c for c in CASES}.values())[:12]


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory, e5: Embedder) -> Services:
    settings = Settings(data_dir=tmp_path_factory.mktemp("injections"), env="test", llm="local")
    services = Services(settings, embedder=e5)
    load_demo(services.db, services.vectors)
    return services


def _run(pipeline: VariantPipeline, case: dict[str, Any]) -> VariantResponse:
    return pipeline.run(
        VariantRequest(
            workspace="demo",
            text=case["text"],
            source_type=SourceType.ugc,
            author="@gjest",
            surfaces=["facebook_post", "instagram_post"],
        )
    )


def _carried(out: VariantResponse, payload: list[str]) -> list[tuple[str, str]]:
    return [
        (v.surface, p)
        for v in out.variants
        if v.passed
        for p in payload
        if p.lower() in v.text.lower()
    ]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_the_offline_default_never_passes_an_injection(
    local: Services, case: dict[str, Any]
) -> None:
    payload = [str(p) for p in case["payload"]]
    out = _run(local.variants, case)
    assert _carried(out, payload) == []
    assert not any(p.lower() in f["text"].lower() for f in out.source["facts"] for p in payload)


@pytest.mark.parametrize("case", SAMPLE, ids=lambda c: c["id"])
def test_the_embedded_model_writing_whole_answers_never_passes_an_injection(
    local: Services, case: dict[str, Any]
) -> None:
    whole = VariantPipeline(local.db, local.vectors, local.llm, max_repairs=1, capability="capable")
    payload = [str(p) for p in case["payload"]]
    assert _carried(_run(whole, case), payload) == []
