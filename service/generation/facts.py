"""Hard facts in a post, found by rules rather than by a model: prices, percentages, dates,
times, phone numbers, e-mail addresses, URLs, street addresses, hashtags and names.

A rewrite must keep the source's facts and must not invent new ones. Each fact has a canonical
key (price 1290, time 17:00, date 08-02, phone 57743000), so "kr 1 290", "1 290,-" and
"1290 kroner" are one fact and "1 390 kr" is another.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from enum import StrEnum
from functools import lru_cache

from pydantic import BaseModel, ConfigDict


class FactKind(StrEnum):
    price = "price"
    percent = "percent"
    date = "date"
    time = "time"
    time_range = "time_range"  # opening hours: "kl. 10–18" is one fact, not two times
    phone = "phone"
    email = "email"
    url = "url"
    address = "address"
    hashtag = "hashtag"
    name = "name"


# Kinds a rewrite may never introduce on its own: a wrong one misleads a customer.
STRICT_KINDS = frozenset(
    {
        FactKind.price,
        FactKind.percent,
        FactKind.date,
        FactKind.time,
        FactKind.time_range,
        FactKind.phone,
        FactKind.email,
        FactKind.url,
        FactKind.address,
    }
)


class Fact(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: FactKind
    text: str  # as written where it was found
    key: str  # canonical value; equal keys mean the same fact

    def __str__(self) -> str:
        return self.text


MONTHS = {
    "januar": 1, "jan": 1, "january": 1,
    "februar": 2, "feb": 2, "february": 2,
    "mars": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mai": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "october": 10, "oct": 10,
    "november": 11, "nov": 11,
    "desember": 12, "des": 12, "december": 12, "dec": 12,
}  # fmt: skip
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_SP = r"[ \u00a0\u202f]"  # space, no-break space, narrow no-break space
_AMOUNT = rf"\d{{1,3}}(?:(?:{_SP}|\.)\d{{3}})+(?!\d)|\d+"
_DASH = r"\s*[-–—]\s*"
_TLD = r"(?:no|com|net|org|se|dk|io|eu|info|biz|app|shop)"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE)
# A link with its scheme is a link whatever its host (any top-level domain, an IP address, a
# shortener): an invented one must never pass as "no new facts". Without a scheme only the
# domains people write bare count, so that "kl.11" or "f.eks." are not taken for links.
_URL = re.compile(
    r"https?://[^\s<>()\[\]\"'«»]*[^\s<>()\[\]\"'«».,!?:;]"
    rf"|(?:www\.)?(?:[a-z0-9æøå-]+\.)+{_TLD}\b(?:/[^\s)\]>,!?]*[^\s)\]>,.!?:;])?",
    re.IGNORECASE,
)
_PHONE = re.compile(
    r"(?<![\d,.])(?:(?:\+|00)47[ \u00a0]?)?"
    r"(\d{2}[ \u00a0]?\d{2}[ \u00a0]?\d{2}[ \u00a0]?\d{2}|\d{3}[ \u00a0]\d{2}[ \u00a0]\d{3})"
    r"(?!\d|,\d|,-|[ \u00a0]?(?:kr\b|kroner|NOK|%))",
    re.IGNORECASE,
)
_PRICE_BEFORE = re.compile(rf"\b(?:kr\.?|NOK){_SP}?({_AMOUNT})(?:,(\d\d|-))?", re.IGNORECASE)
_PRICE_AFTER = re.compile(
    rf"(?<![\d.,])({_AMOUNT})(?:,(\d\d))?(?:{_SP}?(?:kr\b\.?|kroner\b|NOK\b)|,-)", re.IGNORECASE
)
_PERCENT = re.compile(r"(?<![\d.,])(\d+(?:[.,]\d+)?)\s*(?:%|prosent\b|percent\b)", re.IGNORECASE)
# "kl. 17", "kl. 10–18", "klokka 19.30", "kl 09:00-15:00"
_CLOCK = re.compile(
    rf"\b(?:kl\.?|klokka|klokken|klokkeslett)\s*(\d{{1,2}})(?:[.:](\d\d))?"
    rf"(?:{_DASH}(?:kl\.?\s*)?(\d{{1,2}})(?:[.:](\d\d))?)?",
    re.IGNORECASE,
)
_CLOCK_FROM_TO = re.compile(
    r"\bfra\s+(?:kl\.?|klokka|klokken)\s*(\d{1,2})(?:[.:](\d\d))?\s+(?:til|to)\s+"
    r"(?:kl\.?\s*|klokka\s*|klokken\s*)?(\d{1,2})(?:[.:](\d\d))?",
    re.IGNORECASE,
)
# A bare "10–18" is opening hours when it looks like them: starts 06-23 and ends later (or 0/24).
# Punctuation after it ends a sentence ("lør 10–18."), unless a digit follows ("10–20,5").
_BARE_RANGE = re.compile(
    r"(?<![\d.,:/-])(\d{1,2})\s*[-–—]\s*(\d{1,2})(?!\d|[.,:/]\d|\s*%)"
    r"(?!\s*(?:personer|pers|stk|dager|døgn|år|min|minutter|timer|uker|kr|prosent|%|cm|m\b))",
    re.IGNORECASE,
)
_HHMM = re.compile(r"(?<![\d.:])(\d{1,2})[:](\d\d)(?:[-–—](\d{1,2})[:](\d\d))?(?![\d:])")
_HH_DOT_MM = re.compile(r"(?<![\d.:])(\d{1,2})\.(00|15|30|45)(?![\d.])")
_EN_TIME = re.compile(r"\b(\d{1,2})(?::(\d\d))?\s*(am|pm)\b", re.IGNORECASE)
_DATE_WORD = re.compile(
    rf"\b(\d{{1,2}})\.?\s*(?:{_DASH}\d{{1,2}}\.?\s*)?({_MONTH})\b\.?(?:\s+(\d{{4}}))?",
    re.IGNORECASE,
)
_DATE_EN = re.compile(rf"\b({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b", re.IGNORECASE)
_DATE_NUM = re.compile(r"(?<![\d.,])(\d{1,2})\.(\d{1,2})\.?(?:(\d{4}|\d{2})(?![\d.]))?(?![\d,])")
_DATE_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_ADDRESS = re.compile(
    r"\b[A-ZÆØÅ][\wæøå]*(?:gata|gaten|gate|veien|vegen|vei|veg|plass|plassen|torg|torget|"
    r"brygga|bryggen|kaien|allé|alle)\s+\d+[A-Za-z]?\b"
)
_HASHTAG = re.compile(r"(?<![\w&])#(\w+)", re.UNICODE)
_NAME = re.compile(r"\b[A-ZÆØÅ][a-zæøåéü]+(?:[ -][A-ZÆØÅ][a-zæøåéü]+)+\b")
_NOT_NAME_WORDS = frozenset(
    {m.capitalize() for m in MONTHS}
    | {"Mandag", "Tirsdag", "Onsdag", "Torsdag", "Fredag", "Lørdag", "Søndag", "Vi", "Du"}
)


def _amount(raw: str) -> int:
    return int(re.sub(r"[ \u00a0\u202f.]", "", raw))


def _price_key(amount: str, decimals: str | None) -> str:
    value = _amount(amount)
    return (
        f"{value},{decimals}"
        if decimals and decimals.isdigit() and decimals != "00"
        else str(value)
    )


def _valid_time(h: int, m: int) -> bool:
    return 0 <= h <= 24 and 0 <= m <= 59


def _url_key(raw: str) -> str:
    key = re.sub(r"^(?:https?://)?(?:www\.)?", "", raw.lower())
    return key.rstrip("/")


class _Scanner:
    """Finds facts in order of precedence, blanking each match so that the digits of a phone
    number are not found again as a price or a date."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.work = text
        self.found: list[tuple[int, Fact]] = []

    def _blank(self, m: re.Match[str]) -> None:
        start, end = m.span()
        self.work = self.work[:start] + " " * (end - start) + self.work[end:]

    def add(self, m: re.Match[str], kind: FactKind, key: str, *, blank: bool = True) -> None:
        self.found.append((m.start(), Fact(kind=kind, text=m.group(0).strip(), key=key)))
        if blank:
            self._blank(m)

    def scan(self) -> list[Fact]:
        for m in list(_EMAIL.finditer(self.work)):
            self.add(m, FactKind.email, m.group(0).lower())
        for m in list(_URL.finditer(self.work)):
            self.add(m, FactKind.url, _url_key(m.group(0)))
        for m in list(_PHONE.finditer(self.work)):
            self.add(m, FactKind.phone, re.sub(r"\D", "", m.group(1)))
        for m in list(_PERCENT.finditer(self.work)):
            self.add(m, FactKind.percent, m.group(1).replace(",", ".").removesuffix(".0"))
        for pattern in (_PRICE_BEFORE, _PRICE_AFTER):
            for m in list(pattern.finditer(self.work)):
                self.add(m, FactKind.price, _price_key(m.group(1), m.group(2)))
        self._times()
        self._dates()
        self._bare_ranges()
        for m in list(_ADDRESS.finditer(self.work)):
            self.add(m, FactKind.address, " ".join(m.group(0).lower().split()))
        for m in list(_HASHTAG.finditer(self.work)):
            self.add(m, FactKind.hashtag, m.group(1).lower())
        for m in list(_NAME.finditer(self.work)):
            words = re.split(r"[ -]", m.group(0))
            if not (set(words) & _NOT_NAME_WORDS):
                self.add(m, FactKind.name, m.group(0).lower(), blank=False)
        seen: set[tuple[FactKind, str]] = set()
        out = []
        for _, fact in sorted(self.found, key=lambda pair: pair[0]):
            if (fact.kind, fact.key) not in seen:
                seen.add((fact.kind, fact.key))
                out.append(fact)
        return out

    def _time_fact(self, m: re.Match[str], pairs: Iterable[tuple[str | None, str | None]]) -> None:
        keys = []
        for h, mm in pairs:
            if h is None:
                continue
            hour, minute = int(h), int(mm or 0)
            if not _valid_time(hour, minute):
                return
            keys.append(f"{hour % 24:02d}:{minute:02d}")
        text = m.group(0).strip()
        for key in keys:
            self.found.append((m.start(), Fact(kind=FactKind.time, text=text, key=key)))
        if len(keys) == 2:
            fact = Fact(kind=FactKind.time_range, text=text, key=f"{keys[0]}-{keys[1]}")
            self.found.append((m.start(), fact))
        self._blank(m)

    def _times(self) -> None:
        for m in list(_CLOCK_FROM_TO.finditer(self.work)):
            self._time_fact(m, [(m.group(1), m.group(2)), (m.group(3), m.group(4))])
        for m in list(_CLOCK.finditer(self.work)):
            self._time_fact(m, [(m.group(1), m.group(2)), (m.group(3), m.group(4))])
        for m in list(_HHMM.finditer(self.work)):
            self._time_fact(m, [(m.group(1), m.group(2)), (m.group(3), m.group(4))])
        # "19.00" and "10.30" are times; "23.08" is a date (00, 15, 30, 45 are never months).
        for m in list(_HH_DOT_MM.finditer(self.work)):
            self._time_fact(m, [(m.group(1), m.group(2))])
        for m in list(_EN_TIME.finditer(self.work)):
            hour = int(m.group(1)) % 12 + (12 if m.group(3).lower() == "pm" else 0)
            self._time_fact(m, [(str(hour), m.group(2))])

    def _bare_ranges(self) -> None:
        for m in list(_BARE_RANGE.finditer(self.work)):
            start, end = int(m.group(1)), int(m.group(2))
            if 6 <= start <= 23 and (start < end <= 24 or end == 0):
                self._time_fact(m, [(m.group(1), None), (m.group(2), None)])

    def _date(self, m: re.Match[str], day: int, month: int) -> None:
        if 1 <= day <= 31 and 1 <= month <= 12:
            self.add(m, FactKind.date, f"{day:02d}-{month:02d}")

    def _dates(self) -> None:
        for m in list(_DATE_ISO.finditer(self.work)):
            self._date(m, int(m.group(3)), int(m.group(2)))
        for m in list(_DATE_WORD.finditer(self.work)):
            self._date(m, int(m.group(1)), MONTHS[m.group(2).lower()])
        for m in list(_DATE_EN.finditer(self.work)):
            self._date(m, int(m.group(2)), MONTHS[m.group(1).lower()])
        for m in list(_DATE_NUM.finditer(self.work)):
            self._date(m, int(m.group(1)), int(m.group(2)))


def extract_facts(text: str) -> list[Fact]:
    """Facts in order of appearance, one per (kind, key)."""
    return _Scanner(text).scan()


def keys(facts: Iterable[Fact]) -> set[tuple[FactKind, str]]:
    return {(f.kind, f.key) for f in facts}


def fact_present(fact: Fact, text: str) -> bool:
    """The same fact in any accepted form ("kl. 17" = "17:00", "299 kr" = "kr 299")."""
    if fact.kind is FactKind.name:
        return fact.key in text.lower()
    return (fact.kind, fact.key) in keys(extract_facts(text))


def missing_facts(required: Sequence[Fact], text: str) -> list[Fact]:
    found = keys(extract_facts(text))
    lowered = text.lower()
    return [
        f
        for f in required
        if not ((f.kind, f.key) in found or (f.kind is FactKind.name and f.key in lowered))
    ]


FactKey = tuple[FactKind, str]


@lru_cache(maxsize=50_000)
def text_keys(text: str) -> frozenset[FactKey]:
    """The fact keys of one text, remembered: a workspace's posts are scanned once per process,
    not once per variant and attempt (posts are immutable text; an edit is a new string)."""
    return frozenset(keys(extract_facts(text)))


def allowed_keys(texts: Iterable[str]) -> frozenset[FactKey]:
    """Every fact key the texts contain: computed once per request, then each check is a set
    lookup whatever the size of the library."""
    out: set[FactKey] = set()
    for text in texts:
        out |= text_keys(text)
    return frozenset(out)


def invented_facts(
    output: str,
    allowed_texts: Sequence[str] = (),
    *,
    kinds: frozenset[FactKind] = STRICT_KINDS,
    allowed: frozenset[FactKey] | None = None,
) -> list[Fact]:
    """Facts of `kinds` in the output that none of the allowed texts contain (or, when given,
    that are not among the `allowed` keys computed before)."""
    known = allowed if allowed is not None else allowed_keys(allowed_texts)
    return [f for f in extract_facts(output) if f.kind in kinds and (f.kind, f.key) not in known]
