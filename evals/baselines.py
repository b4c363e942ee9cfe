"""Baselines scored beside the product in the same run. A metric these win is a broken metric:
"copy" keeps every fact by construction, so it must lose on adaptation and constraints."""

from __future__ import annotations

import typing
from typing import Any

from service.generation.surfaces import Surface
from service.generation.text_length import count_length
from service.generation.variant_schemas import MAIN_FIELD, schema_for


def _is_list(surface_id: str, field: str) -> bool:
    annotation = schema_for(surface_id).model_fields[field].annotation
    return typing.get_origin(annotation) is list


def truncate(text: str, limit: int, method: str = "chars") -> str:
    """The longest word-boundary prefix within the limit (the surface's own counting)."""
    if count_length(text, method) <= limit:  # type: ignore[arg-type]
        return text
    words = text.split(" ")
    out = ""
    for word in words:
        candidate = f"{out} {word}" if out else word
        if count_length(candidate, method) > limit:  # type: ignore[arg-type]
            break
        out = candidate
    return out or text[:limit]


def copy_source(
    surface: Surface, source: str, limits: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Every field gets the source, unchanged."""
    del limits
    return {
        field: [source] if _is_list(surface.id, field) else source
        for field in schema_for(surface.id).model_fields
        if field != "paths"
    }


def truncate_source(
    surface: Surface, source: str, limits: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Every field gets the source cut to that field's limit."""
    limits = limits or {}
    main = MAIN_FIELD.get(surface.id, "text")
    parts: dict[str, Any] = {}
    for field in schema_for(surface.id).model_fields:
        if field == "paths":
            continue
        if field == main:
            caps = [surface.length.max, limits.get("max_chars"), limits.get("caption_max_chars")]
            cap = min((int(c) for c in caps if isinstance(c, int | float)), default=None)
            value = source if cap is None else truncate(source, cap, surface.length.method)
        else:
            rule = surface.parts.get(field)
            singular = field.rstrip("s")
            caps = [rule.max_chars if rule else None, limits.get(f"{singular}_max_chars")]
            cap = min((int(c) for c in caps if isinstance(c, int | float)), default=None)
            value = source if cap is None else truncate(source, cap)
        parts[field] = [value] if _is_list(surface.id, field) else value
    return parts


BASELINES = {"baseline_copy": copy_source, "baseline_truncate": truncate_source}
