"""The learning feature's seams for the rest of the product: drafts in, rules and repairs out.

Everything here is a thin composition of rules/mining/enforce, so the generation pipeline, API and
CLI call one function each and the feature switches off with one setting."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pydantic import BaseModel, ConfigDict

from service.domain import Draft, DraftStatus
from service.learning.enforce import apply_rules, check_rules, guidance
from service.learning.mining import EditPair, MiningConfig, mine_rules, new_proposals
from service.learning.rules import StyleRule, Violation, applicable
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
