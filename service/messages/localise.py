"""A response's words for people in the reader's language.

What the pipeline returns keeps every sentence as a code and its parameters (a check's
`code`/`params`, a finding's `message`/`params`, a warning's `Message`); the front-ends (API, CLI,
UI) call `localise` on it once, with the reader's language, and every text is rendered again
from the catalogue. It sits above the pipeline (it knows checks and findings), so the pipeline
itself never imports it.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from service.domain import Check
from service.domain.profile_audit import AuditReport, Finding
from service.generation.checks import failed_reasons
from service.messages import Message, catalogue, render_or
from service.profiles.audit import localised_finding, localised_report

T = TypeVar("T")


def localise(value: T, lang: str) -> T:
    """`value` (a model, or lists and dicts of them) with its texts rendered in `lang`; an
    unknown language is refused by the catalogue."""
    catalogue(lang)
    out: Any = _walk(value, lang)
    return out  # type: ignore[no-any-return]


def _walk(value: Any, lang: str) -> Any:
    if isinstance(value, list):
        return [_walk(v, lang) for v in value]
    if isinstance(value, dict):
        return {k: _walk(v, lang) for k, v in value.items()}
    if not isinstance(value, BaseModel):
        return value
    # A text stored by an older version (no code, or a code since renamed) stays as it was.
    if isinstance(value, Check):
        detail = render_or(value.detail, value.code, value.params, lang)
        return value.model_copy(update={"detail": detail})
    if isinstance(value, Finding):
        return localised_finding(value, lang)
    if isinstance(value, Message):
        text = render_or(value.text, value.code, value.params, lang)
        return value.model_copy(update={"text": text})
    done: set[str] = set()
    if isinstance(value, AuditReport):
        value, done = localised_report(value, lang), {"findings", "summary"}
    fields = type(value).model_fields
    update: dict[str, Any] = {
        name: _walk(getattr(value, name), lang)
        for name in fields
        if name not in done and isinstance(getattr(value, name), BaseModel | list | dict)
    }
    # Texts made of other texts: a variant's failed reasons, a response's warnings.
    checks = update.get("checks")
    if "failed_reasons" in fields and isinstance(checks, list):
        update["failed_reasons"] = failed_reasons(checks, lang)
    notices = update.get("notices")
    if "warnings" in fields and isinstance(notices, list) and notices:
        update["warnings"] = [n.text for n in notices if isinstance(n, Message)]
    return value.model_copy(update=update) if update else value
