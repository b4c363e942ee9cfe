"""Parsing of the numbers and times that platform exports write, with precise error messages."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

EMPTY = {"", "-", "–", "n/a", "na", "none", "null", "--"}


class CellError(ValueError):
    """A cell that cannot be read; the message says which value and why."""


_THOUSANDS = re.compile(r"^\d{1,3}(?:[,. \u00a0\u202f']\d{3})+$")
_DECIMAL_ZERO = re.compile(r"^\d+[.,]0+$")
_SUFFIXED = re.compile(r"^(\d+(?:[.,]\d+)?)\s*([kKmM])$")


def parse_count(raw: object, column: str = "") -> int | None:
    """A non-negative count: '12,400', '12 400', '29.0', '1.2K', '-' (empty) all work."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise CellError(f"{column}: expected a number, got {raw!r}")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float):
        if raw != int(raw):
            raise CellError(f"{column}: expected a whole number, got {raw!r}")
        value = int(raw)
    else:
        text = str(raw).strip().strip('"')
        if text.lower() in EMPTY:
            return None
        if text.isdigit():
            value = int(text)
        elif _THOUSANDS.match(text):
            value = int(re.sub(r"\D", "", text))
        elif _DECIMAL_ZERO.match(text):
            value = int(re.split(r"[.,]", text)[0])
        elif m := _SUFFIXED.match(text):
            number = float(m.group(1).replace(",", "."))
            value = round(number * (1_000 if m.group(2).lower() == "k" else 1_000_000))
        else:
            raise CellError(f"{column}: {text[:40]!r} is not a number")
    if value < 0:
        raise CellError(f"{column}: negative count {value}")
    return value


def parse_float(raw: object, column: str = "") -> float | None:
    if raw is None:
        return None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    text = str(raw).strip()
    if text.lower() in EMPTY:
        return None
    try:
        return float(text.replace("\u00a0", "").replace(" ", "").replace(",", "."))
    except ValueError as exc:
        raise CellError(f"{column}: {text[:40]!r} is not a number") from exc


def localize(naive: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """Attach a zone to a wall-clock time. In the autumn fold the first (summer) time is used;
    a time in the spring gap is moved forward by the gap, as the clock on the wall did."""
    aware = naive.replace(tzinfo=tz, fold=0)
    round_trip = aware.astimezone(dt.UTC).astimezone(tz)
    if round_trip.replace(tzinfo=None) != naive:
        return round_trip
    return aware


_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january", "januar", "januari"),
            ("feb", "february", "februar", "februari"),
            ("mar", "march", "mars"),
            ("apr", "april"),
            ("may", "mai", "maj"),
            ("jun", "june", "juni"),
            ("jul", "july", "juli"),
            ("aug", "august", "augusti"),
            ("sep", "sept", "september"),
            ("oct", "okt", "october", "oktober"),
            ("nov", "november"),
            ("dec", "des", "december", "desember"),
        ]
    )
    for m in names
}

_US = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$"
)
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ ,T]+(\d{1,2})[:.](\d{2})(?::(\d{2}))?)?$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?(.*)$")
_WORDY = re.compile(
    r"^([A-Za-zæøåÆØÅ]+)\.?\s+(\d{1,2}),?\s+(\d{4})$|^(\d{1,2})\.?\s+([A-Za-zæøåÆØÅ]+)\.?\s+(\d{4})$"
)
_X_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})(?::\d{2})? ?([+-]\d{4})$")
EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def _hour(h: str | None, ampm: str | None) -> int:
    hour = int(h or 0)
    if ampm:
        if not 1 <= hour <= 12:
            raise CellError(f"hour {hour} with {ampm}")
        hour = hour % 12 + (12 if ampm.lower() == "pm" else 0)
    return hour


def parse_timestamp(raw: object, tz: ZoneInfo, column: str = "") -> dt.datetime:
    """A point in time from any export: an explicit offset wins, else the workspace's zone."""
    if isinstance(raw, dt.datetime):
        return raw if raw.tzinfo else localize(raw, tz)
    if isinstance(raw, dt.date):
        return localize(dt.datetime(raw.year, raw.month, raw.day), tz)
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return localize(EXCEL_EPOCH + dt.timedelta(days=float(raw)), tz)
    text = re.sub(r"^[A-Za-zæøå]{2,9}\.?,\s+", "", str(raw or "").strip())
    if not text:
        raise CellError(f"{column}: empty date")
    try:
        if re.fullmatch(r"\d{5}(\.\d+)?", text):  # an Excel serial written as text
            return localize(EXCEL_EPOCH + dt.timedelta(days=float(text)), tz)
        if m := _X_TIME.match(text):
            return dt.datetime.strptime(f"{m[1]} {m[2]} {m[3]}", "%Y-%m-%d %H:%M %z")
        if m := _US.match(text):
            a, b, year = int(m[1]), int(m[2]), int(m[3])
            month, day = (a, b) if a <= 12 else (b, a)  # Meta writes MM/DD; DD/MM if day > 12
            naive = dt.datetime(year, month, day, _hour(m[4], m[7]), int(m[5] or 0), int(m[6] or 0))
            return localize(naive, tz)
        if m := _DOTTED.match(text):
            naive = dt.datetime(int(m[3]), int(m[2]), int(m[1]), int(m[4] or 0), int(m[5] or 0))
            return localize(naive, tz)
        if m := _ISO.match(text):
            rest = m[7].strip()
            naive = dt.datetime(
                int(m[1]), int(m[2]), int(m[3]), int(m[4] or 0), int(m[5] or 0), int(m[6] or 0)
            )
            if rest in ("", "Z") or re.fullmatch(r"[+-]\d{2}:?\d{2}", rest):
                if rest == "Z":
                    return naive.replace(tzinfo=dt.UTC)
                if rest:
                    return dt.datetime.fromisoformat(f"{naive.isoformat()}{rest}")
                return localize(naive, tz)
        if m := _WORDY.match(text):
            name, day_s, year_s = (m[1], m[2], m[3]) if m[1] else (m[5], m[4], m[6])
            month_no = _MONTHS.get(str(name).lower().rstrip("."))
            if month_no is not None:
                return localize(dt.datetime(int(year_s), month_no, int(day_s)), tz)
    except ValueError as exc:
        raise CellError(f"{column}: {text[:40]!r} is not a valid date ({exc})") from exc
    raise CellError(f"{column}: {text[:40]!r} is not a date format we know")


def parse_date(raw: object, tz: ZoneInfo, column: str = "") -> dt.date:
    return parse_timestamp(raw, tz, column).astimezone(tz).date()
