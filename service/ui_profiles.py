"""The functions the "Profiltekster" tab is handed: plain data in, plain data out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from service.container import Services
from service.profiles.audit import audit
from service.profiles.files import parse_csv, parse_json
from service.profiles.rewrite import RewriteRequest, accepted_draft, rewrite
from service.storage.repositories import DraftRepo, ProfileAuditRepo, WorkspaceRepo

if TYPE_CHECKING:
    from ui.profiles_tab import ProfilesBackend


def profiles_backend(services: Services) -> ProfilesBackend:
    from ui.profiles_tab import ProfilesBackend

    def parse(raw: str) -> dict[str, Any]:
        stripped = raw.lstrip()
        profiles = parse_json(raw) if stripped.startswith("{") else parse_csv(raw)
        return profiles.model_dump(mode="json")

    def run_audit(workspace: str | None, raw: str) -> dict[str, Any]:
        from service.domain.profile_audit import ProfileSet

        profiles = ProfileSet.model_validate(parse(raw))
        report = audit(profiles)
        if workspace:
            with services.db.session() as s:
                WorkspaceRepo(s).get(workspace)
                ProfileAuditRepo(s).add(workspace, profiles, report)
        return {"profiles": profiles.model_dump(mode="json"), **report.model_dump(mode="json")}

    def propose(raw: str, field: str, n: int) -> dict[str, Any]:
        from service.domain.profile_audit import ProfileSet

        profiles = ProfileSet.model_validate(parse(raw))
        req = RewriteRequest(profiles=profiles, fields=[field], n=n)
        _, shown, hidden = rewrite(req, services.llm if n else None)
        return {
            "shown": [o.model_dump(mode="json") for o in shown],
            "hidden": [o.model_dump(mode="json") for o in hidden],
        }

    def accept(workspace: str, raw: str, field: str, text: str) -> dict[str, Any]:
        from service.domain.profile_audit import ProfileSet

        profiles = ProfileSet.model_validate(parse(raw))
        channel, _, name = field.partition(".")
        draft = accepted_draft(workspace, profiles, channel, name, text)
        with services.db.session() as s:
            WorkspaceRepo(s).get(workspace)
            return DraftRepo(s).add(draft).model_dump(mode="json")

    def history(workspace: str) -> list[dict[str, Any]]:
        with services.db.session() as s:
            return [h.model_dump(mode="json") for h in ProfileAuditRepo(s).history(workspace)]

    return ProfilesBackend(audit=run_audit, propose=propose, accept=accept, history=history)
