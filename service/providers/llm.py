"""The LLM interface the pipeline sees; `llm_factory.make_llm` picks an implementation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, Literal, Protocol, TypeVar

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


class LLM(Protocol):
    """Chat completion, free text or parsed into a pydantic schema.

    Implementations translate their SDK's errors into service.errors at this boundary:
    RateLimited, ProviderUnavailable, ProviderResponseInvalid.
    """

    @property
    def model_name(self) -> str: ...

    @property
    def provider(self) -> str: ...

    def chat(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int = 512,
        temperature: float = 0.7,
        stop: Sequence[str] | None = None,
    ) -> Completion: ...

    def chat_structured(
        self,
        messages: Sequence[ChatMessage],
        schema: type[T],
        *,
        max_tokens: int = 768,
        temperature: float = 0.3,
    ) -> Structured[T]: ...

    def complete(
        self,
        prompt: str,
        *,
        max_tokens: int = 256,
        temperature: float = 0.7,
        stop: Sequence[str] | None = None,
    ) -> Completion:
        """Plain text continuation: what a base (not instruction-tuned) model is good at."""
        ...
