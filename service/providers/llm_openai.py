"""OpenAI or any OpenAI-compatible server (Azure-style gateways, Ollama, vLLM, llama.cpp server).

Structured output uses forced tool calling: it works on OpenAI and on llama.cpp's server, which
answers HTTP 500 to the `json_schema` response format.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import openai
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable
from langchain_openai import ChatOpenAI

from service.errors import ProviderResponseInvalid, ProviderUnavailable, RateLimited
from service.providers.llm import LLM, ChatMessage, Completion, Sampling, Structured, T, Usage

if TYPE_CHECKING:
    from service.settings import Settings

R = TypeVar("R")


def _to_langchain(messages: Sequence[ChatMessage]) -> list[BaseMessage]:
    kinds: dict[str, Callable[[str], BaseMessage]] = {
        "system": lambda c: SystemMessage(content=c),
        "user": lambda c: HumanMessage(content=c),
        "assistant": lambda c: AIMessage(content=c),
    }
    return [kinds[m.role](m.content) for m in messages]


def _usage(message: Any) -> Usage:
    meta = getattr(message, "usage_metadata", None) or {}
    return Usage(
        prompt_tokens=int(meta.get("input_tokens", 0)),
        completion_tokens=int(meta.get("output_tokens", 0)),
    )


def call_translating_errors(where: str, fn: Callable[[], R]) -> R:
    """Run an SDK call and turn its exceptions into the product's own, after the SDK's retries."""
    try:
        return fn()
    except openai.RateLimitError as exc:
        raise RateLimited(f"{where}: rate limited by the server after retries") from exc
    except openai.APITimeoutError as exc:
        raise ProviderUnavailable(f"{where}: the server did not answer in time") from exc
    except openai.APIConnectionError as exc:
        raise ProviderUnavailable(f"{where}: could not connect to the server") from exc
    except openai.AuthenticationError as exc:
        raise ProviderUnavailable(f"{where}: the API key was refused") from exc
    except openai.APIStatusError as exc:
        raise ProviderUnavailable(
            f"{where}: the server answered HTTP {exc.status_code}",
            details={"status": exc.status_code},
        ) from exc
    except (openai.APIResponseValidationError, ValueError) as exc:
        raise ProviderResponseInvalid(f"{where}: the server's answer was malformed: {exc}") from exc


class OpenAILLM(LLM):
    def __init__(self, chat_model: ChatOpenAI, *, model: str, base_url: str | None) -> None:
        self._client = chat_model
        self._model = model
        self._base_url = base_url
        # Structured-output runnables by schema and sampling: building one (the schema's tool
        # definition, a model copy) costs a few ms of CPU, and a month asks the same one for
        # every draft.
        self._runnables: dict[tuple[type[Any], int, float], Runnable[Any, Any]] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAILLM:
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        chat = ChatOpenAI(
            model=settings.openai_model,
            # Local OpenAI-compatible servers ignore the key, but the SDK insists on one.
            api_key=key or "not-needed",
            base_url=settings.openai_base_url,
            timeout=settings.openai_timeout,
            max_retries=settings.openai_max_retries,
        )
        return cls(chat, model=settings.openai_model, base_url=settings.openai_base_url)

    @property
    def model_name(self) -> str:
        return self._model

    @property
    def provider(self) -> str:
        return "openai"

    def _configured(self, **params: Any) -> ChatOpenAI:
        return self._client.model_copy(update=params)

    def _chat(self, messages: Sequence[ChatMessage], sampling: Sampling) -> Completion:
        model = self._configured(max_tokens=sampling.max_tokens, temperature=sampling.temperature)
        stop = sampling.stop or None
        reply = call_translating_errors(
            "chat", lambda: model.invoke(_to_langchain(messages), stop=stop)
        )
        meta = reply.response_metadata or {}
        return Completion(
            text=str(reply.content).strip(),
            usage=_usage(reply),
            model=str(meta.get("model_name") or self._model),
            finish_reason=meta.get("finish_reason"),
        )

    def _structured(
        self, messages: Sequence[ChatMessage], schema: type[T], sampling: Sampling
    ) -> Structured[T]:
        key = (schema, sampling.max_tokens, sampling.temperature)
        runnable = self._runnables.get(key)
        if runnable is None:
            model = self._configured(
                max_tokens=sampling.max_tokens, temperature=sampling.temperature
            )
            runnable = model.with_structured_output(
                schema, method="function_calling", include_raw=True
            )
            if len(self._runnables) >= 64:
                self._runnables.clear()
            self._runnables[key] = runnable
        out: dict[str, Any] = call_translating_errors(
            "structured chat", lambda: runnable.invoke(_to_langchain(messages))
        )
        raw_message = out.get("raw")
        parsed = out.get("parsed")
        if out.get("parsing_error") is not None or not isinstance(parsed, schema):
            raw_text = str(getattr(raw_message, "additional_kwargs", "") or "")[:500]
            raise ProviderResponseInvalid(
                f"the model's answer does not match {schema.__name__}: {out.get('parsing_error')}",
                details={"raw": raw_text},
            )
        return Structured[T](
            value=parsed, usage=_usage(raw_message), model=self._model, raw=parsed.model_dump_json()
        )
