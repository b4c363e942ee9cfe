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

Lang = Literal["nb", "nn", "en", "da", "sv"]
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
    return LanguageDetectorBuilder.from_languages(*_LINGUA).build()


def detect(text: str) -> LanguageGuess:
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


def check_language(text: str, expected: str) -> Check:
    """Fails only on evidence: another language, or the other Norwegian standard's words.
    Sentences are judged one by one too, so a mixed text cannot hide behind its majority."""
    whole = _check_one(text, expected)
    if not whole.passed:
        return whole
    for sentence in _SENTENCES.split(text):
        guess = detect(sentence)
        if guess.language is not None and (guess.norwegian != (expected in ("nb", "nn"))):
            found = "norsk" if guess.norwegian else NAMES.get(guess.language, "?")
            return Check(
                name="language",
                passed=False,
                detail=f"ventet {NAMES.get(expected, expected)}, men en setning er {found}: "
                f"«{sentence.strip()[:60]}»",
            )
    return whole


def _check_one(text: str, expected: str) -> Check:
    guess = detect(text)
    name = NAMES.get(expected, expected)
    if guess.language is None and not guess.norwegian:
        return Check(name="language", passed=True, detail="for kort til å avgjøre språk")
    if expected in ("nb", "nn"):
        if not guess.norwegian:
            found = NAMES.get(guess.language or "", "?")
            return Check(name="language", passed=False, detail=f"ventet {name}, fant {found}")
        if guess.language is not None and guess.language != expected:
            return Check(
                name="language",
                passed=False,
                detail=(
                    f"ventet {name}, men teksten er {NAMES[guess.language]} "
                    f"({guess.nb_words} bokmålsord, {guess.nn_words} nynorskord)"
                ),
            )
        sure = "" if guess.language else " (kan ikke skille bokmål og nynorsk sikkert)"
        return Check(name="language", passed=True, detail=f"norsk{sure}")
    if guess.language == expected:
        return Check(name="language", passed=True, detail=name)
    found = "norsk" if guess.norwegian else NAMES.get(guess.language or "", "?")
    return Check(name="language", passed=False, detail=f"ventet {name}, fant {found}")
