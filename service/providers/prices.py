"""Cost estimates from the price table in data, overridable by settings."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

_PRICES_FILE = Path(__file__).resolve().parent.parent / "data" / "prices.yaml"


class Price(BaseModel):
    input: float
    output: float


class CostEstimate(BaseModel):
    model: str
    prompt_tokens: int
    completion_tokens: int
    usd: float
    priced: bool


@lru_cache(maxsize=1)
def _table() -> dict[str, Price]:
    raw: dict[str, Any] = yaml.safe_load(_PRICES_FILE.read_text(encoding="utf-8"))
    return {name: Price(**p) for name, p in raw["models"].items()}


def estimate_cost(
    model: str,
    prompt_tokens: int,
    completion_tokens: int,
    overrides: dict[str, dict[str, float]] | None = None,
) -> CostEstimate:
    table = dict(_table())
    for name, p in (overrides or {}).items():
        table[name] = Price(**p)
    price = table.get(model)
    if price is None:
        # Local and unknown self-hosted models: no per-token price; say so rather than guess.
        return CostEstimate(
            model=model,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            usd=0.0,
            priced=False,
        )
    usd = (prompt_tokens * price.input + completion_tokens * price.output) / 1_000_000
    return CostEstimate(
        model=model,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        usd=round(usd, 6),
        priced=True,
    )
