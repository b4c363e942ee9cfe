"""Sentences in a source or an example that address the model ("ignorer alle tidligere
instruksjoner…"). They stay in the prompt as delimited data, but facts in them are neither
required nor allowed in the output, so an answer that obeys them fails its checks."""

from __future__ import annotations

import re

_PATTERNS = re.compile(
    r"ignor\w*\s+(?:alle\s+|all\s+)?(?:tidligere\s+|tidlegare\s+|previous\s+|prior\s+|"
    r"ovenstående\s+|the\s+above\s+)?(?:instruksjon\w*|instructions?|regler\w*|rules|prompt)"
    r"|glem\s+(?:alle\s+)?(?:tidligere\s+)?instruksjon\w*"
    r"|forget\s+(?:all\s+)?(?:previous\s+)?instructions"
    r"|du\s+er\s+nå\s+en?\b|you\s+are\s+now\s+a"
    r"|system\s*prompt|systemmelding"
    r"|(?:svar|skriv|write|answer)\s+(?:bare\s+|only\s+)?(?:på|in)\s+(?:engelsk|english|tysk)"
    r"\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÆØÅ«\"])|\n+")


def instruction_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s.strip() and _PATTERNS.search(s)]


def without_instructions(text: str) -> str:
    flagged = set(instruction_sentences(text))
    if not flagged:
        return text
    return "\n".join(
        s.strip() for s in _SENTENCE.split(text) if s.strip() and s.strip() not in flagged
    )
