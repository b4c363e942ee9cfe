"""The learning feature's seams for the rest of the product: drafts in, rules and repairs out.

Everything here is a thin composition of rules/mining/enforce, so the generation pipeline, API and
CLI call one function each and the feature switches off with one setting."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from service.domain import Check, Draft, DraftStatus
from service.generation.surfaces import Surface
from service.generation.text_length import count_length
from service.learning.enforce import Keeps, Room, apply_rules, check_rules, guidance
from service.learning.mining import EditPair, MiningConfig, mine_rules, new_proposals
from service.learning.rules import RuleKind, StyleRule, Violation, applicable
from service.messages import Param, render
from service.settings import Settings


def mining_config(settings: Settings) -> MiningConfig:
    return MiningConfig(
        min_edits=settings.learning_min_edits,
        min_share=settings.learning_min_share,
        recent=settings.learning_recent_edits,
    )


def edit_pairs(drafts: Sequence[Draft], channel_of: Callable[[str], str]) -> list[EditPair]:
    """The approved drafts a person changed; `channel_of` maps a surface id to its channel."""
    return [
        EditPair(
            draft_id=d.id,
            channel=channel_of(d.surface),
            surface=d.surface,
            generated=d.text,
            edited=d.edited_text,
            approved_at=d.updated_at,
        )
        for d in drafts
        if d.status is DraftStatus.approved and d.edited_text and d.edited_text != d.text
    ]


def propose(
    workspace: str,
    drafts: Sequence[Draft],
    existing: Sequence[StyleRule],
    dismissed: Sequence[tuple[str, ...]],
    channel_of: Callable[[str], str],
    settings: Settings,
) -> list[StyleRule]:
    """New rule proposals after an approval (none when learning is off)."""
    if not settings.learning:
        return []
    mined = mine_rules(workspace, edit_pairs(drafts, channel_of), mining_config(settings))
    return new_proposals(mined, existing, dismissed)


class Enforced(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    repaired: bool
    violations: list[Violation]  # still broken after repair: the draft fails with these reasons


def enforce(
    text: str, rules: Sequence[StyleRule], *, channel: str, surface: str, settings: Settings
) -> Enforced:
    """Check a generated text against the rules in scope and repair what a rule can repair."""
    if not settings.learning:
        return Enforced(text=text, repaired=False, violations=[])
    scoped = applicable(list(rules), channel=channel, surface=surface)
    if not check_rules(text, scoped):
        return Enforced(text=text, repaired=False, violations=[])
    fixed = apply_rules(text, scoped)
    return Enforced(text=fixed, repaired=fixed != text, violations=check_rules(fixed, scoped))


def prompt_guidance(
    rules: Sequence[StyleRule], *, channel: str, surface: str, lang: str, settings: Settings
) -> str:
    if not settings.learning:
        return ""
    return guidance(applicable(list(rules), channel=channel, surface=surface), lang)


# Rules that only change words: safe on a headline or a subject line as well as on the main text.
_WORDING = frozenset({RuleKind.replacement, RuleKind.first_person, RuleKind.forbidden_phrase})


class EnforcedParts(BaseModel):
    """A variant's parts after the style rules, and one check per rule still broken (plus one
    summary check), each rendered from the message catalogue."""

    model_config = ConfigDict(extra="forbid")

    parts: dict[str, Any]
    checks: list[Check]
    repaired: bool
    # Sign-offs added that took the main text past the surface's recommended length it met:
    # no room could be made without losing what the checks protect (the caller says so).
    crowded: list[str] = []


def _broken(rule: StyleRule) -> Check:
    params: dict[str, Param] = {k: v for k, v in rule.params.items() if isinstance(v, str | int)}
    code = f"check.style_rule.{rule.kind.value}"
    return Check(
        name=f"style_rule:{rule.kind.value}",
        passed=False,
        detail=render(code, params),
        code=code,
        params={**params, "rule_id": rule.id},
    )


def _rooms(surface: Surface, text: str, *, keep_recommended: bool) -> list[Room]:
    """The surface's own length limits as the budget a sign-off the rules add must fit, counted
    as the surface counts (X weighs characters), so it never pushes a text over a limit the
    surface checks (the main part's own limit too, where it has one). A text within the
    surface's recommended length stays within it: the sign-off makes room rather than pushing
    an ad past what the network shows (unless `keep_recommended` is off: the caller's second
    try, when making room cost a surface check)."""
    length = surface.length
    limit, recommended = length.max, length.recommended
    within = recommended is not None and count_length(text, length.method) <= recommended
    if keep_recommended and recommended is not None and within:
        limit = min(limit or recommended, recommended)
    out = [Room(limit, length.method)] if limit is not None else []
    part = surface.parts.get(surface.main_field) if surface.main_field else None
    if part is not None:
        out.append(Room(part.max_chars))
    return out


def _past_recommended(surface: Surface, before: str, after: str) -> bool:
    recommended, method = surface.length.recommended, surface.length.method
    if recommended is None:
        return False
    return count_length(before, method) <= recommended < count_length(after, method)


def enforce_variant(
    surface: Surface,
    parts: dict[str, Any],
    rules: Sequence[StyleRule],
    *,
    repair: bool = True,
    keep_recommended: bool = True,
    keeps: Keeps | None = None,
    lang: str | None = None,
) -> EnforcedParts:
    """Check and repair one variant's parts against the workspace's rules in scope.

    The main text gets every checkable rule; the other prose parts (headlines, a subject) only
    the wording rules, since a count or a sign-off is about the whole post. A sign-off makes
    room in the main text within the surface's limits (`_rooms`), and only where `keeps` (the
    caller's checks; by default every fact, link and name) allows, a minimum of emoji in scope
    included; `lang` is the variant's language (the fillers a sentence may lose). A rule still
    broken after repair is a failing hard check naming it: the variant is returned failed, not
    hidden."""
    in_scope = applicable(list(rules), channel=surface.channel, surface=surface.id)
    scoped = [r for r in in_scope if r.checkable]
    # Guidance only (no check), but making room keeps it: emoji are the first room made.
    floors = [r for r in in_scope if r.kind is RuleKind.emoji_min]
    if not scoped:
        return EnforcedParts(parts=parts, checks=[], repaired=False)
    out = dict(parts)
    broken: dict[str, StyleRule] = {}
    crowded: list[str] = []
    main = surface.main_field
    wording = [r for r in scoped if r.kind in _WORDING]
    for name, value in parts.items():
        if surface.is_address(name):
            continue
        own = scoped if name == main else wording
        if isinstance(value, str) and value.strip():
            signs = [
                r for r in own if r.kind is RuleKind.sign_off and check_rules(value, [r])
            ]  # fmt: skip
            rooms = (
                _rooms(surface, value, keep_recommended=keep_recommended)
                if name == main and signs
                else []
            )
            guard = keeps if name == main else None
            with_floors = [*own, *floors] if rooms else own
            fixed = (
                apply_rules(value, with_floors, rooms=rooms, keeps=guard, lang=lang)
                if repair
                else value
            )
            out[name] = fixed
            if rooms and _past_recommended(surface, value, fixed):
                crowded += [r.params["text"] for r in signs]
            ids = {v.rule_id for v in check_rules(fixed, own)}
            broken |= {r.id: r for r in own if r.id in ids}
        elif isinstance(value, list):
            items = [
                apply_rules(str(i), wording) if repair and str(i).strip() else i for i in value
            ]
            out[name] = items
            for item in items:
                ids = {v.rule_id for v in check_rules(str(item), wording)}
                broken |= {r.id: r for r in wording if r.id in ids}
    checks = [_broken(r) for r in broken.values()]
    repaired = out != parts
    summary = "check.style_rules.repaired" if repaired else "check.style_rules.ok"
    checks.append(
        Check(
            name="style_rules",
            passed=not broken,
            detail=render(summary, {"found": len(scoped)}),
            hard=False,  # the verdict is in the per-rule checks above
            code=summary,
            params={"found": len(scoped)},
        )
    )
    return EnforcedParts(parts=out, checks=checks, repaired=repaired, crowded=crowded)
