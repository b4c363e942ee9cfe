"""Local model generation speed: tokens/s through the product's provider (LocalLlamaLLM.chat,
and chat_structured with a JSON-schema grammar) vs llama-cpp-python alone on the same model
file, threads, context and prompt. Prints both and the ratio (near 1: the provider adds
nothing). Uses the configured local model (GJENBRUK_LOCAL_MODEL, default gemma3-270m)."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pydantic import BaseModel, Field

from service.providers.llm import ChatMessage
from service.providers.llm_local import LocalLlamaLLM
from service.settings import Settings

MAX_TOKENS = 128
ROUNDS = 3
MESSAGES = [
    ChatMessage(role="system", content="Du skriver korte innlegg for en restaurant i Egersund."),
    ChatMessage(
        role="user",
        content="Skriv et Facebook-innlegg om blåskjell i hvitvin til 229 kr. Bord: sjobua.no.",
    ),
]


class Post(BaseModel):
    text: str = Field(max_length=200)  # bounded in the grammar, so it ends within the budget


def main() -> None:
    settings = Settings(data_dir=Path(tempfile.mkdtemp()), llm="local", embeddings="local")
    llm = LocalLlamaLLM.from_settings(settings)
    llm.chat(MESSAGES, max_tokens=8)  # load the model outside the timing

    def product() -> tuple[int, float]:
        t0 = time.perf_counter()
        out = llm.chat(MESSAGES, max_tokens=MAX_TOKENS, temperature=0.7)
        return out.usage.completion_tokens, time.perf_counter() - t0

    def structured() -> tuple[int, float]:
        t0 = time.perf_counter()
        out = llm.chat_structured(MESSAGES, Post, max_tokens=2 * MAX_TOKENS)
        return out.usage.completion_tokens, time.perf_counter() - t0

    from llama_cpp import Llama

    raw = Llama(
        model_path=str(llm.model_path),
        n_ctx=settings.local_context,
        n_threads=settings.local_threads,
        n_threads_batch=settings.local_threads,
        seed=settings.local_seed,
        verbose=False,
    )
    payload: list[Any] = [m.model_dump() for m in MESSAGES]

    def alone() -> tuple[int, float]:
        t0 = time.perf_counter()
        out = raw.create_chat_completion(messages=payload, max_tokens=MAX_TOKENS, temperature=0.7)
        return int(out["usage"]["completion_tokens"]), time.perf_counter() - t0  # type: ignore[index]

    def rate(fn: object) -> float:
        tokens = seconds = 0.0
        for _ in range(ROUNDS):
            n, s = fn()  # type: ignore[operator]
            tokens, seconds = tokens + n, seconds + s
        return tokens / seconds

    ours, plain, schema = rate(product), rate(alone), rate(structured)
    print(
        f"model: {llm.model_name}, threads {settings.local_threads}, {ROUNDS}×{MAX_TOKENS} tokens"
    )
    print(f"  product chat:            {ours:6.1f} tokens/s")
    print(
        f"  llama-cpp-python alone:  {plain:6.1f} tokens/s   ratio product/alone {ours / plain:.2f}"
    )
    ratio = schema / plain
    print(f"  product structured JSON: {schema:6.1f} tokens/s   ratio structured/alone {ratio:.2f}")


if __name__ == "__main__":
    main()
