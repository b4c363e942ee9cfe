"""The surface rules file and length counting."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from service.errors import Invalid
from service.generation.surfaces import SURFACES_FILE, load_surfaces, parse_catalog
from service.generation.text_length import count_length, x_weighted_length

REQUIRED = {
    "owned": {
        "facebook_post", "instagram_post", "instagram_story", "linkedin_post", "tiktok_caption",
        "x_post", "newsletter_blurb", "blog_intro", "website_news",
        "google_business_post", "threads_post", "pinterest_pin", "youtube_short",
    },
    "earned": {"ugc_permission_request", "partner_crosspost", "press_pitch", "review_reply"},
    "paid": {"meta_ad", "google_rsa", "linkedin_ad"},
}  # fmt: skip


def test_every_required_surface_is_there_with_its_kind() -> None:
    catalog = load_surfaces()
    for kind, ids in REQUIRED.items():
        assert {s.id for s in catalog.surfaces.values() if s.kind == kind} == ids


def test_every_rule_names_a_source() -> None:
    for surface in load_surfaces().surfaces.values():
        assert surface.length.source.startswith("https://"), surface.id
        assert surface.hashtags.source.startswith("https://"), surface.id
        for part in surface.parts.values():
            assert part.source.startswith("https://"), surface.id


def test_the_numbers_the_issue_fixes() -> None:
    c = load_surfaces()
    assert c.get("instagram_post").hashtags.max == 5
    assert c.get("x_post").length.method == "x_weighted" and c.get("x_post").length.max == 280
    rsa = c.get("google_rsa").parts
    assert (rsa["headlines"].min_count, rsa["headlines"].max_count) == (3, 15)
    assert rsa["headlines"].max_chars == 30 and rsa["descriptions"].max_chars == 90
    assert (rsa["descriptions"].min_count, rsa["descriptions"].max_count) == (2, 4)
    assert rsa["paths"].max_count == 2 and rsa["paths"].max_chars == 15
    ad = c.get("meta_ad")
    assert ad.parts["headline"].max_chars == 40 and ad.parts["description"].max_chars == 30
    assert ad.length.recommended == 125


def test_an_unknown_surface_is_refused_with_the_valid_ones() -> None:
    with pytest.raises(Invalid) as err:
        load_surfaces().get("myspace_post")
    assert "linkedin_post" in err.value.details["allowed"]


def test_a_typo_in_the_rules_file_fails_loudly(tmp_path: Path) -> None:
    raw = yaml.safe_load(SURFACES_FILE.read_text(encoding="utf-8"))
    raw["surfaces"]["x_post"]["hashtag"] = {"max": 2}
    with pytest.raises(ValidationError):
        parse_catalog(raw)


def test_rules_render_in_the_prompts_language() -> None:
    rsa = load_surfaces().get("google_rsa")
    assert "høyst 30 tegn" in rsa.rules_text("nb")
    assert "at most 30" in rsa.rules_text("en")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 280, 280),
        ("æøå", 3),
        ("Les mer: https://www.sjobua.no/meny/hostmeny-2026-med-lang-adresse", 9 + 23),
        ("sjobua.no", 23),
        ("🍎", 2),
        ("👍🏽", 2),
        ("👨‍👩‍👧", 2),
        ("🇳🇴", 2),
        ("日本", 4),
        ("—", 1),
    ],
)
def test_x_weighted_length(text: str, expected: int) -> None:
    assert x_weighted_length(text) == expected


def test_other_surfaces_count_characters_after_normalising() -> None:
    assert count_length("e\u0301") == 1  # é written as e + combining accent
    assert count_length("Blåskjell 🦪") == 11
