"""One draft per slot, through the same pipeline and checks as reuse variants: the slot's brief
(theme, occasion, campaign details with their prices) is the source, grounded in the slot's
category's best posts. A draft too close to one already written this month is written again."""

from __future__ import annotations

import contextlib
import re
import threading
import uuid
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from sqlalchemy.exc import IntegrityError

from service.domain import Draft, DraftStatus
from service.errors import Conflict
from service.generation.checks import measured
from service.generation.composer import Brief, month_near_copy, month_overlap
from service.generation.surfaces import load_surfaces
from service.generation.variants import VariantPipeline, VariantRequest
from service.jobs.queue import current_item
from service.planning.models import PLAN_CHANNELS, ContentPlan, Slot
from service.providers.llm import Usage
from service.storage.db import Database
from service.storage.repositories import DraftRepo

SURFACE_FOR = load_surfaces().plan_surfaces()
PLAN_JOB = "plan_drafts"
# Regenerations of one slot within one job; past this a person is better served by a new plan.
_MAX_ROUNDS = 50
_WORDS = re.compile(r"[^\W\d_]{2,}")


def brief_of(plan: ContentPlan, slot: Slot, turn: int | None = None) -> Brief:
    """What the slot is about, from data: its campaign, else its occasion (a subject the
    composer may name); else none here, and the pipeline takes the subject of the category's
    best post it borrows from. The slot's theme is the planner's instruction ("Løft fram et
    produkt eller en rett"): guidance for a model that writes the whole text, never a draft's
    text. A slot with no campaign details carries one of the plan's facts in turn, which the
    draft uses when the category has no timeless sentence of the organisation's to borrow."""
    event = slot.campaign or slot.occasion or ""
    campaign = next((c for c in plan.campaigns if c.name == slot.campaign), None)
    fact = ""
    facts = [v.strip() for v in plan.facts.values() if v.strip()]
    if facts and not (campaign is not None and campaign.details):
        # Facts that read as sentences before bare values; one after the other (`turn`: the
        # month's drafts so far; else by the slot's day and channel), so a month's slots do not
        # all carry one fact.
        ordered = [f for f in facts if _is_sentence(f)] + [f for f in facts if not _is_sentence(f)]
        if turn is None:
            turn = slot.date.toordinal() + PLAN_CHANNELS.index(slot.channel)
        fact = _sentence(ordered[turn % len(ordered)], plan.facts)
    return Brief(
        subject=event[:200],
        guidance=slot.theme[:300],
        date=slot.date,
        event=" ".join(x for x in (slot.campaign, slot.occasion) if x)[:200],
        fallback=fact[:500],
    )


def slot_brief(plan: ContentPlan, slot: Slot) -> str:
    """The brief's text, the draft's source: data only, one item a line (the subject, the
    category as a label the composer leaves out, the occasion's date, the campaign's details),
    never the planner's instruction."""
    brief = brief_of(plan, slot)
    lines = [f"{brief.subject}." if brief.subject else "", f"Kategori: {slot.category}."]
    if slot.occasion:
        lines.append(f"{slot.occasion} {slot.date.strftime('%d.%m.')}")
    campaign = next((c for c in plan.campaigns if c.name == slot.campaign), None)
    if campaign is not None and campaign.details:
        lines.append(campaign.details)
    return "\n".join(line for line in lines if line)


def _is_sentence(value: str) -> bool:
    return len(_WORDS.findall(value)) >= 4


def _sentence(value: str, facts: dict[str, str]) -> str:
    """A plan fact as a line: a sentence as it is; a bare value ("55 12 34 56") after its key."""
    if _is_sentence(value):
        return value if value[-1:] in ".!?" else value + "."
    key = next((k for k, v in facts.items() if v.strip() == value), "").replace("_", " ")
    return f"{key[:1].upper()}{key[1:]}: {value}." if key else f"{value}."


# A composed draft (no model call, well under a second) is written one at a time within a
# process: it is composed to differ from the month's drafts so far, and two composed at once
# would each miss the other. A model's drafts are not serialised (they take seconds each); a
# draft written at the same instant by another thread or worker is caught after the fact, as
# each draft is published before the month is read (see `draft_for_slot`).
_COMPOSING = threading.Lock()


def _nothing(text: str) -> None:
    """Outside a job (a category batch) each draft is written after the one before."""


class _Written(NamedTuple):
    """One attempt's draft: just generated, or found where an interrupted run stored it."""

    text: str
    checks: list[dict[str, Any]]
    passed: bool
    draft_id: str | None
    usage: dict[str, Any]


def _attempt_ids(
    db: Database, workspace: str, item: tuple[str, str] | None
) -> tuple[list[str | None], dict[str, _Written]]:
    """The draft ids of a job item's two attempts, the same on every run of the item, and what
    an interrupted run already stored under them (read here once, not again per attempt);
    no ids outside a job (a category batch), where nothing is retried.

    A regeneration sends a finished item back to be written again, after setting its drafts
    aside (rejected); those ids belong to a spent round, so each round has ids of its own and
    the first round whose last draft is not rejected is this run's (a crash retry finds it)."""
    if item is None:
        return [None, None], {}
    job_id, key = item
    for round_ in range(_MAX_ROUNDS):
        tag = f"{job_id}:{key}" if round_ == 0 else f"{job_id}:{key}:r{round_}"
        ids = [str(uuid.uuid5(uuid.NAMESPACE_URL, f"gjenbruk:{tag}:{n}")) for n in (0, 1)]
        with db.autocommit() as s:  # one read: a single round trip
            found = DraftRepo(s).many(workspace, ids)
        first, second = found.get(ids[0]), found.get(ids[1])
        # A near-copy set aside within the round (first rejected, second written) is this
        # round's own decision, not a regeneration's.
        last = second or first
        if last is None or last.status is not DraftStatus.rejected:
            return list(ids), {i: _written(d) for i, d in found.items()}
    raise Conflict(f"slot {key} of job {job_id} was regenerated more than {_MAX_ROUNDS} times")


def _stored(db: Database, workspace: str, draft_id: str | None) -> _Written | None:
    if draft_id is None:
        return None
    with db.session() as s:
        found = DraftRepo(s).many(workspace, [draft_id]).get(draft_id)
    return None if found is None else _written(found)


def _written(found: Draft) -> _Written:
    checks = [c.model_dump() for c in found.checks]
    # No model call this time: what the first run spent was spent there.
    return _Written(found.text, checks, found.passed, found.id, Usage().model_dump())


def _generate(pipeline: VariantPipeline, request: VariantRequest, draft_id: str | None) -> _Written:
    try:
        out = pipeline.run(request, draft_ids=[draft_id] if draft_id else [])
    except IntegrityError:
        # Another run of this item (a worker thought dead that was only slow) stored this
        # attempt first: its draft is the one.
        found = _stored(pipeline.db, request.workspace, draft_id)
        if found is None:
            raise
        return found
    v = out.variants[0]
    checks = [c.model_dump() for c in v.checks]
    return _Written(v.text, checks, v.passed, v.draft_id, v.usage.model_dump())


def draft_for_slot(
    pipeline: VariantPipeline,
    workspace: str,
    plan: ContentPlan,
    slot: Slot,
    earlier: Callable[[], Sequence[str]],
    publish: Callable[[str], None] = _nothing,
) -> dict[str, Any]:
    """Generate, check, and compare with the month's other drafts; one retry on a near-copy.

    `earlier` gives the texts of the month's other drafts, finished or still being written;
    `publish` shows this slot's text to them. Each generation is published first and the month
    read after, both committed where the month is shared (a job's workers), so of two drafts
    written at the same instant in two processes at least one sees the other and is written
    again: no text twice in a month, however the work is spread.

    Inside a job, each attempt's draft is stored under an id made from the job item, so a run
    of the item that was interrupted after storing a draft (a worker killed before the item's
    outcome was recorded) leaves no orphan: the retry takes that draft up again, without a
    model call, and takes the same decisions from there."""
    spec = next(c for c in plan.channels if c.channel == slot.channel)
    brief = slot_brief(plan, slot)
    so_far = list(earlier())
    about = brief_of(plan, slot, turn=len(so_far))
    item = current_item()
    ids, stored = _attempt_ids(pipeline.db, workspace, item)
    serial = _COMPOSING if pipeline.capability == "small" else contextlib.nullcontext()
    tone = ""
    best: dict[str, Any] = {}
    replaced: list[str] = []
    for attempt in range(2):
        if best.get("draft_id"):
            replaced.append(str(best["draft_id"]))
        with serial:
            request = VariantRequest(
                workspace=workspace,
                text=brief,
                surfaces=[SURFACE_FOR[slot.channel]],
                language=spec.language or plan.language,
                category=slot.category,
                tone=tone,
                brief=about,
                # The month's drafts so far: a composed draft takes another take rather than
                # copy one (a model's answer is compared below and written again once).
                avoid=so_far[:500],
            )
            reused = stored.get(ids[attempt] or "")
            v = reused or _generate(pipeline, request, ids[attempt])
            publish(v.text)
            so_far = list(earlier())
            others = so_far if v.text else []
        # The product's own measure of a near-copy, the month eval's (no embedding: a local
        # one was two thirds of a draft's CPU, and its "near-copies" shared a sentence of three).
        copied = any(month_near_copy(v.text, o) for o in others)
        similarity = max((month_overlap(v.text, o) for o in others), default=0.0)
        best = {
            "slot": slot.model_dump(mode="json"),
            "text": v.text,
            "checks": v.checks,
            "passed": v.passed,
            "draft_id": v.draft_id,
            "near_duplicate_similarity": round(similarity, 4),
            "regenerated": attempt > 0,
            "replaced_draft_ids": replaced,
            "usage": v.usage,
        }
        # An interrupted run that already wrote the second attempt had judged the first a
        # near-copy; the retry keeps that judgement (the month around it has moved on since).
        rewritten = reused is not None and attempt == 0 and (ids[1] or "") in stored
        if not copied and not rewritten:
            break
        tone = "helt annerledes vinkling og åpning enn forrige innlegg i samme kategori"
    if copied and best["passed"]:
        # Written again and still a near-copy of the month's other drafts: said, not passed
        # (no text twice in a month), as a composed draft with no other take left is.
        best = _fail_as_copy(pipeline, workspace, best)
    for draft_id in replaced:
        pipeline.set_aside(workspace, draft_id)
    return best


def _fail_as_copy(
    pipeline: VariantPipeline, workspace: str, best: dict[str, Any]
) -> dict[str, Any]:
    check = measured("month_unique", False, "check.month_unique.copy", takes=1)
    if best.get("draft_id"):
        with pipeline.db.session() as s:
            DraftRepo(s).add_failed_check(workspace, str(best["draft_id"]), check)
    kept = [c for c in best["checks"] if c.get("name") != check.name]
    return {**best, "checks": [*kept, check.model_dump()], "passed": False}
