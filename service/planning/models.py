"""A month's content plan, its calendar occasions and its slots."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Weekday = Literal["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"]
WEEKDAYS: tuple[Weekday, ...] = (
    "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag",
)  # fmt: skip
PLAN_CHANNELS = ("facebook", "instagram", "linkedin", "tiktok", "x")


class PlanChannel(BaseModel):
    model_config = ConfigDict(extra="ignore")

    channel: Literal["facebook", "instagram", "linkedin", "tiktok", "x"]
    posts_per_week: float = Field(gt=0, le=21)
    preferred_days: list[Weekday] = Field(default_factory=list)
    time: str | None = Field(
        default=None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM, 00:00–23:59"
    )
    formats: list[str] = Field(default_factory=list)
    role: str = ""
    language: str | None = Field(default=None, pattern=r"^(nb|nn|en)$")


class Campaign(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1, max_length=120)
    start: dt.date
    end: dt.date
    channels: list[str] = Field(default_factory=list)
    details: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _ordered(self) -> Campaign:
        if self.end < self.start:
            raise ValueError(f"campaign {self.name!r} ends before it starts")
        return self


class OwnDate(BaseModel):
    date: dt.date
    name: str = Field(min_length=1, max_length=120)


class ContentPlan(BaseModel):
    """The shape of plan.json; fields the planner does not use are ignored."""

    model_config = ConfigDict(extra="ignore")

    organisation: str = Field(min_length=1, max_length=200)
    target_month: str
    timezone: str = "Europe/Oslo"
    language: str = Field(default="nb", pattern=r"^(nb|nn|en)$")
    channels: list[PlanChannel] = Field(min_length=1)
    category_weights: dict[str, float] = Field(min_length=1, max_length=50)
    campaigns: list[Campaign] = Field(default_factory=list)
    brand_voice: str = ""
    facts: dict[str, str] = Field(
        default_factory=dict,
        description="what people type: text, numbers and yes/no are all facts (kept as text)",
    )
    own_dates: list[OwnDate] = Field(default_factory=list)
    exclude_dates: list[dt.date] = Field(default_factory=list)
    post_on_public_holidays: bool = False

    @field_validator("target_month")
    @classmethod
    def _month(cls, value: str) -> str:
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
            raise ValueError("target_month must be YYYY-MM")
        # Calendars, holidays and exports are computed for it: a plan is for a real year.
        if not 2000 <= int(value[:4]) <= 2100:
            raise ValueError("target_month must be a month between 2000-01 and 2100-12")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,2}", value):
                raise ValueError
            ZoneInfo(value)
        except (ValueError, ZoneInfoNotFoundError, OSError):
            raise ValueError(
                f"unknown timezone {value[:64]!r}: use an IANA name such as 'Europe/Oslo'"
            ) from None
        return value

    @field_validator("facts", mode="before")
    @classmethod
    def _scalar_facts(cls, value: Any) -> Any:
        """`"rooms": 48` and `"parking": true` are facts as much as text is; only lists and
        objects are refused, because which of their parts is the fact is unclear."""
        if not isinstance(value, dict):
            return value
        out: dict[str, str] = {}
        for key, item in value.items():
            if isinstance(item, bool):
                out[str(key)] = "ja" if item else "nei"
            elif isinstance(item, int | float):
                if isinstance(item, float) and not math.isfinite(item):
                    raise ValueError(f"facts.{key}: {item} is not a number a reader can use")
                out[str(key)] = str(int(item)) if float(item).is_integer() else str(item)
            elif item is None:
                continue  # an empty fact is no fact
            elif isinstance(item, str):
                out[str(key)] = item
            else:
                raise ValueError(
                    f"facts.{key}: a {type(item).__name__} is not one fact; write it as text "
                    '(e.g. "rooms": "48 rooms, 12 suites")'
                )
        return out

    @field_validator("category_weights")
    @classmethod
    def _weights(cls, value: dict[str, float]) -> dict[str, float]:
        if any(not math.isfinite(w) or w < 0 or w > 1000 for w in value.values()):
            raise ValueError("category weights must be numbers from 0 to 1000")
        if sum(value.values()) <= 0:
            raise ValueError("category weights must be ≥ 0 and not all 0")
        return value

    @model_validator(mode="after")
    def _unique_channels(self) -> ContentPlan:
        names = [c.channel for c in self.channels]
        if len(set(names)) != len(names):
            raise ValueError("each channel may appear once")
        return self

    @property
    def first_day(self) -> dt.date:
        year, month = map(int, self.target_month.split("-"))
        return dt.date(year, month, 1)

    @property
    def days(self) -> list[dt.date]:
        first = self.first_day
        nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return [first + dt.timedelta(days=i) for i in range((nxt - first).days)]


class Occasion(BaseModel):
    date: dt.date
    name: str
    kind: Literal["public_holiday", "marking_day", "own"]
    priority: int = Field(default=2, ge=1, le=3)


class Slot(BaseModel):
    date: dt.date
    time: str
    channel: str
    category: str
    theme: str
    occasion: str | None = None
    campaign: str | None = None

    @property
    def key(self) -> str:
        return f"{self.date.isoformat()} {self.time} {self.channel}"
