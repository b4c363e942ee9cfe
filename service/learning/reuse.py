"""Close the loop: find published posts that came from exported drafts, and measure how they did.

Linking prefers the exact reference the export wrote: the draft id as `utm_content` on a link in
the published text or permalink (service/planning/exports.py tags every exported link). Only
drafts no reference found are paired by text similarity within a time window after export, one
post per draft, best pairs first, so an edit on the way (a word changed, a hashtag dropped)
still links.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import urllib.parse
from collections import defaultdict
from collections.abc import Sequence
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from service.learning import text as tx


class ExportedDraft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    draft_id: str
    channel: str
    surface: str = ""
    text: str
    exported_at: dt.datetime
    source_post_id: str | None = None
    ref: str | None = Field(default=None, description="the utm_content value the export wrote")
    by_text: bool = Field(
        default=True,
        description="may link by text similarity (else only by its reference: a draft exported "
        "before anyone approved it)",
    )


class PublishedPost(BaseModel):
    model_config = ConfigDict(extra="forbid")

    post_id: str
    channel: str
    text: str
    published_at: dt.datetime
    permalink: str = ""
    value: float | None = Field(
        default=None, description="the outcome compared, e.g. engagement rate"
    )


class ReuseLink(BaseModel):
    model_config = ConfigDict(extra="forbid")

    draft_id: str
    post_id: str
    channel: str
    source_post_id: str | None
    method: Literal["ref", "text"]
    similarity: float


class LinkConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_similarity: float = Field(default=0.6, gt=0, le=1)
    max_days: float = Field(default=45, gt=0)
    early_hours: float = Field(default=2, ge=0, description="clock skew allowed before export")


def similarity(a: str, b: str) -> float:
    """Word-sequence similarity in [0, 1], blind to case, emoji and hashtags."""

    def norm(t: str) -> list[str]:
        return tx.words(tx.HASHTAG.sub(" ", tx.URL.sub(" ", t)))

    wa, wb = norm(a), norm(b)
    if not wa or not wb:
        return 0.0
    return difflib.SequenceMatcher(a=wa, b=wb, autojunk=False).ratio()


# utm_content on any link, with or without its scheme ("eplehagen.no/jul?…&utm_content=…").
_UTM_CONTENT = re.compile(r"[?&]utm_content=([^&#\s<>\"]+)", re.IGNORECASE)


def refs_of(post: PublishedPost) -> set[str]:
    """The utm_content values on the links of a post's text and permalink."""
    out: set[str] = set()
    for raw in _UTM_CONTENT.findall(f"{post.text} {post.permalink}"):
        value = urllib.parse.unquote_plus(raw).strip().rstrip(".,;:!?)]}»”’'")
        if value:
            out.add(value)
    return out


def link_published(
    drafts: Sequence[ExportedDraft],
    posts: Sequence[PublishedPost],
    config: LinkConfig | None = None,
) -> list[ReuseLink]:
    cfg = config or LinkConfig()
    links: list[ReuseLink] = []
    used_d: set[str] = set()
    used_p: set[str] = set()
    by_ref: dict[tuple[str, str], list[PublishedPost]] = defaultdict(list)
    for p in posts:
        for ref in sorted(refs_of(p)):
            by_ref[(p.channel, ref)].append(p)
    for d in drafts:
        if not d.ref:
            continue
        for p in sorted(by_ref.get((d.channel, d.ref), []), key=lambda p: p.published_at):
            if p.post_id not in used_p:
                links.append(_link(d, p, "ref", 1.0))
                used_d.add(d.draft_id)
                used_p.add(p.post_id)
                break
    scored: list[tuple[float, int, int]] = []
    for i, d in enumerate(drafts):
        if d.draft_id in used_d or not d.by_text:
            continue
        start = d.exported_at - dt.timedelta(hours=cfg.early_hours)
        end = d.exported_at + dt.timedelta(days=cfg.max_days)
        for j, p in enumerate(posts):
            if p.channel != d.channel or p.post_id in used_p or p.post_id == d.source_post_id:
                continue
            if not start <= p.published_at <= end:
                continue
            s = similarity(d.text, p.text)
            if s >= cfg.min_similarity:
                scored.append((s, i, j))
    for s, i, j in sorted(scored, key=lambda x: (-x[0], x[1], x[2])):
        d, p = drafts[i], posts[j]
        if d.draft_id in used_d or p.post_id in used_p:
            continue
        links.append(_link(d, p, "text", round(s, 3)))
        used_d.add(d.draft_id)
        used_p.add(p.post_id)
    return links


def _link(
    d: ExportedDraft, p: PublishedPost, method: Literal["ref", "text"], s: float
) -> ReuseLink:
    return ReuseLink(
        draft_id=d.draft_id,
        post_id=p.post_id,
        channel=d.channel,
        source_post_id=d.source_post_id,
        method=method,
        similarity=s,
    )


class Group(BaseModel):
    model_config = ConfigDict(extra="forbid")

    n: int
    mean: float | None
    ci_low: float | None = None
    ci_high: float | None = None


class ChannelReuse(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: str
    reused: Group
    sources: Group
    baseline: Group
    lift_vs_baseline: float | None = Field(description="reused mean / baseline mean")
    lift_vs_source: float | None = Field(description="mean of reuse/source ratios, paired")


def _group(values: list[float], *, resamples: int, seed: int) -> Group:
    if not values:
        return Group(n=0, mean=None)
    arr = np.asarray(values, dtype=float)
    mean = float(arr.mean())
    if len(arr) < 2:
        return Group(n=1, mean=mean)
    # A percentile bootstrap of the mean: no normality assumed for skewed engagement numbers.
    rng = np.random.default_rng(seed)
    means = rng.choice(arr, size=(resamples, len(arr)), replace=True).mean(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    return Group(n=len(arr), mean=mean, ci_low=float(lo), ci_high=float(hi))


def reuse_report(
    links: Sequence[ReuseLink],
    posts: Sequence[PublishedPost],
    *,
    resamples: int = 2000,
    seed: int = 0,
) -> list[ChannelReuse]:
    """Per channel: the reused posts, their sources and the channel's other posts, compared.

    `posts` are all the workspace's posts with `value` set (sources included); a post without a
    value is left out of every group, never counted as zero."""
    by_id = {p.post_id: p for p in posts}
    reused_ids = {lk.post_id for lk in links}
    out: list[ChannelReuse] = []
    for channel in sorted({lk.channel for lk in links}):
        mine = [lk for lk in links if lk.channel == channel]
        reused = [v for lk in mine if (v := _value(by_id, lk.post_id)) is not None]
        src_ids = sorted({lk.source_post_id for lk in mine if lk.source_post_id})
        sources = [v for s in src_ids if (v := _value(by_id, s)) is not None]
        source_set = set(src_ids)
        baseline = [
            p.value
            for p in posts
            if p.channel == channel
            and p.value is not None
            and p.post_id not in reused_ids
            and p.post_id not in source_set
        ]
        ratios = [
            r / s
            for lk in mine
            if (r := _value(by_id, lk.post_id)) is not None
            and lk.source_post_id
            and (s := _value(by_id, lk.source_post_id))
        ]
        rg = _group(reused, resamples=resamples, seed=seed)
        bg = _group(baseline, resamples=resamples, seed=seed)
        out.append(
            ChannelReuse(
                channel=channel,
                reused=rg,
                sources=_group(sources, resamples=resamples, seed=seed),
                baseline=bg,
                lift_vs_baseline=rg.mean / bg.mean if rg.mean is not None and bg.mean else None,
                lift_vs_source=sum(ratios) / len(ratios) if ratios else None,
            )
        )
    return out


def _value(by_id: dict[str, PublishedPost], post_id: str) -> float | None:
    p = by_id.get(post_id)
    return p.value if p is not None else None


def source_scores(
    links: Sequence[ReuseLink], posts: Sequence[PublishedPost], *, prior: float = 2.0
) -> dict[str, float]:
    """Per source post: how its reuses did against their channel's baseline, shrunk toward 1.

    1.0 means no evidence either way; multiply a source's ranking score by it. The prior acts as
    `prior` reuses that did exactly as well as the baseline, so one lucky reuse
    does not dominate."""
    report = {r.channel: r for r in reuse_report(links, posts, resamples=1)}
    by_id = {p.post_id: p for p in posts}
    ratios: dict[str, list[float]] = defaultdict(list)
    for lk in links:
        base = report[lk.channel].baseline.mean
        v = _value(by_id, lk.post_id)
        if lk.source_post_id and v is not None and base:
            ratios[lk.source_post_id].append(v / base)
    return {s: (sum(r) + prior) / (len(r) + prior) for s, r in sorted(ratios.items())}


def precision_recall(found: Sequence[ReuseLink], truth: dict[str, str]) -> tuple[float, float]:
    """Linking quality against known (draft id -> post id) pairs."""
    hits = sum(1 for lk in found if truth.get(lk.draft_id) == lk.post_id)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(truth) if truth else 1.0
    return precision, recall
