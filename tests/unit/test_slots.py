"""The month's slots follow the plan: the weekdays and hours it names per channel, and every
campaign its share of slots over its own dates."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from service.planning.models import WEEKDAYS, ContentPlan
from service.planning.slots import campaign_shares, make_slots, post_counts


def _plan(**changes: Any) -> ContentPlan:
    base: dict[str, Any] = {
        "organisation": "Eplehagen Sideri",
        "target_month": "2026-12",
        "channels": [
            {"channel": "instagram", "posts_per_week": 3, "time": "18:15"},
            {"channel": "facebook", "posts_per_week": 1.5, "preferred_days": ["onsdag", "fredag"]},
        ],
        "category_weights": {"produkt": 0.4, "ansatte": 0.3, "kampanje": 0.3},
    }
    base.update(changes)
    return ContentPlan.model_validate(base)


def test_a_channels_named_weekdays_are_the_only_days_it_posts_on() -> None:
    plan = _plan()
    slots = [s for s in make_slots(plan) if s.channel == "facebook"]
    assert len(slots) == post_counts(plan)["facebook"] == 7
    assert {WEEKDAYS[s.date.weekday()] for s in slots} <= {"onsdag", "fredag"}
    # Spread over the month, not bunched at its start: December 2026 has 8 such days that
    # are not public holidays.
    assert slots[0].date.day <= 4 and slots[-1].date.day >= 25


def test_named_weekdays_that_cannot_hold_the_frequency_are_filled_with_other_days() -> None:
    plan = _plan(
        channels=[{"channel": "facebook", "posts_per_week": 3, "preferred_days": ["mandag"]}]
    )
    slots = make_slots(plan)
    mondays = [s for s in slots if s.date.weekday() == 0]
    assert len(slots) == post_counts(plan)["facebook"]
    # December 2026 has four Mondays, none a public holiday: all are used, then other days.
    assert len(mondays) == 4
    assert len({s.date for s in slots}) == len(slots)


def test_a_channels_time_wins_over_the_hour_the_analytics_suggest() -> None:
    slots = make_slots(_plan(), best_hours={"instagram": "12:00", "facebook": "08:00"})
    assert {s.time for s in slots if s.channel == "instagram"} == {"18:15"}
    assert {s.time for s in slots if s.channel == "facebook"} == {"08:00"}


def test_each_campaign_gets_its_share_of_slots_within_its_dates() -> None:
    plan = _plan(
        campaigns=[
            {"name": "Julesider", "start": "2026-12-01", "end": "2026-12-20"},
            {"name": "Nyttårsbobler", "start": "2026-12-28", "end": "2026-12-31"},
        ]
    )
    slots = make_slots(plan)
    per = Counter(s.campaign for s in slots if s.campaign)
    # The main campaign of the month holds most of the campaign slots, the short one some.
    assert per["Julesider"] >= 3 > per["Nyttårsbobler"] >= 1
    for s in slots:
        if s.campaign:
            camp = next(c for c in plan.campaigns if c.name == s.campaign)
            assert camp.start <= s.date <= camp.end
    main = sorted(s.date for s in slots if s.campaign == "Julesider")
    assert main[-1] - main[0] >= dt.timedelta(days=10), "spread over its dates, not bunched"


def test_a_campaign_gets_slots_even_when_the_weights_forgot_a_campaign_category() -> None:
    plan = _plan(
        category_weights={"produkt": 1, "ansatte": 1},
        campaigns=[{"name": "Julesider", "start": "2026-12-01", "end": "2026-12-20"}],
    )
    slots = make_slots(plan)
    assert sum(s.campaign == "Julesider" for s in slots) >= 2


def test_campaign_shares_add_up_and_follow_the_room_each_has() -> None:
    shares = campaign_shares(7, {"long": 12, "short": 3, "none": 0})
    assert sum(shares.values()) == 7
    assert shares["none"] == 0 and shares["short"] >= 1 and shares["long"] > shares["short"]
    assert campaign_shares(10, {"tiny": 1, "big": 20}) == {"tiny": 1, "big": 9}
