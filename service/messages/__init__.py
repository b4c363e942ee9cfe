"""Words for people, in one catalogue: code + structured parameters in, a sentence out.

Checks and findings carry a message code and their parameters (expected, found, limits); the
API, CLI and UI render the text a person reads from here, in nb, nn or en.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import yaml

from service.errors import Invalid

DATA = Path(__file__).resolve().parent / "data"
LANGUAGES = ("nb", "nn", "en")
Param = str | int | float | None


@lru_cache(maxsize=len(LANGUAGES))
def catalogue(language: str) -> dict[str, str]:
    if language not in LANGUAGES:
        raise Invalid(f"no messages in {language!r}", details={"allowed": list(LANGUAGES)})
    raw = yaml.safe_load((DATA / f"{language}.yaml").read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise Invalid(f"messages/{language}.yaml must map each code to one string")
    return raw


class _Params(dict[str, Param]):
    def __missing__(self, key: str) -> str:
        raise Invalid(f"message parameter {key!r} is missing")


def render(code: str, params: Mapping[str, Param] | None = None, lang: str = "nb") -> str:
    """The sentence for `code`; a code missing in nn falls back to nb (the two share most
    words), one missing everywhere is an error, never a silent blank."""
    texts = catalogue(lang)
    template = texts.get(code) or (catalogue("nb").get(code) if lang == "nn" else None)
    if template is None:
        raise Invalid(f"unknown message code {code!r}")
    return template.format_map(
        _Params({k: "" if v is None else v for k, v in (params or {}).items()})
    )
