"""The profile audit on the dev profiles (planted flaws found) and on hand-made ones, its input
validation, and the rewrite proposals: each shown option passes the hard checks."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from evals.profile_audit import score_folders
from service.domain.profile_audit import FindingCode, ProfileSet
from service.errors import Invalid
from service.profiles.audit import audit, keyword_present
from service.profiles.files import load_profiles, parse_csv
from service.profiles.rewrite import RewriteRequest, fit, rewrite, word_diff
from service.providers.llm_fake import FakeLLM
from tests.conftest import SHARED_DATA

TODAY = date(2026, 11, 23)
ORGS = [SHARED_DATA / "sjobua-restaurant", SHARED_DATA / "fjordkanten-storsenter"]


def _profiles(**channels: dict[str, str]) -> ProfileSet:
    return ProfileSet(
        organisation="Sjøbua Restaurant",
        wanted_keywords=["fiskesuppe", "lokal fisk"],
        channels=channels,
    )


def test_planted_flaws_are_found_on_the_dev_profiles() -> None:
    if not all((o / "profiles.json").is_file() for o in ORGS):
        pytest.skip("shared data not present")
    out = score_folders(ORGS, today=TODAY)
    micro = out["deterministic_micro"]
    assert micro["recall"] >= 0.9 and micro["precision"] >= 0.9, out["per_code"]


def test_a_phone_number_with_swapped_digits_is_an_inconsistent_fact() -> None:
    p = _profiles(
        website={"om_oss": "Fiskesuppe av lokal fisk. Ring 51 49 22 10."},
        instagram={"bio": "Fiskesuppe hver dag! Ring 51 49 22 10."},
        facebook={
            "description": "Fiskesuppe av lokal fisk. Ring 51 49 22 01.",
            "phone": "51492201",
        },
    )
    found = {(f.channel, f.field, f.code) for f in audit(p, today=TODAY).findings}
    assert ("facebook", "description", FindingCode.inconsistent_fact) in found
    assert ("facebook", "phone", FindingCode.inconsistent_fact) in found
    assert not [f for f in found if f[0] != "facebook"]


def test_old_news_and_old_hours_are_outdated_but_history_is_not() -> None:
    p = _profiles(
        website={"om_oss": "Sjøbua er fra 1887. Fiskesuppe av lokal fisk, åpent tir–lør 16–23."},
        facebook={"description": "Nyhet 2023: fiskesuppe! Åpent tir–lør 16–22. Ring 51 49 22 10."},
        instagram={"bio": "Fiskesuppe av lokal fisk. Åpent tir–lør 16–23. Ring 51 49 22 10."},
    )
    outdated = [f for f in audit(p, today=TODAY).findings if f.code is FindingCode.outdated]
    assert {(f.channel, f.evidence) for f in outdated} == {
        ("facebook", "Nyhet 2023:"),
        ("facebook", "tir–lør 16–22"),
    }


def test_limits_cta_contact_and_keywords() -> None:
    p = _profiles(
        tiktok={
            "bio": "Vi er på TikTok 🎉 og gleder oss masse til å vise dere alt det gøye vi "
            "holder på med!"
        },
        linkedin={"about": "Vi ble etablert i 2008 og har 14 ansatte. " * 6},
    )
    found = {(f.channel, f.field, f.code) for f in audit(p, today=TODAY).findings}
    assert ("tiktok", "bio", FindingCode.over_limit) in found
    assert ("tiktok", "bio", FindingCode.no_contact_path) in found
    assert ("tiktok", "bio", FindingCode.missing_keyword) in found
    assert ("linkedin", "about", FindingCode.no_cta) in found
    assert ("linkedin", "about", FindingCode.missing_keyword) in found


def test_nynorsk_in_a_bokmal_profile_is_a_language_mismatch() -> None:
    p = _profiles(
        website={
            "om_oss": "Vi lager fiskesuppe av lokal fisk, og vi gleder oss til å se deg hos oss."
        },
        facebook={
            "description": "Me lagar fiskesuppe av lokal fisk, og me gler oss til å sjå "
            "dykk hjå oss."
        },
    )
    found = {(f.channel, f.code) for f in audit(p, today=TODAY).findings}
    assert ("facebook", FindingCode.language_mismatch) in found
    assert ("website", FindingCode.language_mismatch) not in found


def test_keyword_matching_is_by_word_stem_and_exact_numbers() -> None:
    assert keyword_present("lokal fisk", "fisk fra lokale fiskere")
    assert keyword_present("sjømatrestaurant i Egersund", "Sjømatrestaurant på brygga i Egersund")
    assert not keyword_present("38 butikker", "Hos oss finner du 24 butikker")
    assert keyword_present("38 butikker", "38 butikker under ett tak")
    assert not keyword_present("gavekort", "Gratis parkering")


@pytest.mark.parametrize(
    ("channels", "message"),
    [
        ({"instagram": {"bio": "   "}}, "instagram.bio is empty"),
        ({"website": {"om_oss": "x" * 100_000}}, "website.om_oss is 100000 characters"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    channels: dict[str, dict[str, str]], message: str
) -> None:
    with pytest.raises(Invalid, match=message):
        audit(ProfileSet(organisation="X", channels=channels))


def test_an_unknown_channel_or_field_is_a_finding_and_the_rest_is_audited() -> None:
    p = ProfileSet(
        organisation="Sjøbua",
        channels={
            "myspace": {"bio": "Hei"},
            "instagram": {"bio": "Fiskesuppe hver dag. Nyhet 2024!", "tagline": "Hei"},
        },
    )
    report = audit(p, today=TODAY)
    by_code = {f.code: f for f in report.findings}
    unknown = by_code[FindingCode.unknown_channel]
    assert unknown.channel == "myspace" and unknown.params["channel"] == "myspace"
    assert "instagram" in str(unknown.params["known"]) and "myspace" in unknown.suggestion
    field = by_code[FindingCode.unknown_field]
    assert (field.channel, field.field) == ("instagram", "tagline")
    assert FindingCode.outdated in by_code, "the known field is still audited"
    assert set(report.channels) == {"instagram"}, "only what is known is scored"


def test_a_file_of_only_unknown_channels_still_answers() -> None:
    report = audit(ProfileSet(organisation="X", channels={"myspace": {"bio": "Hei"}}))
    assert [f.code for f in report.findings] == [FindingCode.unknown_channel]
    assert report.channels == {} and report.overall == 0 and "X" in report.summary


def test_a_google_business_description_is_audited_with_its_own_rules() -> None:
    text = "Hotell ved fjorden med 48 rom. Alt 50 % billigere i mars! Se https://fjord.no"
    report = audit(
        ProfileSet(organisation="Fjord", channels={"google_business": {"description": text}}),
        today=TODAY,
    )
    rules = [f for f in report.findings if f.code is FindingCode.against_rules]
    assert {f.message for f in rules} == {"audit.promotional.fix", "audit.no_links.fix"}
    assert any("50 %" in str(f.params["found"]) for f in rules)
    over = audit(
        ProfileSet(
            organisation="Fjord", channels={"google_business": {"description": "Ord. " * 160}}
        ),
        today=TODAY,
    )
    (limit,) = [f for f in over.findings if f.code is FindingCode.over_limit]
    assert limit.params == {"found": 800, "limit": 750, "excess": 50}


def test_csv_rows_are_read_and_a_broken_row_is_named(tmp_path: Path) -> None:
    good = (
        "channel,field,text\nmeta,organisation,Sjøbua\n"
        "meta,wanted_keywords,fiskesuppe; lokal fisk\n"
        "instagram,bio,Fiskesuppe hver dag!\n"
    )
    p = parse_csv(good)
    assert p.organisation == "Sjøbua" and p.wanted_keywords == ["fiskesuppe", "lokal fisk"]
    with pytest.raises(Invalid, match=r"row 3: instagram\.bio is given twice"):
        parse_csv("channel,field,text\ninstagram,bio,a\ninstagram,bio,b\n")
    with pytest.raises(Invalid, match="header must have"):
        parse_csv("kanal,tekst\nx,y\n")
    bad = tmp_path / "p.json"
    bad.write_text('{"organisation": "X", "channels": {"x": {"bio": 5}}}', encoding="utf-8")
    with pytest.raises(Invalid, match=r"x\.bio must be text"):
        load_profiles(bad)


def test_rule_fix_corrects_facts_and_every_shown_option_passes() -> None:
    if not (ORGS[0] / "profiles.json").is_file():
        pytest.skip("shared data not present")
    p = load_profiles(ORGS[0] / "profiles.json")
    _, shown, _ = rewrite(RewriteRequest(profiles=p, n=0), None, today=TODAY)
    fb = next(o for o in shown if (o.channel, o.field) == ("facebook", "description"))
    assert "51 49 22 10" in fb.text and "16–23" in fb.text and "sjobua.no" in fb.text
    assert "51 49 22 01" not in fb.text and "sjobua-restaurant.no" not in fb.text
    assert "{+16–23+}" in fb.diff
    for o in shown:
        assert o.passed and all(c.passed for c in o.checks if c.hard)
        assert o.limit is None or o.chars <= o.limit


def test_a_model_option_with_a_wrong_phone_is_hidden_with_its_reason() -> None:
    p = _profiles(
        website={"om_oss": "Fiskesuppe av lokal fisk. Ring 51 49 22 10."},
        instagram={"bio": "Fiskesuppe! " * 14 + "Ring 51 49 22 10."},
    )
    llm = FakeLLM()
    llm.queue(
        json.dumps({"text": "Fiskesuppe av lokal fisk. Ring 51 49 22 99!"}),
        json.dumps({"text": "Fiskesuppe av lokal fisk hver dag. Ring 51 49 22 10!"}),
    )
    _, shown, hidden = rewrite(
        RewriteRequest(profiles=p, fields=["instagram.bio"], n=2), llm, today=TODAY
    )
    texts = [o.text for o in shown]
    assert "Fiskesuppe av lokal fisk hver dag. Ring 51 49 22 10!" in texts
    [bad] = [o for o in hidden if "99" in o.text]
    assert not next(c for c in bad.checks if c.name == "inconsistent_fact").passed


def test_fit_keeps_what_carries_most_and_never_adds_an_ellipsis() -> None:
    text = "Vi er et kjøpesenter. Gratis parkering og 38 butikker! Ring 57 74 30 00."
    out = fit(text, 60, ["gratis parkering", "38 butikker"])
    assert len(out) <= 60 and "57 74 30 00" in out and "…" not in out
    assert word_diff("a b c", "a x c") == "a [-b-] {+x+} c"
