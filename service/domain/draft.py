"""A generated text kept for a person to review: proposed, then approved, edited or rejected.
Approved and edited drafts are what later teaches the pipeline a workspace's taste."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class DraftStatus(StrEnum):
    proposed = "proposed"
    approved = "approved"
    rejected = "rejected"


class Check(BaseModel):
    """One deterministic check of a generated text; `detail` says what was measured."""

    model_config = ConfigDict(extra="forbid")

    name: str
    passed: bool
    detail: str = ""
    hard: bool = True  # a failing hard check fails the variant; a soft one is advice
    # The catalogue code `detail` is rendered from, and what was measured (service.messages).
    code: str = ""
    params: dict[str, str | int | None] = Field(default_factory=dict)


class Draft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    workspace: str
    kind: str = Field(default="variant", description="variant, profile or plan")
    surface: str
    language: str
    text: str
    parts: dict[str, Any] = Field(default_factory=dict)
    checks: list[Check] = Field(default_factory=list)
    passed: bool
    status: DraftStatus = DraftStatus.proposed
    edited_text: str | None = None
    checks_overridden: bool = Field(
        default=False,
        description="approved by a person who confirmed it although its checks failed",
    )
    source_post_id: str | None = None
    source_text: str = ""
    examples_used: list[str] = Field(default_factory=list)
    model: str = ""
    prompt: str = Field(default="", description="template name@version that produced it")
    created_at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC))
    updated_at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC))
