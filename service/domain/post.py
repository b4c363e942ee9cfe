from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from service.domain.channel import Channel


class JourneyPhase(StrEnum):
    """The customer journey as the method describes it: not a funnel (domain.md §2)."""

    discover = "discover"
    explore = "explore"
    act = "act"
    share = "share"
    learn = "learn"


class SourceType(StrEnum):
    own = "own"
    ugc = "ugc"
    partner = "partner"


class PostMetrics(BaseModel):
    """Raw counts as the platform reported them; None means the export did not say."""

    model_config = ConfigDict(extra="forbid")

    followers_at_posting: int | None = Field(default=None, ge=0)
    reach: int | None = Field(default=None, ge=0)
    impressions: int | None = Field(default=None, ge=0)
    reactions: int | None = Field(default=None, ge=0)
    comments: int | None = Field(default=None, ge=0)
    shares: int | None = Field(default=None, ge=0)
    saves: int | None = Field(default=None, ge=0)
    clicks: int | None = Field(default=None, ge=0)
    follows: int | None = Field(default=None, ge=0)
    video_views: int | None = Field(default=None, ge=0)
    watch_time_seconds: float | None = Field(default=None, ge=0)
    engagements: int | None = Field(
        default=None,
        ge=0,
        description="Engagements as the platform's definition gives them (see library docs)",
    )


class Post(BaseModel):
    """One published post. `id` is the platform's own post ID, as written in its export."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=200)
    workspace: str
    channel: Channel
    published_at: dt.datetime
    text: str = ""
    format: str = Field(default="", description="platform post type, e.g. Photo, Reel, Carousel")
    permalink: str = ""
    category: str | None = None
    category_confidence: float | None = Field(default=None, ge=0, le=1)
    category_locked: bool = Field(
        default=False, description="set when a person chose the category; import never overwrites"
    )
    language: str | None = None
    journey_phase: JourneyPhase | None = None
    source_type: SourceType = SourceType.own
    author: str = ""
    metrics: PostMetrics = Field(default_factory=PostMetrics)

    @field_validator("published_at")
    @classmethod
    def _aware(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("published_at must carry a timezone offset")
        return value
