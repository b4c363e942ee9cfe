"""The brand voice as structure a person edits, pre-filled from the workspace's best posts."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service.learning import text as tx


class VoiceStats(BaseModel):
    """What the analysis measured, shown beside the proposed voice so a person can judge it."""

    # Strict: numbers measured, never strings coerced into numbers on the way back in.
    model_config = ConfigDict(extra="forbid", strict=True)

    posts: int
    emoji_per_post: float
    share_with_emoji: float
    hashtags_per_post: float
    median_chars: int
    exclamations_per_post: float
    first_person: dict[str, int]


class BrandVoice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tone_words: list[str] = Field(default_factory=list, max_length=12)
    words_to_avoid: list[str] = Field(default_factory=list)
    words_we_use: list[str] = Field(default_factory=list)
    emoji_policy: Literal["none", "sparse", "ok"] = "sparse"
    max_emoji: int | None = Field(default=None, ge=0, strict=True)
    hashtag_policy: Literal["none", "few", "many"] = "few"
    max_hashtags: int | None = Field(default=None, ge=0, strict=True)
    formality: Literal["informal", "neutral", "formal"] = "neutral"
    address: Literal["du", "dere", "mixed"] = "du"
    first_person: Literal["vi", "me", "jeg", "eg", "mixed"] = "vi"
    written_standard: Literal["bokmål", "nynorsk"] = "bokmål"
    sign_offs: list[str] = Field(default_factory=list)
    # Numbers strict: `false` is not 0 characters.
    typical_chars: int | None = Field(default=None, ge=0, strict=True)
    note: str = ""
    stats: VoiceStats | None = None

    def prompt_text(self, lang: str) -> str:
        """The voice as prompt lines; caps and words to avoid are also enforced by rules."""
        nb = lang in ("nb", "nn", "no")
        out: list[str] = []
        if self.tone_words:
            out.append("Tone: " + ", ".join(self.tone_words))
        if self.words_we_use:
            out.append(
                ("Ord vi bruker: " if nb else "Words we use: ") + ", ".join(self.words_we_use)
            )
        if self.words_to_avoid:
            out.append(("Unngå: " if nb else "Avoid: ") + ", ".join(self.words_to_avoid))
        out.append(
            f"Tiltal leseren med «{self.address}»."
            if nb
            else f"Address the reader as '{self.address}'."
        )
        out.append(f"Skriv {self.written_standard}." if nb else f"Write {self.written_standard}.")
        if self.note.strip():
            out.append(self.note.strip())
        return "\n".join(f"- {line}" for line in out)


# Word lists for the measurable voice choices; the rest (tone words) are a person's to choose.
_FIRST = {"vi": "vi", "me": "me", "jeg": "jeg", "eg": "eg"}
_DU = {"du", "deg", "din", "ditt", "dine"}
_DERE = {"dere", "dykk", "dykkar"}
_NYNORSK = {"ikkje", "eg", "kva", "korleis", "frå", "berre", "dykk", "heile", "noko", "mykje"}
_BOKMAL = {"ikke", "jeg", "hva", "hvordan", "fra", "bare", "hele", "noe", "mye"}


def _policy(rate: float, share: float) -> Literal["none", "sparse", "ok"]:
    if share < 0.1:
        return "none"
    return "ok" if rate >= 1.5 else "sparse"


def analyse_voice(posts: Sequence[str], *, sign_off_min: int = 2) -> BrandVoice:
    """A proposed voice from post texts (pass the workspace's best posts, best first)."""
    texts = [t for t in posts if t.strip()]
    if not texts:
        raise ValueError("analyse_voice needs at least one post with text")
    n = len(texts)
    emoji_counts = [len(tx.emojis(t)) for t in texts]
    tag_counts = [len(tx.hashtags(t)) for t in texts]
    bangs = [tx.exclamations(t) for t in texts]
    words = Counter(w for t in texts for w in tx.words(t))
    first = {k: words[k] for k in _FIRST}
    rate = sum(emoji_counts) / n
    share = sum(1 for c in emoji_counts if c) / n
    tags = sum(tag_counts) / n
    closings = Counter(tx.last_line(t) for t in texts if tx.last_line(t))
    sign_offs = [line for line, c in closings.most_common(3) if c >= sign_off_min]
    du, dere = sum(words[w] for w in _DU), sum(words[w] for w in _DERE)
    nyn, bok = sum(words[w] for w in _NYNORSK), sum(words[w] for w in _BOKMAL)
    top_first = max(first, key=lambda k: first[k])
    used = sorted(first.values(), reverse=True)
    return BrandVoice(
        emoji_policy=_policy(rate, share),
        max_emoji=round(statistics.quantiles(emoji_counts, n=10)[-1]) if n > 1 else emoji_counts[0],
        hashtag_policy="none" if tags < 0.5 else ("few" if tags <= 5 else "many"),
        max_hashtags=round(statistics.median(tag_counts)) if tags >= 0.5 else 0,
        formality="informal" if sum(bangs) / n >= 1 else "neutral",
        address="mixed"
        if du and dere and min(du, dere) > 0.3 * max(du, dere)
        else ("dere" if dere > du else "du"),
        first_person="mixed" if used[1] > 0.5 * used[0] else top_first,
        written_standard="nynorsk" if nyn > bok else "bokmål",
        sign_offs=sign_offs,
        typical_chars=int(statistics.median(len(t) for t in texts)),
        stats=VoiceStats(
            posts=n,
            emoji_per_post=round(rate, 2),
            share_with_emoji=round(share, 2),
            hashtags_per_post=round(tags, 2),
            median_chars=int(statistics.median(len(t) for t in texts)),
            exclamations_per_post=round(sum(bangs) / n, 2),
            first_person=first,
        ),
    )
