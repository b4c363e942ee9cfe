"""Profile-text audit and rewrite over HTTP; audits are stored per workspace for progress."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from service.api.deps import ServicesDep
from service.domain import Draft
from service.domain.profile_audit import AuditReport, ProfileSet
from service.profiles.audit import audit
from service.profiles.rewrite import RewriteOption, RewriteRequest, accepted_draft, rewrite
from service.storage.repositories import (
    DraftRepo,
    ProfileAuditRepo,
    ProfileAuditSummary,
    WorkspaceRepo,
)

router = APIRouter(prefix="/v1", tags=["profiles"])


class AuditRequest(BaseModel):
    profiles: ProfileSet
    workspace: str | None = Field(default=None, description="store the audit in this workspace")


class AuditResponse(AuditReport):
    audit_id: str | None = None


class RewriteBody(RewriteRequest):
    workspace: str | None = None


class RewriteResponse(BaseModel):
    audit: AuditReport
    rewrites: list[RewriteOption] = Field(description="options that passed every hard check")
    hidden: list[RewriteOption] = Field(description="options not shown, with the failed checks")


class AcceptRewrite(BaseModel):
    profiles: ProfileSet = Field(description="the profile set the text belongs to")
    channel: str = Field(min_length=1, max_length=40)
    field: str = Field(min_length=1, max_length=40)
    text: str = Field(min_length=1, max_length=10_000)


@router.post("/profiles/audit")
def audit_profiles(req: AuditRequest, services: ServicesDep) -> AuditResponse:
    """Findings (code, field, evidence, suggested fix), scores per field and channel, and a
    summary. With `workspace`, the audit is stored for the progress history."""
    if req.workspace:
        with services.db.session() as s:
            WorkspaceRepo(s).get(req.workspace)
    report = audit(req.profiles)
    audit_id = None
    if req.workspace:
        with services.db.session() as s:
            audit_id = ProfileAuditRepo(s).add(req.workspace, req.profiles, report)
    return AuditResponse(**report.model_dump(), audit_id=audit_id)


@router.post("/profiles/rewrite")
def rewrite_profiles(req: RewriteBody, services: ServicesDep) -> RewriteResponse:
    """Proposals per field: a rule-based fix and `n` model options, each audited again with
    the field replaced; only those passing the hard checks are in `rewrites`."""
    if req.workspace:
        with services.db.session() as s:
            WorkspaceRepo(s).get(req.workspace)
    report, shown, hidden = rewrite(req, services.llm if req.n else None)
    return RewriteResponse(audit=report, rewrites=shown, hidden=hidden)


@router.get("/workspaces/{workspace}/profile-audits")
def audit_history(workspace: str, services: ServicesDep) -> list[ProfileAuditSummary]:
    with services.db.session() as s:
        WorkspaceRepo(s).get(workspace)
        return ProfileAuditRepo(s).history(workspace)


@router.post("/workspaces/{workspace}/profile-rewrites", status_code=201)
def accept_rewrite(workspace: str, body: AcceptRewrite, services: ServicesDep) -> Draft:
    """Keep an accepted (maybe edited) profile text as an approved draft of kind `profile`,
    with the audit's checks run on it again: a person may accept a text the checks fault."""
    with services.db.session() as s:
        WorkspaceRepo(s).get(workspace)
    draft = accepted_draft(workspace, body.profiles, body.channel, body.field, body.text)
    with services.db.session() as s:
        return DraftRepo(s).add(draft)
