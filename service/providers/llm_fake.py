"""A scripted LLM for unit tests: queued replies, and a record of every request it was sent.

Settings refuse to select it outside GJENBRUK_ENV=test.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence

from service.errors import ProviderResponseInvalid
from service.providers.llm import LLM, ChatMessage, Completion, Sampling, Structured, T, Usage
from service.providers.tokens import count_chat_tokens, count_tokens

Reply = str | Callable[[Sequence[ChatMessage]], str]


class FakeLLM(LLM):
    def __init__(self, replies: Sequence[Reply] = (), *, default: Reply | None = None) -> None:
        self.replies: deque[Reply] = deque(replies)
        self.default = default
        self.requests: list[list[ChatMessage]] = []

    @property
    def model_name(self) -> str:
        return "fake"

    @property
    def provider(self) -> str:
        return "fake"

    def queue(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def _next(self, messages: Sequence[ChatMessage]) -> str:
        self.requests.append(list(messages))
        if self.replies:
            reply = self.replies.popleft()
        elif self.default is not None:
            reply = self.default
        else:
            raise AssertionError("FakeLLM has no reply queued for this request")
        return reply(messages) if callable(reply) else reply

    def _usage(self, messages: Sequence[ChatMessage], text: str) -> Usage:
        return Usage(
            prompt_tokens=count_chat_tokens([m.content for m in messages]),
            completion_tokens=count_tokens(text),
        )

    def _chat(self, messages: Sequence[ChatMessage], sampling: Sampling) -> Completion:
        text = self._next(messages)
        return Completion(
            text=text, usage=self._usage(messages, text), model="fake", finish_reason="stop"
        )

    def _structured(
        self, messages: Sequence[ChatMessage], schema: type[T], sampling: Sampling
    ) -> Structured[T]:
        text = self._next(messages)
        try:
            value = schema.model_validate_json(text)
        except ValueError as exc:
            raise ProviderResponseInvalid(
                f"fake reply does not match {schema.__name__}", details={"raw": text[:500]}
            ) from exc
        return Structured[T](value=value, usage=self._usage(messages, text), model="fake", raw=text)
