"""The surfaces a post can be reused on, with their rules, from one data file with sources."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.domain import ConsentScope, JourneyPhase
from service.errors import Invalid

SURFACES_FILE = Path(__file__).resolve().parent / "data" / "surfaces.yaml"


class SurfaceKind(StrEnum):
    owned = "owned"
    earned = "earned"
    paid = "paid"


class LinkRule(StrEnum):
    clickable = "clickable"
    not_clickable = "not_clickable"  # a URL in the text is dead weight: "lenke i bio"
    sticker_only = "sticker_only"
    forbidden = "forbidden"  # the link belongs in the ad's own URL field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LengthRule(_Strict):
    method: Literal["chars", "x_weighted"] = "chars"
    max: int | None = Field(default=None, ge=1)
    recommended: int | None = Field(default=None, ge=1)
    visible: int | None = Field(default=None, ge=1)
    source: str = Field(min_length=8)


class PartRule(_Strict):
    min_count: int = Field(ge=0)
    max_count: int = Field(ge=1)
    max_chars: int = Field(ge=1)
    recommended_chars: int | None = None
    source: str = Field(min_length=8)


class FieldRule(_Strict):
    """One field the model returns. `kind`: prose is read as text; list holds short parts that
    each stand alone (ad headlines); url and path are addresses, never judged as language."""

    kind: Literal["prose", "list", "url", "path"]
    schema_max: int = Field(default=3000, ge=1)  # keeps a constrained model in its token budget
    min_items: int = Field(default=1, ge=0)
    max_items: int = Field(default=1, ge=1)
    required: bool = True
    main: bool = False  # the field the surface's `length` rule limits
    header: bool = False  # pasted as "Label: value" above the main text (an e-mail's subject)
    language: bool = True  # judged by the language check (a sticker suggestion is not)
    description: str = ""

    @property
    def is_address(self) -> bool:
        return self.kind in ("url", "path")


_TEXT_ONLY = {"text": FieldRule(kind="prose", main=True)}


class HashtagRule(_Strict):
    max: int | None = Field(default=None, ge=0)
    recommended: tuple[int, int] | None = None
    source: str = Field(min_length=8)


class Surface(_Strict):
    id: str
    kind: SurfaceKind
    channel: str
    consent_scope: ConsentScope | None
    name_nb: str
    name_nn: str = ""
    name_en: str
    length: LengthRule
    parts: dict[str, PartRule] = Field(default_factory=dict)
    hashtags: HashtagRule
    emoji: Literal["none", "sparse", "ok"]
    links: LinkRule
    links_note: str = ""
    cta: str
    phases: list[JourneyPhase]
    notes_nb: str
    fields: dict[str, FieldRule] = Field(default_factory=lambda: dict(_TEXT_ONLY))
    link_field: str | None = None  # where a link may stand when the text may not carry one
    plan_default: bool = False  # a month plan drafts this surface for its channel
    asks_permission: bool = False  # the request for consent, added when consent falls short
    restore_facts_as_items: bool = False  # a missing fact becomes a part of its own (a headline)
    # The surface asks for an adaptation: a text that is (nearly) the source unchanged fails
    # `not_a_copy`. False where the source is legitimately carried as it is.
    adapts: bool = True

    @model_validator(mode="after")
    def _one_main_field(self) -> Surface:
        if sum(f.main for f in self.fields.values()) > 1:
            raise ValueError(f"surface {self.id}: more than one main field")
        return self

    def name(self, language: str) -> str:
        if language == "en":
            return self.name_en
        return (self.name_nn or self.name_nb) if language == "nn" else self.name_nb

    @property
    def main_field(self) -> str | None:
        """The prose field the length rule limits; None when the copy is only short parts."""
        return next((k for k, f in self.fields.items() if f.main), None)

    def is_address(self, name: str) -> bool:
        """A URL or path field, or the link field the repair adds (an ad's own URL field)."""
        rule = self.fields.get(name)
        if rule is not None:
            return rule.is_address
        return name == self.link_field

    def judged_as_language(self, name: str) -> bool:
        rule = self.fields.get(name)
        return not self.is_address(name) and (rule is None or rule.language)

    def rules_text(self, language: str = "nb") -> str:
        """The rules as short bullets for a prompt; numbers come from the data file."""
        nb = language != "en"
        lines = []
        if self.length.max:
            unit = (
                "vektede tegn (lenker teller 23)" if self.length.method == "x_weighted" else "tegn"
            )
            if not nb:
                unit = "weighted characters (links count 23)" if unit != "tegn" else "characters"
            rec = f", helst under {self.length.recommended}" if self.length.recommended else ""
            if not nb and rec:
                rec = f", ideally under {self.length.recommended}"
            lines.append(
                f"- {'Lengde: høyst' if nb else 'Length: at most'} {self.length.max} {unit}{rec}"
            )
        for name, part in self.parts.items():
            count = (
                f"{part.min_count}–{part.max_count}"
                if part.min_count != part.max_count
                else str(part.max_count)
            )
            each = f"høyst {part.max_chars} tegn hver" if nb else f"at most {part.max_chars} each"
            lines.append(f"- {name}: {count} {'stk' if nb else 'item(s)'}, {each}")
        tags = self.hashtags.max
        if tags == 0:
            lines.append("- Ingen emneknagger" if nb else "- No hashtags")
        elif tags is not None:
            lines.append(
                f"- {'Høyst' if nb else 'At most'} {tags} {'emneknagger' if nb else 'hashtags'}"
            )
        link_text = {
            LinkRule.clickable: ("Lenker er lov", "Links allowed"),
            LinkRule.not_clickable: ("Ingen URL i teksten (ikke klikkbar)", "No URL in the text"),
            LinkRule.sticker_only: ("Lenke bare som klistremerke", "Link only as a sticker"),
            LinkRule.forbidden: ("Ingen lenker i teksten", "No links in the text"),
        }[self.links]
        lines.append(f"- {link_text[0] if nb else link_text[1]}")
        emoji = {
            "none": ("Ingen emoji", "No emoji"),
            "sparse": ("Sparsomt med emoji", "Few emoji"),
            "ok": ("Emoji er greit", "Emoji are fine"),
        }[self.emoji]
        lines.append(f"- {emoji[0] if nb else emoji[1]}")
        lines.append(f"- {'Oppfordring' if nb else 'Call to action'}: {self.cta}")
        if self.links_note:
            lines.append(f"- {self.links_note}")
        lines.append(f"- {self.notes_nb}")
        return "\n".join(lines)


class ProfileField(_Strict):
    kind: Literal["prose", "name", "handle", "url", "phone"]
    max: int | None = Field(default=None, ge=1)
    cta: bool = False
    promotional: bool = True  # False: offers, prices and sales words break the platform's rules
    links: bool = True  # False: the platform refuses a URL in this field
    source: str = Field(min_length=8)


class CopyRule(_Strict):
    """When a variant counts as the source copied: its likeness to the source (share of words
    in the same order, 0-1) above `max_similarity`; sources shorter than `min_source_words`
    leave too little to rewrite to be judged."""

    max_similarity: float = Field(default=0.85, gt=0, le=1)
    min_source_words: int = Field(default=8, ge=1)


class SurfaceCatalog(_Strict):
    version: int = Field(ge=1)
    checked: str
    surfaces: dict[str, Surface]
    copy_rule: CopyRule = CopyRule()
    field_labels: dict[str, dict[str, str]] = Field(default_factory=dict)
    profile_fields: dict[str, dict[str, ProfileField]] = Field(default_factory=dict)

    def label(self, field: str, language: str = "nb") -> str:
        labels = self.field_labels.get(field, {})
        return labels.get(language) or labels.get("nb") or field

    def get(self, surface_id: str) -> Surface:
        try:
            return self.surfaces[surface_id]
        except KeyError:
            raise Invalid(
                f"unknown surface {surface_id!r}", details={"allowed": sorted(self.surfaces)}
            ) from None

    def plan_surfaces(self) -> dict[str, str]:
        """Channel → the surface a month plan drafts for it."""
        return {sf.channel: sf.id for sf in self.surfaces.values() if sf.plan_default}

    def permission_surface(self) -> Surface:
        found = [sf for sf in self.surfaces.values() if sf.asks_permission]
        if len(found) != 1:
            raise Invalid("the surface data must name exactly one surface that asks permission")
        return found[0]

    def ids(self) -> list[str]:
        return list(self.surfaces)


def parse_catalog(raw: dict[str, object]) -> SurfaceCatalog:
    surfaces = raw.get("surfaces")
    if isinstance(surfaces, dict):
        raw = {**raw, "surfaces": {k: {"id": k, **v} for k, v in surfaces.items()}}
    return SurfaceCatalog.model_validate(raw)


@lru_cache(maxsize=4)
def load_surfaces(path: Path = SURFACES_FILE) -> SurfaceCatalog:
    return parse_catalog(yaml.safe_load(path.read_text(encoding="utf-8")))
