"""Edits become rules: what editors changed, mined deterministically from edited approvals.

Each detector looks at one (generated, edited) pair and says, per candidate change, whether the
edit made it (+1), could have but did not or did the opposite (-1), or had nothing to say (None).
A rule is proposed for a surface or channel only when enough recent edits made the change and
they are a large enough share of the edits that could have: so conflicting edits cancel out.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from service.learning import text as tx
from service.learning.enforce import phrase_re
from service.learning.rules import Evidence, RuleKind, RuleSource, ScopeType, StyleRule


class EditPair(BaseModel):
    """An approved draft whose text a person changed before approving."""

    model_config = ConfigDict(extra="forbid")

    draft_id: str
    channel: str
    surface: str
    generated: str
    edited: str
    approved_at: dt.datetime


class MiningConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_edits: int = Field(default=3, ge=1, description="edits that must make the change")
    min_share: float = Field(default=0.6, gt=0, le=1, description="of the edits it could apply to")
    recent: int = Field(default=30, ge=1, description="newest edits per surface/channel looked at")
    shorten_ratio: float = Field(default=0.85, gt=0, lt=1, description="edited/generated length")
    max_phrase_words: int = Field(default=3, ge=1)
    max_evidence: int = Field(default=5, ge=1)


# Pronouns for "we": bokmål and most dialects write "vi", nynorsk and western dialects "me".
_WE = ("vi", "me")
_TOKEN = re.compile(r"#\w+|https?://\S+|\w+(?:[-']\w+)*|\S")
_WORDISH = re.compile(r"^[^\W\d_]+(?:[-'][^\W\d_]+)*$")

# A length budget only makes sense per surface: an ad and a blog intro have different lengths.
_SURFACE_ONLY = frozenset({RuleKind.length_budget})
Key = tuple[Any, ...]
Signals = dict[Key, int]


def _contains(text: str, phrase: str) -> bool:
    return bool(phrase_re(phrase).search(text))


def _phrase_edits(gen: str, edit: str, max_words: int) -> tuple[set[Key], set[Key]]:
    """(replacements, deletions) of short word phrases, case-insensitively."""
    a = [t.lower() for t in _TOKEN.findall(gen)]
    b = [t.lower() for t in _TOKEN.findall(edit)]
    reps: set[Key] = set()
    dels: set[Key] = set()
    sm = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        old, new = a[i1:i2], b[j1:j2]
        if not all(_WORDISH.match(t) for t in old + new):
            continue
        if op == "replace" and len(old) <= max_words and len(new) <= max_words:
            o, n = " ".join(old), " ".join(new)
            if {o, n} <= set(_WE):
                continue  # the first-person detector owns vi/me
            reps.add((RuleKind.replacement, o, n))
        elif op == "delete" and len(old) <= max_words:
            dels.add((RuleKind.forbidden_phrase, " ".join(old)))
    return reps, dels


def _prose_len(text: str) -> int:
    return len(tx.squash(tx.EMOJI.sub("", tx.HASHTAG.sub("", text))))


def _count_signal(g: int, e: int) -> int | None:
    """For a cap: +1 when the edit lowered the count, -1 when it could have or raised it."""
    if g == 0 and e == 0:
        return None
    return 1 if e < g else -1


def _signals(pair: EditPair, cands: Iterable[Key], cfg: MiningConfig) -> Signals:
    g, e = pair.generated, pair.edited
    out: Signals = {}

    def put(key: Key, value: int | None) -> None:
        if value is not None:
            out[key] = value

    put((RuleKind.emoji_cap,), _count_signal(len(tx.emojis(g)), len(tx.emojis(e))))
    put((RuleKind.hashtag_cap,), _count_signal(len(tx.hashtags(g)), len(tx.hashtags(e))))
    put((RuleKind.exclamation_cap,), _count_signal(tx.exclamations(g), tx.exclamations(e)))
    put((RuleKind.emoji_min,), 1 if len(tx.emojis(e)) > len(tx.emojis(g)) else -1)
    # Shortening is judged on the prose: dropping hashtags or emoji is their rule, not a budget.
    put((RuleKind.length_budget,), 1 if _prose_len(e) <= cfg.shorten_ratio * _prose_len(g) else -1)
    gw, ew = set(tx.words(g)), set(tx.words(e))
    for old, new in (_WE, _WE[::-1]):
        if old in gw:
            put((RuleKind.first_person, old, new), 1 if new in ew and old not in ew else -1)
    g_links = tx.urls(g)
    if g_links and not tx.last_line(g).endswith(g_links[-1]):
        e_links = tx.urls(e)
        put(
            (RuleKind.link_placement,),
            1 if e_links and tx.last_line(e).endswith(e_links[-1]) else -1,
        )
    for key in cands:
        kind = key[0]
        if kind is RuleKind.replacement and _contains(g, key[1]):
            put(key, 1 if not _contains(e, key[1]) and _contains(e, key[2]) else -1)
        elif kind is RuleKind.forbidden_phrase and _contains(g, key[1]):
            put(key, 1 if not _contains(e, key[1]) else -1)
        elif kind is RuleKind.required_phrase and not _contains(g, key[1]):
            put(key, 1 if _contains(e, key[1]) else -1)
        elif kind is RuleKind.sign_off:
            ends = tx.norm_phrase(tx.last_line(e)).endswith(key[1])
            if not tx.norm_phrase(tx.last_line(g)).endswith(key[1]):
                put(key, 1 if ends else -1)
    return out


def _candidates(pairs: Sequence[EditPair], cfg: MiningConfig) -> set[Key]:
    cands: set[Key] = set()
    for p in pairs:
        reps, dels = _phrase_edits(p.generated, p.edited, cfg.max_phrase_words)
        cands |= reps | dels
        for tag in set(tx.hashtags(p.edited)) - set(tx.hashtags(p.generated)):
            cands.add((RuleKind.required_phrase, tag))
        closing = tx.norm_phrase(tx.last_line(p.edited))
        if closing and closing not in tx.norm_phrase(p.generated):
            cands.add((RuleKind.sign_off, closing))
    return cands


def _params(key: Key, support: list[EditPair]) -> dict[str, Any]:
    kind = key[0]
    edited = [p.edited for p in support]
    count: dict[RuleKind, Callable[[str], int]] = {
        RuleKind.emoji_cap: lambda t: len(tx.emojis(t)),
        RuleKind.hashtag_cap: lambda t: len(tx.hashtags(t)),
        RuleKind.exclamation_cap: tx.exclamations,
    }
    if kind in count:
        # The loosest cap every supporting edit respects: never asks more than the editors did.
        return {"max": max(count[kind](t) for t in edited)}
    if kind is RuleKind.emoji_min:
        return {"min": max(1, min(len(tx.emojis(t)) for t in edited))}
    if kind is RuleKind.length_budget:
        return {"max_chars": int(math.ceil(max(len(t) for t in edited) / 10.0) * 10)}
    if kind is RuleKind.link_placement:
        return {"position": "end"}
    if kind in (RuleKind.replacement, RuleKind.first_person):
        return {"old": key[1], "new": key[2]}
    if kind is RuleKind.sign_off:
        # As the editor wrote it (the key is normalised): the newest supporting edit's closing line.
        return {"text": tx.last_line(support[0].edited)}
    return {"phrase": key[1]}


def _mine_group(
    workspace: str, scope: ScopeType, value: str, pairs: list[EditPair], cfg: MiningConfig
) -> list[StyleRule]:
    pairs = sorted(pairs, key=lambda p: p.approved_at, reverse=True)[: cfg.recent]
    cands = _candidates(pairs, cfg)
    votes: dict[Key, list[tuple[EditPair, int]]] = defaultdict(list)
    for p in pairs:
        for key, sig in _signals(p, cands, cfg).items():
            votes[key].append((p, sig))
    rules: list[StyleRule] = []
    for key, vs in votes.items():
        if key[0] in _SURFACE_ONLY and scope is not ScopeType.surface:
            continue
        support = [p for p, s in vs if s > 0]
        if len(support) < cfg.min_edits or len(support) / len(vs) < cfg.min_share:
            continue
        rules.append(
            StyleRule(
                workspace=workspace,
                kind=key[0],
                scope=scope,
                scope_value=value,
                params=_params(key, support),
                evidence=[
                    Evidence(draft_id=p.draft_id, before=p.generated, after=p.edited)
                    for p in support[: cfg.max_evidence]
                ],
                support=len(support),
                considered=len(vs),
                source=RuleSource.mined,
            )
        )
    # A replacement already says the old phrase goes: a separate "forbidden" rule would repeat it.
    replaced = {r.params["old"] for r in rules if r.kind is RuleKind.replacement}
    rules = [
        r
        for r in rules
        if not (r.kind is RuleKind.forbidden_phrase and r.params["phrase"] in replaced)
    ]
    return sorted(rules, key=lambda r: (r.kind.value, str(sorted(r.params.items()))))


def mine_rules(
    workspace: str, pairs: Sequence[EditPair], config: MiningConfig | None = None
) -> list[StyleRule]:
    """Proposed rules for the workspace, per channel and per surface.

    A broader rule replaces the same rule at a narrower scope, since it says the same with more
    evidence: an editor who removes emoji everywhere gets one workspace rule, which also covers
    the surfaces nobody has edited yet."""
    cfg = config or MiningConfig()
    edits = [p for p in pairs if p.generated.strip() != p.edited.strip()]
    by_surface: dict[str, list[EditPair]] = defaultdict(list)
    by_channel: dict[str, list[EditPair]] = defaultdict(list)
    channel_of: dict[str, str] = {}
    for p in edits:
        by_surface[p.surface].append(p)
        by_channel[p.channel].append(p)
        channel_of[p.surface] = p.channel

    def what(r: StyleRule) -> tuple[str, str]:
        return (r.kind.value, str(sorted(r.params.items())))

    ws_rules = _mine_group(workspace, ScopeType.workspace, "", edits, cfg) if edits else []
    broad = {what(r) for r in ws_rules}
    channel_rules = [
        r
        for ch, ps in sorted(by_channel.items())
        for r in _mine_group(workspace, ScopeType.channel, ch, ps, cfg)
        if what(r) not in broad
    ]
    covered = {(r.scope_value, *what(r)) for r in channel_rules}
    surface_rules = [
        r
        for sf, ps in sorted(by_surface.items())
        for r in _mine_group(workspace, ScopeType.surface, sf, ps, cfg)
        if what(r) not in broad and (channel_of[sf], *what(r)) not in covered
    ]
    return ws_rules + channel_rules + surface_rules


def new_proposals(
    mined: Sequence[StyleRule],
    existing: Sequence[StyleRule],
    dismissed: Iterable[tuple[str, ...]] = (),
) -> list[StyleRule]:
    """Mined rules not already kept, nor deleted by a person (keys from `StyleRule.key`)."""
    known = {r.key() for r in existing} | {tuple(k) for k in dismissed}
    return [r for r in mined if r.key() not in known]
