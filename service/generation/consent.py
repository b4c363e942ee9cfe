"""Consent rules for reusing someone else's content (domain.md §1): UGC and partner posts, and
customers' photos, may only go where their owner's permission reaches."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from service.domain import Consent, ConsentScope, SourceType
from service.messages import Param, render


class ConsentVerdict(StrEnum):
    ok = "ok"  # our own content, or consent covers this use
    warn = "warn"  # allowed to draft, but publishing needs permission first
    refuse = "refuse"  # not generated at all (paid use without paid consent)


class ConsentDecision(BaseModel):
    verdict: ConsentVerdict
    # What a person is told, as a catalogue code and its parameters (service.messages);
    # empty when nothing needs saying.
    code: str = ""
    params: dict[str, Param] = {}
    scope_needed: ConsentScope | None = None

    @property
    def message(self) -> str:
        return render(self.code, self.params) if self.code else ""


def decide(
    *,
    source_type: SourceType,
    uses_others_asset: bool,
    consent: Consent | None,
    surface_kind: str,
    scope_needed: ConsentScope | None,
    surface: str,
) -> ConsentDecision:
    """What may be done with a source on a surface. Earned surfaces (e.g. asking for permission,
    replying to a review) address the owner directly, so they need no scope."""
    needs_permission = source_type is not SourceType.own or uses_others_asset
    if not needs_permission or surface_kind == "earned" or scope_needed is None:
        return ConsentDecision(verdict=ConsentVerdict.ok)
    if consent is not None and consent.covers(scope_needed):
        return ConsentDecision(verdict=ConsentVerdict.ok, scope_needed=scope_needed)
    params: dict[str, Param] = {
        "surface": surface,
        "owner": "ugc" if source_type is SourceType.ugc else "partner",
        "scope": scope_needed.value,
    }
    refused = surface_kind == "paid"
    return ConsentDecision(
        verdict=ConsentVerdict.refuse if refused else ConsentVerdict.warn,
        scope_needed=scope_needed,
        code="consent.refuse" if refused else "consent.warn",
        params=params,
    )
