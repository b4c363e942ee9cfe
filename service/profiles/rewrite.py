"""Rewrite proposals per profile field: a rule-based fix of what the audit found, and model
options. Every proposal is audited again with the field replaced; one that breaks a hard check
(limit, a fact, the language, an outdated claim) is not shown."""

from __future__ import annotations

import difflib
import re
import uuid
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from service.domain.draft import Check, Draft, DraftStatus
from service.domain.profile_audit import AuditReport, Finding, FindingCode, ProfileSet
from service.errors import Invalid, ProviderResponseInvalid
from service.generation.checks import checked
from service.generation.facts import FactKind, extract_facts
from service.generation.language import NAMES
from service.generation.prompts import load_prompt
from service.generation.repair import sentences
from service.generation.surfaces import SurfaceCatalog, load_surfaces
from service.profiles.audit import audit, evidence_code, keyword_present
from service.providers.llm import LLM

HARD = (
    FindingCode.over_limit,
    FindingCode.inconsistent_fact,
    FindingCode.outdated,
    FindingCode.language_mismatch,
)
_CONTACT = (FactKind.phone, FactKind.url, FactKind.email, FactKind.time_range)


class RewriteText(BaseModel):
    text: str = Field(min_length=1, max_length=2000)


class RewriteOption(BaseModel):
    channel: str
    field: str
    text: str
    chars: int
    limit: int | None
    origin: Literal["rules", "model"]
    checks: list[Check]
    passed: bool
    diff: str


class RewriteRequest(BaseModel):
    profiles: ProfileSet
    fields: list[Annotated[str, Field(pattern=r"^[^.]+\.[^.]+$", max_length=100)]] = Field(
        default_factory=list,
        max_length=200,
        description="channel.field; empty: every field with a finding",
    )
    n: int = Field(default=2, ge=0, le=3, strict=True, description="model options per field")


def word_diff(old: str, new: str) -> str:
    """[-removed-]{+added+} over words: readable in a terminal, a table and JSON alike."""
    a, b = old.split(), new.split()
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b).get_opcodes():
        if op == "equal":
            out.append(" ".join(a[i1:i2]))
        if op in ("delete", "replace"):
            out.append("[-" + " ".join(a[i1:i2]) + "-]")
        if op in ("insert", "replace"):
            out.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(out)


def _fixes(report: AuditReport, channel: str, field: str) -> list[tuple[str, str]]:
    """(wrong, right) replacements, read from the findings' parameters: the value the other
    channels agree on (`right`), and for a count its noun."""
    pairs: list[tuple[str, str]] = []
    for f in report.findings:
        if (f.channel, f.field) != (channel, field):
            continue
        if f.code not in (FindingCode.inconsistent_fact, FindingCode.outdated):
            continue
        right = f.params.get("right")
        if right is None or right == "":
            continue
        noun = f.params.get("noun")
        pairs.append((f.evidence, f"{right} {noun}" if noun else str(right)))
    return pairs


_NEWS_PHRASE = re.compile(r"\b(?:nyhet|nytt|new|news)\s+(?:19|20)\d\d\s*[:!.–-]?\s*", re.I)


def rule_fix(
    profiles: ProfileSet, report: AuditReport, channel: str, field: str, limit: int | None
) -> str:
    text = profiles.channels[channel][field]
    for wrong, right in _fixes(report, channel, field):
        if wrong in text:
            text = text.replace(wrong, right)
        else:  # the audit quotes a URL without its scheme or "www."
            text = re.sub(re.escape(wrong), right, text, flags=re.I)
    text = _NEWS_PHRASE.sub("", text).strip()
    if limit is not None and len(text) > limit:
        text = fit(text, limit, profiles.wanted_keywords)
    return text


def fit(text: str, limit: int, keywords: Sequence[str]) -> str:
    """Keep the sentences that carry most (a fact counts twice, a wanted keyword once) within
    the limit; a single long sentence is cut at a clause boundary. No ellipsis: a bio that ends
    in "…" looks broken."""
    kept = sentences(text)

    def value(sentence: str) -> int:
        facts = sum(1 for f in extract_facts(sentence) if f.kind in _CONTACT)
        return 2 * facts + sum(keyword_present(k, sentence) for k in keywords)

    if 1 < len(kept) <= 12:
        # The subset (in order) worth most that fits; longer wins a tie. 2^12 is cheap.
        best: tuple[int, int, list[str]] = (-1, 0, kept[:1])
        for mask in range(1, 1 << len(kept)):
            pick = [x for i, x in enumerate(kept) if mask >> i & 1]
            size = len(" ".join(pick))
            if size <= limit:
                candidate = (sum(value(x) for x in pick), size, pick)
                if candidate[:2] > best[:2]:
                    best = candidate
        kept = best[2]
    out = " ".join(kept)
    if len(out) <= limit:
        return out
    head = out[:limit]
    for mark in (" – ", ", ", " - ", " "):
        at = head.rfind(mark)
        if at > limit // 2:
            return head[:at].rstrip(",;:–- ") + ("." if mark != " " else "")
    return head.rstrip()


def recheck(
    profiles: ProfileSet,
    channel: str,
    field: str,
    text: str,
    catalog: SurfaceCatalog,
    today: date | None,
    wrong_evidence: str = "",
) -> list[Check]:
    trial = profiles.model_copy(deep=True)
    trial.channels[channel][field] = text
    try:
        report = audit(trial, catalog=catalog, today=today)
    except Invalid as exc:
        return [checked("valid", False, "check.valid.invalid", {"found": exc.message})]
    mine = [f for f in report.findings if (f.channel, f.field) == (channel, field)]
    original = profiles.channels[channel][field]
    before = {(f.kind, f.key) for f in extract_facts(original) if f.kind in _CONTACT}
    after = {(f.kind, f.key) for f in extract_facts(text) if f.kind in _CONTACT}
    # A wrong phone number the fix replaced is not a lost fact.
    wrong_before = {(f.kind, f.key) for f in extract_facts(wrong_evidence)}
    lost = (before - wrong_before) - after
    checks = [_finding_check(code, mine) for code in HARD]
    checks.append(
        checked("facts_kept", True, "check.facts_kept.ok", {})
        if not lost
        else checked(
            "facts_kept",
            False,
            "check.facts_kept.missing",
            {"found": ", ".join(k for _, k in lost)},
        )
    )
    checks += [
        _finding_check(code, mine, hard=False)
        for code in (FindingCode.no_cta, FindingCode.missing_keyword)
    ]
    return checks


def _finding_check(code: FindingCode, found: list[Finding], *, hard: bool = True) -> Check:
    """A check named by a finding code: passed without such a finding, else what was found; a
    measured evidence (a length, a language) with the finding's own code and parameters."""
    hits = [f for f in found if f.code is code]
    if not hits:
        return checked(code.value, True, "check.profile.clean", {}, hard=hard)
    measured = evidence_code(code)
    if len(hits) == 1 and measured is not None:
        return checked(code.value, False, measured, hits[0].params, hard=hard)
    evidence = "; ".join(f.evidence for f in hits)
    return checked(code.value, False, "check.profile.found", {"found": evidence}, hard=hard)


def _option(
    profiles: ProfileSet,
    channel: str,
    field: str,
    text: str,
    origin: Literal["rules", "model"],
    catalog: SurfaceCatalog,
    today: date | None,
    wrong_evidence: str,
) -> RewriteOption:
    limit = catalog.profile_fields[channel][field].max
    checks = recheck(profiles, channel, field, text, catalog, today, wrong_evidence)
    return RewriteOption(
        channel=channel,
        field=field,
        text=text,
        chars=len(text),
        limit=limit,
        origin=origin,
        checks=checks,
        passed=all(c.passed for c in checks if c.hard),
        diff=word_diff(profiles.channels[channel][field], text),
    )


def _targets(
    profiles: ProfileSet, report: AuditReport, fields: Sequence[str], catalog: SurfaceCatalog
) -> list[tuple[str, str]]:
    if fields:
        out = []
        for name in fields:
            channel, _, field = name.partition(".")
            if channel not in profiles.channels or field not in profiles.channels[channel]:
                raise Invalid(f"no profile field {name!r} in the request (use channel.field)")
            spec = catalog.profile_fields.get(channel, {}).get(field)
            if spec is None:
                raise Invalid(
                    f"{name}: {channel!r} has no profile field {field!r} to rewrite",
                    details={"allowed": sorted(catalog.profile_fields.get(channel, {}))},
                )
            if spec.kind != "prose":
                kind = spec.kind
                raise Invalid(f"{name} is a {kind} field; only texts are rewritten")
            out.append((channel, field))
        return out
    known = catalog.profile_fields
    return list(
        dict.fromkeys(
            (f.channel, f.field)
            for f in report.findings
            # A channel or field the data does not describe was not audited: nothing to fix.
            if f.field in known.get(f.channel, {}) and known[f.channel][f.field].kind == "prose"
        )
    )


def rewrite(
    req: RewriteRequest,
    llm: LLM | None,
    *,
    catalog: SurfaceCatalog | None = None,
    today: date | None = None,
) -> tuple[AuditReport, list[RewriteOption], list[RewriteOption]]:
    """Shown options (each passed its hard checks) and the hidden ones, with why."""
    catalog = catalog or load_surfaces()
    profiles = req.profiles
    report = audit(profiles, catalog=catalog, today=today)
    shown: list[RewriteOption] = []
    hidden: list[RewriteOption] = []
    template = load_prompt("profile_rewrite")
    for channel, field in _targets(profiles, report, req.fields, catalog):
        spec = catalog.profile_fields[channel][field]
        problems = [f for f in report.findings if (f.channel, f.field) == (channel, field)]
        wrong = " ".join(p.evidence for p in problems)
        fixed = rule_fix(profiles, report, channel, field, spec.max)
        options = [_option(profiles, channel, field, fixed, "rules", catalog, today, wrong)]
        right_facts = sorted(
            {
                f.text
                for ch, values in profiles.channels.items()
                for fl, text in values.items()
                for f in extract_facts(text)
                if f.kind in _CONTACT
                and not any(
                    p.evidence and f.text in p.evidence
                    for p in report.findings
                    if (p.channel, p.field) == (ch, fl)
                )
            }
        )
        for _ in range(req.n if llm is not None else 0):
            assert llm is not None
            messages = template.messages(
                organisation=profiles.organisation,
                channel=channel,
                field=field,
                limit=spec.max or 1000,
                language_name=NAMES.get(profiles.language, profiles.language),
                facts="\n".join(f"- {x}" for x in right_facts) or "(ingen)",
                keywords=", ".join(profiles.wanted_keywords) or "(ingen)",
                problems="\n".join(f"- {p.code.value}: {p.suggestion}" for p in problems)
                or "- ingen",
                current=profiles.channels[channel][field],
                cta="Avslutt med én tydelig oppfordring." if spec.cta else "",
            )
            try:
                result = llm.chat_structured(messages, RewriteText, max_tokens=400)
            except ProviderResponseInvalid:
                continue
            options.append(
                _option(
                    profiles,
                    channel,
                    field,
                    result.value.text.strip(),
                    "model",
                    catalog,
                    today,
                    wrong,
                )
            )
        # A rule fix that changes nothing is no proposal (no_cta, missing_keyword need a writer).
        seen: set[str] = {profiles.channels[channel][field]}
        for o in options:
            if o.text in seen:
                continue
            seen.add(o.text)
            (shown if o.passed else hidden).append(o)
    return report, shown, hidden


def accepted_draft(
    workspace: str, profiles: ProfileSet, channel: str, field: str, text: str
) -> Draft:
    """An accepted (maybe edited) profile text as an approved draft of kind `profile`, with the
    audit's checks run on it again: a person may accept a text the checks fault."""
    original = profiles.channels.get(channel, {}).get(field)
    if original is None:
        raise Invalid(f"no profile field {channel}.{field} in the profiles")
    catalog = load_surfaces()
    found = audit(profiles, catalog=catalog).findings
    wrong = " ".join(f.evidence for f in found if (f.channel, f.field) == (channel, field))
    checks = recheck(profiles, channel, field, text, catalog, None, wrong)
    return Draft(
        id=str(uuid.uuid4()),
        workspace=workspace,
        kind="profile",
        surface=f"{channel}.{field}",
        language=profiles.language,
        text=text,
        checks=checks,
        passed=all(c.passed for c in checks if c.hard),
        status=DraftStatus.approved,
        source_text=original,
    )
