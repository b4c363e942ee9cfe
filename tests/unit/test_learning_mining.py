"""Rule mining on constructed edit histories: found at the threshold, not below, not on conflict."""

from __future__ import annotations

import datetime as dt

from service.learning.mining import EditPair, MiningConfig, mine_rules, new_proposals
from service.learning.rules import RuleKind, ScopeType, StyleRule

T0 = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
NEUTRAL = [
    ("Velkommen til en hyggelig kveld hos oss.", "Velkommen til en fin kveld hos oss."),
    ("Nye varer er kommet i butikken.", "Nye varer har kommet i butikken."),
    ("Vi har åpent hele helgen.", "Vi har åpent i hele helgen."),
    ("Kom innom og smak på suppen.", "Kom innom og smak suppen."),
    ("Husk at vi stenger tidlig fredag.", "Husk at vi stenger tidligere fredag."),
]


def pairs(
    changed: list[tuple[str, str]],
    neutral: int,
    *,
    surface: str = "instagram_post",
    channel: str = "instagram",
) -> list[EditPair]:
    items = changed + NEUTRAL[:neutral]
    return [
        EditPair(
            draft_id=f"d{i}",
            channel=channel,
            surface=surface,
            generated=g,
            edited=e,
            approved_at=T0 + dt.timedelta(hours=i),
        )
        for i, (g, e) in enumerate(items)
    ]


def kinds(rules: list[StyleRule]) -> dict[RuleKind, StyleRule]:
    return {r.kind: r for r in rules}


EMOJI_EDITS = [
    ("Fredagstaco i kveld 🌮🔥", "Fredagstaco i kveld"),
    ("Ny meny på plass 🎉", "Ny meny på plass"),
    ("Vi har nydelig fisk i dag 🐟", "Vi har nydelig fisk i dag"),
    ("Lang lørdag med musikk 🎶", "Lang lørdag med musikk"),
]


def test_emoji_removal_becomes_a_cap_at_the_threshold() -> None:
    rule = kinds(mine_rules("w", pairs(EMOJI_EDITS[:3], 0)))[RuleKind.emoji_cap]
    assert rule.params == {"max": 0}
    assert rule.support == 3 and rule.considered == 3
    assert rule.scope is ScopeType.workspace and rule.scope_value == ""
    assert {e.draft_id for e in rule.evidence} == {"d0", "d1", "d2"}
    assert rule.evidence[0].before != rule.evidence[0].after


def test_a_habit_of_one_channel_is_scoped_to_that_channel() -> None:
    kept = [(g + " 🙂", g + " 🙂 ja") for g, _ in NEUTRAL[:3]]
    history = pairs(EMOJI_EDITS[:3], 0) + pairs(
        kept, 0, surface="facebook_post", channel="facebook"
    )
    caps = [r for r in mine_rules("w", history) if r.kind is RuleKind.emoji_cap]
    assert [(r.scope, r.scope_value) for r in caps] == [(ScopeType.channel, "instagram")]


def test_below_the_edit_count_no_rule() -> None:
    assert RuleKind.emoji_cap not in kinds(mine_rules("w", pairs(EMOJI_EDITS[:2], 0)))


def test_below_the_share_no_rule_and_the_share_is_configurable() -> None:
    # 3 of 5 emoji drafts lose their emoji, 2 keep them: 60 % passes, a 70 % bar does not.
    kept = [
        ("Sol og sommer ☀️ i dag", "Sol og sommer ☀️ i dag!"),
        ("Kaffe ☕ er klar", "Kaffen ☕ er klar"),
    ]
    history = pairs(EMOJI_EDITS[:3] + kept, 0)
    assert RuleKind.emoji_cap in kinds(mine_rules("w", history))
    assert RuleKind.emoji_cap not in kinds(mine_rules("w", history, MiningConfig(min_share=0.7)))


def test_conflicting_edits_produce_no_rule() -> None:
    added = [
        ("God morgen fra oss", "God morgen fra oss ☀️"),
        ("Helgen er her", "Helgen er her 🎉"),
        ("Suppe i dag", "Suppe i dag 🍲"),
    ]
    rules = kinds(mine_rules("w", pairs(EMOJI_EDITS[:3] + added, 0)))
    assert RuleKind.emoji_cap not in rules and RuleKind.emoji_min not in rules


def test_word_replacement_needs_consistency() -> None:
    edits = [
        ("En kjempegod middag venter", "En god middag venter"),
        ("Kjempegod stemning i kveld", "God stemning i kveld"),
        ("Kjempegod pizza til alle", "God pizza til alle"),
    ]
    rules = mine_rules("w", pairs(edits, 2))
    rep = [r for r in rules if r.kind is RuleKind.replacement]
    assert [r.params for r in rep] == [{"old": "kjempegod", "new": "god"}]
    # The replaced word is not a second "forbidden" rule.
    assert not [r for r in rules if r.kind is RuleKind.forbidden_phrase]
    conflicting = [
        *edits[:2],
        ("Kjempegod pizza", "Fantastisk pizza"),
        ("Kjempegod is", "Deilig is"),
    ]
    assert not [r for r in mine_rules("w", pairs(conflicting, 0)) if r.kind is RuleKind.replacement]


def test_hashtags_capped_sign_off_exclamations_first_person_and_links() -> None:
    edits = [
        (
            "Vi har taco i dag! #mat #taco #fredag #kos",
            "Me har taco i dag. #mat #taco\nVelkommen innom.",
        ),
        ("Vi åpner kl 10! #åpent #helg #kos", "Me åpner kl 10. #åpent #helg\nVelkommen innom."),
        (
            "Vi har ny meny! #meny #mat #nytt #kos #sjø",
            "Me har ny meny. #meny #mat\nVelkommen innom.",
        ),
    ]
    rules = kinds(mine_rules("w", pairs(edits, 0)))
    assert rules[RuleKind.hashtag_cap].params == {"max": 2}
    assert rules[RuleKind.exclamation_cap].params == {"max": 0}
    assert rules[RuleKind.first_person].params == {"old": "vi", "new": "me"}
    assert rules[RuleKind.sign_off].params == {"text": "Velkommen innom."}
    links = [
        ("Les mer på https://a.no/x om kvelden vår", "Les mer om kvelden vår\nhttps://a.no/x"),
        ("Se https://a.no/y for menyen i dag", "Se menyen i dag\nhttps://a.no/y"),
        ("Bestill på https://a.no/z i dag", "Bestill bord i dag\nhttps://a.no/z"),
    ]
    assert kinds(mine_rules("w", pairs(links, 0)))[RuleKind.link_placement].params == {
        "position": "end"
    }


def test_shortening_becomes_a_length_budget_per_surface() -> None:
    long = "Dette er en lang tekst om alt vi har på menyen denne uka. " * 3
    edits = [(long, long[:60]), (long + "Mer.", long[:55]), (long + "Enda mer.", long[:70])]
    rules = mine_rules("w", pairs(edits, 0, surface="facebook_post", channel="facebook"))
    budget = kinds(rules)[RuleKind.length_budget]
    assert budget.params == {"max_chars": 70}
    # Edits on another surface of another channel say nothing about this one.
    split = pairs(edits[:2], 0, surface="a", channel="x") + pairs(
        edits[2:], 0, surface="b", channel="y"
    )
    other = mine_rules("w", split)
    assert RuleKind.length_budget not in kinds(other)


def test_only_recent_edits_count() -> None:
    # Five older edits kept their emoji; the three newest removed them: the editors changed
    # their minds, and only a window that sees mostly the new habit proposes the cap.
    kept = pairs([(g + " 🙂", g + " 🙂 ja") for g, _ in NEUTRAL], 0)
    newer = [
        p.model_copy(
            update={"draft_id": f"n{i}", "approved_at": T0 + dt.timedelta(days=9, hours=i)}
        )
        for i, p in enumerate(pairs(EMOJI_EDITS[:3], 0))
    ]
    assert RuleKind.emoji_cap in kinds(mine_rules("w", kept + newer, MiningConfig(recent=4)))
    assert RuleKind.emoji_cap not in kinds(mine_rules("w", kept + newer, MiningConfig(recent=8)))


def test_a_deleted_or_kept_rule_is_not_proposed_again() -> None:
    mined = mine_rules("w", pairs(EMOJI_EDITS[:3], 0))
    assert new_proposals(mined, mined) == []
    assert new_proposals(mined, [], dismissed=[r.key() for r in mined]) == []
    assert new_proposals(mined, []) == mined
