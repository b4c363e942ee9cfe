from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from service.settings import Settings


def test_without_an_api_key_the_embedded_local_providers_are_chosen(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    assert (s.llm_provider, s.embedding_provider) == ("local", "local")


def test_an_api_key_switches_both_providers_to_openai(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path, openai_api_key="sk-test", _env_file=None)  # type: ignore[call-arg]
    assert (s.llm_provider, s.embedding_provider) == ("openai", "openai")


def test_a_base_url_alone_selects_an_openai_compatible_llm(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path, openai_base_url="http://127.0.0.1:11434/v1", _env_file=None)  # type: ignore[call-arg]
    assert s.llm_provider == "openai"
    assert s.embedding_provider == "local"


def test_the_fake_llm_is_refused_outside_tests(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="tests only"):
        Settings(data_dir=tmp_path, llm="fake", env="production")


def test_settings_are_read_from_gjenbruk_environment_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GJENBRUK_DATA_DIR", str(tmp_path / "x"))
    monkeypatch.setenv("GJENBRUK_OPENAI_MODEL", "llama3.1:8b")
    s = Settings()
    assert s.data_dir == tmp_path / "x"
    assert s.openai_model == "llama3.1:8b"
    assert s.resolved_database_url == f"sqlite:///{(tmp_path / 'x' / 'gjenbruk.db').resolve()}"
