"""Pick grounding examples: the workspace's own posts most like the source that also performed
well on their channel, fitted into a token budget (domain.md §7: reuse what works)."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel

from service.domain import Channel, Post
from service.library.performance import engagement_rate
from service.providers.tokens import count_tokens
from service.providers.vectors import VectorHit, VectorStore

# How much weight performance gets against similarity when ranking candidates.
PERFORMANCE_WEIGHT = 0.5
# Drafts people approved (service/learning stores them in the same collection, kind
# "approved_draft") have no audience numbers yet; a person's yes stands in for them, ranked like a
# post in the channel's top quarter, and an edited one (the editor's own words) like a top post.
APPROVED_DRAFT_KIND = "approved_draft"
APPROVED_STANDING = 0.75
EDITED_STANDING = 0.95
ExampleKind = Literal["post", "approved_draft", "edited_draft"]


class Example(BaseModel):
    post_id: str
    channel: str
    text: str
    similarity: float
    engagement_rate: float | None
    performance_percentile: float | None
    score: float
    tokens: int
    kind: ExampleKind = "post"


def _percentiles(posts: Sequence[Post]) -> dict[str, float]:
    """Each post's engagement-rate percentile among its own channel's posts (0..1)."""
    by_channel: dict[Channel, list[float]] = defaultdict(list)
    for p in posts:
        rate = engagement_rate(p)
        if rate is not None:
            by_channel[p.channel].append(rate)
    for rates in by_channel.values():
        rates.sort()
    out: dict[str, float] = {}
    for p in posts:
        rate = engagement_rate(p)
        rates = by_channel.get(p.channel, [])
        if rate is not None and len(rates) > 1:
            out[p.id] = bisect_left(rates, rate) / (len(rates) - 1)
    return out


def select_examples(
    store: VectorStore,
    workspace: str,
    source_text: str,
    posts: Sequence[Post],
    *,
    prefer_channel: Channel | None = None,
    prefer_category: str | None = None,
    exclude_ids: Sequence[str] = (),
    budget_tokens: int = 600,
    max_examples: int = 3,
    candidates: int = 20,
    source_weights: dict[str, float] | None = None,
) -> list[Example]:
    """`source_weights` (service/learning reuse): a post whose earlier reuses outperformed the
    channel gets a weight above 1 and ranks higher as an example, one whose reuses flopped
    below 1 and lower."""
    by_id = {p.id: p for p in posts}
    percentile = _percentiles(posts)
    hits = store.query(workspace, source_text, k=candidates)
    # E5 similarities crowd into a narrow band (~0.75-0.9); rescaled within the candidates they
    # can be weighed against performance without performance drowning relevance.
    sims = [h.similarity for h in hits]
    low, span = (min(sims), (max(sims) - min(sims)) or 1.0) if sims else (0.0, 1.0)
    ranked: list[Example] = []
    for hit in hits:
        if hit.metadata.get("kind") == APPROVED_DRAFT_KIND:
            approved = _approved(hit, low, span, source_text, exclude_ids, prefer_channel)
            if approved is not None:
                ranked.append(approved)
            continue
        post = by_id.get(str(hit.metadata.get("post_id", "")))
        if post is None or post.id in exclude_ids or post.text.strip() == source_text.strip():
            continue
        pct = percentile.get(post.id)
        relevance = (hit.similarity - low) / span
        score = relevance + PERFORMANCE_WEIGHT * (pct if pct is not None else 0.25)
        if prefer_channel is not None and post.channel == prefer_channel:
            score += 0.1  # same channel: its style fits the target best
        if prefer_category is not None and post.category == prefer_category:
            score += 0.5  # a month plan's draft is grounded in its category's best posts
        if source_weights and post.id in source_weights:
            score += PERFORMANCE_WEIGHT * (source_weights[post.id] - 1.0)
        ranked.append(
            Example(
                post_id=post.id,
                channel=post.channel.value,
                text=post.text,
                similarity=round(hit.similarity, 4),
                engagement_rate=engagement_rate(post),
                performance_percentile=None if pct is None else round(pct, 3),
                score=round(score, 4),
                tokens=count_tokens(post.text),
            )
        )
    ranked.sort(key=lambda e: e.score, reverse=True)
    chosen: list[Example] = []
    used = 0
    for example in ranked:
        if len(chosen) == max_examples:
            break
        if used + example.tokens > budget_tokens:
            continue  # a shorter, lower-ranked example may still fit
        chosen.append(example)
        used += example.tokens
    return chosen


def _approved(
    hit: VectorHit,
    low: float,
    span: float,
    source_text: str,
    exclude_ids: Sequence[str],
    prefer_channel: Channel | None,
) -> Example | None:
    draft_id = str(hit.metadata.get("draft_id", ""))
    if not draft_id or draft_id in exclude_ids or hit.text.strip() == source_text.strip():
        return None
    edited = bool(hit.metadata.get("edited"))
    channel = str(hit.metadata.get("channel", ""))
    standing = EDITED_STANDING if edited else APPROVED_STANDING
    score = (hit.similarity - low) / span + PERFORMANCE_WEIGHT * standing
    if prefer_channel is not None and channel == prefer_channel.value:
        score += 0.1
    return Example(
        post_id=draft_id,
        channel=channel,
        text=hit.text,
        similarity=round(hit.similarity, 4),
        engagement_rate=None,
        performance_percentile=None,
        score=round(score, 4),
        tokens=count_tokens(hit.text),
        kind="edited_draft" if edited else "approved_draft",
    )


def render_examples(examples: Sequence[Example]) -> str:
    """Delimited and labelled: examples are data for style, never instructions."""
    if not examples:
        return "(ingen)"
    return "\n".join(
        f'<eksempel id="{e.post_id}" kanal="{e.channel}">\n{e.text}\n</eksempel>' for e in examples
    )
