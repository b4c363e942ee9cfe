"""Prompt tokens (tiktoken cl100k_base) per variant on the dev eval cases — the real first
prompt with the real retrieved examples, rendered without calling a model — and the cost per
100 variants/drafts at the price table's prices. Completion tokens and attempts per variant come
from the committed eval recording (the embedded model's run), so the estimate includes repairs.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evals.cases import default_case_files, load_cases
from evals.library import ensure_library
from evals.runner import read_recording
from service.container import Services
from service.generation.variants import VariantRequest
from service.providers.embeddings import LocalE5Embedder
from service.providers.prices import estimate_cost
from service.providers.tokens import count_chat_tokens
from service.settings import Settings

RECORDING = Path(__file__).resolve().parent.parent / "evals" / "recordings" / "gemma3-270m"
MODELS = ("gpt-4o-mini", "gpt-4.1-mini", "gpt-4o")


def main() -> None:
    cases = [c for f in default_case_files() for c in load_cases(f)]
    if not cases:
        print("no eval cases found: set GJENBRUK_SHARED_DATA")
        return
    settings = Settings(data_dir=Path(tempfile.mkdtemp()), llm="local", embeddings="local")
    services = Services(settings, embedder=LocalE5Embedder(threads=2))
    for ws in dict.fromkeys(c.workspace for c in cases):
        ensure_library(services, ws, default_case_files()[0].parent.parent / ws)
    tokens: list[int] = []
    for case in cases:
        known = [s for s in case.target_surfaces if s in services.variants.catalog.surfaces]
        req = VariantRequest(workspace=case.workspace, text=case.source.text, surfaces=known)
        for messages in services.variants.prompts(req).values():
            tokens.append(count_chat_tokens([m.content for m in messages]))
    rec = [o for o in read_recording(RECORDING).outputs if o.attempts]
    attempts = statistics.mean(o.attempts for o in rec)
    completion = statistics.mean(o.completion_tokens / o.attempts for o in rec)
    first = statistics.mean(tokens)
    p95 = sorted(tokens)[int(0.95 * (len(tokens) - 1))]
    per_variant_in = first * attempts
    per_variant_out = completion * attempts
    print(f"{len(tokens)} variant prompts from {len(cases)} dev cases")
    print(f"  first prompt: mean {first:.0f} tokens, p95 {p95}, max {max(tokens)}")
    print(
        f"  measured per variant (embedded model run): {attempts:.2f} attempts, "
        f"{completion:.0f} completion tokens per attempt"
    )
    print(
        f"  per variant incl. repairs: {per_variant_in:.0f} in + {per_variant_out:.0f} out tokens"
    )
    print("  (a month-plan draft uses the same prompt and checks: same figures per draft)")
    for model in MODELS:
        cost = estimate_cost(model, round(100 * per_variant_in), round(100 * per_variant_out))
        print(f"  cost per 100 variants/drafts at {model} list price: ${cost.usd:.4f}")
    services.close()


if __name__ == "__main__":
    main()
