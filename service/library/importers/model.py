"""What an import yields and reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from service.domain import Asset, Channel, FollowerCount, Post
from service.errors import Invalid


class SkippedRow(BaseModel):
    row: int
    reason: str


class FollowerDelta(BaseModel):
    """New followers on a local day (LinkedIn's Followers sheet gives these, not totals)."""

    channel: Channel
    date: dt.date
    new_followers: int


Outcome = Post | FollowerCount | FollowerDelta | Asset | SkippedRow


class InferredColumn(BaseModel):
    """Where one canonical field is read from, and why we believe it."""

    field: str
    column: str = Field(description="the column's header as written, or 'column N' without one")
    index: int
    confidence: float = Field(ge=0, le=1)
    reason: str
    samples: list[str] = Field(default_factory=list)


class MappingProposal(BaseModel):
    """What the importer would do with a file it is not sure about: nothing is lost, the file is
    imported as soon as a person confirms or corrects the mapping (field -> column)."""

    format: str
    channel: str | None
    signature: str
    columns: list[str]
    fields: list[InferredColumn]
    unsure: list[str] = Field(description="required fields placed below the confidence bar")
    rows: int = Field(description="data rows the file holds: what confirming would import")

    def as_mapping(self) -> dict[str, str]:
        return {f.field: f.column for f in self.fields}


class ImportRefused(Invalid, ValueError):
    """Base of the importer's refusals: precise 4xx answers, never a crash."""


class Unreadable(ImportRefused):
    """The file cannot be read as an export at all (empty, binary, broken spreadsheet)."""


class TooLarge(ImportRefused):
    """A limit (bytes, rows, files, a spreadsheet's unpacked size) was exceeded."""

    code = "too_large"
    http_status = 413


class UnknownFormat(ImportRefused):
    """No known export format matches; names the closest one and what it lacked."""

    def __init__(self, path: str, closest: str | None, missing: list[str]) -> None:
        self.closest, self.missing = closest, missing
        if closest:
            msg = (
                f"{path}: not a format we know. Closest: {closest}, "
                f"missing the headers {', '.join(repr(m) for m in missing)}"
            )
        else:
            msg = f"{path}: not a format we know (no recognisable header row)"
        super().__init__(msg, details={"closest": closest, "missing": missing})


class MappingNeeded(UnknownFormat):
    """A required field could not be placed with confidence: the proposal says what we would do."""

    code = "mapping_needed"
    http_status = 409

    def __init__(self, path: str, proposal: MappingProposal) -> None:
        self.proposal = proposal
        self.closest, self.missing = proposal.format, list(proposal.unsure)
        unsure = ", ".join(proposal.unsure)
        ImportRefused.__init__(
            self,
            f"{path}: looks like {proposal.format}, but not sure where {unsure} is; "
            f"confirm the mapping to import its {proposal.rows} rows",
            details={"proposal": proposal.model_dump()},
        )


class FileReport(BaseModel):
    path: str
    format: str | None
    channel: str | None = None
    rows_read: int = 0
    imported: int = 0
    updated: int = 0
    changed: int = Field(default=0, description="of the updated rows, how many differed")
    follower_days: int = 0
    skipped: list[SkippedRow] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    inferred: list[InferredColumn] = Field(
        default_factory=list, description="columns placed by content or layout, not by name"
    )
    signature: str | None = Field(default=None, description="the header row's signature")
    mapping_source: str | None = Field(
        default=None, description="'confirmed' (given now), 'remembered' (stored) or None"
    )
    proposal: MappingProposal | None = None
    error: str | None = None

    def summary(self) -> dict[str, Any]:
        return self.model_dump(include={"path", "format", "imported", "updated", "error"})
