"""What the model must return per surface (pydantic schemas), and how a person pastes it.

Bounded string lengths keep a constrained local model inside its token budget; the exact
platform limits are checked afterwards by checks.py, where a violation can be repaired.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TextVariant(_Out):
    text: str = Field(min_length=1, max_length=3000)


class StoryVariant(_Out):
    overlay_text: str = Field(min_length=1, max_length=200)
    sticker: str = Field(min_length=1, max_length=120, description="link, poll, question...")


class NewsletterVariant(_Out):
    subject: str = Field(min_length=1, max_length=120)
    preheader: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=1500)


class MetaAdVariant(_Out):
    primary_text: str = Field(min_length=1, max_length=600)
    headline: str = Field(min_length=1, max_length=80)
    description: str = Field(default="", max_length=60)


class LinkedInAdVariant(_Out):
    intro_text: str = Field(min_length=1, max_length=800)
    headline: str = Field(min_length=1, max_length=200)


class RsaVariant(_Out):
    headlines: list[str] = Field(min_length=1, max_length=15)
    descriptions: list[str] = Field(min_length=1, max_length=4)
    paths: list[str] = Field(default_factory=list, max_length=2)


SCHEMAS: dict[str, type[_Out]] = {
    "instagram_story": StoryVariant,
    "newsletter_blurb": NewsletterVariant,
    "meta_ad": MetaAdVariant,
    "linkedin_ad": LinkedInAdVariant,
    "google_rsa": RsaVariant,
}
# The field whose length the surface's `length` rule limits.
MAIN_FIELD = {
    "instagram_story": "overlay_text",
    "newsletter_blurb": "body",
    "meta_ad": "primary_text",
    "linkedin_ad": "intro_text",
    "google_rsa": None,
}
LABELS_NB = {
    "subject": "Emne",
    "preheader": "Forhåndsvisning",
    "headline": "Overskrift",
    "description": "Beskrivelse",
    "sticker": "Klistremerke",
    "headlines": "Overskrifter",
    "descriptions": "Beskrivelser",
    "paths": "Stier",
    "final_url": "Nettadresse",
}


def schema_for(surface: str) -> type[_Out]:
    return SCHEMAS.get(surface, TextVariant)


def main_text(surface: str, parts: dict[str, Any]) -> str:
    field = MAIN_FIELD.get(surface, "text")
    return "" if field is None else str(parts.get(field, ""))


def paste_text(surface: str, parts: dict[str, Any]) -> str:
    """The whole variant as a person would paste or read it; every part is in it, so that a
    fact kept in a headline counts as kept."""
    main_field = MAIN_FIELD.get(surface, "text")
    lines: list[str] = []
    if surface == "newsletter_blurb":
        lines += [
            f"Emne: {parts.get('subject', '')}",
            f"Forhåndsvisning: {parts.get('preheader', '')}",
            "",
        ]
    if main_field and parts.get(main_field):
        lines.append(str(parts[main_field]))
    for key, value in parts.items():
        if key in (main_field, "subject", "preheader", "text") or value in ("", [], None):
            continue
        label = LABELS_NB.get(key, key)
        if isinstance(value, list):
            lines += ["", f"{label}:"] + [f"- {v}" for v in value]
        else:
            lines += (
                ["", f"{label}: {value}"] if lines and lines[-1] != "" else [f"{label}: {value}"]
            )
    return "\n".join(lines).strip()
