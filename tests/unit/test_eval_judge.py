"""The optional LLM-judge tier with a scripted judge: rubrics cover every surface, a judge of the
generator's own family is refused, pairwise wins count only when both orders agree, a broken
verdict is reported, and a second run is served from the cache."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from evals.cases import RepurposeCase
from evals.judge import (
    CRITERIA,
    Judge,
    JudgeCache,
    check_families,
    load_rubrics,
    model_family,
    pair_outcome,
    run_judge,
)
from evals.report import markdown
from evals.run import make_judge_llm, run_eval
from evals.runner import Output, baseline_outputs
from service.errors import Invalid
from service.generation.surfaces import load_surfaces
from service.providers.llm import ChatMessage
from service.providers.llm_fake import FakeLLM
from service.settings import REPO_ROOT, Settings

CATALOG = load_surfaces()
SOURCE = "Blåskjell i hvitvin – 229 kr. Bord bestiller du på sjobua.no eller 51 49 22 10."
GOOD = "Nytt på menyen: blåskjell i hvitvin til 229 kr 🦪 Bestill bord – lenke i bio!"


def _case(case_id: str = "t-01", source: str = SOURCE) -> RepurposeCase:
    return RepurposeCase.model_validate(
        {
            "id": case_id,
            "source": {"text": source},
            "target_surfaces": ["instagram_post"],
            "language": "nb",
            "workspace": "sjobua",
        }
    )


def _outputs(cases: Sequence[RepurposeCase]) -> list[Output]:
    product = [
        Output(system="product", case_id=c.id, surface="instagram_post", parts={"caption": GOOD})
        for c in cases
    ]
    return [*product, *baseline_outputs(cases, CATALOG)]


def _scripted(messages: Sequence[ChatMessage]) -> str:
    """A judge that rates the adapted text above the copied source, whatever the order."""
    user = messages[-1].content
    if "<a>" in user:
        a = user.split("<a>")[1].split("</a>")[0]
        return json.dumps({"begrunnelse": "Tilpasset.", "vinner": "A" if GOOD in a else "B"})
    text = user.split("<tekst>")[1].split("</tekst>")[0]
    grade = 5 if GOOD in text else 2
    return json.dumps({"begrunnelse": "Vurdert.", **{c: grade for c in CRITERIA}})


def _judge(tmp_path: Path, llm: FakeLLM) -> Judge:
    return Judge(llm, JudgeCache(tmp_path / "cache.jsonl"), prompts_dir=REPO_ROOT / "prompts")


def test_every_surface_has_a_norwegian_rubric_and_the_criteria_match_the_form() -> None:
    rubrics = load_rubrics()
    assert set(rubrics.surfaces) == set(CATALOG.surfaces)
    assert list(rubrics.criteria) == CRITERIA
    assert set(rubrics.by_kind) == {s.kind for s in CATALOG.surfaces.values()}
    assert "lenke i bio" in rubrics.for_surface(CATALOG.surfaces["instagram_post"])


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("gpt-4o-mini", "gpt"),
        ("o3-mini", "gpt"),
        ("gemma3-270m", "gemma"),
        ("smollm2-135m", "smollm"),
        ("meta-llama/Llama-3.1-8B", "llama"),
        ("qwen2.5:7b", "qwen"),
        ("/models/gemma-3-270m-it-Q8_0.gguf", "gemma"),
    ],
)
def test_model_family(name: str, family: str) -> None:
    assert model_family(name) == family


def test_a_judge_of_the_generators_family_is_refused() -> None:
    with pytest.raises(Invalid, match="same model family"):
        check_families("gemma-3-12b", ["gemma3-270m"])
    check_families("gpt-4.1-mini", ["gemma3-270m", "smollm2-135m"])


@pytest.mark.parametrize(
    ("as_a", "as_b", "outcome"),
    [
        ("A", "B", "win"),
        ("B", "A", "loss"),
        ("A", "A", "inconsistent"),
        ("uavgjort", "uavgjort", "tie"),
        ("A", "uavgjort", "win"),
        ("uavgjort", "A", "loss"),
    ],
)
def test_pairwise_counts_a_win_only_when_both_orders_agree(
    as_a: str, as_b: str, outcome: str
) -> None:
    assert pair_outcome(as_a, as_b) == outcome


def test_the_judge_prefers_the_adaptation_in_both_orders_and_the_cache_serves_a_rerun(
    tmp_path: Path,
) -> None:
    cases = [_case("t-01"), _case("t-02", SOURCE.replace("229", "239"))]
    llm = FakeLLM(default=_scripted)
    first = run_judge(
        _judge(tmp_path, llm),
        cases,
        _outputs(cases),
        CATALOG,
        product="product",
        against="baseline_copy",
    )
    # 2 outputs x (2 scores + 2 orders) = 8 calls, each source inside its data delimiters.
    assert first["calls"] == 8 and first["cache_hits"] == 0
    sources = {c.source.text for c in cases}
    assert all(
        m[-1].content.split("<kilde>")[1].split("</kilde>")[0].strip() in sources
        for m in llm.requests
    )
    assert first["pointwise"]["product"]["nytte"]["mean"] == 5.0
    assert first["pointwise"]["baseline_copy"]["nytte"]["mean"] == 2.0
    assert first["pairwise"]["win"] == 2 and first["pairwise"]["win_rate"]["mean"] == 1.0

    again = run_judge(
        _judge(tmp_path, FakeLLM()),
        cases,
        _outputs(cases),
        CATALOG,
        product="product",
        against="baseline_copy",
    )
    assert again["calls"] == 0 and again["cache_hits"] == 8
    assert again["pointwise"] == first["pointwise"]


def test_a_changed_rubric_version_is_not_served_from_the_cache(tmp_path: Path) -> None:
    cases = [_case()]
    run_judge(
        _judge(tmp_path, FakeLLM(default=_scripted)),
        cases,
        _outputs(cases),
        CATALOG,
        product="product",
        against="baseline_copy",
    )
    bumped = load_rubrics().model_copy(update={"version": load_rubrics().version + 1})
    judge = Judge(
        FakeLLM(default=_scripted),
        JudgeCache(tmp_path / "cache.jsonl"),
        bumped,
        prompts_dir=REPO_ROOT / "prompts",
    )
    out = run_judge(
        judge, cases, _outputs(cases), CATALOG, product="product", against="baseline_copy"
    )
    assert out["calls"] == 4 and out["cache_hits"] == 0


def test_a_judge_biased_to_position_a_gets_no_wins(tmp_path: Path) -> None:
    def always_a(messages: Sequence[ChatMessage]) -> str:
        if "<a>" in messages[-1].content:
            return json.dumps({"begrunnelse": "Første.", "vinner": "A"})
        return _scripted(messages)

    cases = [_case()]
    out = run_judge(
        _judge(tmp_path, FakeLLM(default=always_a)),
        cases,
        _outputs(cases),
        CATALOG,
        product="product",
        against="baseline_truncate",
    )
    assert out["pairwise"]["inconsistent"] == 1 and out["pairwise"]["win"] == 0
    assert out["pairwise"]["position_consistency"]["mean"] == 0.0


def test_a_verdict_outside_the_scale_is_reported_not_counted(tmp_path: Path) -> None:
    def broken(messages: Sequence[ChatMessage]) -> str:
        if "<tekst>" in messages[-1].content and GOOD in messages[-1].content:
            return json.dumps({"begrunnelse": "Topp!", **{c: 9 for c in CRITERIA}})
        return _scripted(messages)

    cases = [_case()]
    out = run_judge(
        _judge(tmp_path, FakeLLM(default=broken)),
        cases,
        _outputs(cases),
        CATALOG,
        product="product",
        against="baseline_copy",
        limit=1,
    )
    assert out["errors"] == [
        {
            "case": "t-01",
            "surface": "instagram_post",
            "system": "product",
            "error": out["errors"][0]["error"],
        }
    ]
    assert "product" not in out["pointwise"] and out["pointwise"]["baseline_copy"]
    section = markdown({"meta": {}, "systems": {}, "metrics": {}, "judge": out})
    assert "LLM judge: `fake`" in section and "broken form (1)" in section


def test_the_judge_needs_an_api_model(tmp_path: Path) -> None:
    with pytest.raises(Invalid, match="needs an API model"):
        make_judge_llm(Settings(data_dir=tmp_path, env="test", llm="fake"), "gpt-4.1-mini")
    llm = make_judge_llm(
        Settings(
            data_dir=tmp_path, env="test", llm="fake", eval_judge_base_url="http://127.0.0.1:9/v1"
        ),
        "qwen2.5-7b",
    )
    assert llm.provider == "openai" and llm.model_name == "qwen2.5-7b"


def test_a_cache_line_torn_by_a_killed_run_is_asked_again_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "cache.jsonl"
    path.write_text('{"key": "k1", "value": {"vinner": "A"}}\n{"key": "k2", "val', encoding="utf-8")
    cache = JudgeCache(path)
    assert len(cache) == 1 and cache.get("k1") == {"vinner": "A"} and cache.get("k2") is None


def test_a_judge_of_the_generators_family_is_refused_before_any_generation(
    tmp_path: Path,
) -> None:
    settings = Settings(
        data_dir=tmp_path, env="test", llm="fake", eval_judge_base_url="http://127.0.0.1:9/v1"
    )
    with pytest.raises(Invalid, match="same model family"):
        run_eval(settings, limit=1, judge_model="fake-judge-9b", record=tmp_path / "rec")
    assert not (tmp_path / "rec").exists(), "nothing was generated for a judge that cannot judge"
