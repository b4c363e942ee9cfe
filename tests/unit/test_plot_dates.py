"""The analysis plot's time axis in the reader's language: the days arrive as labels made here
(«14. mar.», "14 Mar"), in date order, because the browser's plot writes dates in English."""

from __future__ import annotations

import datetime as dt
import re

from ui.analytics_view import ALL, MAX_DAYS, day_order, over_time
from ui.texts import short_date

ENGLISH_MONTHS = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b")
NORWEGIAN_MONTHS = re.compile(r"\b(jan|feb|mar|apr|mai|jun|jul|aug|sep|okt|nov|des)\b\.?")


def _post(day: str, rate: float, channel: str = "facebook") -> dict[str, object]:
    return {"channel": channel, "published_at": f"{day}T10:00:00+01:00", "engagement_rate": rate}


POSTS = [
    _post("2026-10-01", 0.05),
    _post("2026-03-14", 0.02),
    _post("2026-05-03", 0.04, "instagram"),
    _post("2026-03-14", 0.06, "instagram"),
]


def test_every_month_has_its_norwegian_and_english_short_name() -> None:
    for month in range(1, 13):
        day = f"2026-{month:02d}-15"
        for lang in ("nb", "nn"):
            label = short_date(day, lang)
            assert NORWEGIAN_MONTHS.search(label) and not ENGLISH_MONTHS.search(label), label
        assert ENGLISH_MONTHS.search(short_date(day, "en")), short_date(day, "en")
    assert short_date("2026-03-15", "nb") == "15. mar."
    assert short_date("2026-05-03", "nn") == "3. mai"
    assert short_date("2026-03-15", "en") == "15 Mar"


def test_the_axis_labels_follow_the_reader_and_keep_the_date_order() -> None:
    nb = over_time(POSTS, ALL, "nb")
    assert list(nb["published"]) == ["14. mar.", "14. mar.", "3. mai", "1. okt."]
    assert day_order(nb) == ["14. mar.", "3. mai", "1. okt."], "each day once, oldest first"
    en = over_time(POSTS, ALL, "en")
    assert day_order(en) == ["14 Mar", "3 May", "1 Oct"]
    assert list(over_time(POSTS, "instagram", "nb")["published"]) == ["14. mar.", "3. mai"]


def test_posts_over_more_than_a_year_carry_the_year_so_two_days_never_share_a_label() -> None:
    frame = over_time([_post("2025-03-14", 0.1), _post("2026-03-14", 0.2)], ALL, "nb")
    assert day_order(frame) == ["14. mar. 2025", "14. mar. 2026"]


def _daily(first: str, n: int) -> list[dict[str, object]]:
    start = dt.date.fromisoformat(first)
    return [_post((start + dt.timedelta(days=i)).isoformat(), 0.01 * (i % 7)) for i in range(n)]


def test_many_days_are_grouped_by_week_then_by_month_so_every_label_can_be_drawn() -> None:
    few = over_time(_daily("2026-01-05", MAX_DAYS), ALL, "nb")
    assert few.attrs["unit"] == "day" and len(day_order(few)) == MAX_DAYS
    weeks = over_time(_daily("2026-01-05", 60), ALL, "nb")  # 9 weeks, named by their Mondays
    assert weeks.attrs["unit"] == "week" and len(day_order(weeks)) == 9
    assert day_order(weeks)[:3] == ["5. jan.", "12. jan.", "19. jan."]
    year = over_time(_daily("2026-01-01", 365), ALL, "nb")
    assert year.attrs["unit"] == "month"
    assert day_order(year) == ["jan.", "feb.", "mar.", "apr.", "mai", "jun.", "jul.", "aug.",
                               "sep.", "okt.", "nov.", "des."]  # fmt: skip
    two_years = over_time(_daily("2026-06-01", 400), ALL, "en")
    assert day_order(two_years)[0] == "Jun 2026" and day_order(two_years)[-1] == "Jul 2027"
