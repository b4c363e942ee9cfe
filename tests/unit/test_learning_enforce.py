"""Each checkable rule kind: the check finds the breach, the repair removes it, and guidance
carries only what a check cannot decide."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from service.generation.text_length import count_length
from service.learning.enforce import Room, apply_rules, check_rules, guidance, unrepairable
from service.learning.rules import RuleKind, RuleSource, ScopeType, StyleRule, applicable


def rule(kind: RuleKind, **params: Any) -> StyleRule:
    return StyleRule(workspace="w", kind=kind, params=params)


CASES: list[tuple[StyleRule, str, str]] = [
    (
        rule(RuleKind.forbidden_phrase, phrase="billig"),
        "Billig mat og billig drikke.",
        "mat og drikke.",
    ),
    (
        rule(RuleKind.replacement, old="kjempegod", new="god"),
        "Kjempegod middag, kjempegod pris.",
        "God middag, god pris.",
    ),
    (
        rule(RuleKind.replacement, old="middag", new="kveldsmat"),
        "Middag kl 18.",
        "Kveldsmat kl 18.",
    ),
    (
        rule(RuleKind.first_person, old="vi", new="me"),
        "Vi har ope. Kom til oss, vi ventar.",
        "Me har ope. Kom til oss, me ventar.",
    ),
    (rule(RuleKind.emoji_cap, max=1), "Taco 🌮 og fest 🎉🔥", "Taco 🌮 og fest"),
    (rule(RuleKind.emoji_cap, max=0), "Hei 👋🏽 alle 🇳🇴", "Hei alle"),
    (
        rule(RuleKind.hashtag_cap, max=2),
        "Ny meny.\n\n#mat #taco #fredag #kos",
        "Ny meny.\n\n#mat #taco",
    ),
    (
        rule(RuleKind.exclamation_cap, max=0),
        "Velkommen! Vi har åpent!!",
        "Velkommen. Vi har åpent.",
    ),
    (
        rule(RuleKind.link_placement, position="end"),
        "Les mer på https://a.no/x om kvelden.",
        "Les mer på om kvelden.\nhttps://a.no/x",
    ),
    (
        rule(RuleKind.sign_off, text="Velkommen innom!"),
        "Ny meny i dag.\n\n#mat",
        "Ny meny i dag.\nVelkommen innom!\n\n#mat",
    ),
    (
        rule(RuleKind.length_budget, max_chars=30),
        "Første setning her. Andre setning er lang. Tredje.",
        "Første setning her.",
    ),
]


@pytest.mark.parametrize(("r", "bad", "fixed"), CASES, ids=[c[0].kind.value for c in CASES])
def test_check_finds_and_repair_fixes(r: StyleRule, bad: str, fixed: str) -> None:
    found = check_rules(bad, [r])
    assert [v.kind for v in found] == [r.kind] and found[0].rule_id == r.id
    assert apply_rules(bad, [r]) == fixed
    assert check_rules(fixed, [r]) == []
    assert apply_rules(fixed, [r]) == fixed  # repair is idempotent


def test_required_phrase_is_checked_but_not_invented() -> None:
    r = rule(RuleKind.required_phrase, phrase="#sjøbua")
    assert check_rules("Fersk fisk #sjøbua", [r]) == []
    assert [v.detail for v in unrepairable("Fersk fisk", [r])] == ["missing '#sjøbua'"]


def test_phrases_match_whole_words_only() -> None:
    r = rule(RuleKind.forbidden_phrase, phrase="god")
    assert check_rules("En kjempegod dag", [r]) == []
    assert check_rules("En god dag", [r])


def test_length_budget_keeps_the_sign_off_and_drops_hashtags_first() -> None:
    rules = [rule(RuleKind.length_budget, max_chars=45), rule(RuleKind.sign_off, text="Velkommen!")]
    out = apply_rules("Første setning her. Andre setning her.\n\n#a #b #c #d #e #f", rules)
    assert len(out) <= 45 and check_rules(out, rules) == []
    assert out.startswith("Første setning her.")


SIGN = "Vel møtt!"
FACTS = ("15. august", "kl. 18", "450 kr", "sjobua.no")


def test_a_sign_off_makes_room_by_a_sentence_that_carries_no_fact() -> None:
    """A text near its limit: the sign-off goes last and within the limit, the sentence that
    goes is the one without a fact (not simply the last), and every fact and link stays."""
    text = (
        "Krabbefest lørdag 15. august fra kl. 18 på brygga. Vi gleder oss veldig til å se "
        "dere. Hel krabbe for 450 kr per person. Bestill på sjobua.no."
    )
    limit = len(text) + 4
    assert len(f"{text}\n{SIGN}") > limit
    out = apply_rules(text, [rule(RuleKind.sign_off, text=SIGN)], rooms=[Room(limit)])
    assert out.endswith(f"\n{SIGN}") and len(out) <= limit
    assert all(fact in out for fact in FACTS)
    assert "Vi gleder oss" not in out and out.startswith("Krabbefest lørdag 15. august")


def test_a_sign_off_makes_room_by_a_clause_when_every_sentence_carries_a_fact() -> None:
    text = (
        "Julebord i Sjøbua fra 21. november, med pinnekjøtt, ribbe og Jorunns riskrem, "
        "for 695 kr per person."
    )
    limit = len(text) + 2
    out = apply_rules(text, [rule(RuleKind.sign_off, text=SIGN)], rooms=[Room(limit)])
    assert out.endswith(f"\n{SIGN}") and len(out) <= limit
    assert "21. november" in out and "695 kr" in out
    assert out.splitlines()[0].endswith("per person.")  # the sentence still ends as one


def test_no_room_without_cutting_a_fact_leaves_the_text_whole() -> None:
    """Every sentence and clause carries a fact: nothing is cut (no word, no fact, no
    ellipsis); the sign-off is added and the text goes over, for the checks to report."""
    text = "Krabbefest lørdag 15. august fra kl. 18. 450 kr per person på sjobua.no."
    limit = len(text) + 3
    out = apply_rules(text, [rule(RuleKind.sign_off, text=SIGN)], rooms=[Room(limit)])
    assert out == f"{text}\n{SIGN}" and len(out) > limit and "…" not in out


def test_room_is_counted_as_the_surface_counts() -> None:
    """An X-weighted limit: a link weighs 23 whatever its length, so a long link leaves room
    that counting characters would not see, and the sign-off fits as X counts it."""
    link = "https://sjobua.no/" + "a" * 60
    text = f"Krabbefest lørdag 15. august. Vi gleder oss.\n{link}"
    room = Room(count_length(text, "x_weighted") + len(f"\n{SIGN}"), "x_weighted")
    out = apply_rules(text, [rule(RuleKind.sign_off, text=SIGN)], rooms=[room])
    assert out == f"{text}\n{SIGN}" and len(out) > room.limit and room.fits(out)
    tight = Room(count_length(text, "x_weighted") + 4, "x_weighted")
    cut = apply_rules(text, [rule(RuleKind.sign_off, text=SIGN)], rooms=[tight])
    assert tight.fits(cut) and cut.endswith(SIGN) and link in cut and "Vi gleder" not in cut


def test_a_present_sign_off_and_a_required_phrase_are_never_cut_for_a_budget() -> None:
    text = "Ny meny i dag. Vi har #sjøbua-klassikere og mer. Kom innom.\nVel møtt!"
    rules = [
        rule(RuleKind.length_budget, max_chars=len(text) - 5),
        rule(RuleKind.sign_off, text=SIGN),
        rule(RuleKind.required_phrase, phrase="#sjøbua-klassikere"),
    ]
    out = apply_rules(text, rules)
    assert check_rules(out, rules) == []
    assert out.endswith(SIGN) and "#sjøbua-klassikere" in out


def test_rules_combine_and_disabled_rules_do_nothing() -> None:
    rules = [
        rule(RuleKind.emoji_cap, max=0),
        rule(RuleKind.hashtag_cap, max=2),
        rule(RuleKind.replacement, old="middag", new="kveldsmat"),
        rule(RuleKind.sign_off, text="Vel møtt!"),
    ]
    text = "Middag i kveld 🍲! #mat #kos #fisk"
    out = apply_rules(text, rules)
    assert check_rules(out, rules) == []
    assert out == "Kveldsmat i kveld! #mat #kos\nVel møtt!"
    off = [r.model_copy(update={"enabled": False}) for r in rules]
    assert check_rules(text, off) == [] and apply_rules(text, off) == text


def test_scope_filter() -> None:
    ws = rule(RuleKind.emoji_cap, max=0)
    ch = StyleRule(
        workspace="w",
        kind=RuleKind.hashtag_cap,
        params={"max": 2},
        scope=ScopeType.channel,
        scope_value="instagram",
    )
    sf = StyleRule(
        workspace="w",
        kind=RuleKind.hashtag_cap,
        params={"max": 1},
        scope=ScopeType.surface,
        scope_value="meta_ad",
    )
    assert applicable([ws, ch, sf], channel="instagram", surface="instagram_post") == [ws, ch]
    assert applicable([ws, ch, sf], channel="facebook", surface="meta_ad") == [ws, sf]


def test_guidance_renders_only_unchecked_rules() -> None:
    note = StyleRule(
        workspace="w",
        kind=RuleKind.style_note,
        params={"text": "Skriv varmt."},
        source=RuleSource.model,
    )
    rules = [rule(RuleKind.emoji_cap, max=0), rule(RuleKind.emoji_min, min=1), note]
    nb = guidance(rules, "nb")
    assert "Bruk minst 1 emoji." in nb and "Skriv varmt. (forslag fra modell)" in nb
    assert "Høyst 0 emoji" not in nb
    assert "At most 0 emoji." in guidance(rules, "en", all_rules=True)
    assert guidance([rules[0]], "nb") == ""


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        (RuleKind.emoji_cap, {}, "needs params: max"),
        (RuleKind.emoji_cap, {"max": -1}, "whole number"),
        (RuleKind.replacement, {"old": "a", "new": " "}, "non-empty"),
        (RuleKind.link_placement, {"position": "start"}, "must be 'end'"),
    ],
)
def test_bad_rules_are_refused_with_the_reason(
    kind: RuleKind, params: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        StyleRule(workspace="w", kind=kind, params=params)
    with pytest.raises(ValidationError, match="scope_value"):
        StyleRule(
            workspace="w", kind=RuleKind.emoji_cap, params={"max": 0}, scope=ScopeType.channel
        )


def test_a_revision_is_a_new_version() -> None:
    r = rule(RuleKind.emoji_cap, max=0)
    r2 = r.revised(params={"max": 1})
    assert (r2.version, r2.id, r2.params) == (2, r.id, {"max": 1})
