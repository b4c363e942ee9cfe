"""The annual wheel (årshjul): Norwegian public holidays from the `holidays` package, marking
days kept as data (marking_days.yaml), and the workspace's own dates."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

import holidays
import yaml

from service.planning.models import ContentPlan, Occasion

MARKING_DAYS_FILE = Path(__file__).resolve().parent / "data" / "marking_days.yaml"


def nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The n-th `weekday` (0=Monday) of the month; n=-1 for the last."""
    if n > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = (dt.date(year, month, 28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def advent_sunday(year: int, k: int) -> dt.date:
    """The k-th Sunday of Advent: the fourth is the last Sunday before 25 December."""
    christmas = dt.date(year, 12, 25)
    fourth = christmas - dt.timedelta(days=(christmas.weekday() + 1) % 7 or 7)
    return fourth - dt.timedelta(weeks=4 - k)


@lru_cache(maxsize=1)
def _rules() -> list[dict[str, Any]]:
    raw = yaml.safe_load(MARKING_DAYS_FILE.read_text(encoding="utf-8"))
    return list(raw["days"])


def marking_days(year: int) -> list[Occasion]:
    out: list[Occasion] = []
    for rule in _rules():
        if "date" in rule:
            month, day = map(int, str(rule["date"]).split("-"))
            when = dt.date(year, month, day)
        elif "nth_weekday" in rule:
            when = nth_weekday(year, *rule["nth_weekday"])
        elif "after_nth_weekday" in rule:
            month, weekday, n, days = rule["after_nth_weekday"]
            when = nth_weekday(year, month, weekday, n) + dt.timedelta(days=days)
        elif "advent" in rule:
            when = advent_sunday(year, int(rule["advent"]))
        else:  # pragma: no cover - the data file is checked by a test
            raise ValueError(f"marking day rule without a date: {rule}")
        out.append(
            Occasion(
                date=when,
                name=str(rule["name"]),
                kind="marking_day",
                priority=int(rule.get("priority", 2)),
            )
        )
    return out


def public_holidays(year: int) -> list[Occasion]:
    return [
        Occasion(
            date=d,
            name=name,
            kind="public_holiday",
            priority=1 if (d.month, d.day) == (5, 17) else 3,
        )
        for d, name in sorted(holidays.country_holidays("NO", years=year, language="no").items())
    ]


def occasions(plan: ContentPlan) -> list[Occasion]:
    """Everything in the plan's month worth knowing when planning it, by date."""
    year = plan.first_day.year
    month_days = set(plan.days)
    found = [
        *public_holidays(year),
        *marking_days(year),
        *(Occasion(date=o.date, name=o.name, kind="own", priority=1) for o in plan.own_dates),
    ]
    return sorted((o for o in found if o.date in month_days), key=lambda o: (o.date, o.name))
