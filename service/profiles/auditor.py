"""The profile audit's one owner: audit (stored per workspace for the progress history), propose
rewrites, keep an accepted text as a draft. The API, the UI adapter and the CLI call these."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, Field

from service.domain import Draft
from service.domain.profile_audit import AuditReport, ProfileSet
from service.profiles.audit import audit
from service.profiles.rewrite import RewriteOption, RewriteRequest, accepted_draft, rewrite
from service.providers.llm import LLM
from service.storage.db import Database
from service.storage.repositories import (
    DraftRepo,
    ProfileAuditRepo,
    ProfileAuditSummary,
    WorkspaceRepo,
)


class AuditResponse(AuditReport):
    audit_id: str | None = None


class RewriteResponse(BaseModel):
    audit: AuditReport
    rewrites: list[RewriteOption] = Field(description="options that passed every hard check")
    hidden: list[RewriteOption] = Field(description="options not shown, with the failed checks")


class ProfileAuditor:
    def __init__(self, db: Database, llm: Callable[[], LLM]) -> None:
        self._db = db
        # Lazy: an audit without model options never loads the model.
        self._llm = llm

    def audit(self, profiles: ProfileSet, workspace: str | None = None) -> AuditResponse:
        """Findings, scores and a summary; with a workspace the audit is stored."""
        if workspace:
            self._require(workspace)
        report = audit(profiles)
        audit_id = None
        if workspace:
            with self._db.session() as s:
                audit_id = ProfileAuditRepo(s).add(workspace, profiles, report)
        return AuditResponse(**report.model_dump(), audit_id=audit_id)

    def rewrite(self, req: RewriteRequest, workspace: str | None = None) -> RewriteResponse:
        """A rule-based fix and `n` model options per field, each audited again with the field
        replaced; only those passing the hard checks are shown."""
        if workspace:
            self._require(workspace)
        report, shown, hidden = rewrite(req, self._llm() if req.n else None)
        return RewriteResponse(audit=report, rewrites=shown, hidden=hidden)

    def accept(
        self, workspace: str, profiles: ProfileSet, channel: str, field: str, text: str
    ) -> Draft:
        self._require(workspace)
        draft = accepted_draft(workspace, profiles, channel, field, text)
        with self._db.session() as s:
            kept = DraftRepo(s).add(draft)
        self.keep_accepted(workspace, profiles, channel, field, text)
        return kept

    def keep_accepted(
        self, workspace: str, profiles: ProfileSet, channel: str, field: str, text: str
    ) -> AuditResponse:
        """An accepted text becomes the workspace's current profile text: the set with that
        field replaced is audited and stored, so the history shows the change at once and an
        audit asked for without texts (`current`) reads it."""
        channels = {c: dict(fields) for c, fields in profiles.channels.items()}
        channels.setdefault(channel, {})[field] = text
        return self.audit(profiles.model_copy(update={"channels": channels}), workspace)

    def current(self, workspace: str) -> ProfileSet | None:
        """The workspace's profile texts as last audited or accepted; None before any."""
        with self._db.session() as s:
            WorkspaceRepo(s).get(workspace)
            return ProfileAuditRepo(s).latest_profiles(workspace)

    def history(self, workspace: str) -> list[ProfileAuditSummary]:
        with self._db.session() as s:
            WorkspaceRepo(s).get(workspace)
            return ProfileAuditRepo(s).history(workspace)

    def _require(self, workspace: str) -> None:
        with self._db.session() as s:
            WorkspaceRepo(s).get(workspace)
