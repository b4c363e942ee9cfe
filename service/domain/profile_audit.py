"""Profile texts in, findings and scores out."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

# A profile text longer than this is not a profile text: reject it rather than audit it.
MAX_FIELD_CHARS = 10_000
# What the audit refuses, with its own clear messages (service/profiles/audit.validate: no
# fields, an empty or oversized text), stated in the schema as well.
ChannelFields = Annotated[
    dict[str, str],
    Field(
        json_schema_extra={
            "minProperties": 1,
            "additionalProperties": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_FIELD_CHARS,
                "pattern": r"\S",
            },
        }
    ),
]


class FindingCode(StrEnum):
    over_limit = "over_limit"
    missing_keyword = "missing_keyword"
    inconsistent_fact = "inconsistent_fact"
    outdated = "outdated"
    no_cta = "no_cta"
    no_contact_path = "no_contact_path"
    language_mismatch = "language_mismatch"
    generic = "generic"
    spelling = "spelling"
    unknown_channel = "unknown_channel"  # audited what is known, reported the rest
    unknown_field = "unknown_field"
    against_rules = "against_rules"  # e.g. a price in a Google Business Profile description


class ProfileSet(BaseModel):
    """A workspace's profile texts: channel -> field -> text (the shape of profiles.json)."""

    model_config = ConfigDict(extra="ignore")

    organisation: str = Field(min_length=1, max_length=200)
    wanted_keywords: list[str] = Field(default_factory=list, max_length=50)
    channels: dict[str, ChannelFields] = Field(min_length=1)
    # Facts the organisation states as correct (phone, website, address, opening hours, name).
    # When given they decide conflicts; else the value most channels agree on does.
    facts: dict[str, str] = Field(default_factory=dict)
    language: str = Field(default="nb", pattern=r"^(nb|nn|en)$")


class Finding(BaseModel):
    channel: str
    field: str
    code: FindingCode
    evidence: str
    suggestion: str
    severity: int = Field(ge=1, le=3, description="1 minor, 2 important, 3 misleading")
    # The catalogue code `suggestion` is rendered from, and its parameters (service.messages).
    message: str = ""
    params: dict[str, str | int | None] = Field(default_factory=dict)


class FieldScore(BaseModel):
    channel: str
    field: str
    chars: int
    limit: int | None
    score: int = Field(ge=0, le=100)
    codes: list[FindingCode]


class AuditReport(BaseModel):
    organisation: str
    findings: list[Finding]
    fields: list[FieldScore]
    channels: dict[str, int]
    overall: int
    summary: str
