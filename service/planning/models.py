"""A month's content plan, its calendar occasions and its slots."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

Weekday = Literal["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"]
WEEKDAYS: tuple[Weekday, ...] = (
    "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag",
)  # fmt: skip
PLAN_CHANNELS = ("facebook", "instagram", "linkedin", "tiktok", "x")
# What the validators below accept, stated in the schema too (the contract is the code).
MONTH_PATTERN = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"
ZONES = sorted(available_timezones())
_ZONES = frozenset(ZONES)
Category = Annotated[str, Field(min_length=1, max_length=60)]


def _written(value: Any) -> Any:
    # The schema says an ISO date string; pydantic alone would read a number as a timestamp.
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_written)]
Weight = Annotated[float, Field(gt=0, le=1000)]


class PlanChannel(BaseModel):
    model_config = ConfigDict(extra="ignore")

    channel: Literal["facebook", "instagram", "linkedin", "tiktok", "x"]
    posts_per_week: float = Field(gt=0, le=21, strict=True)
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
    start: IsoDate
    end: IsoDate
    channels: list[str] = Field(default_factory=list)
    details: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _ordered(self) -> Campaign:
        if self.end < self.start:
            raise ValueError(f"campaign {self.name!r} ends before it starts")
        return self


class OwnDate(BaseModel):
    date: IsoDate
    name: str = Field(min_length=1, max_length=120)


class ContentPlan(BaseModel):
    """The shape of plan.json; fields the planner does not use are ignored."""

    model_config = ConfigDict(extra="ignore")

    organisation: str = Field(min_length=1, max_length=200)
    target_month: str = Field(
        pattern=MONTH_PATTERN, description="YYYY-MM, a month from 2000-01 to 2100-12"
    )
    timezone: str = Field(
        default="Europe/Oslo", description="an IANA name", json_schema_extra={"enum": [*ZONES]}
    )
    language: str = Field(default="nb", pattern=r"^(nb|nn|en)$")
    channels: list[PlanChannel] = Field(min_length=1)
    category_weights: dict[Category, Weight] = Field(
        min_length=1, max_length=50, description="category -> weight above 0, at most 1000"
    )
    campaigns: list[Campaign] = Field(default_factory=list)
    brand_voice: str = ""
    facts: dict[str, str] = Field(
        default_factory=dict,
        description="what people type: text, numbers and yes/no are all facts (kept as text)",
        json_schema_extra={
            "additionalProperties": {"type": ["string", "number", "boolean", "null"]}
        },
    )
    own_dates: list[OwnDate] = Field(default_factory=list)
    exclude_dates: list[IsoDate] = Field(default_factory=list)
    post_on_public_holidays: bool = Field(default=False, strict=True)

    @field_validator("target_month", mode="before")
    @classmethod
    def _month(cls, value: Any) -> Any:
        # Before the pattern, so a wrong month says what is wrong rather than "must match".
        if not isinstance(value, str):
            return value
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
            raise ValueError("target_month must be YYYY-MM")
        # Calendars, holidays and exports are computed for it: a plan is for a real year.
        if not 2000 <= int(value[:4]) <= 2100:
            raise ValueError("target_month must be a month between 2000-01 and 2100-12")
        return value

    @field_validator("timezone", mode="before")
    @classmethod
    def _zone(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            if value not in _ZONES:  # the schema's enum, nothing else (never a path)
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

    @field_validator("category_weights", mode="before")
    @classmethod
    def _weights(cls, value: Any) -> Any:
        # A category that is never to come up is left out; 0 is no weight.
        if isinstance(value, dict) and any(
            isinstance(w, int | float)
            and (isinstance(w, bool) or not math.isfinite(w) or w <= 0 or w > 1000)
            for w in value.values()
        ):
            raise ValueError(
                "category weights must be numbers from 0 to 1000, above 0 (leave out a category "
                "that should not come up)"
            )
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


def moved_slots(params: dict[str, Any]) -> list[tuple[str, Slot]]:
    """A month job's slots as they stand, each with its key as the job stored it: the job item
    and the draft keep that key (their identity) when a person moves the slot to another day
    or time; `params["moves"]` holds where each moved slot went."""
    moves: dict[str, dict[str, str]] = params.get("moves") or {}
    out = []
    for raw in params["slots"]:
        slot = Slot.model_validate(raw)
        moved = moves.get(slot.key)
        if moved is not None:
            day = dt.date.fromisoformat(moved["date"])
            out.append((slot.key, slot.model_copy(update={"date": day, "time": moved["time"]})))
        else:
            out.append((slot.key, slot))
    return out
