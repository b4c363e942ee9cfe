"""Last-resort repairs done by rules, after the model has had its chances: cut what the model
copied from its instructions, drop sentences with invented facts, put back the source's
sentences for facts that went missing, cut surplus hashtags and misplaced links, and trim at a
sentence boundary keeping the fact sentences.

What cannot be repaired stays failing: the checks run again on the result.
"""

from __future__ import annotations

import re
from typing import Any

from service.generation.checks import CheckContext, invented, item_problem, strip_echoes
from service.generation.facts import (
    STRICT_KINDS,
    Fact,
    missing_facts,
)
from service.generation.surfaces import LinkRule
from service.generation.text_length import count_length
from service.messages import has, render

# A sentence ends at . ! ? … before a capital, a quote, an emoji or a line break; not in
# "11. april" or "kl. 11", where a period is part of the fact.
_SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÆØÅ«\"\U0001f300-\U0001faff])|\n+")
_HASHTAG = re.compile(r"(?<![\w&])#\w+", re.UNICODE)
_SCHEME = re.compile(r"https?://(?:www\.)?", re.IGNORECASE)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]


def _invented(ctx: CheckContext, text: str) -> list[Fact]:
    return invented(ctx, text)


def _short_field(value: str, max_chars: int, main_text: str) -> str:
    """A short field (subject, headline) without copied instructions. One that was nothing but
    echo ("Nyhetsbrev-omtale" as the subject) takes the main text's first sentence instead: an
    emptied field would be a new failure and make the whole repair lose, facts put back included.
    An optional field the model left empty stays empty."""
    out = strip_echoes(value)
    if not out and value.strip():
        first = next(iter(sentences(main_text)), "")
        out = trim_keeping_facts(first, max_chars, []) if first else ""
    if count_length(out) > max_chars:
        out = trim_keeping_facts(out, max_chars, [])
    return out


def _join(parts: list[str]) -> str:
    return " ".join(parts).strip()


def trim_keeping_facts(text: str, limit: int, facts: list[Fact], method: str = "chars") -> str:
    """Drop sentences from the end, sparing those that hold a required fact, until it fits."""
    kept = sentences(text)

    def length(items: list[str]) -> int:
        return count_length(_join(items), "x_weighted" if method == "x_weighted" else "chars")

    for i in range(len(kept) - 1, -1, -1):
        if length(kept) <= limit:
            break
        rest = kept[:i] + kept[i + 1 :]
        if not missing_facts(facts, _join(rest)):  # this sentence holds no fact only it has
            kept = rest
    out = _join(kept)
    if length(kept) > limit:  # one long sentence: cut at a word boundary
        cut = out[: max(0, limit - 1)].rsplit(" ", 1)[0].rstrip(",;:–- ")
        out = cut + "…"
    return out


def _repair_text(ctx: CheckContext, text: str, limit: int | None) -> str:
    strict = [f for f in ctx.required if f.kind in STRICT_KINDS]
    # Sentence by sentence within each line, so the paragraphs the model wrote stay paragraphs.
    lines = [
        " ".join(s for s in sentences(line) if not _invented(ctx, s))
        for line in strip_echoes(text).splitlines()
    ]
    text = "\n".join(line for line in lines if line)
    for fact in missing_facts(strict, text):
        carrier = next((s for s in sentences(ctx.source_text) if not missing_facts([fact], s)), "")
        if carrier and carrier not in text:
            text = f"{text}\n{carrier}".strip()
    rule = ctx.surface.links
    if rule in (LinkRule.not_clickable,):
        text = _SCHEME.sub("", text)
    max_tags = ctx.surface.hashtags.max
    if max_tags is not None:
        seen = 0

        def keep_tag(m: re.Match[str]) -> str:
            nonlocal seen
            seen += 1
            return m.group(0) if seen <= max_tags else ""

        text = re.sub(r"[ \t]+\n", "\n", _HASHTAG.sub(keep_tag, text)).strip()
    if limit is not None and count_length(text, ctx.surface.length.method) > limit:
        text = trim_keeping_facts(text, limit, strict, ctx.surface.length.method)
    return text


def _repair_list(ctx: CheckContext, items: list[str], max_chars: int, max_count: int) -> list[str]:
    """Keep the usable items once each: fitting, no invented facts, real words."""
    out: list[str] = []
    for item in (i.strip() for i in items):
        usable = item and count_length(item) <= max_chars and not _invented(ctx, item)
        if usable and item_problem(item) is None and item.lower() not in map(str.lower, out):
            out.append(item)
    return out[:max_count]


def deterministic_repair(ctx: CheckContext, parts: dict[str, Any]) -> dict[str, Any]:
    surface = ctx.surface
    out = dict(parts)
    main = surface.main_field
    urls = [f for f in ctx.required if f.kind.value == "url"]
    if surface.links is LinkRule.forbidden and surface.link_field and urls:
        out[surface.link_field] = urls[0].key  # the ad's link field, not its text
    main_text = ""
    if main is not None and isinstance(parts.get(main), str):  # first: short fields borrow from it
        out[main] = main_text = _repair_text(ctx, parts[main], surface.length.max)
    for name, value in parts.items():
        rule = surface.parts.get(name)
        if isinstance(value, list) and rule is not None:
            out[name] = _repair_list(ctx, [str(v) for v in value], rule.max_chars, rule.max_count)
        elif isinstance(value, str) and name != main and rule is not None:
            out[name] = _short_field(value, rule.max_chars, main_text) or value
    if surface.restore_facts_as_items:
        _restore_facts_as_items(ctx, out)
    return out


def headline_label(kind: str, language: str) -> str:
    """A bare "229,-" is no headline; a word in front makes it one ("Pris 229,-"), in the
    variant's language (catalogue `repair.headline.<fact kind>`; none for other kinds)."""
    code = f"repair.headline.{kind}"
    return render(code, lang=language) if has(code, language) else ""


def _restore_facts_as_items(ctx: CheckContext, parts: dict[str, Any]) -> None:
    """A missing fact short enough becomes an item of the first list (a headline of its own);
    longer ones the source sentence carrying it, in the next list (a description)."""
    lists = [k for k, f in ctx.surface.fields.items() if f.kind == "list"]
    if not lists:
        return
    strict = [f for f in ctx.required if f.kind in STRICT_KINDS and f.kind.value != "url"]
    short_items: list[str] = parts.setdefault(lists[0], [])
    long_lists = [(k, parts.setdefault(k, [])) for k in lists[1:]]
    everything = [*short_items, *(i for _, items in long_lists for i in items)]
    for fact in missing_facts(strict, " ".join(everything)):
        rule_short = ctx.surface.parts[lists[0]]
        label = headline_label(fact.kind.value, ctx.language)
        headline = fact.text if item_problem(fact.text) is None else f"{label} {fact.text}".strip()
        if len(headline) <= rule_short.max_chars and len(short_items) < rule_short.max_count:
            short_items.append(headline)
            continue
        for name, items in long_lists:
            rule = ctx.surface.parts[name]
            if len(items) >= rule.max_count:
                continue
            carrier = next(
                (s for s in sentences(ctx.source_text) if not missing_facts([fact], s)), ""
            )
            if carrier and count_length(carrier) <= rule.max_chars:
                items.append(carrier)
            break
