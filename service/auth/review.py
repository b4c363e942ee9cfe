"""Client review links: a secret URL that shows one month plan's (or a chosen set of) drafts and
takes a verdict or comment on each, and nothing else of the workspace."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from service.auth import tokens
from service.auth.models import Caller, Feedback, ReviewLink
from service.auth.repos import AuditRepo, FeedbackRepo, ReviewLinkRepo, now
from service.domain import Draft, DraftStatus
from service.errors import Invalid, NotFound, Unauthenticated
from service.messages import has, render, render_or
from service.planning.models import moved_slots
from service.storage.repositories import DraftRepo, JobRepo, PlanRepo

LINK_KIND = "gjr"
Verdict = Literal["approved", "rejected"]
# Who stores a verdict: (workspace, draft id, status) -> the draft as it is now.
Review = Callable[[str, str, DraftStatus], Draft]


class LinkDraft(BaseModel):
    """What a client sees of one draft: its text, where and when it goes, its state."""

    id: str
    surface: str
    language: str
    text: str
    status: str
    date: dt.date | None = None
    feedback: list[Feedback]
    passed: bool = True
    failed_checks: list[str] = Field(
        default_factory=list, description="the hard checks it failed, in the reader's language"
    )
    needs_editor: str | None = Field(
        default=None,
        description="set for a draft that failed its checks and is not approved: a client "
        "cannot approve it (409), only reject or comment; the editor decides",
    )


def failed_checks(draft: Draft, lang: str) -> list[str]:
    """Each hard check the draft failed, as a person reads it: its label and what was found."""
    out = []
    for c in draft.checks:
        if c.passed or not c.hard:
            continue
        name = render(f"label.{c.name}", lang=lang) if has(f"label.{c.name}", lang) else c.name
        detail = render_or(c.detail, c.code, c.params, lang)
        out.append(f"{name}: {detail}" if detail else name)
    return out


def plan_draft_dates(s: Session, workspace: str, plan_id: str) -> dict[str, dt.date | None]:
    """The drafts a month plan's job wrote, each with its slot's date."""
    plan = PlanRepo(s).get(plan_id)
    if plan.workspace != workspace:
        raise NotFound(f"no plan {plan_id!r} in workspace {workspace!r}")
    if plan.job_id is None:
        return {}
    dates: dict[str, dt.date | None] = {}
    # The plan's slots as they stand: a slot a person moved (a move its job holds) shows its
    # new day.
    moves = JobRepo(s).get(plan.job_id, counts=False).params.get("moves")
    stood = moved_slots({"slots": plan.slots or [], "moves": moves})
    slot_dates = {key: slot.date for key, slot in stood}
    for item in JobRepo(s).items(plan.job_id):
        draft_id = (item.result or {}).get("draft_id")
        if draft_id:
            dates[str(draft_id)] = slot_dates.get(item.key)
    return dates


def create_link(
    s: Session,
    pepper: bytes,
    by: Caller,
    workspace: str,
    *,
    plan_id: str | None,
    draft_ids: list[str],
    label: str,
    days: int,
) -> tuple[ReviewLink, str]:
    if (plan_id is None) == (not draft_ids):
        raise Invalid("a review link is for a plan_id or for a list of draft_ids (one of them)")
    if plan_id is not None:
        plan_draft_dates(s, workspace, plan_id)  # 404 for another workspace's plan
    drafts = DraftRepo(s)
    for draft_id in draft_ids:
        drafts.get(workspace, draft_id)  # 404 for another workspace's draft
    new = tokens.new_token(pepper, LINK_KIND)
    link = ReviewLinkRepo(s).add(
        prefix=new.prefix,
        digest=new.digest,
        workspace=workspace,
        plan_id=plan_id,
        draft_ids=list(dict.fromkeys(draft_ids)),
        label=label,
        created_by=by.user_id,
        expires_at=now() + dt.timedelta(days=days),
    )
    AuditRepo(s).add(
        actor=by.actor,
        action="review_link.create",
        workspace=workspace,
        target=link.id,
        details={"plan_id": plan_id, "drafts": len(draft_ids), "days": days},
    )
    return link, new.token


def link_from_token(s: Session, pepper: bytes, token: str) -> ReviewLink:
    refused = Unauthenticated("the review link is missing, unknown, expired or revoked")
    prefix = tokens.split_prefix(token, LINK_KIND)
    found = None if prefix is None else ReviewLinkRepo(s).by_prefix(prefix)
    if found is None or not tokens.matches(pepper, token, found[1]):
        raise refused
    link = found[0]
    if not link.active(now()):
        raise refused
    return link


def link_draft_dates(s: Session, link: ReviewLink) -> dict[str, dt.date | None]:
    if link.plan_id is not None:
        return plan_draft_dates(s, link.workspace, link.plan_id)
    return dict.fromkeys(link.draft_ids)


def link_drafts(s: Session, link: ReviewLink, lang: str = "nb") -> list[LinkDraft]:
    dates = link_draft_dates(s, link)
    feedback: dict[str, list[Feedback]] = {}
    for f in FeedbackRepo(s).list(link.workspace, draft_ids=list(dates)):
        feedback.setdefault(f.draft_id, []).append(f)
    drafts = DraftRepo(s)
    out = []
    for draft_id, date in dates.items():
        try:
            d = drafts.get(link.workspace, draft_id)
        except NotFound:
            continue  # deleted since the link was made
        failed = failed_checks(d, lang) if not d.passed else []
        open_failure = not d.passed and d.status is not DraftStatus.approved
        out.append(
            LinkDraft(
                id=d.id,
                surface=d.surface,
                language=d.language,
                text=d.edited_text or d.text,
                status=d.status.value,
                date=date,
                feedback=feedback.get(d.id, []),
                passed=d.passed,
                failed_checks=failed,
                needs_editor=render(
                    "review.needs_editor", {"checks": "; ".join(failed) or "–"}, lang
                )
                if open_failure
                else None,
            )
        )
    return sorted(out, key=lambda d: (d.date or dt.date.max, d.id))


def _in_scope(s: Session, link: ReviewLink, draft_id: str) -> None:
    if draft_id not in link_draft_dates(s, link):
        # Outside the link there is nothing, not even a "forbidden".
        raise NotFound(f"no draft {draft_id!r} in this review")


def give_feedback(
    s: Session,
    link: ReviewLink,
    draft_id: str,
    *,
    verdict: Verdict | None,
    comment: str,
    author: str,
    review: Review | None = None,
) -> Feedback:
    """A client's verdict (which sets the draft's status, as an editor's would) or comment.
    `review` is the owner of verdicts (StyleLearning.review: an approval grounds the next
    drafts, as an editor's does); it is called without an override, so a draft that failed its
    checks is a 409 for a client. Without it the status is only stored."""
    _in_scope(s, link, draft_id)
    if verdict is None and not comment.strip():
        raise Invalid("give a verdict, a comment or both")
    if verdict is not None and review is not None:
        review(link.workspace, draft_id, DraftStatus(verdict))
    elif verdict is not None:
        DraftRepo(s).review(link.workspace, draft_id, DraftStatus(verdict), None)
    feedback = FeedbackRepo(s).add(
        link_id=link.id,
        workspace=link.workspace,
        draft_id=draft_id,
        verdict=verdict,
        comment=comment.strip(),
        author=author.strip() or "client",
        created_at=now(),
    )
    AuditRepo(s).add(
        actor=f"review link {link.prefix} ({feedback.author})",
        action="review_link.verdict" if verdict else "review_link.comment",
        workspace=link.workspace,
        target=draft_id,
        details={"verdict": verdict},
    )
    return feedback
