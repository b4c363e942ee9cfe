"""What a sentence can give up for a sign-off's room without losing a fact: an emoji, or the
filler it opens with.

Two rewrites of one sentence, each a list of candidates in text order for `enforce._make_room`
to try (its guard decides which are kept): the sentence without one of its emoji (decoration),
and the sentence without the opener it starts with ("Og …", "Husk at …"), per language, from
service/generation/data/fillers.yaml. Both only remove: no word is cut, none is added, and the
sentence stays one (a capital where it starts, a stop where an emoji was its stop).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict

from service.learning import text as tx

FILLERS_FILE = Path(__file__).resolve().parents[1] / "generation" / "data" / "fillers.yaml"

OpenerKind = Literal["detached", "that_clause", "question"]


class Openers(BaseModel):
    """One language's fillers (fillers.yaml says what each list holds, and why)."""

    model_config = ConfigDict(extra="forbid")

    detached: list[str]
    that_clause: list[str]
    question: list[str]
    coordinators: list[str]
    clause_adverbs: list[str]

    def by_kind(self) -> list[tuple[OpenerKind, list[str]]]:
        return [
            ("detached", self.detached),
            ("that_clause", self.that_clause),
            ("question", self.question),
        ]


class Fillers(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    languages: dict[str, Openers]
    word_emoji: list[str]


@lru_cache(maxsize=4)
def load_fillers(path: Path = FILLERS_FILE) -> Fillers:
    return Fillers.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


# Punctuation an emoji may stand beside and leave behind: a stop after it is kept as the stop.
_STOPS = ".,!?;:…"
_DASHES = "–—-"
_OPENING = "([{«“‘\"'"
_CLOSING = ")]}»”’\"'"
_EMOJI_AT_END = re.compile(f"(?:{tx.EMOJI.pattern})$")
_EMOJI_AT_START = re.compile(f"^(?:{tx.EMOJI.pattern})")


def without_an_emoji(sentence: str) -> list[str]:
    """The sentence without one of its emoji and the space around it, for each emoji ("" when
    the sentence was nothing but emoji). An emoji that served as the stop before the next
    sentence's capital ("farsdag 👔 Og …") leaves a full stop; one that may stand for a word
    between two words ("Vi ❤️ kaffe", fillers.yaml `word_emoji`) stays, as does one inside
    brackets or quotes."""
    word_like = set(load_fillers().word_emoji)
    out: list[str] = []
    for m in tx.EMOJI.finditer(sentence):
        pre, post = sentence[: m.start()].rstrip(), sentence[m.end() :].lstrip()
        if not pre or not post:
            new = pre or post
        elif pre[-1] in _OPENING or post[0] in _CLOSING:
            continue
        elif post[0] in _STOPS:
            if pre[-1] in _STOPS:
                continue  # "åpent! 🎉!" would read "åpent!!"
            new = pre + post
        elif (
            pre[-1] in _STOPS + _DASHES
            or post[0] in _DASHES
            or _EMOJI_AT_END.search(pre)
            or _EMOJI_AT_START.match(post)
        ):
            new = f"{pre} {post}"  # punctuation or another emoji still marks the boundary
        elif m.group(0)[0] in word_like:
            continue
        elif post[0].isupper():
            new = f"{pre}. {post}"
        else:
            new = f"{pre} {post}"
        out.append(new)
    return out


# Where a sentence starts inside what the splitter keeps as one: after an emoji that ends the
# sentence before it ("… farsdag 👔 Og Kaikanten …").
_AFTER_EMOJI = re.compile(f"(?:{tx.EMOJI.pattern})\\s+")
_QUESTION_END = re.compile(r"\?+(!*)$")


def _starts(sentence: str) -> list[int]:
    inner = [
        m.end()
        for m in _AFTER_EMOJI.finditer(sentence)
        if m.end() < len(sentence) and sentence[m.end()].isupper()
    ]
    return [0, *inner]


def _after(tail: str, opener: str) -> str | None:
    """What follows the opener when `tail` opens with it as a sentence does (a capital, then
    whitespace): the rest must start with a letter or a digit."""
    if not tail[:1].isupper():
        return None
    m = re.match(re.escape(opener) + r"\s+", tail, re.IGNORECASE)
    if m is None:
        return None
    rest = tail[m.end() :]
    return rest if rest[:1].isalnum() else None


def _reads_as_main_clause(kind: OpenerKind, opener: str, rest: str, lang: Openers) -> bool:
    if kind == "detached":
        return True
    # A that-clause reads as a main clause unless a sentence adverb stands before its verb
    # ("at vi ikke har": among the first three words) or a second that-clause hangs on the
    # opener ("…, og at …").
    if any(w in lang.clause_adverbs for w in tx.words(rest)[:3]):
        return False
    complementizer = re.escape(opener.split()[-1])
    joined = "|".join(re.escape(c) for c in lang.coordinators) or "(?!)"
    second = re.compile(rf"(?:,|\b(?:{joined}))\s+{complementizer}\b", re.IGNORECASE)
    return second.search(rest) is None


def _capitalised(rest: str) -> str:
    """The first word with a capital, unless it has one of its own ("iPhone", a name) or no
    letter to take one ("9.")."""
    first = rest.split(maxsplit=1)[0]
    return rest[:1].upper() + rest[1:] if first.islower() else rest


def without_a_filler(sentence: str, lang: str | None) -> list[str]:
    """The sentence without an opener that carries no fact ("Og", "Husk at", "Did you know
    that"), for each one it starts with (also a sentence that starts after an emoji), in the
    language's list; none for a language without one."""
    openers = load_fillers().languages.get(lang or "")
    if openers is None:
        return []
    out: list[str] = []
    for start in _starts(sentence):
        head, tail = sentence[:start], sentence[start:]
        for kind, phrases in openers.by_kind():
            if kind == "question" and start:
                continue  # the "?" to settle is the sentence's own end
            for opener in phrases:
                rest = _after(tail, opener)
                if rest is None or not _reads_as_main_clause(kind, opener, rest, openers):
                    continue
                rest = _capitalised(rest)
                if kind == "question":
                    rest = _QUESTION_END.sub(lambda m: "!" if m.group(1) else ".", rest)
                out.append(head + rest)
    return list(dict.fromkeys(out))
