"""What the model must return per surface (pydantic schemas built from the surface data), and how
a person pastes it.

Bounded string lengths keep a constrained local model inside its token budget; the exact
platform limits are checked afterwards by checks.py, where a violation can be repaired.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from service.generation.surfaces import FieldRule, Surface, load_surfaces


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _field(rule: FieldRule) -> tuple[Any, Any]:
    extra: dict[str, Any] = {"description": rule.description} if rule.description else {}
    if rule.kind in ("list", "path"):
        if rule.required:
            return list[str], Field(min_length=rule.min_items, max_length=rule.max_items, **extra)
        return list[str], Field(default_factory=list, max_length=rule.max_items, **extra)
    if rule.required:
        return str, Field(min_length=1, max_length=rule.schema_max, **extra)
    return str, Field(default="", max_length=rule.schema_max, **extra)


@lru_cache(maxsize=64)
def _model(name: str, fields: tuple[tuple[str, FieldRule], ...]) -> type[_Out]:
    spec: dict[str, Any] = {key: _field(rule) for key, rule in fields}
    model: type[_Out] = create_model(name, __base__=_Out, **spec)
    return model


def _surface(surface: str | Surface) -> Surface:
    return load_surfaces().get(surface) if isinstance(surface, str) else surface


def schema_for(surface: str | Surface) -> type[_Out]:
    """One model per shape: every single-text surface shares `TextVariant`."""
    sf = _surface(surface)
    fields = tuple(sf.fields.items())
    if [k for k, _ in fields] == ["text"]:
        return _model("TextVariant", fields)
    name = "".join(w.capitalize() for w in sf.id.split("_")) + "Variant"
    return _model(name, fields)


class _MainFields(Mapping[str, str | None]):
    """Surface id → main field, read from the data (kept for callers of the old table)."""

    def __getitem__(self, key: str) -> str | None:
        surfaces = load_surfaces().surfaces
        if key not in surfaces:
            raise KeyError(key)
        return surfaces[key].main_field

    def __iter__(self) -> Any:
        return iter(load_surfaces().surfaces)

    def __len__(self) -> int:
        return len(load_surfaces().surfaces)


MAIN_FIELD: Mapping[str, str | None] = _MainFields()


def main_text(surface: str | Surface, parts: dict[str, Any]) -> str:
    field = _surface(surface).main_field
    return "" if field is None else str(parts.get(field, ""))


def paste_text(surface: str | Surface, parts: dict[str, Any], language: str = "nb") -> str:
    """The whole variant as a person would paste or read it; every part is in it, so that a
    fact kept in a headline counts as kept."""
    sf, catalog = _surface(surface), load_surfaces()
    main_field = sf.main_field
    headers = [k for k, f in sf.fields.items() if f.header]
    lines: list[str] = []
    if headers:
        lines += [f"{catalog.label(k, language)}: {parts.get(k, '')}" for k in headers] + [""]
    if main_field and parts.get(main_field):
        lines.append(str(parts[main_field]))
    for key, value in parts.items():
        if key == main_field or key in headers or key == "text" or value in ("", [], None):
            continue
        label = catalog.label(key, language)
        if isinstance(value, list):
            lines += ["", f"{label}:"] + [f"- {v}" for v in value]
        else:
            lines += (
                ["", f"{label}: {value}"] if lines and lines[-1] != "" else [f"{label}: {value}"]
            )
    return "\n".join(lines).strip()
