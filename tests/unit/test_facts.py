"""Hard facts found by rules: Norwegian prices, dates, times, phones, links; kept or invented."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from service.container import Services
from service.generation.facts import (
    FactKind,
    extract_facts,
    fact_present,
    invented_facts,
    missing_facts,
)
from service.generation.injection import without_instructions
from service.providers.llm_fake import FakeLLM
from service.storage.repositories import PostRepo
from tests.conftest import SHARED_DATA


def _cases() -> list[dict[str, Any]]:
    files = sorted(SHARED_DATA.glob("*/eval_cases.jsonl"))
    assert files, f"no eval cases under {SHARED_DATA}"
    return [json.loads(line) for f in files for line in f.read_text().splitlines() if line]


CASES = _cases()
ALL_KINDS = frozenset(FactKind)


def found(text: str) -> set[tuple[str, str]]:
    return {(f.kind.value, f.key) for f in extract_facts(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nå kun 149,-", {("price", "149")}),
        ("Gavekort kr 1 290", {("price", "1290")}),
        ("Gavekort 1\u00a0290 kr", {("price", "1290")}),
        ("Kun 1.290,- i dag", {("price", "1290")}),
        ("fra 299 kroner", {("price", "299")}),
        ("NOK 299,50", {("price", "299,50")}),
        ("Åpner 12. oktober", {("date", "12-10")}),
        ("Hipp hurra for 17. mai!", {("date", "17-05")}),
        ("Konsert kl. 19.00", {("time", "19:00")}),
        ("Dørene åpner klokka 19:30", {("time", "19:30")}),
        ("Vi tar imot 8.2 og 01.06.2026", {("date", "08-02"), ("date", "01-06")}),
        ("Se 2026-02-08", {("date", "08-02")}),
        ("20 % rabatt", {("percent", "20")}),
        ("20 prosent rabatt", {("percent", "20")}),
        ("Ring +47 51 49 22 10, eller 987 65 432", {("phone", "51492210"), ("phone", "98765432")}),
        ("Open 8 February at 4 pm", {("date", "08-02"), ("time", "16:00")}),
        ("Vi held ope frå 3. mars", {("date", "03-03")}),
    ],
)
def test_norwegian_and_english_forms(text: str, expected: set[tuple[str, str]]) -> None:
    assert found(text) == expected


def test_an_opening_range_is_one_fact_and_two_times() -> None:
    facts = found("Åpent kl. 10–18 i dag, og fra kl. 17 til kl. 20 i morgen")
    assert {("time_range", "10:00-18:00"), ("time_range", "17:00-20:00")} <= facts
    assert {("time", "10:00"), ("time", "18:00")} <= facts
    assert ("time_range", "10:00-18:00") in found("åpent 10-18")


def test_an_email_is_not_also_a_link_and_a_link_keeps_its_path() -> None:
    facts = found("Søk til jobb@sjobua.no, les https://www.sjobua.no/gavekort/.")
    assert facts == {("email", "jobb@sjobua.no"), ("url", "sjobua.no/gavekort")}


@pytest.mark.parametrize(
    "text",
    [
        "Alle de 38 butikkene er åpne",
        "Siden 2026 har vi servert 4 retter",
        "Topp 10 tips",
        "Bord til 8-10 personer",
    ],
)
def test_ordinary_numbers_are_not_hard_facts(text: str) -> None:
    assert not [f for f in extract_facts(text) if f.kind is not FactKind.name]


def test_a_percent_is_not_a_price_and_a_phone_is_not_a_price() -> None:
    assert found("20 % rabatt, ring 51 49 22 10") == {("percent", "20"), ("phone", "51492210")}


def test_names_and_addresses() -> None:
    facts = found("Kari Nilsen tar imot deg i Strandgata 12")
    assert {("name", "kari nilsen"), ("address", "strandgata 12")} <= facts


def test_missing_and_invented_are_judged_by_meaning_not_spelling() -> None:
    source = "Blåskjell 229 kr. Bestill på sjobua.no eller 51 49 22 10, kl. 16."
    facts = extract_facts(source)
    rewrite = "Blåskjell til kr 229! Bestill på https://www.sjobua.no – ring 51492210 fra 16:00."
    assert missing_facts(facts, rewrite) == []
    assert invented_facts(rewrite, [source]) == []
    wrong = "Blåskjell til 239 kr fra kl. 17, ring 51 49 22 01."
    assert {f.key for f in invented_facts(wrong, [source])} == {"239", "17:00", "51492201"}
    assert {f.key for f in missing_facts(facts, wrong)} == {"229", "sjobua.no", "51492210", "16:00"}


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_eval_case_facts_are_found_in_the_source(case: dict[str, Any]) -> None:
    source = case["source"]["text"]
    in_source = found(source)
    for keep in case["must_keep"]:
        facts = found(keep)
        assert facts, f"no fact found in must_keep {keep!r}"
        assert facts <= in_source, f"{keep!r}: {facts - in_source} not found in the source"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_eval_case_accepted_forms_count_as_the_same_fact(case: dict[str, Any]) -> None:
    for keep, forms in case["fact_variants"].items():
        for fact in extract_facts(keep):
            for form in forms:
                assert fact_present(fact, f"Vi sees {form} da!"), (
                    f"{form!r} should count as {keep!r}"
                )


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_eval_case_near_misses_are_invented_facts(case: dict[str, Any]) -> None:
    source = case["source"]["text"]
    for wrong in case["must_not_appear"]:
        invented = invented_facts(wrong, [source], kinds=ALL_KINDS)
        assert invented, f"{wrong!r} should count as a new fact against the source"


def test_the_eval_data_path_is_the_shared_one() -> None:
    assert isinstance(SHARED_DATA, Path) and len(CASES) >= 30


def test_opening_hours_at_the_end_of_a_sentence_or_before_a_comma_are_found() -> None:
    ranges = [
        f.key
        for f in extract_facts("Åpent man–fre 10–20, lør 10–18. Søndag stengt.")
        if f.kind is FactKind.time_range
    ]
    assert ranges == ["10:00-20:00", "10:00-18:00"]
    assert not [f for f in extract_facts("Planker 10-20,5 cm") if f.kind is FactKind.time_range]


def test_the_library_is_scanned_for_facts_once_per_request_not_per_check(
    services: Services, fake_llm: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    import service.generation.facts as facts
    from service.generation.variants import VariantPipeline, VariantRequest
    from service.library.demo import load_demo

    load_demo(services.db, services.vectors)
    scanned: list[str] = []
    real = facts.extract_facts
    monkeypatch.setattr(facts, "extract_facts", lambda t: scanned.append(t) or real(t))
    facts.text_keys.cache_clear()
    bad = json.dumps({"text": "Ring 99 99 99 99 for sider!"})  # an invented phone: repaired
    fake_llm.default = bad
    pipeline = VariantPipeline(services.db, services.vectors, fake_llm, max_repairs=2)
    request = VariantRequest(
        workspace="demo", text="Sider til 189,-.", surfaces=["facebook_post", "x_post"]
    )
    out = pipeline.run(request)
    assert all(v.attempts == 3 for v in out.variants), "every attempt was checked"
    with services.db.session() as s:
        library = {without_instructions(p.text) for p in PostRepo(s).list("demo")}
    from_library = [t for t in scanned if t in library]
    assert len(library) > 10 and set(from_library) == library, "every post's facts are allowed"
    assert len(from_library) == len(set(from_library)), "no post was scanned twice"
    pipeline.run(request)
    assert len([t for t in scanned if t in library]) == len(from_library), "remembered"


@pytest.mark.parametrize(
    "link",
    ["http://evil.example", "https://bit.ly/3xYz", "http://10.0.0.1/a", "https://shop.de/x"],
)
def test_a_link_with_its_scheme_is_a_fact_whatever_its_host(link: str) -> None:
    # A closed list of top-level domains let an invented link pass as "no new facts".
    facts = extract_facts(f"Les mer på {link}.")
    assert [(f.kind, f.text) for f in facts] == [(FactKind.url, link)]
