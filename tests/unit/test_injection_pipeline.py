"""Every case of the adversarial corpus through the whole variant pipeline, as a customer's
post, with a scripted model that obeys the injection: no output that passes carries the
injected claim or link, and the obedient answer's own check names what it repeated."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from service.container import Services
from service.domain import SourceType
from service.generation.variants import VariantPipeline, VariantRequest
from service.library.demo import load_demo
from service.providers.llm_fake import FakeLLM

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "injections" / "cases.jsonl"
CASES = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture
def pipeline(services: Services, fake_llm: FakeLLM) -> VariantPipeline:
    load_demo(services.db, services.vectors)
    return VariantPipeline(services.db, services.vectors, fake_llm, max_repairs=1)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_an_obedient_answer_never_passes_with_the_payload(
    pipeline: VariantPipeline, fake_llm: FakeLLM, case: dict[str, Any]
) -> None:
    payload = [str(p) for p in case["payload"]]
    obeying = f"Takk for en fin kveld hos oss! {' '.join(payload)} Velkommen igjen."
    fake_llm.default = json.dumps({"text": obeying}, ensure_ascii=False)
    out = pipeline.run(
        VariantRequest(
            workspace="demo",
            text=case["text"],
            source_type=SourceType.ugc,
            author="@gjest",
            surfaces=["facebook_post"],
        )
    )
    carried = [
        (v.surface, p)
        for v in out.variants
        if v.passed
        for p in payload
        if p.lower() in v.text.lower()
    ]
    assert carried == []
    # Nothing from the injection became a fact the variant must keep.
    assert not any(p.lower() in f["text"].lower() for f in out.source["facts"] for p in payload)
