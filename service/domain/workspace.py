from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BaseModel, ConfigDict, Field, field_validator

# The method's recurring content categories (domain.md §6), editable per workspace.
DEFAULT_CATEGORIES: tuple[str, ...] = (
    "ansatte",
    "kunder",
    "bak kulissene",
    "produkt",
    "nostalgi/historie",
    "tips og triks",
    "inspirasjon",
    "kampanje/tilbud",
    "merkedag",
)

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
ZONES = sorted(available_timezones())
_ZONES = frozenset(ZONES)


class Workspace(BaseModel):
    """An organisation or brand; every other record belongs to exactly one."""

    model_config = ConfigDict(extra="forbid")

    slug: str = Field(
        pattern=_SLUG.pattern, description="URL-safe identifier, e.g. 'sjobua-restaurant'"
    )
    name: str = Field(min_length=1, max_length=200)
    timezone: str = Field(
        default="Europe/Oslo", description="an IANA name", json_schema_extra={"enum": [*ZONES]}
    )
    language: str = Field(default="nb", pattern=r"^(nb|nn|en)$")
    brand_voice: str = Field(default="", max_length=2000)
    categories: list[str] = Field(default_factory=lambda: list(DEFAULT_CATEGORIES))

    @field_validator("slug", mode="before")
    @classmethod
    def _slug_shape(cls, value: object) -> object:
        # Before the pattern, so a wrong slug is told what a slug is.
        if isinstance(value, str) and not _SLUG.fullmatch(value):
            raise ValueError(
                "slug must be 1-63 characters of a-z, 0-9 and '-', starting with a letter or digit"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            if value not in _ZONES:  # the schema's enum, nothing else
                raise ValueError(value)
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA timezone {value[:64]!r}") from exc
        return value
