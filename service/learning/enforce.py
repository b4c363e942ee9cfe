"""Style rules as checks and deterministic repairs, beside the surface limits.

`check_rules` says what a text breaks; `apply_rules` repairs what can be repaired without a model;
`guidance` renders the rules a check cannot decide as prompt text. Repairs run in a fixed order
(wording first, counts next, placement, then the length budget and the sign-off last) so one
repair cannot undo another.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from service.learning import text as tx
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


def _fit(text: str, budget: int) -> str:
    """Drop closing sentences of the body until the text fits; hashtags go before sentences."""
    if len(text) <= budget:
        return text
    body, tail = tx.split_trailing_hashtags(text)
    tags = tail.split()
    while tags and len(f"{body}\n\n{' '.join(tags)}") > budget:
        tags.pop()
    tail = " ".join(tags)

    def joined(b: str) -> str:
        return f"{b}\n\n{tail}" if tail else b

    parts = tx.sentences(body)
    while len(parts) > 1 and len(joined(" ".join(parts))) > budget:
        parts.pop()
    out = joined(" ".join(parts))
    if len(out) > budget:
        room = max(budget - (len(tail) + 2 if tail else 0), 1)
        cut = body[:room].rsplit(" ", 1)[0].rstrip(" ,;:") if " " in body[:room] else body[:room]
        out = joined(cut)
    return out[:budget].rstrip()


def _add_sign_off(text: str, sign_off: str, budget: int | None) -> str:
    body, tail = tx.split_trailing_hashtags(text)
    extra = len(sign_off) + 1
    if budget is not None and len(text) + extra > budget:
        body, tail = tx.split_trailing_hashtags(_fit(text, max(budget - extra, 1)))
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


def apply_rules(text: str, rules: Sequence[StyleRule]) -> str:
    """The text repaired to every checkable rule a deterministic edit can satisfy.

    A required phrase is not invented here (a sentence needs a model); it stays a violation for
    the caller to retry or report."""
    active = [r for r in rules if r.enabled and r.checkable]
    out = text
    for kind, step in _ORDER:
        for rule in (r for r in active if r.kind is kind):
            if _check(out, rule) is not None:
                out = tx.squash(step(out, rule))
    budgets = [r.params["max_chars"] for r in active if r.kind is RuleKind.length_budget]
    budget = min(budgets) if budgets else None
    if budget is not None:
        out = _fit(out, budget)
    for rule in (r for r in active if r.kind is RuleKind.sign_off):
        if not _has_sign_off(out, rule.params["text"]):
            out = _add_sign_off(out, rule.params["text"], budget)
    return out


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
