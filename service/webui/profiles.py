"""The functions the "Profiltekster" tab is handed: plain data in, plain data out, each a call to
the profile auditor the API uses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from service.domain.profile_audit import ProfileSet
from service.generation.surfaces import load_surfaces
from service.messages import LANGUAGES
from service.messages.localise import localise
from service.profiles.auditor import ProfileAuditor
from service.profiles.files import parse_csv, parse_json
from service.profiles.rewrite import RewriteRequest

if TYPE_CHECKING:
    from ui.profiles_tab import ProfilesBackend


def _parse(raw: str) -> ProfileSet:
    return parse_json(raw) if raw.lstrip().startswith("{") else parse_csv(raw)


def field_limits() -> dict[str, dict[str, dict[str, object]]]:
    """channel -> field -> its name in each language and its limit, from the surface data: what
    the profile editor counts against while people type."""
    catalog = load_surfaces()
    return {
        channel: {
            name: {
                "labels": {lang: catalog.label(name, lang) for lang in ("nb", "nn", "en")},
                "max": rule.max,
            }
            for name, rule in fields.items()
        }
        for channel, fields in catalog.profile_fields.items()
    }


def profiles_backend(auditor: ProfileAuditor) -> ProfilesBackend:
    from ui.profiles_tab import ProfilesBackend

    def run_audit(workspace: str | None, raw: str) -> dict[str, Any]:
        profiles = _parse(raw)
        report = auditor.audit(profiles, workspace or None)
        return {
            "profiles": profiles.model_dump(mode="json"),
            **report.model_dump(mode="json", exclude={"audit_id"}),
            # The summary is a text made of texts: rendered here in each language the tab
            # may be read in (findings and checks the tab renders itself from their codes).
            "summaries": {lang: localise(report, lang).summary for lang in LANGUAGES},
        }

    def propose(raw: str, field: str, n: int) -> dict[str, Any]:
        out = auditor.rewrite(RewriteRequest(profiles=_parse(raw), fields=[field], n=n))
        return {
            "shown": [o.model_dump(mode="json") for o in out.rewrites],
            "hidden": [o.model_dump(mode="json") for o in out.hidden],
        }

    def accept(workspace: str, raw: str, field: str, text: str) -> dict[str, Any]:
        """The kept draft, and the workspace's texts as they are now (with the accepted one in
        them) with their audit, so the tab shows what the next audit reads."""
        channel, _, name = field.partition(".")
        draft = auditor.accept(workspace, _parse(raw), channel, name, text)
        current = auditor.current(workspace)
        if current is None:
            return {"draft": draft.model_dump(mode="json"), "profiles": None, "audit": None}
        profiles = current.model_dump(mode="json")
        report = auditor.audit(current).model_dump(mode="json", exclude={"audit_id"})
        # The same shape as `run_audit`'s answer: the tab's table reads the texts beside it.
        return {
            "draft": draft.model_dump(mode="json"),
            "profiles": profiles,
            "audit": {"profiles": profiles, **report},
        }

    def history(workspace: str) -> list[dict[str, Any]]:
        return [h.model_dump(mode="json") for h in auditor.history(workspace)]

    def parse(raw: str) -> dict[str, Any]:
        return _parse(raw).model_dump(mode="json")

    return ProfilesBackend(
        audit=run_audit,
        propose=propose,
        accept=accept,
        history=history,
        parse=parse,
        limits=field_limits,
    )
