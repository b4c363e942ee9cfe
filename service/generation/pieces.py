"""The small pieces a small model is trusted with, under a tight grammar: a hook line of at
most N characters, one sentence shortened to at most N characters. Each call is bounded by a
JSON schema whose string length is the limit, so the model cannot run on; the composer checks
what comes back and uses a deterministic piece when it fails (service/generation/composer.py).
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, create_model

from service.errors import Invalid, ProviderResponseInvalid, ProviderUnavailable
from service.generation.language import NAMES
from service.generation.prompts import load_prompt
from service.providers.llm import LLM, Usage

# A piece is a line: a few tokens per word, and a margin for the JSON around it.
_TOKENS_PER_CHAR = 0.5
_JSON_TOKENS = 12


@lru_cache(maxsize=64)
def _bounded(field: str, max_chars: int) -> type[BaseModel]:
    spec = {field: (str, Field(min_length=3, max_length=max_chars))}
    model: type[BaseModel] = create_model(
        f"Piece_{field}_{max_chars}",
        __config__=ConfigDict(extra="forbid"),
        **spec,  # type: ignore[call-overload]
    )
    return model


class ModelPieces:
    """Asks the model for pieces and keeps count of the calls and tokens they cost."""

    def __init__(self, llm: LLM, asked: frozenset[str] = frozenset({"hook", "shorten"})) -> None:
        self.llm = llm
        self.asked = asked  # the pieces this model is trusted with (its capability profile)
        self.usage = Usage()
        self.calls = 0
        self.prompts: list[str] = []

    def _ask(self, name: str, field: str, max_chars: int, **values: str) -> str | None:
        template = load_prompt(name)
        messages = template.messages(**values, max_chars=str(max_chars))
        schema = _bounded(field, max_chars)
        self.calls += 1
        self.prompts.append(template.key)
        try:
            result = self.llm.chat_structured(
                messages,
                schema,
                max_tokens=int(max_chars * _TOKENS_PER_CHAR) + _JSON_TOKENS,
                temperature=0.2,
            )
        except (ProviderResponseInvalid, ProviderUnavailable, Invalid):
            return None  # a piece that did not come is replaced, like one that failed its check
        self.usage = self.usage + result.usage
        value = getattr(result.value, field, "")
        return str(value).strip() or None

    def hook(self, source: str, language: str, max_chars: int, angle: str) -> str | None:
        if "hook" not in self.asked:
            return None
        return self._ask(
            "piece_hook", "line", max_chars,
            language_name=NAMES[language], angle=angle, source=source,
        )  # fmt: skip

    def shorten(self, sentence: str, language: str, max_chars: int) -> str | None:
        if "shorten" not in self.asked:
            return None
        return self._ask(
            "piece_shorten", "text", max_chars, language_name=NAMES[language], sentence=sentence
        )


class AskedPieces(ModelPieces):
    """The pieces a composition asks for, rendered but never sent: what a month's estimate
    counts for a composing model (no piece asked, no call)."""

    def __init__(self, llm: LLM, asked: frozenset[str]) -> None:
        super().__init__(llm, asked)
        self.asked_prompts: list[tuple[list[str], int]] = []  # (message texts, max tokens)

    def _ask(self, name: str, field: str, max_chars: int, **values: str) -> str | None:
        template = load_prompt(name)
        messages = template.messages(**values, max_chars=str(max_chars))
        self.calls += 1
        self.prompts.append(template.key)
        bound = int(max_chars * _TOKENS_PER_CHAR) + _JSON_TOKENS
        self.asked_prompts.append(([m.content for m in messages], bound))
        return None  # as a piece that did not come: the composer's rule-made piece stands
