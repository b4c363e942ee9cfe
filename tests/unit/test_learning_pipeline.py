"""The seams the product calls: approved edits propose rules, enforcement repairs or fails,
and the learning setting switches all of it off."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from service.domain import Draft, DraftStatus
from service.learning.pipeline import enforce, prompt_guidance, propose
from service.learning.rules import RuleKind, StyleRule
from service.settings import Settings


def channel_of(surface: str) -> str:
    return surface.split("_", 1)[0]


def drafts() -> list[Draft]:
    texts = ["Taco i kveld 🌮", "Ny meny 🎉", "Fisk i dag 🐟", "Quiz 🧠"]
    out = [
        Draft(
            id=f"d{i}",
            workspace="w",
            surface="instagram_post",
            language="nb",
            text=t,
            passed=True,
            status=DraftStatus.approved,
            edited_text=t[:-2],
            updated_at=dt.datetime(2026, 5, 1, i, tzinfo=dt.UTC),
        )
        for i, t in enumerate(texts)
    ]
    # Rejected or unedited drafts teach nothing.
    out[3] = out[3].model_copy(update={"status": DraftStatus.rejected})
    return out


def test_approved_edits_propose_a_rule_once(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path, env="test", llm="fake", embeddings="local")
    [rule] = propose("w", drafts(), [], [], channel_of, s)
    assert rule.kind is RuleKind.emoji_cap and rule.support == 3
    assert propose("w", drafts(), [rule], [], channel_of, s) == []
    off = s.model_copy(update={"learning": False})
    assert propose("w", drafts(), [], [], channel_of, off) == []


def test_enforce_repairs_or_reports(tmp_path: Path) -> None:
    s = Settings(data_dir=tmp_path, env="test", llm="fake", embeddings="local")
    rules = [
        StyleRule(workspace="w", kind=RuleKind.emoji_cap, params={"max": 0}),
        StyleRule(workspace="w", kind=RuleKind.required_phrase, params={"phrase": "#sjøbua"}),
        StyleRule(workspace="w", kind=RuleKind.emoji_min, params={"min": 1}),
    ]
    out = enforce("Taco 🌮", rules, channel="instagram", surface="instagram_post", settings=s)
    assert out.text == "Taco" and out.repaired
    assert [v.kind for v in out.violations] == [RuleKind.required_phrase]
    ok = enforce("Taco #sjøbua", rules, channel="instagram", surface="instagram_post", settings=s)
    assert (ok.text, ok.repaired, ok.violations) == ("Taco #sjøbua", False, [])
    off = s.model_copy(update={"learning": False})
    assert enforce("Taco 🌮", rules, channel="i", surface="i_p", settings=off).text == "Taco 🌮"
    assert "minst 1 emoji" in prompt_guidance(
        rules, channel="instagram", surface="instagram_post", lang="nb", settings=s
    )


def test_a_sign_off_keeps_a_text_within_its_surfaces_recommended_length() -> None:
    """A learnt sign-off on a text that met the surface's recommended length makes room (a
    closing sentence goes) instead of pushing it past what the network shows; without that
    preference (the caller's second try) only the limit binds."""
    from service.generation.surfaces import load_surfaces
    from service.learning.pipeline import enforce_variant

    surface = next(
        s
        for _, s in sorted(load_surfaces().surfaces.items())
        if s.length.method == "chars"
        and s.length.recommended
        and s.length.max
        and s.length.max > s.length.recommended + 40
    )
    rec = surface.length.recommended
    assert rec is not None
    sentence = "Ferske reker i dag. "
    text = (sentence * (rec // len(sentence) + 1))[: rec - 1].rsplit(" ", 1)[0]
    assert len(text) <= rec
    rule = StyleRule(workspace="w", kind=RuleKind.sign_off, params={"text": "Vel møtt!"})
    main = surface.main_field
    assert main is not None
    kept = enforce_variant(surface, {main: text}, [rule]).parts[main]
    assert kept.endswith("Vel møtt!") and len(kept) <= rec
    loose = enforce_variant(surface, {main: text}, [rule], keep_recommended=False).parts[main]
    assert loose.endswith("Vel møtt!") and rec < len(loose) <= (surface.length.max or 0)
    assert loose.startswith(text)


def test_a_meta_ads_sign_off_fits_its_125_characters_or_says_why_not() -> None:
    """The Meta ad's primary text near its recommended 125 characters: the sign-off ends it
    within 125 and every fact stays; where each sentence carries a fact there is no room, the
    text stays whole, and the result names the sign-off that went past (for the checks)."""
    from service.generation.surfaces import load_surfaces
    from service.learning.pipeline import enforce_variant

    surface = load_surfaces().get("meta_ad")
    rec, main = surface.length.recommended, surface.main_field
    assert rec == 125 and main == "primary_text"
    rule = StyleRule(workspace="w", kind=RuleKind.sign_off, params={"text": "Vel møtt!"})
    facts = ("lørdag 15. august", "kl. 18", "450 kr")
    text = (
        "Krabbefest lørdag 15. august fra kl. 18 på brygga. Vi gleder oss til å se dere igjen. "
        "Hel krabbe med majones for 450 kr."
    )
    assert len(text) <= rec < len(text) + len("\nVel møtt!")
    out = enforce_variant(surface, {main: text, "headline": "Krabbefest"}, [rule])
    fitted = out.parts[main]
    assert fitted.endswith("\nVel møtt!") and len(fitted) <= rec, fitted
    assert all(f in fitted for f in facts) and out.crowded == []
    assert out.parts["headline"] == "Krabbefest"

    full = (
        "Krabbefest lørdag 15. august fra kl. 18 på bryggekanten med levende musikk. Hel krabbe og "
        "hjemmelaget majones for 450 kr."
    )
    assert len(full) <= rec < len(full) + len("\nVel møtt!")
    crowded = enforce_variant(surface, {main: full}, [rule])
    assert crowded.parts[main] == f"{full}\nVel møtt!"
    assert crowded.crowded == ["Vel møtt!"]
