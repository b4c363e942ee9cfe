"""Login, members, API keys, the audit log and client review links over HTTP.

Four routers, each gated by `authorize` (and the request limiter); the integrator includes them
in create_app beside the product's routers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from service.api.deps import LangQuery
from service.auth import access
from service.auth.bootstrap import forget_first_login
from service.auth.dependencies import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    CallerDep,
    ReviewLinkDep,
    auth_env,
    authorize,
)
from service.auth.limits import limit_requests
from service.auth.login_page import LOGIN_PAGE
from service.auth.models import ApiKey, AuditEntry, Caller, Feedback, Member, ReviewLink
from service.auth.permissions import Role
from service.auth.repos import AuditRepo, FeedbackRepo, MembershipRepo, ReviewLinkRepo
from service.auth.review import (
    LinkDraft,
    Review,
    Verdict,
    create_link,
    give_feedback,
    link_drafts,
)
from service.auth.review_page import REVIEW_PAGE
from service.domain import Draft, DraftStatus

GATE = [Depends(authorize), Depends(limit_requests)]
RoleName = Literal["owner", "editor", "reviewer", "viewer"]

router = APIRouter(prefix="/v1", tags=["auth"], dependencies=GATE)
pages_router = APIRouter(dependencies=GATE, include_in_schema=False)
workspace_router = APIRouter(
    prefix="/v1/workspaces/{workspace}", tags=["access"], dependencies=GATE
)


def _link_token(
    token: Annotated[str, Path(min_length=1, max_length=200, description="the link's secret")],
) -> None:
    """Declares the path's {token} (read by `authorize`) so that the schema names it."""


review_router = APIRouter(
    prefix="/v1/review/{token}",
    tags=["review links"],
    dependencies=[Depends(_link_token), *GATE],
)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(_In):
    user: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)


class WorkspaceRole(BaseModel):
    workspace: str
    role: str


class MeOut(BaseModel):
    user: str
    via: str
    workspaces: list[WorkspaceRole]


class LoginOut(MeOut):
    csrf_token: str = Field(description="send as X-CSRF-Token on state-changing calls")


def _me(caller: Caller) -> MeOut:
    roles = [WorkspaceRole(workspace=ws, role=r.name) for ws, r in caller.roles().items()]
    return MeOut(user=caller.user_name, via=caller.via, workspaces=roles)


@router.post("/login", name="login")
def login(body: LoginIn, request: Request, response: Response) -> LoginOut:
    db, settings, pepper = auth_env(request)
    with db.session() as s:
        user = access.check_password(s, body.user, body.password)
        cookie, csrf = access.start_session(s, pepper, user, settings.session_hours)
        caller = access.caller_from_session(s, pepper, cookie)
    forget_first_login(settings, user.name)
    age = settings.session_hours * 3600
    secure = settings.public_https
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=age,
        httponly=True,
        samesite="strict",
        secure=secure,
        path="/",
    )
    # Readable by our own pages (it is not a credential alone), so they can send the header.
    response.set_cookie(
        CSRF_COOKIE, csrf, max_age=age, httponly=False, samesite="strict", secure=secure, path="/"
    )
    return LoginOut(**_me(caller).model_dump(), csrf_token=csrf)


@router.post("/logout", name="logout", status_code=204)
def logout(caller: CallerDep, request: Request, response: Response) -> None:
    db, _settings, _pepper = auth_env(request)
    with db.session() as s:
        access.end_session(s, caller)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")


@router.get("/me", name="me")
def me(caller: CallerDep) -> MeOut:
    return _me(caller)


@pages_router.get("/login", name="login_page", response_class=HTMLResponse)
def login_page() -> HTMLResponse:
    return HTMLResponse(LOGIN_PAGE)


@pages_router.get("/review/{token}", name="review_page", response_class=HTMLResponse)
def review_page(link: ReviewLinkDep) -> HTMLResponse:
    """What the client opens: the calendar of the link's drafts (data fetched from /v1/review)."""
    del link  # authorize has checked the token; the page loads the drafts itself
    return HTMLResponse(REVIEW_PAGE)


# Members ----------------------------------------------------------------------------------------


class MemberIn(_In):
    role: RoleName


@workspace_router.get("/members", name="list_members")
def list_members(ws: Annotated[str, Path(alias="workspace")], request: Request) -> list[Member]:
    db, _s, _p = auth_env(request)
    with db.session() as s:
        return MembershipRepo(s).members(ws)


@workspace_router.put("/members/{user}", name="set_member")
def set_member(
    ws: Annotated[str, Path(alias="workspace")],
    user: str,
    body: MemberIn,
    caller: CallerDep,
    request: Request,
) -> Member:
    db, _s, _p = auth_env(request)
    with db.session() as s:
        return access.set_member(s, caller, ws, user, Role[body.role])


@workspace_router.delete("/members/{user}", name="remove_member", status_code=204)
def remove_member(
    ws: Annotated[str, Path(alias="workspace")], user: str, caller: CallerDep, request: Request
) -> None:
    db, _s, _p = auth_env(request)
    with db.session() as s:
        access.remove_member(s, caller, ws, user)


# API keys ---------------------------------------------------------------------------------------


class KeyIn(_In):
    role: RoleName
    label: str = Field(default="", max_length=200)
    days: int | None = Field(
        default=None, ge=1, strict=True, description="default and maximum: key_max_days"
    )


class CreatedKey(BaseModel):
    key: ApiKey
    secret: str = Field(description="the key itself; shown this once, never again")


@workspace_router.get("/keys", name="list_keys")
def list_keys(
    ws: Annotated[str, Path(alias="workspace")], caller: CallerDep, request: Request
) -> list[ApiKey]:
    db, _s, _p = auth_env(request)
    with db.session() as s:
        return access.list_keys(s, caller, ws)


@workspace_router.post("/keys", name="create_key", status_code=201)
def create_key(
    ws: Annotated[str, Path(alias="workspace")], body: KeyIn, caller: CallerDep, request: Request
) -> CreatedKey:
    db, settings, pepper = auth_env(request)
    with db.session() as s:
        key, secret = access.create_key(
            s,
            pepper,
            caller,
            ws,
            role=Role[body.role],
            label=body.label,
            days=body.days,
            max_days=settings.key_max_days,
        )
    return CreatedKey(key=key, secret=secret)


@workspace_router.delete("/keys/{key_id}", name="revoke_key")
def revoke_key(
    ws: Annotated[str, Path(alias="workspace")], key_id: str, caller: CallerDep, request: Request
) -> ApiKey:
    db, _s, _p = auth_env(request)
    with db.session() as s:
        return access.revoke_key(s, caller, ws, key_id)


# Audit log --------------------------------------------------------------------------------------


@workspace_router.get("/audit-log", name="audit_log")
def audit_log(
    ws: Annotated[str, Path(alias="workspace")],
    request: Request,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    before: Annotated[int | None, Query(ge=1, description="entries older than this id")] = None,
) -> list[AuditEntry]:
    db, _s, _p = auth_env(request)
    with db.session() as s:
        return AuditRepo(s).list(ws, limit=limit, before=before)


# Review links (the editor's side) ---------------------------------------------------------------


class ReviewLinkIn(_In):
    """For one plan's drafts or for a list of drafts: exactly one of the two."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {
                    "required": ["plan_id"],
                    "properties": {"plan_id": {"type": "string"}, "draft_ids": {"maxItems": 0}},
                },
                {
                    "required": ["draft_ids"],
                    "properties": {"draft_ids": {"minItems": 1}, "plan_id": {"type": "null"}},
                },
            ]
        },
    )

    plan_id: str | None = Field(default=None, max_length=36)
    draft_ids: list[str] = Field(default_factory=list, max_length=500)
    label: str = Field(default="", max_length=200)
    days: int | None = Field(default=None, ge=1, le=365, strict=True)


class CreatedLink(BaseModel):
    link: ReviewLink
    token: str = Field(description="the link's secret; shown this once")
    path: str = Field(description="where the client opens it")


@workspace_router.get("/review-links", name="list_review_links")
def list_review_links(
    ws: Annotated[str, Path(alias="workspace")], request: Request
) -> list[ReviewLink]:
    db, _s, _p = auth_env(request)
    with db.session() as s:
        return ReviewLinkRepo(s).list(ws)


@workspace_router.post("/review-links", name="create_review_link", status_code=201)
def create_review_link(
    ws: Annotated[str, Path(alias="workspace")],
    body: ReviewLinkIn,
    caller: CallerDep,
    request: Request,
) -> CreatedLink:
    db, settings, pepper = auth_env(request)
    with db.session() as s:
        link, token = create_link(
            s,
            pepper,
            caller,
            ws,
            plan_id=body.plan_id,
            draft_ids=body.draft_ids,
            label=body.label,
            days=body.days or settings.review_link_days,
        )
    return CreatedLink(link=link, token=token, path=f"/v1/review/{token}")


@workspace_router.delete("/review-links/{link_id}", name="revoke_review_link")
def revoke_review_link(
    ws: Annotated[str, Path(alias="workspace")], link_id: str, caller: CallerDep, request: Request
) -> ReviewLink:
    db, _s, _p = auth_env(request)
    with db.session() as s:
        link = ReviewLinkRepo(s).revoke(ws, link_id)
        AuditRepo(s).add(
            actor=caller.actor, action="review_link.revoke", workspace=ws, target=link_id
        )
        return link


@workspace_router.get("/review-feedback", name="review_feedback")
def review_feedback(
    ws: Annotated[str, Path(alias="workspace")],
    request: Request,
    draft_id: Annotated[list[str] | None, Query(max_length=500)] = None,
) -> list[Feedback]:
    """Clients' verdicts and comments, for the editor's review list."""
    db, _s, _p = auth_env(request)
    with db.session() as s:
        return FeedbackRepo(s).list(ws, draft_ids=draft_id)


# Review links (the client's side: the token is the credential) ----------------------------------


class LinkOut(BaseModel):
    label: str
    expires_at: dt.datetime
    drafts: list[LinkDraft]


class VerdictIn(_In):
    verdict: Verdict
    comment: str = Field(default="", max_length=5000)
    author: str = Field(default="", max_length=200, description="the client's name, as given")


class CommentIn(_In):
    comment: str = Field(min_length=1, max_length=5000)
    author: str = Field(default="", max_length=200)


@review_router.get("", name="review_link_drafts")
def review_link_drafts(link: ReviewLinkDep, request: Request, lang: LangQuery = "nb") -> LinkOut:
    """The link's drafts by date; one that failed its checks says so in words (`failed_checks`,
    `needs_editor`): a client cannot approve it, only reject or comment."""
    db, _s, _p = auth_env(request)
    with db.session() as s:
        return LinkOut(
            label=link.label, expires_at=link.expires_at, drafts=link_drafts(s, link, lang)
        )


def _review(request: Request) -> Review:
    """Verdicts through the owner the editor's go through: an approval teaches."""
    learning = request.app.state.services.learning

    def review(workspace: str, draft_id: str, status: DraftStatus) -> Draft:
        draft: Draft = learning.review(workspace, draft_id, status, None)
        return draft

    return review


@review_router.post("/drafts/{draft_id}/verdict", name="review_link_verdict", status_code=201)
def review_link_verdict(
    draft_id: str, body: VerdictIn, link: ReviewLinkDep, request: Request
) -> Feedback:
    db, _s, _p = auth_env(request)
    with db.session() as s:
        return give_feedback(
            s,
            link,
            draft_id,
            verdict=body.verdict,
            comment=body.comment,
            author=body.author,
            review=_review(request),
        )


@review_router.post("/drafts/{draft_id}/comments", name="review_link_comment", status_code=201)
def review_link_comment(
    draft_id: str, body: CommentIn, link: ReviewLinkDep, request: Request
) -> Feedback:
    db, _s, _p = auth_env(request)
    with db.session() as s:
        return give_feedback(
            s, link, draft_id, verdict=None, comment=body.comment, author=body.author
        )


ROUTERS = (router, pages_router, workspace_router, review_router)
