from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Channel(StrEnum):
    facebook = "facebook"
    instagram = "instagram"
    linkedin = "linkedin"
    x = "x"
    tiktok = "tiktok"
    youtube = "youtube"
    website = "website"
    newsletter = "newsletter"


class FollowerCount(BaseModel):
    """Total followers of a channel at the end of a local calendar day."""

    model_config = ConfigDict(extra="forbid")

    channel: Channel
    date: dt.date
    followers: int = Field(ge=0)


class ChannelProfile(BaseModel):
    """A workspace's presence on one channel, with its profile text fields."""

    model_config = ConfigDict(extra="forbid")

    channel: Channel
    handle: str = ""
    bio_fields: dict[str, str] = Field(
        default_factory=dict, description="field name (e.g. 'bio', 'about') -> current text"
    )
