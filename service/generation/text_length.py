"""How long a text is, the way each platform counts it.

Most surfaces count Unicode characters. X counts a weighted length (twitter-text v3): code
points in a few Latin/punctuation ranges weigh 1, everything else 2, an emoji sequence 2 in all,
and every URL 23 whatever its length.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

LengthMethod = Literal["chars", "x_weighted"]

X_URL_WEIGHT = 23
# twitter-text v3 configuration: ranges that weigh 1; the rest weigh 2.
_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
_URL = re.compile(
    r"(?:https?://)?(?:www\.)?(?:[a-z0-9-]+\.)+(?:no|com|net|org|se|dk|io|eu|info|app|shop)\b"
    r"(?:/[^\s]*)?",
    re.IGNORECASE,
)
# An emoji with its modifiers, variation selectors and zero-width-joined parts, or a flag pair.
_EMOJI = re.compile(
    "(?:[\U0001f1e6-\U0001f1ff]{2})"
    "|(?:[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff]"
    "[\ufe0f\U0001f3fb-\U0001f3ff]*"
    "(?:\u200d[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff][\ufe0f\U0001f3fb-\U0001f3ff]*)*)"
)


def _weight(ch: str) -> int:
    cp = ord(ch)
    return 1 if any(lo <= cp <= hi for lo, hi in _LIGHT_RANGES) else 2


def x_weighted_length(text: str) -> int:
    text = unicodedata.normalize("NFC", text)
    total = X_URL_WEIGHT * len(_URL.findall(text))
    text = _URL.sub("", text)
    total += 2 * len(_EMOJI.findall(text))
    text = _EMOJI.sub("", text)
    return total + sum(_weight(ch) for ch in text)


def count_length(text: str, method: LengthMethod = "chars") -> int:
    if method == "x_weighted":
        return x_weighted_length(text)
    return len(unicodedata.normalize("NFC", text))
