"""Deterministic scores for one output of one case, and for one case's outputs together."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from evals.cases import RepurposeCase
from evals.constraints import NON_TEXT, Instruction, instructions
from evals.text_metrics import chrf, distinct_n, max_chrf, near_duplicate_rate, self_bleu
from evals.text_metrics import shared_ngrams as shared_ngram_count
from service.generation.facts import STRICT_KINDS, extract_facts, fact_present, invented_facts
from service.generation.language import check_language, detect
from service.generation.surfaces import Surface
from service.generation.variant_schemas import paste_text

# chrF against the source: above this the output is the source, not an adaptation of it.
COPIED_CHRF = 85.0
# Below this, little of the source's wording is left (a new text, or a lost message).
DRIFTED_CHRF = 20.0


class OutputScore(BaseModel):
    case_id: str
    surface: str
    instructions: list[Instruction]
    instruction_accuracy: float
    all_instructions: bool
    fact_recall: float | None  # None: the case names no must-keep facts
    missing_facts: list[str]
    fact_precision: float  # 1.0 when the output states no hard facts at all
    invented: list[str]
    must_not_found: list[str]
    language_ok: bool
    language_detected: str | None
    language_detail: str
    chrf_source: float
    chrf_band: str
    max_chrf_examples: float
    shared_8grams_examples: int
    prompt_echo: list[str] = []  # lines copied from the instructions, not from the source
    usable: bool  # every instruction, every fact, nothing wrong, right language, adapted, no echo


class CaseDiversity(BaseModel):
    case_id: str
    outputs: int
    self_bleu: float | None
    distinct_2: float | None
    near_duplicate_rate: float | None


def _bounded(term: str) -> re.Pattern[str]:
    # "219 kr" must not match inside "1219 kr"; "sjobua.com" not inside "sjobua.community".
    return re.compile(rf"(?<![\w\d]){re.escape(term)}(?![\w\d])", re.I)


def keeps(text: str, fact: str, forms: Sequence[str]) -> bool:
    if any(_bounded(f).search(text) for f in [fact, *forms]):
        return True
    extracted = extract_facts(fact)
    return bool(extracted) and all(fact_present(f, text) for f in extracted)


def band(score: float) -> str:
    if score >= COPIED_CHRF:
        return "copied"
    if score < DRIFTED_CHRF:
        return "drifted"
    return "adapted"


def field_texts(parts: dict[str, Any]) -> list[str]:
    return [
        str(item)
        for key, value in parts.items()
        if key not in (*NON_TEXT, "sticker")
        for item in (value if isinstance(value, list) else [value])
        if item not in (None, "") and str(item).strip()
    ]


def prose(parts: dict[str, Any]) -> str:
    return "\n".join(field_texts(parts))


# Shorter lines ("Bestill bord", "Se menyen") are ordinary calls to action that also appear in
# the rules; a copied instruction is longer.
MIN_ECHO_CHARS = 16


@lru_cache(maxsize=1)
def _instructions() -> tuple[str, re.Pattern[str]]:
    """Everything the model is told but the reader should never see: the variant prompts'
    fixed text, every surface's rule bullets in both languages, and the surfaces' names.
    Built apart from the product's own echo check (service.generation.checks) on purpose: the
    metric must not grade the product by the check it is measuring."""
    from service.generation.prompts import load_prompt
    from service.generation.surfaces import load_surfaces

    chunks = []
    for name in ("variant", "variant_repair"):
        t = load_prompt(name)
        chunks.append(re.sub(r"\$\{\w+\}", "\n", t.system + "\n" + t.user))
    surfaces = load_surfaces().surfaces.values()
    chunks += [sf.rules_text(lang) for sf in surfaces for lang in ("nb", "en")]
    names = sorted({n for sf in surfaces for n in (sf.name_nb, sf.name_en, sf.id)}, key=len)
    opening = re.compile(
        r"^(?:" + "|".join(re.escape(n) for n in reversed(names)) + r")(?![\w-])", re.I
    )
    return "\n".join(chunks).lower(), opening


def echoed_lines(parts: dict[str, Any], source: str) -> list[str]:
    corpus, opening = _instructions()
    found = []
    for text in field_texts(parts):
        for raw in text.splitlines():
            line = raw.strip(" -•*\t")
            if not line or line.lower() in source.lower():
                continue
            if opening.match(line) or (len(line) >= MIN_ECHO_CHARS and line.lower() in corpus):
                found.append(line)
    return found


def score_output(
    case: RepurposeCase, surface: Surface, parts: dict[str, Any], examples: Sequence[str]
) -> OutputScore:
    text = paste_text(surface.id, parts) if parts else ""
    done = instructions(surface, parts, case.surface_limits.get(surface.id))
    passed = sum(i.passed for i in done)
    missing = [k for k in case.must_keep if not keeps(text, k, case.fact_variants.get(k, []))]
    recall = None if not case.must_keep else 1 - len(missing) / len(case.must_keep)
    stated = [f for f in extract_facts(text) if f.kind in STRICT_KINDS]
    new = invented_facts(text, [case.source.text, *examples], kinds=STRICT_KINDS)
    wrong = [m for m in case.must_not_appear if _bounded(m).search(text)]
    words = prose(parts)
    lang = check_language(words, case.language) if words.strip() else None
    guess = detect(words) if words.strip() else None
    # Per field, the highest: an ad whose body is the source is a copy, whatever its headline.
    chrf_src = max((chrf(t, case.source.text) for t in field_texts(parts)), default=0.0)
    facts_ok = not missing and not new and not wrong
    language_ok = lang is not None and lang.passed
    echo = echoed_lines(parts, case.source.text)
    return OutputScore(
        case_id=case.id,
        surface=surface.id,
        instructions=done,
        instruction_accuracy=passed / len(done) if done else 0.0,
        all_instructions=passed == len(done),
        fact_recall=recall,
        missing_facts=missing,
        fact_precision=1.0 if not stated else 1 - len(new) / len(stated),
        invented=list(dict.fromkeys(f.text for f in new)),
        must_not_found=wrong,
        language_ok=language_ok,
        language_detected=None if guess is None else (guess.language or "no"),
        language_detail="" if lang is None else lang.detail,
        chrf_source=round(chrf_src, 2),
        chrf_band=band(chrf_src) if words.strip() else "empty",
        max_chrf_examples=round(max_chrf(words, examples), 2) if words.strip() else 0.0,
        shared_8grams_examples=max((shared_ngram_count(words, e) for e in examples), default=0),
        prompt_echo=echo,
        usable=passed == len(done)
        and facts_ok
        and language_ok
        and band(chrf_src) == "adapted"
        and not echo,
    )


def score_case_diversity(case_id: str, texts: Sequence[str]) -> CaseDiversity:
    texts = [t for t in texts if t.strip()]
    return CaseDiversity(
        case_id=case_id,
        outputs=len(texts),
        self_bleu=self_bleu(texts),
        distinct_2=distinct_n(texts, 2),
        near_duplicate_rate=near_duplicate_rate(texts),
    )
