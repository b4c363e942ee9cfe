"""What an import yields and reports."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from service.domain import Asset, Channel, FollowerCount, Post


class SkippedRow(BaseModel):
    row: int
    reason: str


class FollowerDelta(BaseModel):
    """New followers on a local day (LinkedIn's Followers sheet gives these, not totals)."""

    channel: Channel
    date: dt.date
    new_followers: int


Outcome = Post | FollowerCount | FollowerDelta | Asset | SkippedRow


class UnknownFormat(ValueError):
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
        super().__init__(msg)


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
    error: str | None = None
