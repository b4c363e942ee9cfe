"""What the editor's tabs show, as words in the reader's language: a draft as its network
shows it, checks by name, live counts against limits, dates, and library results in order."""

from __future__ import annotations

import re
from typing import Any

from service.webui.plans import check_text, networks
from ui.library_tab import match_word, sort_hits
from ui.plans_tab import preview_card
from ui.profiles_tab import count_html
from ui.texts import date_text, datetime_text, duration_text

INTERNAL = ("facts_kept", "not_empty", "no_invented_facts", "instagram_post", "proposed")


def _visible(markup: str) -> str:
    return re.sub(r"<[^>]+>", "", markup)


def _draft(text: str, **changes: Any) -> dict[str, Any]:
    draft: dict[str, Any] = {
        "slot": {"date": "2026-12-03", "time": "19:00", "channel": "instagram",
                 "category": "produkt", "theme": "x", "campaign": "Julesider"},
        "text": text, "passed": True, "draft_id": "d1", "status": "proposed",
        "edited_text": None,
        "checks": [
            {"name": "facts_kept", "passed": True, "code": "check.facts_kept.ok", "params": {}},
            {"name": "not_empty", "passed": True, "detail": ""},
            {"name": "emoji", "passed": False, "hard": False, "code": "check.emoji",
             "params": {"found": 4}},
        ],
    }  # fmt: skip
    draft.update(changes)
    return draft


def test_a_card_cuts_the_text_where_the_network_does_and_marks_its_hashtags() -> None:
    nets = networks()
    visible = nets["instagram"]["visible"]
    body = "Julesideren er tappet! " * 10 + "#sider #jul"
    card = preview_card(_draft(body), nets, "nb", check_text)
    shown = _visible(card)
    assert "… mer" in shown and body[visible:] not in shown
    assert f"{len(body)} av {nets['instagram']['max']} tegn" in shown
    short = preview_card(_draft("Smak den nye siden! #sider"), nets, "nb", check_text)
    assert "gj-hashtag'" in short and "#sider</span>" in short and "… mer" not in short


def test_a_card_names_its_checks_and_its_state_in_words_never_by_id() -> None:
    nets = networks()
    en = _visible(preview_card(_draft("Taste it!"), nets, "en", check_text))
    # Check names are the message catalogue's labels, the same words the other tabs use.
    assert "facts kept: passed" in en and "emoji: advice" in en and "To review" in en
    assert not any(word in en for word in INTERNAL)
    nb = _visible(preview_card(_draft("Smak!", passed=False), nets, "nb", check_text))
    assert "fakta med: bestått" in nb and "Ikke bestått" in nb
    assert not any(word in nb for word in INTERNAL)


def test_the_live_count_says_in_words_how_far_over_the_limit_a_field_is() -> None:
    assert "160 av 150 tegn – 10 for mange" in count_html("x" * 160, 150, "nb")
    assert "data-over='true'" in count_html("x" * 160, 150, "nb")
    assert "40 of 150 characters" in count_html("x" * 40, 150, "en")
    assert "40 teikn" in count_html("x" * 40, None, "nn")


def test_dates_and_durations_are_written_the_readers_way() -> None:
    assert date_text("2026-12-03", "nb", weekday=True) == "torsdag 3. desember 2026"
    assert date_text("2026-12-03", "nn", weekday=True) == "torsdag 3. desember 2026"
    assert date_text("2026-12-05", "nn", weekday=True) == "laurdag 5. desember 2026"
    assert date_text("2026-12-03", "en") == "3 December 2026"
    assert datetime_text("2026-12-03T09:05:00+00:00", "nb") == "3. desember 2026 kl. 10:05"
    assert duration_text(125, "nb") == "2 min 5 s" and duration_text(3720, "en") == "1 h 2 min"


def test_library_results_sort_best_first_and_say_how_close_they_are() -> None:
    hits = [
        {"similarity": 0.9, "engagement_rate": 0.01, "published_at": "2025-01-01"},
        {"similarity": 0.83, "engagement_rate": 0.2, "published_at": "2026-05-01"},
        {"similarity": 0.86, "engagement_rate": None, "published_at": "2024-03-01"},
    ]
    assert [h["similarity"] for h in sort_hits(hits, "relevance")] == [0.9, 0.86, 0.83]
    assert [h["similarity"] for h in sort_hits(hits, "engagement")] == [0.83, 0.9, 0.86]
    assert [h["similarity"] for h in sort_hits(hits, "date")] == [0.83, 0.9, 0.86]
    assert match_word(0.9, 0.82, "nb") == "sterkt" and match_word(0.825, 0.82, "en") == "weak"
