"""The embedded LLM: a GGUF file shipped in a PyPI package, run in-process by llama-cpp-python."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from service.errors import ConfigurationError, Invalid, ProviderResponseInvalid
from service.providers.llm import LLM, ChatMessage, Completion, Sampling, Structured, T, Usage
from service.providers.local_models import resolve_model_path

if TYPE_CHECKING:
    from llama_cpp import Llama

    from service.settings import Settings

# Small models loop; a mild penalty keeps them from repeating a line forever.
_REPEAT_PENALTY = 1.15
# llama.cpp expands a string's maxLength into that many grammar repetitions; past a few hundred
# it refuses the grammar ("exceeds sane defaults") and then crashes while sampling. Longer
# bounds are left to max_tokens and to pydantic validation of the answer.
_GRAMMAR_MAX_LENGTH = 200


def grammar_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The JSON schema with string bounds llama.cpp's grammar compiler can take."""

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out = {k: walk(v) for k, v in node.items()}
            if isinstance(out.get("maxLength"), int) and out["maxLength"] > _GRAMMAR_MAX_LENGTH:
                del out["maxLength"]
            return out
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return cast(dict[str, Any], walk(schema))


class LocalLlamaLLM(LLM):
    def __init__(self, model_path: Path, *, name: str, threads: int, context: int, seed: int):
        self._path = model_path
        self._name = name
        self._threads = threads
        self._context = context
        self._seed = seed
        self._llama: Llama | None = None
        # One llama context serves one request at a time.
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalLlamaLLM:
        path, spec = resolve_model_path(settings.local_model, settings.data_dir / "models")
        return cls(
            path,
            name=spec.name if spec else path.stem,
            threads=settings.local_threads,
            context=settings.local_context,
            seed=settings.local_seed,
        )

    @property
    def model_name(self) -> str:
        return self._name

    @property
    def provider(self) -> str:
        return "local"

    @property
    def model_path(self) -> Path:
        return self._path

    def _model(self) -> Llama:
        if self._llama is None:
            try:
                from llama_cpp import Llama
            except ImportError as exc:  # pragma: no cover - install problem
                raise ConfigurationError(
                    "llama-cpp-python is not installed; run `make install` "
                    '(it builds with CMAKE_ARGS="-DGGML_NATIVE=OFF")'
                ) from exc
            self._llama = Llama(
                model_path=str(self._path),
                n_ctx=self._context,
                n_threads=self._threads,
                n_threads_batch=self._threads,
                seed=self._seed,
                verbose=False,
            )
        return self._llama

    def _run(self, call: Callable[[Llama], Any]) -> dict[str, Any]:
        with self._lock:
            try:
                result = call(self._model())
            except ValueError as exc:
                # llama-cpp raises ValueError when the prompt exceeds the context window.
                raise Invalid(f"prompt does not fit the local model: {exc}") from exc
        return cast(dict[str, Any], result)

    def _create_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> dict[str, Any]:
        payload: list[Any] = [m.model_dump() for m in messages]
        return self._run(
            lambda llama: llama.create_chat_completion(
                messages=payload, repeat_penalty=_REPEAT_PENALTY, **kwargs
            )
        )

    @staticmethod
    def _usage(result: dict[str, Any]) -> Usage:
        usage = result.get("usage") or {}
        return Usage(
            prompt_tokens=int(usage.get("prompt_tokens", 0)),
            completion_tokens=int(usage.get("completion_tokens", 0)),
        )

    def _completion(self, result: dict[str, Any], text: str | None) -> Completion:
        return Completion(
            text=(text or "").strip(),
            usage=self._usage(result),
            model=self._name,
            finish_reason=result["choices"][0].get("finish_reason"),
        )

    def _chat(self, messages: Sequence[ChatMessage], sampling: Sampling) -> Completion:
        result = self._create_chat(messages, **sampling.model_dump())
        return self._completion(result, result["choices"][0]["message"].get("content"))

    def _structured(
        self, messages: Sequence[ChatMessage], schema: type[T], sampling: Sampling
    ) -> Structured[T]:
        # A JSON-schema grammar constrains sampling; bounded string lengths in the schema keep
        # the answer inside max_tokens, and a cut-off answer (finish_reason "length") is refused.
        result = self._create_chat(
            messages,
            max_tokens=sampling.max_tokens,
            temperature=sampling.temperature,
            response_format={
                "type": "json_object",
                "schema": grammar_schema(schema.model_json_schema()),
            },
        )
        choice = result["choices"][0]
        raw = choice["message"].get("content") or ""
        if choice.get("finish_reason") != "stop":
            raise ProviderResponseInvalid(
                "the local model stopped before finishing its JSON "
                f"({choice.get('finish_reason')})",
                details={"raw": raw[-300:]},
            )
        try:
            value = schema.model_validate(json.loads(raw))
        except ValueError as exc:
            raise ProviderResponseInvalid(
                f"the local model's answer does not match {schema.__name__}: {exc}",
                details={"raw": raw[:500]},
            ) from exc
        return Structured[T](value=value, usage=self._usage(result), model=self._name, raw=raw)

    def _complete(self, prompt: str, sampling: Sampling) -> Completion:
        result = self._run(
            lambda llama: llama.create_completion(
                prompt, repeat_penalty=_REPEAT_PENALTY, **sampling.model_dump()
            )
        )
        return self._completion(result, result["choices"][0].get("text"))
