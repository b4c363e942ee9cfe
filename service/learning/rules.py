"""Style rules: what an editor keeps changing, as data a person can read, switch off and edit."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class RuleKind(StrEnum):
    forbidden_phrase = "forbidden_phrase"  # params: phrase
    required_phrase = "required_phrase"  # params: phrase
    replacement = "replacement"  # params: old, new
    emoji_cap = "emoji_cap"  # params: max
    hashtag_cap = "hashtag_cap"  # params: max
    exclamation_cap = "exclamation_cap"  # params: max
    length_budget = "length_budget"  # params: max_chars
    sign_off = "sign_off"  # params: text
    first_person = "first_person"  # params: old, new (e.g. vi -> me)
    link_placement = "link_placement"  # params: position ("end")
    emoji_min = "emoji_min"  # params: min; guidance only: a repair cannot invent the right emoji
    style_note = "style_note"  # params: text; guidance only


# The params each kind must carry, and their types: a rule a person writes is refused early
# with the missing field named, instead of failing inside a check later.
PARAMS: dict[RuleKind, dict[str, type]] = {
    RuleKind.forbidden_phrase: {"phrase": str},
    RuleKind.required_phrase: {"phrase": str},
    RuleKind.replacement: {"old": str, "new": str},
    RuleKind.emoji_cap: {"max": int},
    RuleKind.hashtag_cap: {"max": int},
    RuleKind.exclamation_cap: {"max": int},
    RuleKind.length_budget: {"max_chars": int},
    RuleKind.sign_off: {"text": str},
    RuleKind.first_person: {"old": str, "new": str},
    RuleKind.link_placement: {"position": str},
    RuleKind.emoji_min: {"min": int},
    RuleKind.style_note: {"text": str},
}
CHECKABLE = frozenset(set(RuleKind) - {RuleKind.emoji_min, RuleKind.style_note})


class ScopeType(StrEnum):
    workspace = "workspace"
    channel = "channel"
    surface = "surface"


class RuleSource(StrEnum):
    mined = "mined"
    manual = "manual"
    model = "model"  # a free-text note a model proposed from the diffs: marked as such


class Evidence(BaseModel):
    """One edit that supports a mined rule: which draft, and the text before and after."""

    model_config = ConfigDict(extra="forbid")

    draft_id: str
    before: str
    after: str


class StyleRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    workspace: str
    kind: RuleKind
    scope: ScopeType = ScopeType.workspace
    scope_value: str = Field(default="", description="channel or surface id; empty for workspace")
    params: dict[str, Any]
    evidence: list[Evidence] = Field(default_factory=list)
    support: int = Field(default=0, ge=0, description="edits that made this change")
    considered: int = Field(default=0, ge=0, description="edits where the change could apply")
    source: RuleSource = RuleSource.manual
    enabled: bool = True
    version: int = Field(default=1, ge=1)
    updated_at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @model_validator(mode="after")
    def _valid(self) -> StyleRule:
        need = PARAMS[self.kind]
        missing = [k for k in need if k not in self.params]
        if missing:
            raise ValueError(f"rule {self.kind.value} needs params: {', '.join(missing)}")
        for key, typ in need.items():
            value = self.params[key]
            if typ is int and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                raise ValueError(f"rule {self.kind.value}: {key} must be a whole number >= 0")
            if typ is str and (not isinstance(value, str) or not value.strip()):
                raise ValueError(f"rule {self.kind.value}: {key} must be non-empty text")
        if self.kind is RuleKind.link_placement and self.params["position"] != "end":
            raise ValueError("rule link_placement: position must be 'end'")
        if (self.scope is ScopeType.workspace) != (self.scope_value == ""):
            raise ValueError("scope_value is set exactly when scope is channel or surface")
        return self

    @property
    def checkable(self) -> bool:
        return self.kind in CHECKABLE

    def key(self) -> tuple[str, str, str, str]:
        """Identity of what the rule asks, ignoring evidence: two mined rules with one key agree."""
        params = ",".join(f"{k}={self.params[k]}" for k in sorted(self.params))
        return (self.kind.value, self.scope.value, self.scope_value, params)

    def revised(self, **changes: Any) -> StyleRule:
        """A new version of this rule; the caller keeps the old one as history."""
        data = self.model_dump() | changes
        data["version"] = self.version + 1
        data["updated_at"] = dt.datetime.now(dt.UTC)
        return StyleRule.model_validate(data)


class Violation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule_id: str
    kind: RuleKind
    detail: str
    repairable: bool = True


def applicable(rules: list[StyleRule], *, channel: str, surface: str) -> list[StyleRule]:
    """The enabled rules whose scope covers this channel and surface."""
    out: list[StyleRule] = []
    for r in rules:
        if not r.enabled:
            continue
        if (
            r.scope is ScopeType.workspace
            or (r.scope is ScopeType.channel and r.scope_value == channel)
            or (r.scope is ScopeType.surface and r.scope_value == surface)
        ):
            out.append(r)
    return out
