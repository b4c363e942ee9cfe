"""Deterministic checks of a generated variant against its surface's rules and the source's facts.

Hard checks decide whether a variant passes; soft ones are advice shown beside it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, PrivateAttr, SkipValidation

from service.domain import Check
from service.generation.facts import (
    STRICT_KINDS,
    Fact,
    FactKey,
    FactKind,
    allowed_keys,
    extract_facts,
    missing_facts,
)
from service.generation.injection import Flagged, echoed_instructions
from service.generation.language import check_language
from service.generation.prompts import load_prompt
from service.generation.surfaces import LinkRule, Surface, load_surfaces
from service.generation.text_length import count_length
from service.generation.variant_schemas import main_text, paste_text
from service.messages import Param, label, render

_HASHTAG = re.compile(r"(?<![\w&])#\w+", re.UNICODE)
_SCHEME_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf]")
# Contact facts of the organisation may come from its other posts and profile, not only the
# source; prices, dates and times may not: a price from another post is a wrong price here.
CONTACT_KINDS = frozenset({FactKind.url, FactKind.email, FactKind.phone, FactKind.address})


class CheckContext(BaseModel):
    surface: Surface
    language: str
    required: list[Fact]
    source_text: str
    context_texts: list[str] = []
    # Keys of the context texts when the caller computed them for the whole request (a variant
    # request computes them once, not per surface and attempt). Not re-validated: that alone
    # would walk the whole library's facts on every check.
    context_keys: SkipValidation[frozenset[FactKey] | None] = None
    # Sentences of the source set aside as instructions or unverified claims: an answer that
    # repeats one (its link, price or words) fails, whatever the screen missed upstream.
    flagged: SkipValidation[list[Flagged]] = []
    _allowed: tuple[frozenset[FactKey], frozenset[FactKey]] | None = PrivateAttr(default=None)

    def allowed(self) -> tuple[frozenset[FactKey], frozenset[FactKey]]:
        """(keys of the source, keys of the organisation's other texts)."""
        if self._allowed is None:
            context = self.context_keys
            if context is None:
                context = allowed_keys(self.context_texts)
            self._allowed = (allowed_keys([self.source_text]), context)
        return self._allowed


def invented(ctx: CheckContext, text: str) -> list[Fact]:
    """Facts the text adds: prices, dates and times only from the source; contact facts also
    from the organisation's other posts and profile."""
    source, context = ctx.allowed()
    facts = extract_facts(text)
    own = STRICT_KINDS - CONTACT_KINDS
    # Two sets, never their union: a union per check would copy the library's keys again.
    return [f for f in facts if f.kind in own and (f.kind, f.key) not in source] + [
        f
        for f in facts
        if f.kind in CONTACT_KINDS
        and (f.kind, f.key) not in source
        and (f.kind, f.key) not in context
    ]


def measured(name: str, passed: bool, code: str, *, hard: bool = True, **params: Param) -> Check:
    """A check whose detail is rendered from the message catalogue; code and parameters stay on
    it so that API, CLI and UI can render it in the reader's language."""
    return checked(name, passed, code, params, hard=hard)


def checked(
    name: str, passed: bool, code: str, params: Mapping[str, Param], *, hard: bool = True
) -> Check:
    return Check(
        name=name, passed=passed, detail=render(code, params), hard=hard, code=code,
        params=dict(params),
    )  # fmt: skip


def _urls(text: str) -> list[str]:
    return [f.text for f in extract_facts(text) if f.kind is FactKind.url]


def _length_checks(ctx: CheckContext, parts: dict[str, Any]) -> list[Check]:
    rule = ctx.surface.length
    out: list[Check] = []
    main = main_text(ctx.surface, parts)
    if rule.max is not None:
        n = count_length(main, rule.method)
        code = "check.length.x_weighted" if rule.method == "x_weighted" else "check.length.chars"
        out.append(measured("length", n <= rule.max, code, found=n, limit=rule.max))
        if rule.recommended is not None:
            out.append(
                measured(
                    "length_recommended", n <= rule.recommended, "check.length_recommended",
                    hard=False, found=n, limit=rule.recommended,
                )
            )  # fmt: skip
    for name, part in ctx.surface.parts.items():
        value = parts.get(name)
        if value is None and part.min_count == 0:
            continue
        items = value if isinstance(value, list) else ([value] if value else [])
        count_ok = part.min_count <= len(items) <= part.max_count
        too_long = [str(i) for i in items if count_length(str(i)) > part.max_chars]
        counted: dict[str, Param] = {
            "found": len(items), "min": part.min_count, "max": part.max_count
        }  # fmt: skip
        if too_long:
            over: dict[str, Param] = {"over": len(too_long), "limit": part.max_chars}
            over |= {"item": too_long[0][:60], "chars": count_length(too_long[0])}
            out.append(checked(f"part:{name}", False, "check.part.too_long", counted | over))
        else:
            out.append(checked(f"part:{name}", count_ok, "check.part.count", counted))
    return out


def _link_check(ctx: CheckContext, parts: dict[str, Any]) -> Check:
    rule = ctx.surface.links
    if rule is LinkRule.clickable:
        return measured("links", True, "check.links.allowed")
    if rule is LinkRule.not_clickable:
        bad = [u for v in parts.values() for u in _SCHEME_URL.findall(str(v))]
        if bad:
            return measured("links", False, "check.links.dead", found=bad[0])
        return measured("links", True, "check.links.none_clickable")
    bad = [
        u
        for k, v in parts.items()
        if k != ctx.surface.link_field
        for u in _urls(" ".join(map(str, v)) if isinstance(v, list) else str(v))
    ]
    if bad:
        return measured("links", False, "check.links.misplaced", found=bad[0])
    return measured("links", True, "check.links.none_in_text")


_MARKUP = re.compile(
    r"</?\s*(?:kilde|eksempel|forrige|[a-z]+\s*(?:class|href|style)=|div|span|p|br)\b", re.I
)
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
MIN_WORDS = 4  # below this a post is a fragment, whatever the checks on length say


@lru_cache(maxsize=1)
def _prompt_echoes() -> tuple[re.Pattern[str], ...]:
    """What a small model that echoes its instructions writes and a person never does: the
    prompts' own headings ("Fakta som må med"), every surface id, a surface's name opening a
    line ("LinkedIn-innlegg", "Nyhetsbrev-omtale"), and the rule bullets ("1 stk, høyst 60 tegn
    hver") — all measured in the embedded model's output."""
    heads: set[str] = set()
    for name in ("variant", "variant_repair"):
        template = load_prompt(name)
        for line in (template.system + "\n" + template.user).splitlines():
            head = re.split(r"[:(«${]", line.strip(" -"))[0].strip()
            if len(head) >= 12 and " " in head:
                heads.add(head.lower())
    catalog = load_surfaces()
    for sf in catalog.surfaces.values():
        for language in ("nb", "en"):
            for line in sf.rules_text(language).splitlines():
                rule = line.strip(" -")
                for fragment in (rule, rule.partition(": ")[2]):
                    if len(fragment) >= 10 and " " in fragment:
                        heads.add(fragment.lower())
    names = sorted({n for sf in catalog.surfaces.values() for n in (sf.name_nb, sf.name_en)})
    return (
        re.compile("|".join(re.escape(h) for h in sorted(heads, key=len, reverse=True)), re.I),
        re.compile(r"\b(?:" + "|".join(map(re.escape, catalog.ids())) + r")\b", re.I),
        re.compile(r"^\s*(?:" + "|".join(map(re.escape, names)) + r")(?![\w-])", re.I | re.M),
    )


def strip_echoes(text: str) -> str:
    """The text without what it copied from the instructions: markup, headings, rule bullets,
    surface ids and names; lines left with no word are dropped. Only the model's own words stay,
    so the checks then judge those."""
    kept = []
    for line in text.splitlines():
        cleaned = line
        for pattern in (_MARKUP, *_prompt_echoes()):
            cleaned = pattern.sub("", cleaned)
        if cleaned != line:
            cleaned = re.sub(r"\(\s*\)|\||[<>=]", " ", cleaned)
            cleaned = re.sub(r"\s{2,}", " ", cleaned).lstrip(" :;,.-–").rstrip(" :;,-–")
        if _WORD.search(cleaned):
            kept.append(cleaned)
    return "\n".join(kept)


Problem = tuple[str, dict[str, Param]]  # a message code and its parameters


def item_problem(item: str) -> Problem | None:
    """Why one headline, description or text is not usable copy, if it is not."""
    if _MARKUP.search(item):
        return "check.content.markup", {"item": item[:40]}
    for pattern in _prompt_echoes():
        if m := pattern.search(item):
            return "check.content.echo", {"item": m.group(0)[:40]}
    if not _WORD.search(item):
        return "check.content.no_words", {"item": item[:40]}
    return None


def _content_check(ctx: CheckContext, parts: dict[str, Any]) -> Check:
    """Copy a person could publish: real words, no prompt markup, no repeated ad headlines
    (Google refuses duplicates). The first problem is the detail; `more` counts the rest."""
    problems: list[Problem] = []
    for name, value in parts.items():
        if ctx.surface.is_address(name):
            continue
        rule = ctx.surface.parts.get(name)
        if not value and (rule is None or rule.min_count == 0):
            continue  # an optional part left empty (a Meta ad's description) is no fragment
        items = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        problems += [p for p in map(item_problem, items) if p]
        if isinstance(value, list):
            lowered = [i.strip().lower() for i in items]
            if len(set(lowered)) < len(lowered):
                problems.append(("check.content.repeated", {"field": name}))
    main = main_text(ctx.surface, parts)
    words = len(_WORD.findall(main))
    if ctx.surface.main_field is not None and words < MIN_WORDS:
        problems.append(("check.content.too_few_words", {"found": words, "limit": MIN_WORDS}))
    if not problems:
        return measured("content", True, "check.content.ok")
    code, params = problems[0]
    return checked("content", False, code, {**params, "more": len(problems) - 1})


_COPY_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@lru_cache(maxsize=8192)
def _copy_words(text: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in _COPY_WORD.findall(text))


def similarity(text: str, source: str) -> float:
    """How nearly `text` is `source` unchanged: the share of words the two have in the same
    order (difflib's ratio over lower-cased words); 1.0 is the source verbatim. Words, not
    characters: a copy with its link cut or an emoji added is still the source."""
    a, b = _copy_words(text), _copy_words(source)
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(a=a, b=b, autojunk=False).ratio()


def similar_above(text: str, source: str, limit: float) -> bool:
    """`similarity(text, source) > limit`, deciding most pairs by difflib's cheap upper bounds
    (lengths, then shared words) before the ratio: a month's draft is compared with every
    other draft of the month."""
    a, b = _copy_words(text), _copy_words(source)
    if not a or not b:
        return False
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    return (
        matcher.real_quick_ratio() > limit
        and matcher.quick_ratio() > limit
        and matcher.ratio() > limit
    )


def judged_as_copy(surface: Surface, source: str) -> bool:
    """Whether not_a_copy judges texts for this surface and source: the surface asks for
    adaptation and the source is long enough to rewrite."""
    rule = load_surfaces().copy_rule
    return surface.adapts and len(_COPY_WORD.findall(source)) >= rule.min_source_words


def is_copy(surface: Surface, text: str, source: str) -> bool:
    """`text` is (nearly) `source` unchanged, where that matters (not_a_copy's own decision)."""
    rule = load_surfaces().copy_rule
    return judged_as_copy(surface, source) and similarity(text, source) > rule.max_similarity


def _copy_check(ctx: CheckContext, parts: dict[str, Any]) -> Check | None:
    """A variant that is (nearly) the source unchanged is no reuse, on a surface that asks for
    adaptation: the most source-like field decides (an ad whose body is the source is a copy,
    whatever its headline). None on a surface that takes the text as it is."""
    if not ctx.surface.adapts:
        return None
    rule = load_surfaces().copy_rule
    limit = round(rule.max_similarity * 100)
    if not judged_as_copy(ctx.surface, ctx.source_text):
        return measured("not_a_copy", True, "check.not_a_copy.short_source")
    texts = [
        "\n".join(map(str, value)) if isinstance(value, list) else str(value)
        for key, value in parts.items()
        if ctx.surface.judged_as_language(key) and value
    ]
    found = max((similarity(t, ctx.source_text) for t in texts), default=0.0)
    percent = round(found * 100)
    copied = found > rule.max_similarity
    code = "check.not_a_copy.copy" if copied else "check.not_a_copy.ok"
    return measured("not_a_copy", not copied, code, similarity=percent, limit=limit)


def run_checks(ctx: CheckContext, parts: dict[str, Any]) -> list[Check]:
    text = paste_text(ctx.surface, parts)
    checks = [
        measured("not_empty", True, "check.not_empty.ok")
        if text.strip()
        else measured("not_empty", False, "check.not_empty.empty")
    ]
    checks.append(_content_check(ctx, parts))
    copy = _copy_check(ctx, parts)
    if copy is not None:
        checks.append(copy)
    checks += _length_checks(ctx, parts)
    tags = _HASHTAG.findall(text)
    limit = ctx.surface.hashtags.max
    checks.append(
        measured(
            "hashtags", limit is None or len(tags) <= limit,
            "check.hashtags.count" if limit is None else "check.hashtags.limit",
            found=len(tags), limit=limit,
        )
    )  # fmt: skip
    checks.append(_link_check(ctx, parts))
    strict = [f for f in ctx.required if f.kind in STRICT_KINDS]
    missing = missing_facts(strict, text)
    checks.append(
        measured(
            "facts_kept",
            False,
            "check.facts_kept.missing",
            found=", ".join(f.text for f in missing),
        )
        if missing
        else measured("facts_kept", True, "check.facts_kept.ok")
    )
    names = [f for f in ctx.required if f.kind is FactKind.name]
    missing_names = missing_facts(names, text)
    if names:
        checks.append(
            measured(
                "names_kept", False, "check.names_kept.missing", hard=False,
                found=", ".join(f.text for f in missing_names),
            )
            if missing_names
            else measured("names_kept", True, "check.names_kept.ok", hard=False)
        )  # fmt: skip
    echoed = echoed_instructions(text, ctx.flagged)
    checks.append(
        measured("no_injected_text", False, "check.no_injected_text.found", found=echoed[0][:80])
        if echoed
        else measured("no_injected_text", True, "check.no_injected_text.ok")
    )
    new = invented(ctx, text)
    found = ", ".join(dict.fromkeys(f.text for f in new))
    checks.append(
        measured("no_invented_facts", False, "check.no_invented_facts.found", found=found)
        if new
        else measured("no_invented_facts", True, "check.no_invented_facts.ok")
    )
    prose = "\n".join(
        str(item)
        for key, value in parts.items()
        if ctx.surface.judged_as_language(key)
        for item in (value if isinstance(value, list) else [value])
    )
    checks.append(check_language(prose, ctx.language))
    if ctx.surface.emoji == "none":
        emoji = _EMOJI.findall(text)
        checks.append(measured("emoji", not emoji, "check.emoji", hard=False, found=len(emoji)))
    return checks


def hard_failures(checks: Sequence[Check]) -> list[Check]:
    return [c for c in checks if c.hard and not c.passed]


def reason(check: Check, lang: str = "nb") -> str:
    """One failed check as a person reads it: its label and what was measured, in `lang`."""
    detail = render(check.code, check.params, lang) if check.code else check.detail
    return render("check.reason", {"check": label(check.name, lang), "detail": detail}, lang)


def failed_reasons(checks: Sequence[Check], lang: str = "nb") -> list[str]:
    return [reason(c, lang) for c in hard_failures(checks)]
