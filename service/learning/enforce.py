"""Style rules as checks and deterministic repairs, beside the surface limits.

`check_rules` says what a text breaks; `apply_rules` repairs what can be repaired without a model;
`guidance` renders the rules a check cannot decide as prompt text. Repairs run in a fixed order
(wording first, counts next, placement, then the length budget and the sign-off last) so one
repair cannot undo another; the budget makes room for the sign-off without cutting a fact.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from service.generation.facts import STRICT_KINDS, FactKind, extract_facts, keys
from service.generation.text_length import LengthMethod, count_length
from service.learning import text as tx
from service.learning.room import without_a_filler, without_an_emoji
from service.learning.rules import RuleKind, StyleRule, Violation


def phrase_re(phrase: str) -> re.Pattern[str]:
    # Word boundaries only where the phrase starts or ends with a word character, so "#tag" and
    # "kjempegod!" both match as written.
    core = re.escape(phrase.strip())
    left = r"(?<![\w])" if re.match(r"\w", phrase.strip()) else ""
    right = r"(?![\w])" if re.search(r"\w$", phrase.strip()) else ""
    return re.compile(left + core + right, re.IGNORECASE)


def _match_case(found: str, new: str) -> str:
    if found.isupper() and len(found) > 1:
        return new.upper()
    if found[:1].isupper():
        return new[:1].upper() + new[1:]
    return new


def _replace(text: str, old: str, new: str) -> str:
    return phrase_re(old).sub(lambda m: _match_case(m.group(0), new), text)


def _has_sign_off(text: str, sign_off: str) -> bool:
    return tx.norm_phrase(tx.last_line(text)).endswith(tx.norm_phrase(sign_off))


def _check(text: str, rule: StyleRule) -> Violation | None:
    p, k = rule.params, rule.kind

    def v(detail: str, repairable: bool = True) -> Violation:
        return Violation(rule_id=rule.id, kind=k, detail=detail, repairable=repairable)

    if k in (RuleKind.forbidden_phrase, RuleKind.replacement, RuleKind.first_person):
        phrase = p["phrase"] if k is RuleKind.forbidden_phrase else p["old"]
        n = len(phrase_re(phrase).findall(text))
        if n:
            return v(f"uses '{phrase}' {n}x")
    elif k is RuleKind.required_phrase:
        if not phrase_re(p["phrase"]).search(text):
            return v(f"missing '{p['phrase']}'")
    elif k is RuleKind.emoji_cap:
        n = len(tx.emojis(text))
        if n > p["max"]:
            return v(f"{n} emoji, at most {p['max']}")
    elif k is RuleKind.hashtag_cap:
        n = len(tx.hashtags(text))
        if n > p["max"]:
            return v(f"{n} hashtags, at most {p['max']}")
    elif k is RuleKind.exclamation_cap:
        n = tx.exclamations(text)
        if n > p["max"]:
            return v(f"{n} exclamation marks, at most {p['max']}")
    elif k is RuleKind.length_budget:
        n = len(text)
        if n > p["max_chars"]:
            return v(f"{n} characters, budget {p['max_chars']}")
    elif k is RuleKind.sign_off:
        if not _has_sign_off(text, p["text"]):
            return v(f"does not end with '{p['text']}'")
    elif k is RuleKind.link_placement:
        links = tx.urls(text)
        last = tx.last_line(text)
        if links and not (last.endswith(links[-1]) and all(u in last for u in links)):
            return v("link is not at the end")
    return None


def check_rules(text: str, rules: Sequence[StyleRule]) -> list[Violation]:
    """Every checkable, enabled rule the text breaks (scope filtering is the caller's)."""
    out: list[Violation] = []
    for rule in rules:
        if rule.enabled and rule.checkable:
            found = _check(text, rule)
            if found is not None:
                out.append(found)
    return out


def _cap(text: str, pattern: re.Pattern[str], keep: int) -> str:
    seen = 0

    def drop(m: re.Match[str]) -> str:
        nonlocal seen
        seen += 1
        return m.group(0) if seen <= keep else ""

    return pattern.sub(drop, text)


def _cap_exclamations(text: str, keep: int) -> str:
    seen = 0

    def swap(m: re.Match[str]) -> str:
        nonlocal seen
        seen += 1
        return "!" if seen <= keep else "."

    out = re.sub(r"!", swap, text)
    return re.sub(r"\.{2,}(?=\s|$)", ".", out)


def _links_to_end(text: str) -> str:
    links = tx.urls(text)
    if not links:
        return text
    stripped = tx.URL.sub("", text)
    body, tail = tx.split_trailing_hashtags(tx.squash(stripped))
    unique = list(dict.fromkeys(links))
    body = f"{body}\n{' '.join(unique)}" if body else " ".join(unique)
    return f"{body}\n\n{tail}" if tail else body


# Where a sentence may be cut and still read as one: a dash, a colon, a semicolon, a comma.
_CLAUSE = re.compile(r"\s+[–—-]\s+|:\s+|;\s+|,\s+")
_SENTENCE_GAP = re.compile(r"(?<=[.!?…])\s+")
_END = re.compile(r"[.!?…]+$")

Keeps = Callable[[str], bool]


@dataclass(frozen=True)
class Room:
    """A length the repaired text must fit, counted as its surface counts it."""

    limit: int
    method: LengthMethod = "chars"

    def fits(self, text: str) -> bool:
        return count_length(text, self.method) <= self.limit


def _split_sentences(line: str) -> list[str]:
    """A line's sentences. A stop before a digit or a lower-case word ends no sentence: "15.
    august", "kl. 18" and "kl. 18. 450 kr" stay whole, so a fact is never split in two."""
    out: list[str] = []
    start = 0
    for m in _SENTENCE_GAP.finditer(line):
        after = line[m.end() : m.end() + 1]
        if after and not after.isdigit() and not after.islower():
            out.append(line[start : m.start()])
            start = m.end()
    out.append(line[start:])
    return [s.strip() for s in out if s.strip()]


@dataclass(frozen=True)
class _Doc:
    """A text as the units room is made from: its lines' sentences (a blank line is `[""]`, a
    paragraph break) and the closing block of hashtags."""

    lines: tuple[tuple[str, ...], ...]
    tags: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> _Doc:
        body, tail = tx.split_trailing_hashtags(text)
        lines = tuple(tuple(_split_sentences(ln)) or ("",) for ln in body.split("\n"))
        return cls(lines=lines, tags=tuple(tail.split()))

    def render(self) -> str:
        body = "\n".join(" ".join(s) for s in self.lines if s)
        body = re.sub(r"\n{3,}", "\n\n", body).strip()
        tail = " ".join(self.tags)
        return f"{body}\n\n{tail}" if body and tail else body or tail

    def sentences(self) -> list[tuple[int, int]]:
        return [(i, j) for i, line in enumerate(self.lines) for j, s in enumerate(line) if s]

    def with_sentence(self, at: tuple[int, int], new: str | None) -> _Doc:
        i, j = at
        line = list(self.lines[i])
        if new is None:
            del line[j]
        else:
            line[j] = new
        lines = list(self.lines)
        lines[i] = tuple(line)
        return _Doc(lines=tuple(lines), tags=self.tags)

    def sentence(self, at: tuple[int, int]) -> str:
        return self.lines[at[0]][at[1]]

    def rewritten(self, at: tuple[int, int], new: str) -> _Doc:
        """The sentence at `at` rewritten (gone when `new` is empty), read again: a rewrite can
        leave two sentences where there was one ("farsdag 👔 Og" → "farsdag. Og")."""
        return _Doc.parse(self.with_sentence(at, new or None).render())

    # --- the ways to make room, each a list of candidates in text order -----------------
    def fewer_emojis(self) -> list[_Doc]:
        return [
            self.rewritten(at, new)
            for at in self.sentences()
            for new in without_an_emoji(self.sentence(at))
        ]

    def fewer_fillers(self, lang: str | None) -> list[_Doc]:
        return [
            self.rewritten(at, new)
            for at in self.sentences()
            for new in without_a_filler(self.sentence(at), lang)
        ]

    def fewer_tags(self) -> list[_Doc]:
        return [_Doc(lines=self.lines, tags=self.tags[:-1])] if self.tags else []

    def fewer_sentences(self) -> list[_Doc]:
        at = self.sentences()
        return [self.with_sentence(a, None) for a in at] if len(at) > 1 else []

    def fewer_clauses(self) -> list[_Doc]:
        out: list[_Doc] = []
        for at in self.sentences():
            for shorter in _without_a_clause(self.sentence(at)):
                out.append(self.with_sentence(at, shorter))
        return out


def _without_a_clause(sentence: str) -> list[str]:
    """The sentence with one of its clauses left out, for each clause: the stop it ends with is
    kept, and a sentence that loses its first clause starts with a capital."""
    end = _END.search(sentence)
    stop = end.group(0) if end else ""
    core = sentence[: len(sentence) - len(stop)]
    cuts = list(_CLAUSE.finditer(core))
    if not cuts:
        return []
    bounds = [0, *(c.start() for c in cuts), len(core)]
    out: list[str] = []
    for k in range(len(cuts) + 1):
        if k == 0:
            rest = core[cuts[0].end() :]
            rest = rest[:1].upper() + rest[1:]
        else:
            rest = core[: bounds[k]] + core[bounds[k + 1] :]
        rest = rest.strip().rstrip(",;:–—-").rstrip()
        if rest:
            out.append(rest + stop)
    return out


_Level = Callable[[_Doc], list[_Doc]]


def _shorten(
    doc: _Doc, order: Sequence[int], levels: Sequence[_Level], done: Keeps, keeps: Keeps
) -> tuple[_Doc, list[int]] | None:
    """The doc shortened by the levels in `order` until `done`, each level until it fits or has
    nothing `keeps` allows (its closing candidate first), with how many cuts each level made;
    None when every level in `order` is spent and it still does not fit."""
    used = [0] * len(levels)
    for i in order:
        while not done(doc.render()):
            allowed = [d for d in levels[i](doc) if keeps(d.render())]
            if not allowed:
                break
            doc = allowed[-1]
            used[i] += 1
        if done(doc.render()):
            return doc, used
    return None


def _make_room(
    text: str,
    fits: Keeps,
    keeps: Keeps,
    finish: Callable[[str], str],
    lang: Callable[[], str | None] = lambda: None,
) -> str | None:
    """The text shortened so that `finish(text)` fits, or None when it cannot be done without
    losing what `keeps` protects. Room is made the way that loses least first: emoji (the
    decoration no fact needs), then the closing hashtags (outside the prose), then a filler a
    sentence opens with ("Og", "Husk at": the prose's wording, not what it says; `lang` names
    the language's list), then whole sentences, then clauses at a comma, colon or dash, never
    inside a word. Within each way the closing candidate first (the opening carries the post),
    but one `keeps` refuses is passed over for an earlier one. A cheaper loss the dearer way
    turns out not to need stays unmade: the dearer way is also tried first, and the result
    that loses least wins (fewest cuts of the dearest way, then of the next). Nothing is ever
    cut mid-word or mid-fact, and no ellipsis is added: a text that reads broken is no
    repair."""
    levels: list[_Level] = [
        _Doc.fewer_emojis,
        _Doc.fewer_tags,
        lambda d: d.fewer_fillers(lang()),
        _Doc.fewer_sentences,
        _Doc.fewer_clauses,
    ]
    doc = _Doc.parse(text)

    def done(body: str) -> bool:
        return fits(finish(body))

    def allowed(body: str) -> bool:
        return keeps(finish(body))

    found = _shorten(doc, range(len(levels)), levels, done, allowed)
    if found is None:
        return None
    top = max((i for i, n in enumerate(found[1]) if n), default=0)
    if top:
        dearest_first = _shorten(doc, [top, *range(top)], levels, done, allowed)
        if dearest_first is not None and dearest_first[1][::-1] < found[1][::-1]:
            found = dearest_first
    return found[0].render()


_KEPT_KINDS = STRICT_KINDS | {FactKind.name}


def keeps_facts(reference: str) -> Keeps:
    """The default guard on making room: every price, date, time, contact, link and name of
    `reference` stays, and no fact appears that it does not carry (a cut "kl. 10–18" would)."""
    before = keys(f for f in extract_facts(reference) if f.kind in _KEPT_KINDS)

    def keeps(candidate: str) -> bool:
        now = keys(f for f in extract_facts(candidate) if f.kind in _KEPT_KINDS)
        return before <= now and not {k for k in now - before if k[0] in STRICT_KINDS}

    return keeps


def _append_sign_off(text: str, sign_off: str) -> str:
    body, tail = tx.split_trailing_hashtags(text)
    body = f"{body}\n{sign_off}" if body else sign_off
    return f"{body}\n\n{tail}" if tail else body


_Step = Callable[[str, StyleRule], str]
_ORDER: list[tuple[RuleKind, _Step]] = [
    (RuleKind.replacement, lambda t, r: _replace(t, r.params["old"], r.params["new"])),
    (RuleKind.first_person, lambda t, r: _replace(t, r.params["old"], r.params["new"])),
    (RuleKind.forbidden_phrase, lambda t, r: phrase_re(r.params["phrase"]).sub("", t)),
    (RuleKind.exclamation_cap, lambda t, r: _cap_exclamations(t, r.params["max"])),
    (RuleKind.emoji_cap, lambda t, r: _cap(t, tx.EMOJI, r.params["max"])),
    (RuleKind.hashtag_cap, lambda t, r: _cap(t, tx.HASHTAG, r.params["max"])),
    (RuleKind.link_placement, lambda t, r: _links_to_end(t)),
]


def apply_rules(
    text: str,
    rules: Sequence[StyleRule],
    *,
    rooms: Sequence[Room] = (),
    keeps: Keeps | None = None,
    lang: str | None = None,
) -> str:
    """The text repaired to every checkable rule a deterministic edit can satisfy.

    A length budget (a rule's, or the caller's `rooms`: a surface's limits) is met by making
    room, the sign-off included: the body gives way (hashtags, closing sentences, clauses), the
    sign-off never does (emoji first, then hashtags, fillers in `lang`, by default the text's
    detected language, then sentences and clauses: `_make_room`). Room is only made where
    `keeps` allows (by default: every fact, link and name stays) and where no other rule the
    text met breaks, a minimum of emoji (guidance, not a check) included; where it cannot be
    made, the text stays whole and goes over the budget, for the checks to report.

    A required phrase is not invented here (a sentence needs a model); it stays a violation for
    the caller to retry or report."""
    active = [r for r in rules if r.enabled and r.checkable]
    out = text
    for kind, step in _ORDER:
        for rule in (r for r in active if r.kind is kind):
            if _check(out, rule) is not None:
                out = tx.squash(step(out, rule))
    limits = [
        *(Room(r.params["max_chars"]) for r in active if r.kind is RuleKind.length_budget),
        *rooms,
    ]
    signs = [
        r.params["text"]
        for r in active
        if r.kind is RuleKind.sign_off and not _has_sign_off(out, r.params["text"])
    ]

    def finish(body: str) -> str:
        for sign_off in signs:
            body = _append_sign_off(body, sign_off)
        return body

    def fits(candidate: str) -> bool:
        return all(room.fits(candidate) for room in limits)

    if limits and not fits(finish(out)):
        whole = finish(out)
        guard = keeps or keeps_facts(whole)
        others = [r for r in active if r.kind is not RuleKind.length_budget]
        met = {r.id for r in others} - {v.rule_id for v in check_rules(whole, others)}
        kept = [r for r in others if r.id in met]
        floor = _emoji_floor(rules, len(tx.emojis(whole)))

        def allowed(candidate: str) -> bool:
            return (
                len(tx.emojis(candidate)) >= floor
                and guard(candidate)
                and not check_rules(candidate, kept)
            )

        out = _make_room(out, fits, allowed, finish, lambda: lang or _language(whole)) or out
    return finish(out)


def _emoji_floor(rules: Sequence[StyleRule], had: int) -> int:
    """How few emoji making room may leave: an emoji minimum the text met stays met, and one it
    does not meet is not missed by more."""
    wanted = [int(r.params["min"]) for r in rules if r.enabled and r.kind is RuleKind.emoji_min]
    return min(max(wanted), had) if wanted else 0


def _language(text: str) -> str | None:
    from service.generation.language import detect  # its models load only when asked

    found = detect(text).language
    return found if found in ("nb", "nn", "en") else None


def unrepairable(text: str, rules: Sequence[StyleRule]) -> list[Violation]:
    """What is still broken after repair: the reasons a draft is returned failed."""
    return check_rules(apply_rules(text, rules), rules)


_GUIDE: dict[RuleKind, tuple[str, str]] = {
    RuleKind.forbidden_phrase: ("Ikke skriv «{phrase}».", "Never write '{phrase}'."),
    RuleKind.required_phrase: ("Ta med «{phrase}».", "Include '{phrase}'."),
    RuleKind.replacement: ("Skriv «{new}», ikke «{old}».", "Write '{new}', not '{old}'."),
    RuleKind.first_person: ("Skriv «{new}», ikke «{old}».", "Write '{new}', not '{old}'."),
    RuleKind.emoji_cap: ("Høyst {max} emoji.", "At most {max} emoji."),
    RuleKind.hashtag_cap: ("Høyst {max} emneknagger.", "At most {max} hashtags."),
    RuleKind.exclamation_cap: ("Høyst {max} utropstegn.", "At most {max} exclamation marks."),
    RuleKind.length_budget: ("Høyst {max_chars} tegn.", "At most {max_chars} characters."),
    RuleKind.sign_off: ("Avslutt med «{text}».", "End with '{text}'."),
    RuleKind.link_placement: ("Lenken står til slutt.", "Put the link at the end."),
    RuleKind.emoji_min: ("Bruk minst {min} emoji.", "Use at least {min} emoji."),
    RuleKind.style_note: ("{text}", "{text}"),
}


def guidance(rules: Sequence[StyleRule], lang: str, *, all_rules: bool = False) -> str:
    """Prompt lines for the rules a check cannot decide (or for all, with `all_rules`).

    Checked rules need no prompt space: enforcement fixes them whatever the model writes."""
    nb = lang in ("nb", "nn", "no")
    lines: list[str] = []
    for rule in rules:
        if not rule.enabled or (rule.checkable and not all_rules):
            continue
        template = _GUIDE[rule.kind][0 if nb else 1]
        line = template.format(**rule.params)
        if rule.kind is RuleKind.style_note and rule.source.value == "model":
            line += " (forslag fra modell)" if nb else " (model suggestion)"
        lines.append(f"- {line}")
    if not lines:
        return ""
    head = "Stilregler fra redaktørene:" if nb else "Style rules from the editors:"
    return "\n".join([head, *lines])
