"""Words for people, in one catalogue: code + structured parameters in, a sentence out.

Checks and findings carry a message code and their parameters (expected, found, limits); the
API, CLI and UI render the text a person reads from here, in nb, nn or en.

A parameter may be rendered through the catalogue itself: `{expected:language}` turns the
language code "nn" into "nynorsk" / "Norwegian Nynorsk" (code `language.nn`), and
`{name:label}` turns a check name or finding code into its label (code `label.<name>`), so a
parameter never carries words of one language.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from service.errors import Invalid

DATA = Path(__file__).resolve().parent / "data"
LANGUAGES = ("nb", "nn", "en")
Param = str | int | float | None
# Format specs that look a parameter up in the catalogue: spec -> code prefix.
LOOKUPS = {"language": "language.", "label": "label.", "owner": "owner."}
# Format specs that look a parameter up in the surfaces data: a surface id → its name, a field
# id → its label, in the reader's language.
DATA_LOOKUPS = ("surface", "field")


@lru_cache(maxsize=len(LANGUAGES))
def catalogue(language: str) -> dict[str, str]:
    if language not in LANGUAGES:
        raise Invalid(f"no messages in {language!r}", details={"allowed": list(LANGUAGES)})
    raw = yaml.safe_load((DATA / f"{language}.yaml").read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise Invalid(f"messages/{language}.yaml must map each code to one string")
    return raw


def _template(code: str, lang: str) -> str | None:
    """A code missing in nn falls back to nb (the two share most words)."""
    return catalogue(lang).get(code) or (catalogue("nb").get(code) if lang == "nn" else None)


def has(code: str, lang: str = "nb") -> bool:
    return _template(code, lang) is not None


class _Formatter(string.Formatter):
    def __init__(self, lang: str) -> None:
        self.lang = lang

    def get_value(self, key: int | str, args: Any, kwargs: Mapping[str, Any]) -> Any:
        if isinstance(key, int) or key not in kwargs:
            raise Invalid(f"message parameter {key!r} is missing")
        value = kwargs[key]
        return "" if value is None else value

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec in DATA_LOOKUPS:
            return _data_name(format_spec, str(value), self.lang)
        prefix = LOOKUPS.get(format_spec)
        if prefix is None:
            return str(super().format_field(value, format_spec))
        if value == "":
            return ""
        code = f"{prefix}{value}"
        # An unknown language or name is shown as it is rather than lost.
        return render(code, lang=self.lang) if has(code, self.lang) else str(value)


def _data_name(kind: str, value: str, lang: str) -> str:
    # Imported here: the surfaces loader is data, and checks import this module.
    from service.generation.surfaces import load_surfaces

    catalog = load_surfaces()
    if kind == "surface":
        surface = catalog.surfaces.get(value)
        return surface.name(lang) if surface is not None else value
    return catalog.label(value, lang)


def render(code: str, params: Mapping[str, Param] | None = None, lang: str = "nb") -> str:
    """The sentence for `code` in `lang`; a code missing everywhere is an error, never a silent
    blank."""
    template = _template(code, lang)
    if template is None:
        raise Invalid(f"unknown message code {code!r}")
    return _Formatter(lang).vformat(template, (), dict(params or {}))


def render_or(
    fallback: str, code: str, params: Mapping[str, Param] | None = None, lang: str = "nb"
) -> str:
    """`render`, or the text stored with it when the code or a parameter it needs is not there:
    a draft checked by an older version keeps the words it was given."""
    if not code or not has(code, lang):
        return fallback
    try:
        return render(code, params, lang)
    except Invalid:
        return fallback


def label(name: str, lang: str = "nb") -> str:
    """What a person calls a check or a finding code ("facts_kept" → "fakta med"); a part
    check ("part:headlines") by its field's label from the surfaces data."""
    kind, _, field = name.partition(":")
    if kind == "part" and field:
        return _data_name("field", field, lang)
    code = f"label.{name}"
    return render(code, lang=lang) if has(code, lang) else name


def fields(template: str) -> dict[str, str]:
    """The parameters a template uses, with their format spec."""
    return {f: spec or "" for _, f, spec, _ in string.Formatter().parse(template) if f}


class Message(BaseModel):
    """A sentence for people, kept as its code and parameters; `text` is the rendering in the
    language it was made for, re-rendered for each reader by `localise`."""

    code: str
    params: dict[str, Param] = Field(default_factory=dict)
    text: str = ""

    @classmethod
    def of(cls, code: str, lang: str = "nb", /, **params: Param) -> Message:
        return cls(code=code, params=params, text=render(code, params, lang))

    def render(self, lang: str = "nb") -> str:
        return render(self.code, self.params, lang)
