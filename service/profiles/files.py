"""Profile texts from a file: the profiles.json shape, or a CSV of `channel,field,text` rows
(rows with channel `meta` carry organisation, language and wanted_keywords, `;`-separated).
A broken row is named by its number; nothing is dropped silently."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from pydantic import ValidationError

from service.domain.profile_audit import ProfileSet
from service.errors import Invalid


def _validated(raw: dict[str, object], name: str) -> ProfileSet:
    try:
        return ProfileSet.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "file"
        raise Invalid(f"{name}: {where}: {first['msg']}") from exc


def parse_csv(text: str, name: str = "profiles.csv") -> ProfileSet:
    reader = csv.DictReader(io.StringIO(text))
    needed = {"channel", "field", "text"}
    if reader.fieldnames is None or not needed <= set(reader.fieldnames):
        raise Invalid(f"{name}: the header must have the columns channel, field, text")
    raw: dict[str, object] = {"channels": {}}
    channels: dict[str, dict[str, str]] = {}
    for number, row in enumerate(reader, start=2):
        channel = (row.get("channel") or "").strip()
        field = (row.get("field") or "").strip()
        value = row.get("text") or ""
        if not channel or not field:
            raise Invalid(f"{name} row {number}: channel and field are both needed")
        if channel == "meta":
            if field == "wanted_keywords":
                raw[field] = [k.strip() for k in value.split(";") if k.strip()]
            elif field in ("organisation", "language"):
                raw[field] = value.strip()
            else:
                raise Invalid(f"{name} row {number}: unknown meta field {field!r}")
            continue
        if field in channels.get(channel, {}):
            raise Invalid(f"{name} row {number}: {channel}.{field} is given twice")
        channels.setdefault(channel, {})[field] = value
    raw["channels"] = channels
    return _validated(raw, name)


def parse_json(text: str, name: str = "profiles.json") -> ProfileSet:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Invalid(f"{name}: not JSON (line {exc.lineno}: {exc.msg})") from exc
    if not isinstance(raw, dict):
        raise Invalid(f"{name}: expected an object with organisation and channels")
    # profiles.json keeps handles and links beside texts; every value must be a string.
    for channel, fields in (raw.get("channels") or {}).items():
        if isinstance(fields, dict):
            for field, value in fields.items():
                if not isinstance(value, str):
                    raise Invalid(f"{name}: {channel}.{field} must be text")
    return _validated(raw, name)


def load_profiles(path: Path) -> ProfileSet:
    if not path.is_file():
        raise Invalid(f"no such file: {path}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(f"{path.name}: not UTF-8 text") from exc
    if path.suffix.lower() == ".csv":
        return parse_csv(text, path.name)
    return parse_json(text, path.name)
