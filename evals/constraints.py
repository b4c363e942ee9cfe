"""IFEval-style constraints per output: each verifiable instruction passes or fails on its own.

The limits come from the surface catalog (the product's data file, with sources) and are
tightened by a case's own `surface_limits`. The counting is the surface's own (X weights
characters), but the checking is written here, apart from the product's checks, so that the
eval does not grade the product with its own code.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from service.generation.surfaces import LinkRule, Surface
from service.generation.text_length import count_length
from service.generation.variant_schemas import MAIN_FIELD

_HASHTAG = re.compile(r"(?<![\w&])#\w+", re.UNICODE)
_SCHEME = re.compile(r"https?://\S+", re.I)
_ANY_URL = re.compile(
    r"https?://\S+|\bwww\.\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:no|com|net|org|info|io|eu)\b(?:/\S*)?",
    re.I | re.UNICODE,
)
# Fields that are not copy: the ad's destination and display paths.
NON_TEXT = ("final_url", "paths")


class Instruction(BaseModel):
    name: str
    passed: bool
    detail: str


def _items(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _case_limit(limits: dict[str, Any], *keys: str) -> int | None:
    found = [int(limits[k]) for k in keys if isinstance(limits.get(k), int | float)]
    return min(found) if found else None


def _tighter(a: int | None, b: int | None) -> int | None:
    vals = [v for v in (a, b) if v is not None]
    return min(vals) if vals else None


def instructions(
    surface: Surface, parts: dict[str, Any], limits: dict[str, Any] | None = None
) -> list[Instruction]:
    limits = limits or {}
    out: list[Instruction] = []
    main_field = MAIN_FIELD.get(surface.id, "text")
    if main_field is not None:
        main = str(parts.get(main_field, ""))
        out.append(Instruction(name="not_empty", passed=bool(main.strip()), detail=main_field))
        limit = _tighter(surface.length.max, _case_limit(limits, "max_chars", "caption_max_chars"))
        if limit is not None:
            n = count_length(main, surface.length.method)
            out.append(Instruction(name="length", passed=n <= limit, detail=f"{n}/{limit}"))
        rec = _case_limit(limits, "primary_text_recommended_max_chars")
        if rec is not None:
            n = count_length(main, surface.length.method)
            out.append(Instruction(name="length_recommended", passed=n <= rec, detail=f"{n}/{rec}"))
    for name, rule in surface.parts.items():
        if name == main_field:
            continue
        items = _items(parts.get(name))
        singular = name.rstrip("s")
        low, high = rule.min_count, rule.max_count
        case_range = limits.get(name)
        if isinstance(case_range, list) and len(case_range) == 2:
            low, high = max(low, int(case_range[0])), min(high, int(case_range[1]))
        if low > 0 or len(items) > high:
            out.append(
                Instruction(
                    name=f"{name}_count",
                    passed=low <= len(items) <= high,
                    detail=f"{len(items)} (ventet {low}–{high})",
                )
            )
        max_chars = _tighter(rule.max_chars, _case_limit(limits, f"{singular}_max_chars"))
        if items and max_chars is not None:
            over = [i for i in items if len(i) > max_chars]
            out.append(
                Instruction(
                    name=f"{name}_chars",
                    passed=not over,
                    detail=f"{len(over)} over {max_chars}" if over else f"alle ≤ {max_chars}",
                )
            )
    text_fields = [str(v) for k, v in parts.items() if k not in NON_TEXT for v in _items(v)]
    joined = "\n".join(text_fields)
    tag_limit = _tighter(surface.hashtags.max, _case_limit(limits, "max_hashtags"))
    if tag_limit is not None:
        tags = _HASHTAG.findall(joined)
        out.append(
            Instruction(
                name="hashtags", passed=len(tags) <= tag_limit, detail=f"{len(tags)}/{tag_limit}"
            )
        )
    link_rule = surface.links
    if limits.get("no_clickable_links") and link_rule is LinkRule.clickable:
        link_rule = LinkRule.not_clickable
    bad: list[str] = []
    if link_rule is LinkRule.not_clickable:
        bad = _SCHEME.findall(joined)
    elif link_rule in (LinkRule.forbidden, LinkRule.sticker_only):
        allowed = "sticker" if link_rule is LinkRule.sticker_only else None
        bad = [
            u
            for k, v in parts.items()
            if k not in NON_TEXT and k != allowed
            for item in _items(v)
            for u in _ANY_URL.findall(item)
        ]
    if link_rule is not LinkRule.clickable:
        detail = bad[0] if bad else link_rule.value
        out.append(Instruction(name="links", passed=not bad, detail=detail))
    return out
