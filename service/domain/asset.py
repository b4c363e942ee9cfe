from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator


class AssetKind(StrEnum):
    image = "image"
    video = "video"


class CreatorRole(StrEnum):
    employee = "employee"
    customer = "customer"
    partner = "partner"
    agency = "agency"
    unknown = "unknown"


class ConsentScope(StrEnum):
    """Where someone else's content may be reused; each scope is granted separately."""

    organic_owned = "organic_owned"
    newsletter_web = "newsletter_web"
    paid = "paid"


class Consent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    granted_by: str = Field(min_length=1)
    granted_at: dt.datetime
    scopes: list[ConsentScope] = Field(min_length=1)
    note: str = ""

    @field_validator("granted_at", mode="before")
    @classmethod
    def _written_time(cls, value: object) -> object:
        # The schema says an ISO date-time string; a bare number is not one (pydantic would
        # read it as seconds since 1970).
        if isinstance(value, int | float):
            raise ValueError("granted_at must be an ISO 8601 date-time, e.g. 2026-03-01T12:00:00Z")
        return value

    def covers(self, scope: ConsentScope) -> bool:
        return scope in self.scopes


class Asset(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=200)
    workspace: str
    kind: AssetKind
    uri: str = ""
    description: str = ""
    tags: list[str] = Field(default_factory=list)
    creator: str = ""
    creator_role: CreatorRole = CreatorRole.unknown
    source_post_id: str | None = None
    consent: Consent | None = None
