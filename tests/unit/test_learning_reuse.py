"""Linking published posts to exported drafts, and the reuse report, on a constructed history."""

from __future__ import annotations

import datetime as dt

import pytest

from service.learning.reuse import (
    ExportedDraft,
    LinkConfig,
    PublishedPost,
    link_published,
    precision_recall,
    reuse_report,
    source_scores,
)

T0 = dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC)


def at(days: float) -> dt.datetime:
    return T0 + dt.timedelta(days=days)


SOURCES = [
    PublishedPost(
        post_id="s1",
        channel="instagram",
        published_at=at(-300),
        value=0.08,
        text="Fiskesuppe med ferske reker og dill, servert med nybakt brød fra ovnen",
    ),
    PublishedPost(
        post_id="s2",
        channel="instagram",
        published_at=at(-200),
        value=0.04,
        text="Quiz på tirsdag klokka sju med premier til vinnerlaget og god stemning",
    ),
    PublishedPost(
        post_id="s3",
        channel="instagram",
        published_at=at(-150),
        value=0.06,
        text="Sommermeny med grillet makrell, potetsalat og rabarbrapai til dessert",
    ),
]
DRAFTS = [
    ExportedDraft(
        draft_id="d1",
        channel="instagram",
        exported_at=at(0),
        source_post_id="s1",
        text="Fiskesuppe med ferske reker og dill, servert med nybakt brød 🍲 #sjøbua",
    ),
    ExportedDraft(
        draft_id="d2",
        channel="instagram",
        exported_at=at(1),
        source_post_id="s2",
        text="Quiz tirsdag klokka sju! Premier til vinnerlaget og kjempegod stemning #quiz",
    ),
    ExportedDraft(
        draft_id="d3",
        channel="instagram",
        exported_at=at(2),
        source_post_id="s3",
        text="Sommermeny: grillet makrell og rabarbrapai",
        ref="gj-d3",
    ),
    ExportedDraft(
        draft_id="d4",
        channel="instagram",
        exported_at=at(3),
        source_post_id="s1",
        text="Aldri publisert: julebord med pinnekjøtt og ribbe i desember",
    ),
    ExportedDraft(
        draft_id="d5",
        channel="instagram",
        exported_at=at(10),
        source_post_id="s2",
        text="Vinsmaking fredag med sommelier fra byen og små retter til",
    ),
    ExportedDraft(
        draft_id="d6",
        channel="facebook",
        exported_at=at(4),
        source_post_id="s3",
        text="Konsert på brygga lørdag kveld med lokale band og fiskekaker",
    ),
]
PUBLISHED = [
    # d1 as exported; d2 edited on the way (a word changed, the hashtag and "!" dropped).
    PublishedPost(
        post_id="p1",
        channel="instagram",
        published_at=at(0.5),
        value=0.10,
        text="Fiskesuppe med ferske reker og dill, servert med nybakt brød 🍲 #sjøbua",
    ),
    PublishedPost(
        post_id="p2",
        channel="instagram",
        published_at=at(2),
        value=0.05,
        text="Quiz tirsdag klokka sju. Premier til vinnerlaget og god stemning",
    ),
    # d3 rewritten by hand, but the export's reference survived in the link.
    PublishedPost(
        post_id="p3",
        channel="instagram",
        published_at=at(3),
        value=0.03,
        text="Nå er sommermenyen her!",
        permalink="https://x.no/p?utm_content=gj-d3",
    ),
    # Like d5, but published before it was exported: not a reuse of it.
    PublishedPost(
        post_id="p4",
        channel="instagram",
        published_at=at(5),
        value=0.02,
        text="Vinsmaking fredag med sommelier fra byen og små retter til",
    ),
    # Like d6, but on another channel.
    PublishedPost(
        post_id="p5",
        channel="instagram",
        published_at=at(5),
        value=0.02,
        text="Konsert på brygga lørdag kveld med lokale band og fiskekaker",
    ),
    PublishedPost(
        post_id="b1",
        channel="instagram",
        published_at=at(6),
        value=0.04,
        text="Vi har åpent i påsken fra klokka tolv",
    ),
    PublishedPost(
        post_id="b2",
        channel="facebook",
        published_at=at(6),
        value=0.09,
        text="Takk for en fin sesong",
    ),
]
TRUTH = {"d1": "p1", "d2": "p2", "d3": "p3"}


def test_linking_finds_every_reuse_and_nothing_else() -> None:
    links = link_published(DRAFTS, SOURCES + PUBLISHED)
    assert precision_recall(links, TRUTH) == (1.0, 1.0)
    assert {lk.draft_id: lk.method for lk in links} == {"d1": "text", "d2": "text", "d3": "ref"}
    assert all(
        lk.source_post_id == d.source_post_id
        for lk in links
        for d in DRAFTS
        if d.draft_id == lk.draft_id
    )


def test_a_tight_threshold_loses_the_edited_reuse() -> None:
    links = link_published(DRAFTS, SOURCES + PUBLISHED, LinkConfig(min_similarity=0.99))
    p, r = precision_recall(links, TRUTH)
    assert (p, r) == (1.0, pytest.approx(2 / 3))


def test_report_numbers_are_exact() -> None:
    posts = SOURCES + PUBLISHED
    [ig] = reuse_report(link_published(DRAFTS, posts), posts, resamples=500)
    assert ig.channel == "instagram"
    assert ig.reused.n == 3 and ig.reused.mean == pytest.approx((0.10 + 0.05 + 0.03) / 3)
    assert ig.sources.n == 3 and ig.sources.mean == pytest.approx((0.08 + 0.04 + 0.06) / 3)
    # Baseline: the channel's posts that are neither reuses nor their sources (p4, p5, b1).
    assert ig.baseline.n == 3 and ig.baseline.mean == pytest.approx((0.02 + 0.02 + 0.04) / 3)
    assert ig.lift_vs_baseline == pytest.approx(0.06 / (0.08 / 3))
    assert ig.lift_vs_source == pytest.approx((0.10 / 0.08 + 0.05 / 0.04 + 0.03 / 0.06) / 3)
    assert ig.reused.ci_low is not None and ig.reused.ci_high is not None
    assert 0.03 <= ig.reused.ci_low <= ig.reused.mean <= ig.reused.ci_high <= 0.10 + 1e-9


def test_posts_without_numbers_are_left_out_not_zero() -> None:
    posts = [
        p.model_copy(update={"value": None}) if p.post_id == "p3" else p
        for p in SOURCES + PUBLISHED
    ]
    [ig] = reuse_report(link_published(DRAFTS, posts), posts)
    assert ig.reused.n == 2 and ig.reused.mean == pytest.approx(0.075)


def test_source_scores_rank_sources_whose_reuses_performed() -> None:
    posts = SOURCES + PUBLISHED
    scores = source_scores(link_published(DRAFTS, posts), posts)
    base = 0.08 / 3
    assert scores["s1"] == pytest.approx((0.10 / base + 2) / 3)
    assert scores["s1"] > scores["s2"] > scores["s3"] > 1.0
