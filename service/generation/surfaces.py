"""The surfaces a post can be reused on, with their rules, from one data file with sources."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from service.domain import JourneyPhase
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


class HashtagRule(_Strict):
    max: int | None = Field(default=None, ge=0)
    recommended: tuple[int, int] | None = None
    source: str = Field(min_length=8)


class Surface(_Strict):
    id: str
    kind: SurfaceKind
    channel: str
    name_nb: str
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

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_nb

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
    source: str = Field(min_length=8)


class SurfaceCatalog(_Strict):
    version: int = Field(ge=1)
    checked: str
    surfaces: dict[str, Surface]
    profile_fields: dict[str, dict[str, ProfileField]] = Field(default_factory=dict)

    def get(self, surface_id: str) -> Surface:
        try:
            return self.surfaces[surface_id]
        except KeyError:
            raise Invalid(
                f"unknown surface {surface_id!r}", details={"allowed": sorted(self.surfaces)}
            ) from None

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
