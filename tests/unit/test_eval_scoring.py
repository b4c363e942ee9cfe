"""Every eval metric on hand-made outputs: each must be able to fail (Norwegian letters and
nynorsk included), and the baselines must lose where they are built to lose."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.baselines import copy_source, truncate, truncate_source
from evals.cases import RepurposeCase, load_cases
from evals.constraints import instructions
from evals.report import markdown, summarise
from evals.runner import (
    Output,
    Recording,
    baseline_outputs,
    read_recording,
    score_all,
    write_recording,
)
from evals.scoring import band, keeps, score_output
from service.errors import Invalid
from service.generation.surfaces import load_surfaces
from tests.conftest import SHARED_DATA

CATALOG = load_surfaces()
SOURCE = (
    "🦪 Blåskjell i hvitvin og hvitløk – 229 kr\n\nFra skjellfarmen i Hellvik, servert med "
    "surdeigsbrød fra Jorunn. Perfekt å dele!\n\nBord bestiller du på sjobua.no eller 51 49 22 10."
)


def _case(**over: object) -> RepurposeCase:
    raw: dict[str, object] = {
        "id": "t-01",
        "source": {"text": SOURCE},
        "target_surfaces": ["linkedin_post", "meta_ad", "google_rsa"],
        "language": "nb",
        "must_keep": ["229 kr", "sjobua.no", "51 49 22 10"],
        "fact_variants": {"229 kr": ["kr 229", "229,-"]},
        "must_not_appear": ["219 kr", "sjobua.com"],
        "surface_limits": {"google_rsa": {"headline_max_chars": 30, "headlines": [3, 15]}},
    }
    raw.update(over)
    return RepurposeCase.model_validate(raw)


def _names(surface: str, parts: dict[str, object], limits: dict[str, object] | None = None):
    return {i.name: i.passed for i in instructions(CATALOG.get(surface), parts, limits)}


def test_rsa_structure_counts_headlines_and_their_length() -> None:
    good = {
        "headlines": ["Blåskjell i hvitvin", "Bestill bord i dag", "Fra Hellvik"],
        "descriptions": ["Blåskjell med surdeigsbrød.", "Perfekt å dele."],
    }
    assert all(_names("google_rsa", good).values())
    few = {**good, "headlines": ["Blåskjell", "Bestill"]}
    assert _names("google_rsa", few)["headlines_count"] is False
    long = {**good, "headlines": [*good["headlines"][:2], "Blåskjell i hvitvin og hvitløk 229"]}
    assert _names("google_rsa", long)["headlines_chars"] is False


def test_case_limits_tighten_the_catalog() -> None:
    text = {"text": "æ" * 120}
    assert _names("linkedin_post", text)["length"] is True
    assert _names("linkedin_post", text, {"max_chars": 100})["length"] is False
    ad = {"primary_text": "ø" * 130, "headline": "Blåskjell"}
    assert _names("meta_ad", ad, {"primary_text_recommended_max_chars": 125}) == {
        "not_empty": True,
        "length": True,
        "length_recommended": False,
        "headline_count": True,
        "headline_chars": True,
        "hashtags": True,
        "links": True,
    }


def test_x_length_uses_weighted_counting() -> None:
    # 150 CJK characters weigh 300 > 280, though they are only 150 characters.
    assert _names("x_post", {"text": "漢" * 150})["length"] is False
    assert _names("x_post", {"text": "å" * 150})["length"] is True


def test_link_and_hashtag_rules() -> None:
    assert _names("instagram_post", {"text": "Se https://sjobua.no"})["links"] is False
    assert _names("instagram_post", {"text": "Se sjobua.no i bio"})["links"] is True
    ad = {"primary_text": "Bestill på sjobua.no #mat", "headline": "Blåskjell"}
    names = _names("meta_ad", ad)
    assert names["links"] is False and names["hashtags"] is False
    # The ad's destination field is not copy: a URL there is where it belongs.
    ok = {"primary_text": "Bestill bord i dag", "headline": "Blåskjell", "final_url": "sjobua.no"}
    assert _names("meta_ad", ok)["links"] is True


def test_fact_forms_and_boundaries() -> None:
    assert keeps("Nå kr 229 per porsjon", "229 kr", ["kr 229"])
    assert keeps("Bare 229,- i dag", "229 kr", [])  # the extractor knows the form
    assert not keeps("Nå 1229 kr", "229 kr", ["kr 229"])
    assert keeps("Ring +47 51 49 22 10", "51 49 22 10", [])


def test_fact_recall_precision_and_must_not() -> None:
    case = _case()
    li = CATALOG.get("linkedin_post")
    full = {"text": "Blåskjell til kr 229 fra Hellvik. Bestill på sjobua.no eller 51 49 22 10."}
    s = score_output(case, li, full, [])
    assert s.fact_recall == 1.0 and s.fact_precision == 1.0 and not s.must_not_found
    wrong = {"text": "Blåskjell til 219 kr fra Hellvik, 1. mai. Bestill på sjobua.com."}
    s = score_output(case, li, wrong, [])
    assert s.fact_recall == 0.0
    assert s.must_not_found == ["219 kr", "sjobua.com"]
    assert s.fact_precision < 0.5 and "219 kr" in s.invented
    # A fact the retrieved examples hold is grounded, not invented.
    s = score_output(
        case,
        li,
        {"text": "Åpent fra kl. 16 i dag, blåskjell til 229 kr."},
        ["Vi har åpent fra kl. 16 hver dag."],
    )
    assert s.fact_precision == 1.0


def test_language_per_standard_and_per_sentence() -> None:
    case = _case(must_keep=[])
    li = CATALOG.get("linkedin_post")
    bokmal = "Vi har ferske blåskjell fra Hellvik denne uken. Kom innom og smak, vi gleder oss!"
    nynorsk = (
        "Vi har ferske blåskjel frå Hellvik denne veka. Kom innom og smak, vi gler oss til å sjå "
        "dykk!"
    )
    english = (
        "We have fresh mussels from Hellvik this week. Come by and taste them, we look forward!"
    )
    assert score_output(case, li, {"text": bokmal}, []).language_ok
    assert not score_output(case, li, {"text": nynorsk}, []).language_ok
    assert not score_output(case, li, {"text": english}, []).language_ok
    mixed = bokmal + "\n" + english
    assert not score_output(case, li, {"text": mixed}, []).language_ok


def test_chrf_bands() -> None:
    assert band(100.0) == "copied" and band(50.0) == "adapted" and band(5.0) == "drifted"
    case = _case()
    li = CATALOG.get("linkedin_post")
    assert score_output(case, li, {"text": SOURCE}, []).chrf_band == "copied"
    copied_example = "Vi ansetter kokker til sommeren, send søknad til jobb@sjobua.no i dag."
    s = score_output(case, li, {"text": copied_example}, [copied_example])
    assert s.max_chrf_examples > 95 and s.shared_8grams_examples > 0


def test_baselines_lose_where_they_should() -> None:
    case = _case()
    rsa, li = CATALOG.get("google_rsa"), CATALOG.get("linkedin_post")
    copy = score_output(case, li, copy_source(li, SOURCE), [])
    assert copy.fact_recall == 1.0 and copy.chrf_band == "copied" and not copy.usable
    cut = truncate_source(rsa, SOURCE, case.surface_limits["google_rsa"])
    assert all(len(h) <= 30 for h in cut["headlines"])
    scored = score_output(case, rsa, cut, [])
    assert not scored.all_instructions and not scored.usable  # one headline, not 3-15


def test_truncate_counts_like_the_surface() -> None:
    assert truncate("blåbær og rømme på brød", 12) == "blåbær og"
    assert len(truncate("a" * 50, 10)) == 10


def test_cases_ignore_unknown_fields_and_report_bad_lines(tmp_path: Path) -> None:
    good = {"id": "x", "source": {"text": "Hei"}, "target_surfaces": ["x_post"], "extra": 1}
    f = tmp_path / "ws" / "cases.jsonl"
    f.parent.mkdir()
    f.write_text(json.dumps(good) + "\n\n" + '{"id": "y", "source": {}}\n', encoding="utf-8")
    with pytest.raises(Invalid, match=r"line 3: source\.text"):
        load_cases(f)
    f.write_text(json.dumps(good) + "\n", encoding="utf-8")
    [case] = load_cases(f, workspace="ws")
    assert case.workspace == "ws" and case.target_surfaces == ["x_post"]


def test_replay_scores_exactly_like_the_live_outputs(tmp_path: Path) -> None:
    case = _case()
    outputs = [
        Output(system="product", case_id=case.id, surface="linkedin_post",
               parts={"text": "Blåskjell til 229 kr. Bestill på sjobua.no."}, model="m",
               product_passed=True, first_attempt_passed=False),
        Output(system="product", case_id=case.id, surface="nope_surface", parts={},
               error="unknown surface 'nope_surface'"),
    ]  # fmt: skip
    write_recording(tmp_path, Recording(model="m", started="now", cases=[case.id], outputs=outputs))
    again = read_recording(tmp_path)
    first = summarise(score_all([case], outputs), {"model": "m"})
    second = summarise(score_all([case], again.outputs), {"model": "m"})
    assert first == second
    product = first["systems"]["product"]
    assert product["overall"]["first_attempt_passed"]["mean"] == 0.0
    assert product["unscored"] == [
        {"case": "t-01", "surface": "nope_surface", "error": "unknown surface 'nope_surface'"}
    ]
    assert "| usable |" in markdown(first)


def test_on_the_dev_cases_no_baseline_is_usable() -> None:
    files = sorted(SHARED_DATA.glob("*/eval_cases.jsonl"))
    if not files:
        pytest.skip("shared data not present")
    cases = [c for f in files for c in load_cases(f)]
    summary = summarise(score_all(cases, baseline_outputs(cases, CATALOG)), {})
    copy = summary["systems"]["baseline_copy"]["overall"]
    cut = summary["systems"]["baseline_truncate"]["overall"]
    assert copy["fact_recall"]["mean"] == 1.0  # it is the source: every fact is in it
    assert copy["adapted"]["mean"] == 0.0
    assert copy["usable"]["mean"] == 0.0 and cut["usable"]["mean"] < 0.1
    assert cut["instruction_accuracy"]["mean"] > copy["instruction_accuracy"]["mean"]


def test_lines_copied_from_the_instructions_are_echoes_and_make_an_output_unusable() -> None:
    from evals.scoring import echoed_lines

    echo = {"text": "Nyhetsbrev-omtale (newsletter_blurb)\nBlåskjell i hvitvin – 229 kr."}
    assert echoed_lines(echo, SOURCE) == ["Nyhetsbrev-omtale (newsletter_blurb)"]
    assert echoed_lines({"preheader": "1 stk, høyst 60 tegn hver"}, SOURCE)
    assert echoed_lines({"text": "Fakta som må med\n229 kr"}, SOURCE) == ["Fakta som må med"]
    # Ordinary calls to action that also appear in the rules, and the source's own words, are not.
    assert echoed_lines({"headlines": ["Bestill bord", "Se menyen"]}, SOURCE) == []
    assert echoed_lines({"text": "Se Facebook-innlegget vårt om blåskjell."}, SOURCE) == []
    assert echoed_lines({"text": "Fakta som må med"}, "Fakta som må med: 229 kr") == []
    score = score_output(
        _case(target_surfaces=["linkedin_post"]), CATALOG.surfaces["linkedin_post"],
        {"text": "LinkedIn-innlegg\n" + SOURCE.replace("Perfekt å dele!", "Velkommen.")}, [],
    )  # fmt: skip
    assert score.prompt_echo == ["LinkedIn-innlegg"] and not score.usable
