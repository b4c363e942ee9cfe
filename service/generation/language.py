"""Which language a text is in, down to bokmål vs nynorsk.

lingua tells Norwegian from English, Danish and Swedish well, but on short texts it splits
bokmål and nynorsk nearly evenly (measured: "Vi har åpent fra kl. 16 i kveld" gave 0.47/0.46).
Function words settle it: they differ between the two written standards and are frequent.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from lingua import Language, LanguageDetector, LanguageDetectorBuilder
from pydantic import BaseModel

from service.domain import Check
from service.messages import render

Lang = Literal["nb", "nn", "en", "da", "sv"]
# The languages' names for the prompts (model-facing, in the prompt's language); words for
# people come from the message catalogue (`language.<code>`).
NAMES = {"nb": "bokmål", "nn": "nynorsk", "en": "engelsk", "da": "dansk", "sv": "svensk"}
_LINGUA = {
    Language.BOKMAL: "nb",
    Language.NYNORSK: "nn",
    Language.ENGLISH: "en",
    Language.DANISH: "da",
    Language.SWEDISH: "sv",
}
# Words that exist in one written standard and not (or rarely) the other.
NYNORSK_WORDS = frozenset(
    [
        "eg",
        "ikkje",
        "kva",
        "korleis",
        "kvifor",
        "kven",
        "dei",
        "ein",
        "eit",
        "berre",
        "frå",
        "heile",
        "fleire",
        "mykje",
        "sjå",
        "kjem",
        "kome",
        "då",
        "òg",
        "vere",
        "vera",
        "hjå",
        "nokon",
        "nokre",
        "vore",
        "medan",
        "difor",
        "sidan",
        "kvar",
        "kvart",
        "seinare",
        "tidlegare",
        "heime",
        "noko",
        "opna",
        "opne",
        "velkomne",
    ]
)
BOKMAL_WORDS = frozenset(
    [
        "jeg",
        "ikke",
        "hva",
        "hvordan",
        "hvorfor",
        "hvem",
        "de",
        "en",
        "et",
        "bare",
        "fra",
        "hele",
        "flere",
        "mye",
        "se",
        "kommer",
        "komme",
        "da",
        "være",
        "hos",
        "noen",
        "noe",
        "mens",
        "derfor",
        "siden",
        "hver",
        "hvert",
        "senere",
        "tidligere",
        "hjemme",
        "åpnet",
        "åpne",
        "velkommen",
    ]
)
# Words both standards share spelled alike are not evidence: remove the overlap.
_SHARED = NYNORSK_WORDS & BOKMAL_WORDS
NYNORSK_WORDS, BOKMAL_WORDS = NYNORSK_WORDS - _SHARED, BOKMAL_WORDS - _SHARED
_NOISE = re.compile(r"https?://\S+|www\.\S+|[#@]\w+|\d+", re.UNICODE)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
MIN_LETTERS = 20  # below this no detector is reliable; the check says so instead of guessing


class LanguageGuess(BaseModel):
    language: Lang | None  # None: too short, or Norwegian of unclear standard ("no")
    norwegian: bool
    confidence: float
    nb_words: int
    nn_words: int


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    # The five models load when the detector is built (about 0.6 CPU s, once per process),
    # not inside whichever check happens to run first; `preload` lets a worker do it early.
    return LanguageDetectorBuilder.from_languages(*_LINGUA).with_preloaded_language_models().build()


def preload() -> None:
    """Load the language models now (a worker before it takes items, say), not in a check."""
    _detector()


def detect(text: str) -> LanguageGuess:
    """The guess for a text; the same text is judged once per process (drafts share their
    CTA, hashtags and borrowed sentences, and a draft's checks and repairs see it again)."""
    return _detect(text).model_copy()


@lru_cache(maxsize=8192)
def _detect(text: str) -> LanguageGuess:
    clean = _NOISE.sub(" ", text)
    words = [w.lower() for w in _WORD.findall(clean)]
    nb = sum(w in BOKMAL_WORDS for w in words)
    nn = sum(w in NYNORSK_WORDS for w in words)
    if sum(len(w) for w in words) < MIN_LETTERS:
        return LanguageGuess(
            language=None, norwegian=False, confidence=0.0, nb_words=nb, nn_words=nn
        )
    scores = {
        _LINGUA[c.language]: c.value for c in _detector().compute_language_confidence_values(clean)
    }
    norwegian = scores.get("nb", 0.0) + scores.get("nn", 0.0)
    top = max(("en", "da", "sv"), key=lambda k: scores.get(k, 0.0))
    # Bokmål and Danish share most of their spelling; Norwegian function words outvote lingua.
    # Users here write Norwegian or English: a Danish or Swedish verdict must be confident.
    scandinavian_lookalike = top in ("da", "sv") and (
        nb + nn >= 2 or scores.get(top, 0.0) < 0.7 or norwegian >= 0.15
    )
    if scores.get(top, 0.0) > norwegian and not scandinavian_lookalike:
        return LanguageGuess(
            language=top, norwegian=False, confidence=scores[top], nb_words=nb, nn_words=nn
        )
    if nb != nn:
        standard: Lang | None = "nb" if nb > nn else "nn"
    elif abs(scores.get("nb", 0.0) - scores.get("nn", 0.0)) > 0.3:
        standard = "nb" if scores.get("nb", 0.0) > scores.get("nn", 0.0) else "nn"
    else:
        standard = None
    return LanguageGuess(
        language=standard, norwegian=True, confidence=norwegian, nb_words=nb, nn_words=nn
    )


_SENTENCES = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÆØÅ])|\n+")


def _check(passed: bool, code: str, **params: str | int | None) -> Check:
    return Check(
        name="language", passed=passed, detail=render(code, params), code=code, params=params
    )


def check_language(text: str, expected: str) -> Check:
    """Fails only on evidence: another language, or the other Norwegian standard's words.
    Sentences are judged one by one too, so a mixed text cannot hide behind its majority."""
    whole = _check_one(text, expected)
    sentences = _SENTENCES.split(text)
    if not whole.passed or len(sentences) == 1:
        return whole  # one sentence: the whole text's verdict is that sentence's
    for sentence in sentences:
        guess = detect(sentence)
        if guess.language is not None and (guess.norwegian != (expected in ("nb", "nn"))):
            return _check(
                False, "check.language.sentence", expected=expected,
                found="no" if guess.norwegian else guess.language,
                sentence=sentence.strip()[:60],
            )  # fmt: skip
    return whole


def _check_one(text: str, expected: str) -> Check:
    guess = detect(text)
    if guess.language is None and not guess.norwegian:
        return _check(True, "check.language.too_short")
    found = "no" if guess.norwegian else (guess.language or "?")
    if expected in ("nb", "nn"):
        if not guess.norwegian:
            return _check(False, "check.language.other", expected=expected, found=found)
        if guess.language is not None and guess.language != expected:
            return _check(
                False, "check.language.standard", expected=expected, found=guess.language,
                nb_words=guess.nb_words, nn_words=guess.nn_words,
            )  # fmt: skip
        if guess.language:
            return _check(True, "check.language.norwegian")
        return _check(True, "check.language.norwegian_unsure")
    if guess.language == expected:
        return _check(True, "check.language.ok", found=expected)
    return _check(False, "check.language.other", expected=expected, found=found)
