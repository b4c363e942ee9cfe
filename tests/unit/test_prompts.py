from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from service.errors import ConfigurationError
from service.generation.prompts import PROMPTS_DIR, PromptTemplate, load_prompt


def test_a_template_using_an_undeclared_variable_is_refused() -> None:
    with pytest.raises(ValidationError, match="undeclared"):
        PromptTemplate(name="x", version=1, variables=["a"], user="${a} ${b}")


def test_rendering_without_a_declared_value_is_an_error() -> None:
    t = PromptTemplate(name="x", version=1, variables=["a", "b"], user="${a} ${b}")
    with pytest.raises(ConfigurationError, match="missing values"):
        t.messages(a="1")


def test_json_braces_in_a_prompt_need_no_escaping() -> None:
    t = PromptTemplate(name="x", version=1, variables=["v"], system='{"k": 1}', user="${v}")
    msgs = t.messages(v="hei")
    assert msgs[0].content == '{"k": 1}' and msgs[1].content == "hei"


def test_unknown_fields_in_a_prompt_file_are_refused(tmp_path: Path) -> None:
    (tmp_path / "y.yaml").write_text("name: y\nversion: 1\nvariables: []\nuser: hi\nsytem: typo\n")
    with pytest.raises(ValidationError, match="sytem"):
        load_prompt("y", tmp_path)


@pytest.mark.parametrize("path", sorted(PROMPTS_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_prompt_loads_and_is_versioned(path: Path) -> None:
    template = load_prompt(path.stem)
    assert template.version >= 1 and template.variables


def test_the_local_grammar_drops_string_bounds_llama_cpp_cannot_compile() -> None:
    from service.generation.variant_schemas import schema_for
    from service.providers.llm_local import grammar_schema

    relaxed = grammar_schema(schema_for("newsletter_blurb").model_json_schema())
    assert "maxLength" not in relaxed["properties"]["body"]
    assert relaxed["properties"]["subject"]["maxLength"] == 120, "small bounds stay"
    rsa = grammar_schema(schema_for("google_rsa").model_json_schema())
    assert rsa["properties"]["headlines"]["maxItems"] == 15
