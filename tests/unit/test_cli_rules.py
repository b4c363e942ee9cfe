"""`gjenbruk rules`: add, list (as the API's RuleView), off/on by an id prefix, remove; bad
params are a message and exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app
from service.container import Services
from service.domain import Workspace
from service.learning.service import RuleView
from service.settings import Settings
from service.storage.repositories import WorkspaceRepo


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    settings = Settings(data_dir=tmp_path / "data", llm="fake", embeddings="fake")
    services = Services(settings)
    with services.db.session() as s:
        WorkspaceRepo(s).save(Workspace(slug="sjobua", name="Sjøbua"))
    services.close()
    return {
        "GJENBRUK_DATA_DIR": str(tmp_path / "data"),
        "GJENBRUK_LLM": "fake",
        "GJENBRUK_EMBEDDINGS": "fake",
        "GJENBRUK_DEFAULT_WORKSPACE": "sjobua",
    }


def invoke(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["rules", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def test_a_rule_added_listed_switched_and_removed(env: dict[str, str]) -> None:
    code, out, err = invoke(env, "add", "hashtag_cap", "max=2", "--channel", "instagram", "--json")
    assert code == 0, err
    added = RuleView.model_validate_json(out)
    assert added.params == {"max": 2} and added.scope_value == "instagram"
    code, out, _ = invoke(env, "off", added.id[:8], "--json")
    assert code == 0 and RuleView.model_validate_json(out).status == "off"
    code, out, _ = invoke(env, "list", "--json")
    [listed] = [RuleView.model_validate(r) for r in json.loads(out)]
    assert listed.id == added.id and listed.version == 2 and not listed.enabled
    code, _, err = invoke(env, "list")
    assert code == 0 and "Høyst 2 emneknagger" in err
    assert invoke(env, "rm", added.id[:8])[0] == 0
    assert json.loads(invoke(env, "list", "--json")[1]) == []


def test_bad_params_are_a_message_and_exit_2(env: dict[str, str]) -> None:
    code, _, err = invoke(env, "add", "emoji_cap", "max")
    assert code == 2 and "key=value" in err
    code, _, err = invoke(env, "add", "emoji_cap")
    assert code == 2 and "max" in err
    code, _, err = invoke(env, "off", "nope")
    assert code == 2 and "nope" in err
