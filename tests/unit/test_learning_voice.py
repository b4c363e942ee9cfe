"""Brand-voice analysis: on constructed posts with known answers, and on the sample exports."""

from __future__ import annotations

import re
import statistics

import pytest

from service.domain import Post
from service.learning.voice import BrandVoice, analyse_voice
from service.library.importers import open_export
from tests.conftest import SHARED_DATA, require


def sample_texts(org: str) -> list[str]:
    require(SHARED_DATA.is_dir(), f"shared data not found at {SHARED_DATA}")
    paths = sorted(
        p
        for p in (SHARED_DATA / org).rglob("*.csv")
        if "ground_truth" not in p.parts and not p.name.startswith("Followers")
    )
    require(bool(paths), f"no post exports for {org}")
    texts: list[str] = []
    for path in paths:
        texts += [
            o.text for o in open_export(path, workspace="w") if isinstance(o, Post) and o.text
        ]
    return texts


def test_constructed_posts_give_the_known_voice() -> None:
    posts = [
        "Me har ferske reker i dag 🦐 Kom innom, dykk er velkomne!\nVel møtt!",
        "Eg og dykk skal kose oss. Ikkje gløym helga.\nVel møtt!\n\n#sjø #mat",
        "Me opnar klokka 12. Berre kom.\nVel møtt!",
        "Nytt frå kjøkkenet: fiskesuppe 🍲🍲",
    ]
    voice = analyse_voice(posts)
    assert voice.written_standard == "nynorsk"
    assert voice.address == "dere"
    assert voice.first_person == "me"
    assert voice.sign_offs == ["Vel møtt!"]
    assert voice.stats is not None
    assert voice.stats.emoji_per_post == 0.75 and voice.stats.share_with_emoji == 0.5
    assert voice.stats.hashtags_per_post == 0.5 and voice.hashtag_policy == "few"
    assert voice.emoji_policy == "sparse"


def test_no_text_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one post"):
        analyse_voice(["", "  "])


@pytest.mark.parametrize("org", ["fjordkanten-storsenter", "sjobua-restaurant"])
def test_sample_posts_voice_matches_a_direct_count(org: str) -> None:
    texts = sample_texts(org)
    voice = analyse_voice(texts)
    assert voice.stats is not None and voice.stats.posts == len(texts)
    # An independent count: '#' followed by a letter, not preceded by a word character.
    tags = [len(re.findall(r"(?<!\w)#[^\W\d_]\w*", t)) for t in texts]
    assert voice.stats.hashtags_per_post == pytest.approx(sum(tags) / len(texts), abs=0.05)
    assert voice.stats.median_chars == int(statistics.median(len(t) for t in texts))
    assert (voice.hashtag_policy == "none") == (sum(tags) / len(texts) < 0.5)
    words = " ".join(texts).lower()
    bokmal = len(re.findall(r"\b(ikke|jeg|hva|fra|bare)\b", words))
    nynorsk = len(re.findall(r"\b(ikkje|eg|kva|frå|berre)\b", words))
    assert voice.written_standard == ("nynorsk" if nynorsk > bokmal else "bokmål")
    # What the analysis proposes is a valid, editable voice.
    assert BrandVoice.model_validate(voice.model_dump()) == voice
    assert "bokmål" in voice.prompt_text("nb") or "nynorsk" in voice.prompt_text("nb")
