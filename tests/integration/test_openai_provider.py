"""The `openai` provider over real sockets: against llama.cpp's own OpenAI-compatible server with
the bundled model, and against a scripted server that injects 429s, 500s, timeouts and bad JSON."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel, Field

from service.errors import ProviderResponseInvalid, ProviderUnavailable, RateLimited
from service.providers.llm import ChatMessage
from service.providers.llm_factory import make_llm
from service.providers.local_models import resolve_model_path
from service.settings import Settings
from tests.integration.servers import Step, chat_body, fault_server, llama_cpp_server

pytestmark = pytest.mark.integration

HELLO = [ChatMessage(role="user", content="Si hei.")]


class Reply(BaseModel):
    greeting: str = Field(min_length=1, max_length=40)
    language: str = Field(max_length=8)


def _settings(tmp_path: Path, base_url: str, **kw: object) -> Settings:
    return Settings(
        data_dir=tmp_path,
        env="test",
        llm="openai",
        openai_base_url=base_url,
        openai_model="local",
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    model, _ = resolve_model_path("smollm2-135m", tmp_path_factory.mktemp("models"))
    with llama_cpp_server(model) as base:
        yield base


def test_the_openai_client_talks_to_llama_cpp_server_over_a_socket(
    llama_server: str, tmp_path: Path
) -> None:
    llm = make_llm(_settings(tmp_path, llama_server))
    assert llm.provider == "openai"
    out = llm.chat(HELLO, max_tokens=16)
    assert out.usage.prompt_tokens > 0 and out.usage.completion_tokens > 0


def test_structured_output_via_forced_tool_call_works_on_llama_cpp_server(
    llama_server: str, tmp_path: Path
) -> None:
    llm = make_llm(_settings(tmp_path, llama_server))
    answer = llm.chat_structured(HELLO, Reply, max_tokens=80)
    assert isinstance(answer.value, Reply) and answer.value.greeting


def test_rate_limits_are_retried_and_then_succeed(tmp_path: Path) -> None:
    with fault_server([Step(429), Step(429), Step(200)]) as srv:
        llm = make_llm(_settings(tmp_path, srv.base_url, openai_max_retries=3))
        assert llm.chat(HELLO).text == "hei"
        assert len(srv.requests) == 3


def test_persistent_rate_limiting_becomes_a_clear_rate_limited_error(tmp_path: Path) -> None:
    with fault_server([Step(429)]) as srv:
        llm = make_llm(_settings(tmp_path, srv.base_url, openai_max_retries=2))
        with pytest.raises(RateLimited, match="rate limited"):
            llm.chat(HELLO)
        assert len(srv.requests) == 3  # the first try and two retries


def test_server_errors_are_retried_then_reported_with_the_status(tmp_path: Path) -> None:
    with fault_server([Step(500)]) as srv:
        llm = make_llm(_settings(tmp_path, srv.base_url, openai_max_retries=1))
        with pytest.raises(ProviderUnavailable, match="HTTP 500"):
            llm.chat(HELLO)
        assert len(srv.requests) == 2


def test_a_slow_server_gives_a_timeout_error_not_a_hang(tmp_path: Path) -> None:
    with fault_server([Step(200, delay=3.0)]) as srv:
        llm = make_llm(_settings(tmp_path, srv.base_url, openai_max_retries=0, openai_timeout=0.5))
        with pytest.raises(ProviderUnavailable, match="in time"):
            llm.chat(HELLO)


def test_malformed_json_from_the_server_is_a_clear_error(tmp_path: Path) -> None:
    with fault_server([Step(200, body=b"{not json")]) as srv:
        llm = make_llm(_settings(tmp_path, srv.base_url, openai_max_retries=0))
        with pytest.raises((ProviderResponseInvalid, ProviderUnavailable)):
            llm.chat(HELLO)


def test_a_structured_answer_that_breaks_the_schema_is_refused(tmp_path: Path) -> None:
    body = chat_body()
    body["choices"][0]["message"] = {  # type: ignore[index]
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "c1",
                "type": "function",
                "function": {
                    "name": "Reply",
                    "arguments": json.dumps({"greeting": "x" * 100, "language": "nb"}),
                },
            }
        ],
    }
    with fault_server([Step(200, body=json.dumps(body).encode())]) as srv:
        llm = make_llm(_settings(tmp_path, srv.base_url, openai_max_retries=0))
        with pytest.raises(ProviderResponseInvalid, match="Reply"):
            llm.chat_structured(HELLO, Reply)
