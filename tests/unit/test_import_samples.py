"""The real sample exports: nothing lost, re-import changes nothing, numbers match ground truth."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from service.container import Services
from service.domain import Channel, FollowerCount, Workspace
from service.library.importers import open_export
from service.library.importers.model import SkippedRow
from service.library.ingest import import_paths
from service.library.reports import post_rows, workspace_analysis
from service.storage.repositories import FollowerRepo, PostRepo, WorkspaceRepo
from tests.conftest import SHARED_DATA, require

ORGS = ["fjordkanten-storsenter", "sjobua-restaurant"]
EXPORTS = sorted(
    p
    for p in SHARED_DATA.rglob("*")
    if p.suffix in (".csv", ".xlsx") and "ground_truth" not in p.parts
)


@pytest.fixture(autouse=True)
def _data() -> None:
    require(SHARED_DATA.is_dir(), f"shared data not found at {SHARED_DATA}")


@pytest.mark.parametrize("path", EXPORTS, ids=lambda p: str(p.relative_to(SHARED_DATA)))
def test_every_sample_export_is_recognised_and_loses_no_row(path: Path) -> None:
    stream = open_export(path, workspace="w")
    outcomes = list(stream)
    skipped = [o for o in outcomes if isinstance(o, SkippedRow)]
    assert stream.format != "gjenbruk_csv" and outcomes
    assert skipped == []


def _load(services: Services, org: str) -> dict[str, dict[str, object]]:
    with services.db.session() as s:
        WorkspaceRepo(s).save(Workspace(slug=org, name=org))
    reports = import_paths(services.db, [SHARED_DATA / org], workspace=org)
    for r in reports:
        if r.format is not None:
            assert r.rows_read == r.imported + r.updated + len(r.skipped), r
            assert not r.skipped and r.error is None
    gt = json.loads((SHARED_DATA / org / "ground_truth" / "posts_ground_truth.json").read_text())
    with services.db.session() as s:
        start = gt["followers"].get("linkedin")
        if start:  # the README's start total, as a person would enter it
            FollowerRepo(s).save_counts(
                org,
                [
                    FollowerCount(
                        channel=Channel.linkedin,
                        date=dt.date(2025, 8, 31),
                        followers=start["start_count_2025_08_31"],
                    )
                ],
                source="user",
            )
        for p in gt["posts"]:
            PostRepo(s).set_category(org, p["id"], p["category"])
    return gt  # type: ignore[no-any-return]


@pytest.mark.parametrize("org", ORGS)
def test_per_post_numbers_match_the_ground_truth(services: Services, org: str) -> None:
    gt = _load(services, org)
    rows = {r.id: r for r in post_rows(services.db, org)}
    assert set(rows) == {p["id"] for p in gt["posts"]}
    for p in gt["posts"]:
        row = rows[p["id"]]
        for name in ("followers_at_posting", "reach", "engagements"):
            assert getattr(row, name) == p[name], (p["id"], name)
        for name in ("engagement_rate", "reach_rate"):
            assert getattr(row, name) == pytest.approx(p[name], abs=1e-6), (p["id"], name)
        assert row.hour_band == p["hour_band"]
        assert row.published_at[:10] == p["datetime"][:10]


@pytest.mark.parametrize("org", ORGS)
def test_channel_analysis_matches_the_ground_truth(services: Services, org: str) -> None:
    gt = _load(services, org)
    result = workspace_analysis(services.db, org)
    assert set(result.channels) == set(gt["analysis"])
    for channel, expected in gt["analysis"].items():
        got = result.channels[channel]
        assert got.high_performers == [x["id"] for x in expected["top_10pct_by_engagement_rate"]]
        assert got.excluded_low_reach == expected["excluded_low_reach"]
        assert got.best_hour_band == expected["best_hour_band"]
        if expected.get("best_weekday"):
            assert got.best_weekday == expected["best_weekday"]
        for cat, stats in expected["category_engagement_rate"].items():
            assert got.category_engagement_rate[cat] == pytest.approx(
                stats["mean_engagement_rate"], abs=1e-6
            )


def test_reimporting_the_same_files_changes_nothing(services: Services) -> None:
    org = "sjobua-restaurant"
    _load(services, org)
    before = [r.model_dump() for r in post_rows(services.db, org)]
    again = import_paths(services.db, [SHARED_DATA / org], workspace=org)
    assert all(r.imported == 0 and r.changed == 0 for r in again if r.format)
    assert [r.model_dump() for r in post_rows(services.db, org)] == before


def test_a_folder_reports_the_files_it_does_not_recognise(services: Services) -> None:
    with services.db.session() as s:
        WorkspaceRepo(s).save(Workspace(slug="f", name="F"))
    reports = import_paths(services.db, [SHARED_DATA / "sjobua-restaurant"], workspace="f")
    unknown = {Path(r.path).name: r.error for r in reports if r.format is None}
    assert "plan.json" in unknown and "not a format we know" in (unknown["plan.json"] or "")
    assert {r.format for r in reports if r.format} >= {
        "meta_facebook_posts",
        "meta_instagram_posts",
        "meta_daily_followers",
        "linkedin_page_content",
    }
