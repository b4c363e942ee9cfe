"""A third organisation (a ferry company, tests/fixtures/vestfjord-ferjer) with its own export
quirks and languages: every file imports with no question and no lost row, its plan (facts
typed as numbers and yes/no) validates and is slotted, its profiles are audited."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from service.domain import Workspace
from service.library.ingest import import_paths
from service.planning.service import load_plan
from service.planning.slots import make_slots
from service.profiles.audit import audit
from service.profiles.files import load_profiles
from service.storage.db import Database
from service.storage.repositories import PostRepo, WorkspaceRepo

ORG = Path(__file__).resolve().parents[1] / "fixtures" / "vestfjord-ferjer"
EXPORTS = ["facebook", "instagram", "linkedin", "x", "legacy"]


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    database.migrate()
    with database.session() as s:
        WorkspaceRepo(s).save(Workspace(slug="vestfjord", name="Vestfjord Ferjer"))
    return database


def test_every_export_imports_with_no_question_and_no_lost_row(db: Database) -> None:
    reports = import_paths(db, [ORG / f for f in EXPORTS], workspace="vestfjord")
    assert len(reports) == 6
    for r in reports:
        assert r.error is None and r.proposal is None and not r.skipped, r
        assert r.rows_read == r.imported + r.updated or r.follower_days, r
    by_format = {Path(r.path).parent.name + "/" + (r.format or ""): r for r in reports}
    assert by_format["facebook/meta_facebook_posts"].imported == 60
    assert by_format["facebook/meta_facebook_posts"].inferred  # German: placed by layout
    assert by_format["facebook/meta_daily_followers"].follower_days == 181
    assert by_format["instagram/meta_instagram_posts"].imported == 50
    assert by_format["linkedin/linkedin_page_content"].imported == 26 + 181  # posts + days
    assert by_format["linkedin/linkedin_page_content"].follower_days == 181
    assert by_format["x/x_tweet_activity"].imported == 40
    assert by_format["legacy/facebook_legacy_post_level"].imported == 25
    with db.session() as s:
        posts = PostRepo(s).list("vestfjord")
    assert Counter(p.channel.value for p in posts) == {
        "facebook": 85, "instagram": 50, "linkedin": 26, "x": 40,
    }  # fmt: skip
    assert all(p.metrics.reach is not None and p.metrics.engagements is not None for p in posts)
    assert any("å" in p.text or "ø" in p.text for p in posts if p.channel.value == "facebook")


def test_the_plan_validates_with_typed_facts_and_is_slotted() -> None:
    plan = load_plan(ORG / "plan.json")
    assert plan.facts["ferries"] == "3" and plan.facts["wifi_on_board"] == "ja"
    assert plan.facts["app_discount_percent"] == "20"
    slots = make_slots(plan)
    assert slots and {s.channel for s in slots} == {"facebook", "instagram", "linkedin", "x"}
    assert all(s.date.month == 7 for s in slots)
    assert not [s for s in slots if s.date.isoformat() == "2026-07-29"]
    assert {s.time for s in slots if s.channel == "x"} == {"06:45"}


def test_the_profiles_are_audited() -> None:
    report = audit(load_profiles(ORG / "profiles.json"))
    assert {f.channel for f in report.fields} == {"facebook", "instagram", "linkedin", "x"}
    assert any(f.channel == "linkedin" and f.field == "tagline" for f in report.findings)
