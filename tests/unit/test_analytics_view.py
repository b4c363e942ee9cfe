"""The plot data behind the analysis tab."""

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
    assert list(frame["channel"]) == ["Facebook", "Instagram"], "names people read, not ids"
    assert list(over_time(POSTS, "instagram")["engagement_rate"]) == [0.2]


def test_bars_of_different_channels_never_share_a_label_so_they_cannot_stack() -> None:
    frame = by_group(ANALYSIS, ALL, "category_stats")
    assert sorted(frame["group"]) == ["kunder · Facebook (n=3) ⚠", "kunder · Instagram (n=2) ⚠"]
    one = by_group(ANALYSIS, "facebook", "category_stats")
    assert list(one["group"]) == ["kunder (n=3) ⚠"], "a group without a mean is left out"


def test_a_bar_on_fewer_than_five_posts_is_marked_as_thin_evidence_in_words() -> None:
    analysis = {
        "channels": {
            "facebook": {"category_stats": {"kunder": stats(4, 0.05), "produkt": stats(5, 0.1)}}
        }
    }
    frame = by_group(analysis, ALL, "category_stats", "en")
    evidence = dict(zip(frame["group"], frame["evidence"], strict=True))
    assert evidence == {"kunder (n=4) ⚠": "thin evidence", "produkt (n=5)": "enough posts"}
    nb = by_group(analysis, ALL, "category_stats", "nb")
    assert set(nb["evidence"]) == {"tynt grunnlag", "nok innlegg"}


def test_a_missing_group_kind_gives_an_empty_frame_with_columns() -> None:
    frame = by_group(ANALYSIS, ALL, "hour_bands")
    assert frame.empty
    assert list(frame.columns) == ["group", "engagement_rate", "channel", "evidence"]


def test_post_choices_show_category_and_mark_a_persons_choice() -> None:
    labels = dict((v, k) for k, v in post_choices(POSTS))
    assert labels["2"].endswith("[produkt ✎] B")
    assert labels["2"].startswith("2. mars 2026 Instagram"), "the date in the reader's words"
    assert "[?] A tekst her" in labels["1"]
