"""Profile-text audit and rewrite over HTTP; audits are stored per workspace for progress."""

from __future__ import annotations

from pydantic import BaseModel, Field

from service.api.deps import LangQuery, ProfilesDep, WorkspaceDep, workspace_router
from service.auth.budget import BudgetDep
from service.domain import Draft
from service.domain.profile_audit import ProfileSet
from service.errors import Invalid
from service.messages.localise import localise
from service.profiles.auditor import AuditResponse, RewriteResponse
from service.profiles.rewrite import RewriteRequest
from service.storage.repositories import ProfileAuditSummary

router = workspace_router("profiles")


class AuditRequest(BaseModel):
    profiles: ProfileSet | None = Field(
        default=None,
        description="the texts to audit; left out, the workspace's current texts (the last "
        "audited, with every accepted rewrite in them)",
    )


class AcceptRewrite(BaseModel):
    profiles: ProfileSet = Field(description="the profile set the text belongs to")
    channel: str = Field(min_length=1, max_length=40)
    field: str = Field(min_length=1, max_length=40)
    text: str = Field(min_length=1, max_length=10_000)


@router.post("/profile-audits", status_code=201, name="audit_profiles")
def audit_profiles(
    workspace: WorkspaceDep, req: AuditRequest, profiles: ProfilesDep, lang: LangQuery = "nb"
) -> AuditResponse:
    """Findings (code, field, evidence, suggested fix), scores per field and channel, and a
    summary; stored for the workspace's progress history."""
    current = req.profiles or profiles.current(workspace)
    if current is None:
        raise Invalid("no profile texts stored for this workspace yet: send `profiles`")
    return localise(profiles.audit(current, workspace), lang)


@router.get("/profile-audits", name="list_profile_audits")
def audit_history(workspace: WorkspaceDep, profiles: ProfilesDep) -> list[ProfileAuditSummary]:
    return profiles.history(workspace)


@router.post("/profile-rewrites/proposals", name="propose_profile_rewrites")
def rewrite_profiles(
    workspace: WorkspaceDep,
    req: RewriteRequest,
    profiles: ProfilesDep,
    budget: BudgetDep,
    lang: LangQuery = "nb",
) -> RewriteResponse:
    """Proposals per field: a rule-based fix and `n` model options, each audited again with
    the field replaced; only those passing the hard checks are in `rewrites`."""
    with budget.spending(*budget.rewrite(req)):
        return localise(profiles.rewrite(req, workspace), lang)


@router.post("/profile-rewrites", status_code=201, name="accept_profile_rewrite")
def accept_rewrite(workspace: WorkspaceDep, body: AcceptRewrite, profiles: ProfilesDep) -> Draft:
    """Keep an accepted (maybe edited) profile text as an approved draft of kind `profile`,
    with the audit's checks run on it again: a person may accept a text the checks fault. The
    text becomes the workspace's current one: the set with it is audited and stored, so the
    history shows it and an audit without `profiles` reads it."""
    return profiles.accept(workspace, body.profiles, body.channel, body.field, body.text)
