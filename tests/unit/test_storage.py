from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from service.container import Services
from service.domain import Channel, Post, PostMetrics, Workspace
from service.errors import NotFound
from service.storage.repositories import LegacyIndex, PostRepo, WorkspaceRepo

OSLO = ZoneInfo("Europe/Oslo")


def _post(
    post_id: str, *, text: str = "Fiskesuppe i dag", reach: int = 100, category: str | None = None
) -> Post:
    return Post(
        id=post_id,
        workspace="ws-a",
        channel=Channel.facebook,
        published_at=dt.datetime(2026, 3, 29, 2, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        text=text,
        category=category,
        metrics=PostMetrics(reach=reach, engagements=10),
    )


@pytest.fixture
def ws(services: Services) -> str:
    with services.db.session() as s:
        WorkspaceRepo(s).save(Workspace(slug="ws-a", name="A"))
    return "ws-a"


def test_the_same_post_imported_twice_is_stored_once(services: Services, ws: str) -> None:
    with services.db.session() as s:
        first = PostRepo(s).upsert_many([_post("1"), _post("2")])
    with services.db.session() as s:
        again = PostRepo(s).upsert_many([_post("1"), _post("2")])
        assert PostRepo(s).count(ws) == 2
    assert (first.imported, again.imported, again.updated, again.changed) == (2, 0, 2, 0)


def test_changed_metrics_update_the_stored_post(services: Services, ws: str) -> None:
    with services.db.session() as s:
        PostRepo(s).upsert_many([_post("1", reach=100)])
    with services.db.session() as s:
        counts = PostRepo(s).upsert_many([_post("1", reach=250)])
        assert PostRepo(s).get(ws, "1").metrics.reach == 250
    assert counts.updated == 1 and counts.changed == 1


def test_a_category_chosen_by_a_person_survives_reimport(services: Services, ws: str) -> None:
    with services.db.session() as s:
        PostRepo(s).upsert_many([_post("1", category="produkt")])
        PostRepo(s).set_category(ws, "1", "ansatte")
    with services.db.session() as s:
        PostRepo(s).upsert_many([_post("1", category="produkt")])
        post = PostRepo(s).get(ws, "1")
    assert post.category == "ansatte" and post.category_locked


def test_publish_time_keeps_its_original_offset(services: Services, ws: str) -> None:
    with services.db.session() as s:
        PostRepo(s).upsert_many([_post("1")])
    with services.db.session() as s:
        post = PostRepo(s).get(ws, "1")
    assert post.published_at.isoformat() == "2026-03-29T02:30:00+01:00"


def test_an_unknown_workspace_is_a_clear_not_found(services: Services) -> None:
    with services.db.session() as s, pytest.raises(NotFound, match="no workspace 'nope'"):
        WorkspaceRepo(s).get("nope")


def test_a_post_without_timezone_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        Post(id="x", workspace="w", channel=Channel.x, published_at=dt.datetime(2026, 1, 1))


@pytest.mark.parametrize("shared_index", [False, True])
@pytest.mark.parametrize("one_batch", [False, True])
@pytest.mark.parametrize("legacy_first", [True, False])
def test_a_post_in_a_legacy_and_a_business_suite_file_is_one_record(
    services: Services, ws: str, legacy_first: bool, one_batch: bool, shared_index: bool
) -> None:
    legacy = _post("178245368912034_1940889696783494", reach=90)
    suite = _post("1940889696783494", reach=120)
    batches = [[legacy, _post("178245368912034_77")], [suite, _post("88")]]
    if not legacy_first:
        batches.reverse()
    if one_batch:
        batches = [batches[0] + batches[1]]
    index: LegacyIndex = {}  # an import keeps one across its batches
    with services.db.session() as s:
        for batch in batches:
            PostRepo(s, index if shared_index else None).upsert_many(batch)
    with services.db.session() as s:
        stored = {p.id: p for p in PostRepo(s).list(ws)}
    assert set(stored) == {"1940889696783494", "178245368912034_77", "88"}
    assert stored["1940889696783494"].metrics.reach == 120, "Business Suite numbers win"
