"""A surface is data: no module names a surface id, the schema and paste text follow the data,
and every surface added as data alone comes out of the variant pipeline checked."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from service.generation.surfaces import SURFACES_FILE, load_surfaces, parse_catalog
from service.generation.variant_schemas import paste_text, schema_for
from service.generation.variants import VariantPipeline
from service.providers.llm_fake import FakeLLM
from tests.unit.test_variants import GOOD, pipeline, request  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[2]
# Only the loader may name what it reads; every module of the product, the UI and the evals
# reads surfaces through it (the evals' cases name surfaces in their data files, not in code).
ALLOWED = {SURFACES_FILE.parent.parent / "surfaces.py"}
SCANNED = ("service", "ui", "evals")
ADDED = ["google_business_post", "threads_post", "pinterest_pin", "youtube_short"]


def test_no_module_outside_the_loader_names_a_surface_id() -> None:
    assert all(path.is_file() for path in ALLOWED), "an allowed module that is gone allows nothing"
    ids = load_surfaces().ids()
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, ids)) + r")\b")
    named = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for folder in SCANNED
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path not in ALLOWED
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not named, "surface ids belong in surfaces.yaml:\n" + "\n".join(named)


def test_the_schema_is_built_from_the_fields() -> None:
    pin = schema_for("pinterest_pin")
    assert list(pin.model_fields) == ["title", "description"]
    with pytest.raises(ValidationError):
        pin.model_validate({"title": "x"})  # the description is required
    rsa = schema_for("google_rsa").model_json_schema()
    assert rsa["properties"]["headlines"]["maxItems"] == 15
    assert "paths" not in rsa.get("required", [])
    assert schema_for("threads_post") is schema_for("facebook_post"), "one text shape"


def test_a_header_field_is_pasted_above_the_main_text_with_its_label() -> None:
    text = paste_text("youtube_short", {"title": "Sider!", "description": "Lang tekst."})
    assert text.splitlines()[0] == "Tittel: Sider!" and text.endswith("Lang tekst.")
    english = paste_text("youtube_short", {"title": "Cider!", "description": "x"}, "en")
    assert english.startswith("Title: Cider!")


def test_a_surface_with_two_main_fields_is_refused() -> None:
    raw = json.loads(json.dumps(__import__("yaml").safe_load(SURFACES_FILE.read_text("utf-8"))))
    raw["surfaces"]["meta_ad"]["fields"]["headline"]["main"] = True
    with pytest.raises(ValidationError, match="more than one main field"):
        parse_catalog(raw)


def test_the_google_business_profile_is_a_profile_channel_with_its_limit() -> None:
    fields = load_surfaces().profile_fields["google_business"]
    assert fields["description"].max == 750 and not fields["description"].promotional
    assert fields["description"].source.startswith("https://support.google.com/business/")


def _good_reply(surface_id: str) -> str:
    sf = load_surfaces().get(surface_id)
    parts = {
        name: GOOD if rule.main else "Nytappet tørr sider fra gården vår"
        for name, rule in sf.fields.items()
    }
    return json.dumps(parts, ensure_ascii=False)


@pytest.mark.parametrize("surface_id", ADDED)
def test_each_added_surface_comes_out_of_the_pipeline_checked(
    pipeline: VariantPipeline,  # noqa: F811
    fake_llm: FakeLLM,
    surface_id: str,
) -> None:
    fake_llm.queue(_good_reply(surface_id))
    (v,) = pipeline.run(request(surfaces=[surface_id])).variants
    assert v.surface == surface_id and v.passed, v.failed_reasons
    assert {c.name for c in v.checks} >= {"length", "links", "facts_kept", "no_invented_facts"}
    assert "189,-" in v.text


def test_an_added_surface_over_its_documented_limit_fails_the_length_check(
    pipeline: VariantPipeline,  # noqa: F811
    fake_llm: FakeLLM,
) -> None:
    long = (GOOD + " ") * 4  # ~620 characters: Threads allows 500
    fake_llm.default = json.dumps({"text": long}, ensure_ascii=False)
    (v,) = pipeline.run(request(surfaces=["threads_post"])).variants
    assert v.attempts == 3, "the model was told the length rule twice"
    assert v.rule_repaired and len(v.parts["text"]) <= 500 < len(long)
    assert next(c for c in v.checks if c.name == "length").detail.endswith("/500 tegn")


def test_a_check_carries_its_code_and_parameters_and_renders_in_each_language(
    pipeline: VariantPipeline,  # noqa: F811
    fake_llm: FakeLLM,
) -> None:
    from service.messages import render

    fake_llm.default = json.dumps({"text": GOOD + " #a #b #c"}, ensure_ascii=False)
    (v,) = pipeline.run(request(surfaces=["threads_post"], n=1)).variants
    tags = next(c for c in v.checks if c.name == "hashtags")
    assert tags.code == "check.hashtags.limit" and tags.params["limit"] == 1
    assert tags.detail == render(tags.code, tags.params, "nb") == f"{tags.params['found']}/1"
    length = next(c for c in v.checks if c.name == "length")
    assert render(length.code, length.params, "en").endswith("/500 characters")
    assert render(length.code, length.params, "nn").endswith("/500 teikn")


def test_every_message_code_exists_in_all_three_languages_with_the_same_parameters() -> None:
    import string

    from service.messages import catalogue

    nb, nn, en = (catalogue(lang) for lang in ("nb", "nn", "en"))
    assert set(nb) == set(nn) == set(en)

    def fields(text: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(text) if f}

    for code in nb:
        assert fields(nb[code]) == fields(nn[code]) == fields(en[code]), code
