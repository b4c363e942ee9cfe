"""The embedded local model, for real: a completion, and a JSON-schema answer in pydantic."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, Field

from service.providers.llm import ChatMessage
from service.providers.llm_factory import make_llm
from service.settings import Settings

pytestmark = pytest.mark.integration


class Headline(BaseModel):
    headline: str = Field(min_length=1, max_length=60)
    hashtags: list[str] = Field(max_length=3)


@pytest.fixture(scope="module")
def local_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("llm"), env="test", llm="local")


def test_the_embedded_model_answers_a_structured_request_in_schema(
    local_settings: Settings,
) -> None:
    llm = make_llm(local_settings)
    assert llm.provider == "local"
    answer = llm.chat_structured(
        [
            ChatMessage(
                role="user", content="Lag en kort overskrift om fiskesuppe, med emneknagger."
            )
        ],
        Headline,
        max_tokens=120,
    )
    assert isinstance(answer.value, Headline)
    assert 0 < len(answer.value.headline) <= 60
    assert answer.usage.prompt_tokens > 0 and answer.usage.completion_tokens > 0


def test_the_embedded_model_continues_a_plain_text_prompt(local_settings: Settings) -> None:
    llm = make_llm(local_settings)
    out = llm.complete("Innlegg om eplehøsten i Hardanger:\n", max_tokens=24, stop=["\n\n"])
    assert out.usage.completion_tokens > 0
    assert out.finish_reason in {"stop", "length"}


def test_the_model_file_is_verified_and_kept_in_the_data_dir(local_settings: Settings) -> None:
    llm = make_llm(local_settings)
    path: Path = llm.model_path  # type: ignore[attr-defined]
    assert path.is_relative_to(local_settings.data_dir)
