"""Text-similarity and diversity metrics, Norwegian-safe.

Tokenisation keeps æ, ø and å (rouge-score's default tokenizer drops them, so it is not used).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import combinations

from sacrebleu.metrics.bleu import BLEU
from sacrebleu.metrics.chrf import CHRF

_WORD = re.compile(r"\w+", re.UNICODE)
_chrf = CHRF()
# effective_order: short social texts often lack 4-gram matches; plain BLEU would be 0.
_bleu = BLEU(effective_order=True)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def ngrams(tokens: Sequence[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def chrf(hypothesis: str, reference: str) -> float:
    """chrF (0-100). Against the source: near 100 means copied, not adapted."""
    return float(_chrf.sentence_score(hypothesis, [reference]).score)


def max_chrf(hypothesis: str, references: Sequence[str]) -> float:
    return max((chrf(hypothesis, r) for r in references), default=0.0)


def shared_ngrams(hypothesis: str, reference: str, n: int = 8) -> int:
    """Word n-grams the output shares with a reference: long runs mean copying."""
    return len(set(ngrams(words(hypothesis), n)) & set(ngrams(words(reference), n)))


def self_bleu(texts: Sequence[str]) -> float | None:
    """Mean BLEU of each text against the others (0-100); high means the texts repeat each other."""
    if len(texts) < 2:
        return None
    scores = [
        _bleu.sentence_score(t, [o for j, o in enumerate(texts) if j != i]).score
        for i, t in enumerate(texts)
    ]
    return float(sum(scores) / len(scores))


def distinct_n(texts: Sequence[str], n: int) -> float | None:
    """Unique n-grams / all n-grams across the texts (1.0 = nothing repeated)."""
    grams = [g for t in texts for g in ngrams(words(t), n)]
    return len(set(grams)) / len(grams) if grams else None


def _shingles(text: str, k: int = 5) -> set[str]:
    flat = " ".join(words(text))
    return {flat[i : i + k] for i in range(max(1, len(flat) - k + 1))}


def jaccard(a: str, b: str) -> float:
    sa, sb = _shingles(a), _shingles(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 1.0


def near_duplicate_rate(texts: Sequence[str], threshold: float = 0.7) -> float | None:
    """Share of texts that have a near-duplicate (character 5-gram Jaccard ≥ threshold)."""
    if len(texts) < 2:
        return None
    dup: set[int] = set()
    for i, j in combinations(range(len(texts)), 2):
        if jaccard(texts[i], texts[j]) >= threshold:
            dup |= {i, j}
    return len(dup) / len(texts)
