"""Deterministic profile audit: limits, facts compared across channels, outdated claims, calls
to action, contact paths, wanted keywords, language. Each finding carries its evidence and a fix.

Facts are found by extraction and compared, never by asking a model: a phone number that differs
by two swapped digits is exactly what a language model glosses over.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import date

from service.domain.profile_audit import (
    MAX_FIELD_CHARS,
    AuditReport,
    FieldScore,
    Finding,
    FindingCode,
    ProfileSet,
)
from service.errors import Invalid
from service.generation.facts import Fact, FactKind, extract_facts
from service.generation.language import detect
from service.generation.surfaces import ProfileField, SurfaceCatalog, load_surfaces
from service.messages import Param, has, render, render_or

# Which channel's value wins a tie: the organisation's own website is the one it maintains.
TRUST_ORDER = ("website", "facebook", "instagram", "linkedin", "youtube", "x", "tiktok")
# Points off a field's 100 per finding, by how much the flaw costs the organisation.
PENALTY = {
    FindingCode.inconsistent_fact: 30,
    FindingCode.over_limit: 25,
    FindingCode.outdated: 25,
    FindingCode.language_mismatch: 20,
    FindingCode.no_cta: 15,
    FindingCode.missing_keyword: 15,
    FindingCode.no_contact_path: 15,
    FindingCode.generic: 10,
    FindingCode.spelling: 10,
    FindingCode.against_rules: 25,
    FindingCode.unknown_channel: 0,  # not scored: nothing about it is known
    FindingCode.unknown_field: 0,
}
LONG_FIELD = 200  # chars: an "about" text, expected to carry more than one keyword
_CTA = re.compile(
    r"\b(?:bestill\w*|ring|kontakt\w*|besøk\w*|kom\b|følg|les|se\b|send|book\w*|meld\w*|kjøp\b|"
    r"finn|prøv|sjekk|klikk|søk|handle|reserver\w*|skriv|spør|call|visit|follow|order|shop|"
    r"contact|read|apply|sign|join|find|try|discover|oppdag|bli\b|velkommen)",
    re.I | re.UNICODE,
)
_NEWS = re.compile(
    r"(?:\b(?:nyhet|nytt|ny|nye|nå|new|news|sesongen|kampanje|tilbud|i år)\b\W{0,3}(?:i\s+)?"
    r"((?:19|20)\d\d)\b\W?|\b((?:19|20)\d\d)\W{0,3}(?:nyhet|nytt|news)\b)",
    re.I | re.UNICODE,
)
_COUNT = re.compile(r"\b(\d{1,4})\s+([^\W\d_]{4,})", re.UNICODE)
_DAYS = (
    r"(?:man|tir|tirs|ons|tor|tors|fre|lør|søn|mandag|tirsdag|onsdag|torsdag|fredag|lørdag|"
    r"søndag|hverdager|helg)"
)
_DAY_PREFIX = re.compile(rf"{_DAYS}(?:\s*[–-]\s*{_DAYS})?\.?\s*(?:kl\.?\s*)?$", re.I)
_STOP = {"i", "på", "og", "for", "med", "til", "av", "the", "in", "of", "and", "a"}
_LEGAL = re.compile(r"\s+(?:AS|ASA|SA|BA|ANS|DA|ENK|Ltd|AB)\.?$")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def finding(
    channel: str,
    field: str,
    code: FindingCode,
    evidence: str,
    message: str,
    sev: int,
    /,
    **params: Param,
) -> Finding:
    return Finding(
        channel=channel, field=field, code=code, evidence=evidence,
        suggestion=render(message, params), severity=sev, message=message, params=params,
    )  # fmt: skip


def validate(profiles: ProfileSet, catalog: SurfaceCatalog) -> None:
    """Empty and oversized texts: a clear error, nothing audited. Channels and fields the
    product does not know are no error: `split_known` reports them as findings."""
    for channel, fields in profiles.channels.items():
        if not fields:
            raise Invalid(f"{channel}: no fields")
        for name, text in fields.items():
            if not text.strip():
                raise Invalid(f"{channel}.{name} is empty")
            if len(text) > MAX_FIELD_CHARS:
                raise Invalid(
                    f"{channel}.{name} is {len(text)} characters; a profile text can be at most "
                    f"{MAX_FIELD_CHARS}"
                )


def split_known(
    profiles: ProfileSet, catalog: SurfaceCatalog
) -> tuple[dict[str, dict[str, str]], list[Finding]]:
    """The channels and fields the surfaces data describes, and a finding for each of the rest:
    a new organisation's file with one unknown channel still gets the others audited."""
    known = catalog.profile_fields
    kept: dict[str, dict[str, str]] = {}
    unknown: list[Finding] = []
    for channel, fields in profiles.channels.items():
        if channel not in known:
            first = next(iter(fields))
            unknown.append(
                finding(
                    channel, first, FindingCode.unknown_channel, channel,
                    "audit.unknown_channel.fix", 1, channel=channel, known=", ".join(known),
                )
            )  # fmt: skip
            continue
        for name, text in fields.items():
            if name in known[channel]:
                kept.setdefault(channel, {})[name] = text
            else:
                unknown.append(
                    finding(
                        channel, name, FindingCode.unknown_field, name,
                        "audit.unknown_field.fix", 1, channel=channel, field=name,
                        known=", ".join(known[channel]),
                    )
                )  # fmt: skip
    return kept, unknown


def _norm_domain(url: str) -> str:
    host = re.sub(r"^https?://", "", url.strip().lower()).split("/")[0]
    return host.removeprefix("www.")


def _hours_evidence(text: str, fact: Fact) -> str:
    """The time range with its day words ("man–fre 10–21"), as a person would quote it."""
    at = text.find(fact.text)
    before = text[max(0, at - 20) : at] if at >= 0 else ""
    m = _DAY_PREFIX.search(before)
    return (m.group(0) + fact.text).strip() if m else fact.text


class _Value:
    def __init__(self, channel: str, field: str, key: str, shown: str) -> None:
        self.channel, self.field, self.key, self.shown = channel, field, key, shown


def _winner(values: list[_Value], stated: str | None) -> str | None:
    if stated is not None:
        return stated
    counts = Counter(v.key for v in values)
    if not counts:
        return None
    best = max(counts.values())
    tied = [k for k, c in counts.items() if c == best]
    if len(tied) == 1:
        return tied[0]

    def trust(key: str) -> int:
        ranks = [
            TRUST_ORDER.index(v.channel) if v.channel in TRUST_ORDER else len(TRUST_ORDER)
            for v in values
            if v.key == key
        ]
        return min(ranks)

    return min(tied, key=trust)


class _Audit:
    def __init__(self, profiles: ProfileSet, catalog: SurfaceCatalog, today: date) -> None:
        self.p = profiles
        self.catalog = catalog
        self.today = today
        self.findings: list[Finding] = []

    def spec(self, channel: str, field: str) -> ProfileField:
        return self.catalog.profile_fields[channel][field]

    def fields(self, *kinds: str) -> Iterable[tuple[str, str, str]]:
        for channel, fields in self.p.channels.items():
            for field, text in fields.items():
                if not kinds or self.spec(channel, field).kind in kinds:
                    yield channel, field, text

    def add(
        self,
        channel: str,
        field: str,
        code: FindingCode,
        evidence: str,
        message: str,
        sev: int,
        /,
        **params: Param,
    ) -> None:
        """A finding whose fix is rendered from the message catalogue; the parameters stay on it
        so that a rewrite reads what to fix instead of parsing the sentence."""
        self.findings.append(finding(channel, field, code, evidence, message, sev, **params))

    def run(self) -> list[Finding]:
        self.limits()
        self.platform_rules()
        self.phones()
        self.urls()
        self.names()
        self.hours()
        self.counts()
        self.outdated_years()
        self.ctas()
        self.contact_paths()
        self.keywords()
        self.languages()
        return self.findings

    # --- limits -------------------------------------------------------------------------
    def limits(self) -> None:
        for channel, field, text in self.fields():
            limit = self.spec(channel, field).max
            if limit is not None and len(text) > limit:
                self.add(
                    channel, field, FindingCode.over_limit,
                    render("audit.over_limit.evidence", {"found": len(text), "limit": limit}),
                    "audit.over_limit.fix", 2, found=len(text), limit=limit,
                    excess=len(text) - limit,
                )  # fmt: skip

    def platform_rules(self) -> None:
        """Fields whose platform refuses offers or links (a Google Business Profile's
        description): a price or URL there is against the rules, whatever else it does well."""
        for channel, field, text in self.fields("prose"):
            spec = self.spec(channel, field)
            facts = extract_facts(text)
            if not spec.promotional:
                sales = [f.text for f in facts if f.kind in (FactKind.price, FactKind.percent)]
                if sales:
                    self.add(
                        channel, field, FindingCode.against_rules, ", ".join(sales),
                        "audit.promotional.fix", 2, found=", ".join(sales),
                    )  # fmt: skip
            if not spec.links:
                links = [f.text for f in facts if f.kind is FactKind.url]
                if links:
                    self.add(
                        channel, field, FindingCode.against_rules, ", ".join(links),
                        "audit.no_links.fix", 2, found=", ".join(links),
                    )  # fmt: skip

    # --- facts compared across channels ----------------------------------------------------
    def _conflicts(self, values: list[_Value], stated: str | None, what: str) -> None:
        """`what`: the fact's kind, naming its message (audit.conflict.phone)."""
        winner = _winner(values, stated)
        if winner is None or (len({v.key for v in values}) < 2 and stated is None):
            return
        right = next((v.shown for v in values if v.key == winner), winner)
        for v in values:
            if v.key != winner:
                self.add(
                    v.channel, v.field, FindingCode.inconsistent_fact, v.shown,
                    f"audit.conflict.{what}", 3, found=v.shown, right=right,
                )  # fmt: skip

    def phones(self) -> None:
        values = [
            _Value(c, f, fact.key, fact.text)
            for c, f, text in self.fields()
            for fact in extract_facts(text)
            if fact.kind is FactKind.phone
        ]
        stated = self.p.facts.get("phone")
        stated_key = None
        if stated:
            found = [f for f in extract_facts(stated) if f.kind is FactKind.phone]
            stated_key = found[0].key if found else None
        self._conflicts(values, stated_key, "phone")

    def urls(self) -> None:
        values: list[_Value] = []
        for c, f, text in self.fields():
            for fact in extract_facts(text):
                if fact.kind is FactKind.url:
                    values.append(_Value(c, f, _norm_domain(fact.text), _norm_domain(fact.text)))
        stated = self.p.facts.get("website")
        self._conflicts(values, _norm_domain(stated) if stated else None, "url")

    def names(self) -> None:
        want = self.p.facts.get("name") or self.p.organisation
        for c, f, text in self.fields("name"):
            if text.strip() == want.strip():
                continue
            legal = _LEGAL.sub("", text.strip()) == want.strip()
            self.add(
                c, f, FindingCode.inconsistent_fact, text.strip(),
                "audit.name_legal.fix" if legal else "audit.name.fix", 1 if legal else 3,
                found=text.strip(), right=want,
            )  # fmt: skip

    def hours(self) -> None:
        values = [
            _Value(c, f, fact.key, _hours_evidence(text, fact))
            for c, f, text in self.fields("prose")
            for fact in extract_facts(text)
            if fact.kind is FactKind.time_range
        ]
        if len({v.channel for v in values}) < 2:
            return
        # Each range is judged on its own: a range only one channel gives, where another channel
        # gives a different range for the same days, is the old one.
        by_days: dict[str, list[_Value]] = {}
        for v in values:
            by_days.setdefault(_day_key(v.shown), []).append(v)
        for group in by_days.values():
            if len({v.key for v in group}) < 2:
                continue
            winner = _winner(group, None)
            right = next(v.shown for v in group if v.key == winner)
            for v in group:
                if v.key != winner:
                    self.add(
                        v.channel, v.field, FindingCode.outdated, v.shown,
                        "audit.hours.fix", 3, found=v.shown, right=right,
                    )  # fmt: skip

    def counts(self) -> None:
        """ "24 butikker" here and "38 butikker" elsewhere: the smaller-majority number is old."""
        seen: dict[str, list[_Value]] = {}
        for c, f, text in self.fields("prose"):
            for m in _COUNT.finditer(text):
                seen.setdefault(m.group(2).lower(), []).append(_Value(c, f, m.group(1), m.group(0)))
        for noun, group in seen.items():
            if len({v.key for v in group}) < 2 or noun in ("timer", "timene", "minutter", "år"):
                continue
            winner = _winner(group, None)
            for v in group:
                if v.key != winner:
                    self.add(
                        v.channel, v.field, FindingCode.outdated, v.shown,
                        "audit.count.fix", 2, found=v.shown, right=winner, noun=noun,
                    )  # fmt: skip

    def outdated_years(self) -> None:
        for c, f, text in self.fields("prose"):
            for m in _NEWS.finditer(text):
                year = int(m.group(1) or m.group(2))
                if year < self.today.year:
                    self.add(
                        c, f, FindingCode.outdated, m.group(0).strip(),
                        "audit.news_year.fix", 2, found=m.group(0).strip(), year=year,
                    )  # fmt: skip

    # --- action --------------------------------------------------------------------------
    def ctas(self) -> None:
        for c, f, text in self.fields("prose"):
            if not self.spec(c, f).cta:
                continue
            contact = any(
                fact.kind in (FactKind.phone, FactKind.url, FactKind.email, FactKind.address)
                for fact in extract_facts(text)
            )
            if not contact and not _CTA.search(text) and "📍" not in text:
                self.add(
                    c, f, FindingCode.no_cta, text[:60], "audit.no_cta.fix", 2,
                )  # fmt: skip

    def contact_paths(self) -> None:
        for channel, fields in self.p.channels.items():
            kinds = {self.spec(channel, f).kind for f in fields}
            facts = {
                fact.kind
                for text in fields.values()
                for fact in extract_facts(text)
                if fact.kind in (FactKind.phone, FactKind.url, FactKind.email, FactKind.address)
            }
            if not facts and not kinds & {"url", "phone"}:
                field = next(
                    (f for f in fields if self.spec(channel, f).kind == "prose"), next(iter(fields))
                )
                self.add(
                    channel, field, FindingCode.no_contact_path,
                    render("audit.no_contact_path.evidence"), "audit.no_contact_path.fix", 2,
                )  # fmt: skip

    # --- keywords and language -----------------------------------------------------------
    def keywords(self) -> None:
        wanted = self.p.wanted_keywords
        if not wanted:
            return
        for c, f, text in self.fields("prose"):
            have = [k for k in wanted if keyword_present(k, text)]
            needed = 2 if len(text) >= LONG_FIELD else 1
            if len(have) < min(needed, len(wanted)):
                missing = [k for k in wanted if k not in have]
                self.add(
                    c, f, FindingCode.missing_keyword, ", ".join(missing),
                    "audit.missing_keyword.fix", 2, keywords=", ".join(missing[:3]),
                )  # fmt: skip

    def languages(self) -> None:
        expected = self.p.language
        for c, f, text in self.fields("prose"):
            guess = detect(text)
            if guess.language is None:
                continue
            # A short Norwegian bio often reads as Danish or Swedish to a detector, and a
            # Norwegian organisation does not write Danish: only English or the other
            # Norwegian standard count as a mismatch.
            if guess.language in ("da", "sv"):
                continue
            wrong = (
                (guess.norwegian and expected == "en")
                or (guess.language == "en" and expected in ("nb", "nn") and guess.confidence >= 0.6)
                or (guess.norwegian and expected in ("nb", "nn") and guess.language != expected)
            )
            if wrong:
                self.add(
                    c, f, FindingCode.language_mismatch,
                    render("audit.language_mismatch.evidence", {"found": guess.language}),
                    "audit.language.fix", 2, found=guess.language, expected=expected,
                )  # fmt: skip


def _day_key(shown: str) -> str:
    m = re.match(rf"\s*({_DAYS})", shown, re.I)
    return (m.group(1).lower()[:3] if m else "") or "*"


def _stem(word: str) -> str:
    return word.lower()[:5]


def keyword_present(keyword: str, text: str) -> bool:
    """Every content word of the keyword appears (by its first five letters; numbers exactly):
    "lokal fisk" is in "fisk fra lokale fiskere", "38 butikker" is not in "24 butikker"."""
    words = [w for w in _WORD.findall(keyword.lower()) if w not in _STOP]
    have_words = {w.lower() for w in _WORD.findall(text)}
    have_stems = {_stem(w) for w in have_words}
    if not words:
        return False
    for w in words:
        if w.isdigit():
            if w not in have_words:
                return False
        elif _stem(w) not in have_stems and not any(h.startswith(w) for h in have_words):
            return False
    # Numbers belong to their noun: "38 butikker" needs "38" right before "butikker".
    numbered = re.findall(r"(\d+)\s+([^\W\d_]+)", keyword, re.UNICODE)
    return all(
        re.search(rf"\b{n}\s+{re.escape(noun[:5])}", text, re.I | re.UNICODE)
        for n, noun in numbered
    )


def score(
    profiles: ProfileSet, findings: list[Finding], catalog: SurfaceCatalog
) -> tuple[list[FieldScore], dict[str, int], int]:
    fields: list[FieldScore] = []
    for channel, values in profiles.channels.items():
        for field, text in values.items():
            mine = [x for x in findings if x.channel == channel and x.field == field]
            points = 100 - sum(PENALTY[x.code] for x in mine)
            fields.append(
                FieldScore(
                    channel=channel,
                    field=field,
                    chars=len(text),
                    limit=catalog.profile_fields[channel][field].max,
                    score=max(0, points),
                    codes=[x.code for x in mine],
                )
            )
    channels = {
        ch: round(sum(f.score for f in fields if f.channel == ch) / n)
        for ch in profiles.channels
        if (n := sum(1 for f in fields if f.channel == ch))
    }
    overall = round(sum(channels.values()) / len(channels)) if channels else 0
    return fields, channels, overall


def evidence_code(code: FindingCode | str) -> str | None:
    """The catalogue code of a finding's evidence when it is a measurement, not a quote (a
    length, a language, a missing contact path): `audit.<code>.evidence`, rendered with the
    finding's own parameters so it reads in the reader's language too."""
    message = f"audit.{code}.evidence"
    return message if has(message) else None


def localised_finding(f: Finding, lang: str) -> Finding:
    """The finding with its fix (and a measured evidence) rendered in `lang`."""
    update = {"suggestion": render_or(f.suggestion, f.message, f.params, lang)}
    if (evidence := evidence_code(f.code)) is not None:
        update["evidence"] = render_or(f.evidence, evidence, f.params, lang)
    return f.model_copy(update=update)


def summarise(
    org: str, findings: list[Finding], overall: int, channels: dict[str, int], lang: str = "nb"
) -> str:
    if not findings:
        return render("audit.summary.clean", {"organisation": org, "overall": overall}, lang)
    counts = Counter(f.code for f in findings)
    listed = ", ".join(
        render("audit.summary.count", {"n": n, "code": code.value}, lang)
        for code, n in counts.most_common()
    )
    scored: dict[str, Param] = {"organisation": org, "overall": overall}
    scored |= {"channels": len(channels), "findings": listed}
    sentences = [render("audit.summary.scored", scored, lang)]
    if channels:  # none when every channel in the file was unknown
        worst = min(channels, key=lambda c: channels[c])
        sentences.append(
            render("audit.summary.worst", {"channel": worst, "score": channels[worst]}, lang)
        )
    serious = [f for f in findings if f.severity == 3]
    if serious:
        first = localised_finding(serious[0], lang)
        where = {"channel": first.channel, "field": first.field, "evidence": first.evidence}
        sentences.append(render("audit.summary.serious", where, lang))
    return " ".join(sentences)


def localised_report(report: AuditReport, lang: str) -> AuditReport:
    """The report's words in `lang`: findings, evidence and the summary."""
    findings = [localised_finding(f, lang) for f in report.findings]
    summary = summarise(report.organisation, report.findings, report.overall, report.channels, lang)
    return report.model_copy(update={"findings": findings, "summary": summary})


def audit(
    profiles: ProfileSet, *, catalog: SurfaceCatalog | None = None, today: date | None = None
) -> AuditReport:
    catalog = catalog or load_surfaces()
    validate(profiles, catalog)
    known, unknown = split_known(profiles, catalog)
    findings: list[Finding] = []
    fields: list[FieldScore] = []
    channels: dict[str, int] = {}
    overall = 0
    if known:
        audited = profiles.model_copy(update={"channels": known})
        findings = _Audit(audited, catalog, today or date.today()).run()
        fields, channels, overall = score(audited, findings, catalog)
    findings += unknown
    return AuditReport(
        organisation=profiles.organisation,
        findings=findings,
        fields=fields,
        channels=channels,
        overall=overall,
        summary=summarise(profiles.organisation, findings, overall, channels),
    )
