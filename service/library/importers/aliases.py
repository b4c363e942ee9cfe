"""Header alias table (service/data/header_aliases.yaml) and header matching."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

_FILE = Path(__file__).resolve().parents[2] / "data" / "header_aliases.yaml"


def normalize(header: object) -> str:
    """'Reactions, Comments and Shares' -> 'reactionscommentsandshares'; BOMs and case ignored."""
    return re.sub(r"[\W_]+", "", str(header or "").replace("\ufeff", "").casefold())


@lru_cache(maxsize=256)
def display_name(field: str) -> str:
    """The field's English header as the platforms write it, for messages."""
    raw: dict[str, Any] = yaml.safe_load(_FILE.read_text(encoding="utf-8"))
    return str(raw["fields"][field][0])


@lru_cache(maxsize=1)
def aliases() -> dict[str, frozenset[str]]:
    raw: dict[str, Any] = yaml.safe_load(_FILE.read_text(encoding="utf-8"))
    return {field: frozenset(normalize(n) for n in names) for field, names in raw["fields"].items()}


def locate(headers: Sequence[object], fields: Iterable[str]) -> dict[str, int]:
    """Column index of each field: the first column whose header is one of the field's names
    (exports repeat header names; the first occurrence is the one that means the field)."""
    norm = [normalize(h) for h in headers]
    table = aliases()
    found: dict[str, int] = {}
    for field in fields:
        names = table[field]
        for i, h in enumerate(norm):
            if h in names:
                found[field] = i
                break
    return found


@lru_cache(maxsize=1)
def layouts() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Known column orders per format (English headers), from the alias data's `layouts`."""
    raw: dict[str, Any] = yaml.safe_load(_FILE.read_text(encoding="utf-8"))
    return {
        name: tuple(tuple(str(h) for h in layout) for layout in items)
        for name, items in (raw.get("layouts") or {}).items()
    }


def known_names(field: str) -> frozenset[str]:
    return aliases().get(field, frozenset())
