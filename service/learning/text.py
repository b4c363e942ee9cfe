"""Mechanical text features shared by rule mining, enforcement and voice analysis."""

from __future__ import annotations

import re

# An emoji with its modifiers, variation selectors and zero-width-joined parts, or a flag pair
# (the same definition the length counter uses, so a cap and a length agree on what one is).
EMOJI = re.compile(
    "(?:[\U0001f1e6-\U0001f1ff]{2})"
    "|(?:[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff]"
    "[\ufe0f\U0001f3fb-\U0001f3ff]*"
    "(?:\u200d[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff][\ufe0f\U0001f3fb-\U0001f3ff]*)*)"
)
HASHTAG = re.compile(r"(?<![\w#])#\w+")
URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def emojis(text: str) -> list[str]:
    return EMOJI.findall(text)


def hashtags(text: str) -> list[str]:
    return [h.lower() for h in HASHTAG.findall(text)]


def urls(text: str) -> list[str]:
    return URL.findall(text)


def exclamations(text: str) -> int:
    return text.count("!")


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def squash(text: str) -> str:
    """Collapse the runs of spaces a removal leaves, line by line, keeping paragraph breaks."""
    lines = [re.sub(r"[ \t]{2,}", " ", line).strip() for line in text.split("\n")]
    out = "\n".join(lines)
    out = re.sub(r"\n{3,}", "\n\n", out)
    out = re.sub(r"\s+([.,!?;:])", r"\1", out)
    return out.strip()


def split_trailing_hashtags(text: str) -> tuple[str, str]:
    """(body, tail): the tail is the closing block of lines that hold only hashtags or dots."""
    lines = text.rstrip().split("\n")
    cut = len(lines)
    while cut > 0:
        line = lines[cut - 1].strip()
        if line and HASHTAG.sub("", line).strip(" .") != "":
            break
        cut -= 1
    body = "\n".join(lines[:cut]).rstrip()
    tail = "\n".join(lines[cut:]).strip("\n")
    if not HASHTAG.search(tail):
        return text.rstrip(), ""
    return body, tail


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def last_line(text: str) -> str:
    """The closing line of the body (hashtag block excluded): where sign-offs and CTAs live."""
    body, _ = split_trailing_hashtags(text)
    lines = [ln.strip() for ln in body.split("\n") if ln.strip()]
    return lines[-1] if lines else ""


def norm_phrase(text: str) -> str:
    return " ".join(EMOJI.sub("", text).lower().split()).strip(" .!")
