"""The LLM interface the pipeline sees; `llm_factory.make_llm` picks an implementation."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T", bound=BaseModel)


class ChatMessage(BaseModel):
    role: Literal["system", "user", "assistant"]
    content: str


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
        )


class Completion(BaseModel):
    text: str
    usage: Usage = Field(default_factory=Usage)
    model: str
    finish_reason: str | None = None


class Structured(BaseModel, Generic[T]):
    value: T
    usage: Usage = Field(default_factory=Usage)
    model: str
    raw: str = ""


class Sampling(BaseModel):
    """How to sample one answer; the public methods' keyword arguments, gathered once."""

    max_tokens: int
    temperature: float
    stop: list[str] = Field(default_factory=list)


class LLM(ABC):
    """Chat completion, free text or parsed into a pydantic schema.

    The public signatures live here once; an implementation fills in `_chat` and `_structured`
    (and `_complete` where the backend has a plain-text endpoint). Implementations translate
    their SDK's errors into service.errors at this boundary: RateLimited, ProviderUnavailable,
    ProviderResponseInvalid.
    """

    @property
    @abstractmethod
    def model_name(self) -> str: ...

    @property
    @abstractmethod
    def provider(self) -> str: ...

    def chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int = 512,
        temperature: float = 0.7,
        stop: Sequence[str] | None = None,
    ) -> Completion:
        sampling = Sampling(max_tokens=max_tokens, temperature=temperature, stop=list(stop or []))
        return self._chat(messages, sampling)

    def chat_structured(
        self,
        messages: Sequence[ChatMessage],
        schema: type[T],
        *,
        max_tokens: int = 768,
        temperature: float = 0.3,
    ) -> Structured[T]:
        return self._structured(
            messages, schema, Sampling(max_tokens=max_tokens, temperature=temperature)
        )

    def complete(
        self,
        prompt: str,
        *,
        max_tokens: int = 256,
        temperature: float = 0.7,
        stop: Sequence[str] | None = None,
    ) -> Completion:
        """Plain text continuation: what a base (not instruction-tuned) model is good at."""
        sampling = Sampling(max_tokens=max_tokens, temperature=temperature, stop=list(stop or []))
        return self._complete(prompt, sampling)

    @abstractmethod
    def _chat(self, messages: Sequence[ChatMessage], sampling: Sampling) -> Completion: ...

    @abstractmethod
    def _structured(
        self, messages: Sequence[ChatMessage], schema: type[T], sampling: Sampling
    ) -> Structured[T]: ...

    def _complete(self, prompt: str, sampling: Sampling) -> Completion:
        # Chat models are served through chat completions; a legacy endpoint is not universal.
        return self._chat([ChatMessage(role="user", content=prompt)], sampling)
