"""Formats with no sample file in shared/data, from synthetic fixtures in their layouts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from service.domain import Asset, Channel, Post
from service.library.importers import open_export
from service.library.importers.model import FollowerDelta, SkippedRow

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "exports"


def _read(path: Path) -> tuple[str, list[object]]:
    stream = open_export(path, workspace="w")
    return stream.format, list(stream)


def test_legacy_post_level_skips_the_description_row_and_reads_by_position() -> None:
    fmt, rows = _read(FIX / "facebook_legacy_post_level.csv")
    posts = [r for r in rows if isinstance(r, Post)]
    assert fmt == "facebook_legacy_post_level" and len(posts) == 2 and len(rows) == 2
    first = posts[0]
    assert first.id == "178245368912034_1940889696783494"
    assert first.published_at.isoformat() == "2026-01-19T09:03:47+01:00"
    assert posts[1].published_at.hour == 19
    assert (first.metrics.reach, first.metrics.impressions, first.metrics.engagements) == (
        4479,
        5391,
        204,
    )


def test_x_classic_activity_export_reads_quoted_decimals_dashes_and_utc_times() -> None:
    fmt, rows = _read(FIX / "tweet_activity_metrics_sjobua_20260901_20260930_en.csv")
    posts = [r for r in rows if isinstance(r, Post)]
    assert fmt == "x_tweet_activity" and len(posts) == 2
    p = posts[0]
    assert p.channel is Channel.x and p.published_at.utcoffset() == dt.timedelta(0)
    assert (p.metrics.impressions, p.metrics.engagements, p.metrics.reactions) == (1204, 58, 31)
    assert posts[1].metrics.follows is None  # "-" means no value, not zero


def test_x_account_analytics_export_is_read_too() -> None:
    fmt, rows = _read(FIX / "account_analytics_content_2026-09-01_2026-09-30.csv")
    (p,) = rows
    assert fmt == "x_tweet_activity" and isinstance(p, Post)
    assert p.published_at.date() == dt.date(2026, 9, 4) and p.metrics.impressions == 1204


def test_norwegian_headers_semicolons_and_space_thousands() -> None:
    fmt, rows = _read(FIX / "nb_facebook_innhold.csv")
    assert fmt == "meta_facebook_posts"
    first, second = rows
    assert isinstance(first, Post) and isinstance(second, Post)
    assert first.published_at.isoformat() == "2026-09-04T19:15:00+02:00"
    assert (first.metrics.reach, first.metrics.impressions, first.metrics.engagements) == (
        3200,
        12400,
        210,
    )
    assert second.metrics.engagements == 23  # "-" total: the parts are summed


def test_swedish_instagram_headers_and_k_suffix() -> None:
    fmt, rows = _read(FIX / "sv_instagram_innehall.csv")
    (p,) = rows
    assert fmt == "meta_instagram_posts" and isinstance(p, Post)
    assert p.metrics.impressions == 1200 and p.metrics.engagements == 120 + 6 + 4 + 11


def test_our_own_json_schema_imports_posts_and_assets_and_reports_bad_items() -> None:
    fmt, rows = _read(FIX / "gjenbruk_posts.json")
    assert fmt == "gjenbruk_json"
    post = next(r for r in rows if isinstance(r, Post))
    asset = next(r for r in rows if isinstance(r, Asset))
    skipped = [r for r in rows if isinstance(r, SkippedRow)]
    assert post.channel is Channel.newsletter and post.metrics.clicks == 240
    assert asset.consent is not None and [s.value for s in asset.consent.scopes] == [
        "organic_owned",
        "newsletter_web",
    ]
    assert asset.tags == ["ansatte", "kjøkken"]
    assert len(skipped) == 1 and skipped[0].row == 2 and "channel" in skipped[0].reason


def test_linkedin_older_headers_excel_serial_dates_and_follower_sheet(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "All posts"
    ws.append(["All posts from 1/1/2025 to 3/31/2025. Impressions include ..."])
    ws.append(
        [
            "Update title",
            "Update link",
            "Update type",
            "Posted by",
            "Created date",
            "Impressions",
            "Clicks",
            "Likes",
            "Comments",
            "Shares",
            "Follows",
        ]
    )
    ws.append(
        [
            "Vi ansetter kokk!",
            "https://www.linkedin.com/feed/update/urn:li:activity:7368183332264039177",
            "Organic",
            "Kari",
            45901,
            400,
            10,
            20,
            3,
            2,
            1,
        ]
    )
    ws.append(
        [
            "Julebord",
            "https://www.linkedin.com/feed/update/urn:li:activity:7368183332264039178",
            "Organic",
            "Kari",
            "Oct 20, 2025",
            "1.2K",
            0,
            5,
            0,
            0,
            None,
        ]
    )
    fs = wb.create_sheet("Followers")
    fs.append(
        [
            "Date",
            "Sponsored followers",
            "Organic followers",
            "Auto-invited followers",
            "Total followers",
        ]
    )
    fs.append(["01/01/2025", 0, 2, 0, 2])
    path = tmp_path / "company_content.xlsx"
    wb.save(path)
    fmt, rows = _read(path)
    posts = [r for r in rows if isinstance(r, Post)]
    deltas = [r for r in rows if isinstance(r, FollowerDelta)]
    assert fmt == "linkedin_page_content"
    assert (
        posts[0].id == "7368183332264039177" and posts[0].metrics.engagements == 10 + 20 + 3 + 2 + 1
    )
    assert posts[0].published_at.date() == dt.date(2025, 9, 1)  # serial 45901
    assert posts[1].metrics.reach == 1200 and posts[1].metrics.engagements == 5
    assert deltas == [
        FollowerDelta(channel=Channel.linkedin, date=dt.date(2025, 1, 1), new_followers=2)
    ]
