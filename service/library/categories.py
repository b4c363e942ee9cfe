"""Classify posts into the workspace's content categories by meaning.

Each category has a few descriptive sentences (service/data/categories.yaml); a post goes to the
category whose description is nearest in the embedding space. Posts a person has categorised
become extra examples (nearest-neighbour vote), so corrections improve the rest.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import BaseModel

from service.providers.embeddings import Embedder

_FILE = Path(__file__).resolve().parents[1] / "data" / "categories.yaml"
TEMPERATURE = 0.02  # E5 similarities are close together; a low temperature spreads them
CORRECTION_WEIGHT = 0.5  # measured on the dev sets: 3 corrections/category lift 54 % -> 64 %
MIN_BATCH_FOR_CENTERING = 20


@lru_cache(maxsize=1)
def default_descriptions() -> dict[str, list[str]]:
    raw: dict[str, Any] = yaml.safe_load(_FILE.read_text(encoding="utf-8"))
    out = {str(k): list(v) for k, v in raw["categories"].items()}
    bad = [k for k, texts in out.items() if not all(isinstance(t, str) for t in texts)]
    if bad:  # an unquoted ": " in YAML turns a sentence into a mapping
        raise ValueError(f"{_FILE.name}: descriptions of {bad} must be plain strings")
    return out


class Classification(BaseModel):
    category: str
    confidence: float


def _unit(m: np.ndarray) -> np.ndarray:
    out: np.ndarray = m / np.maximum(np.linalg.norm(m, axis=-1, keepdims=True), 1e-9)
    return out


def _centered(scores: np.ndarray) -> np.ndarray:
    """Remove each category's average pull: some descriptions sit closer to everything."""
    if len(scores) < MIN_BATCH_FOR_CENTERING:
        return scores
    out: np.ndarray = scores - scores.mean(axis=0, keepdims=True)
    return out


class CategoryClassifier:
    """Descriptions are embedded as E5 queries and posts as passages, the model's intended use.

    Classify a whole workspace at once: with 20+ posts the scores are centred per category,
    which removed most of the bias towards one category (38 % -> 54 % zero-shot on dev data).
    """

    def __init__(
        self,
        embedder: Embedder,
        categories: Sequence[str],
        *,
        labelled: Sequence[tuple[Sequence[float], str]] = (),
    ) -> None:
        descriptions = default_descriptions()
        self.categories = list(categories)
        rows: list[list[float]] = []
        owners: list[int] = []
        for i, name in enumerate(self.categories):
            for text in descriptions.get(name) or [name]:
                rows.append(embedder.embed_query(text))
                owners.append(i)
        self._protos = _unit(np.asarray(rows, dtype=np.float32))
        self._owners = np.asarray(owners)
        known = [(list(v), self.categories.index(c)) for v, c in labelled if c in self.categories]
        self._labelled = (
            _unit(np.asarray([v for v, _ in known], dtype=np.float32)) if known else None
        )
        self._labels = np.asarray([c for _, c in known])

    def _per_category(self, sims: np.ndarray, owners: np.ndarray) -> np.ndarray:
        cols = []
        for i in range(len(self.categories)):
            mask = owners == i
            cols.append(sims[:, mask].max(axis=1) if mask.any() else np.full(len(sims), np.nan))
        return np.stack(cols, axis=1)

    def classify(self, vectors: Sequence[Sequence[float]]) -> list[Classification]:
        if not vectors:
            return []
        posts = _unit(np.asarray(vectors, dtype=np.float32))
        scores = _centered(self._per_category(posts @ self._protos.T, self._owners))
        if self._labelled is not None:
            near = self._per_category(posts @ self._labelled.T, self._labels)
            near = _centered(np.nan_to_num(near, nan=float(np.nanmin(near))))
            scores = scores + CORRECTION_WEIGHT * near
        out = []
        for row in scores:
            z = np.exp((row - row.max()) / TEMPERATURE)
            probs = z / z.sum()
            best = int(row.argmax())
            out.append(
                Classification(
                    category=self.categories[best], confidence=round(float(probs[best]), 4)
                )
            )
        return out


def accuracy(predicted: Sequence[str], truth: Sequence[str]) -> float:
    pairs = [(p, t) for p, t in zip(predicted, truth, strict=True) if t]
    return sum(p == t for p, t in pairs) / len(pairs) if pairs else math.nan
