"""Small statistics shared by analytics and evals."""

from __future__ import annotations

import random
import statistics
from collections.abc import Sequence

from pydantic import BaseModel


class Interval(BaseModel):
    n: int
    mean: float | None
    low: float | None
    high: float | None


def bootstrap(
    values: Sequence[float], *, resamples: int = 2000, alpha: float = 0.05, seed: int = 11
) -> Interval:
    """Mean with a percentile bootstrap interval; deterministic for a given seed."""
    vals = [float(v) for v in values]
    if not vals:
        return Interval(n=0, mean=None, low=None, high=None)
    mean = sum(vals) / len(vals)
    if len(vals) == 1:
        return Interval(n=1, mean=mean, low=mean, high=mean)
    rng = random.Random(seed)
    means = sorted(sum(rng.choices(vals, k=len(vals))) / len(vals) for _ in range(resamples))
    lo = means[int((alpha / 2) * (resamples - 1))]
    hi = means[int((1 - alpha / 2) * (resamples - 1))]
    return Interval(n=len(vals), mean=mean, low=lo, high=hi)


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None
