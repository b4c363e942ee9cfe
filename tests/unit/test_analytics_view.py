"""The plot data behind the library's analysis view."""

from __future__ import annotations

from ui.analytics_view import ALL, by_group, over_time, post_choices

POSTS = [
    {
        "id": "2",
        "channel": "instagram",
        "published_at": "2026-03-02T10:00:00+01:00",
        "engagement_rate": 0.2,
        "text": "B",
        "category": "produkt",
        "category_locked": True,
    },
    {
        "id": "1",
        "channel": "facebook",
        "published_at": "2026-03-01T10:00:00+01:00",
        "engagement_rate": 0.1,
        "text": "A  tekst\nher",
        "category": None,
    },
    {
        "id": "3",
        "channel": "facebook",
        "published_at": "2026-03-03T10:00:00+01:00",
        "engagement_rate": None,
        "text": "C",
        "category": "kunder",
    },
]


def stats(n: int, mean: float | None) -> dict[str, object]:
    return {"n": n, "mean_engagement_rate": mean}


ANALYSIS = {
    "channels": {
        "facebook": {"category_stats": {"kunder": stats(3, 0.05), "produkt": stats(9, None)}},
        "instagram": {"category_stats": {"kunder": stats(2, 0.2)}},
    }
}


def test_over_time_is_sorted_by_date_and_leaves_out_unknown_rates() -> None:
    frame = over_time(POSTS, ALL)
    assert list(frame["channel"]) == ["facebook", "instagram"]
    assert list(over_time(POSTS, "instagram")["engagement_rate"]) == [0.2]


def test_bars_of_different_channels_never_share_a_label_so_they_cannot_stack() -> None:
    frame = by_group(ANALYSIS, ALL, "category_stats")
    assert sorted(frame["group"]) == ["kunder · facebook (n=3)", "kunder · instagram (n=2)"]
    one = by_group(ANALYSIS, "facebook", "category_stats")
    assert list(one["group"]) == ["kunder (n=3)"], "a group without a mean is left out"


def test_a_missing_group_kind_gives_an_empty_frame_with_columns() -> None:
    frame = by_group(ANALYSIS, ALL, "hour_bands")
    assert frame.empty and list(frame.columns) == ["group", "engagement_rate", "channel"]


def test_post_choices_show_category_and_mark_a_persons_choice() -> None:
    labels = dict((v, k) for k, v in post_choices(POSTS))
    assert labels["2"].endswith("[produkt ✎] B")
    assert "[?] A tekst her" in labels["1"]
