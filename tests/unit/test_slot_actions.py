"""What the calendar does to one slot: write its draft again (never an approved one, never
while the month is still being written) and move it to another day of the month, its draft and
the verdict on it staying, the move read by the calendar, the review dates and every export."""

from __future__ import annotations

import csv
import html
import io
from typing import Any

import pytest
from icalendar import Calendar

from service.container import Services
from service.domain import DraftStatus
from service.domain.job import Job
from service.errors import Conflict, Invalid
from service.planning.planner import PlannedDraft
from service.providers.llm_fake import FakeLLM
from service.storage.repositories import DraftRepo
from service.webui.plans import card_link, plans_backend
from tests.unit.test_regeneration import PLAN, Model, _month, _review, _wait


def _by_slot(services: Services, job: Job) -> dict[str, PlannedDraft]:
    """Each slot's draft by the key it was scheduled under (a moved slot keeps it)."""
    return {d.key: d for d in services.planner.drafts(job)}


def test_one_slot_is_written_again_and_every_other_draft_stays(
    services: Services, fake_llm: FakeLLM
) -> None:
    model = Model(fake_llm)
    plan_id, job = _month(services)
    before = _by_slot(services, job)
    failing = [k for k, d in before.items() if not d.passed]
    passing = [k for k, d in before.items() if d.passed]
    target, approved = failing[0], passing[0]
    _review(services, before[approved], DraftStatus.approved, "Redigert og godkjent tekst.")
    model.failing = None
    calls = len(fake_llm.requests)

    backend = plans_backend(services.db, services.planner, services.learning)
    sent = backend.regenerate_slot("demo", job.id, target)
    assert sent == {"job_id": job.id, "pending": 1}, "the month's own job, one slot"
    after = _by_slot(services, _wait(services, job.id))
    assert after[target].draft_id != before[target].draft_id
    assert after[target].passed and after[target].text == model.written[-1]
    assert all(after[k].draft_id == before[k].draft_id for k in before if k != target)
    assert after[approved].current_text == "Redigert og godkjent tekst."
    assert len(fake_llm.requests) > calls
    with services.db.session() as s:
        old = DraftRepo(s).many("demo", [str(before[target].draft_id)])
    assert old[str(before[target].draft_id)].status is DraftStatus.rejected, "set aside"

    # An approved draft is what a person decided: not written over.
    calls = len(fake_llm.requests)
    with pytest.raises(Conflict) as refused:
        services.planner.regenerate_slot(services.jobs.get(job.id), approved)
    assert refused.value.details["reason"] == "approved"
    # The API's way (one slot of the stored plan) is the same owner.
    second = failing[1]
    out = services.planner.generate_plan("demo", plan_id, slot=second)
    assert out.id == job.id and out.total - out.done - out.failed == 1
    again = _by_slot(services, _wait(services, job.id))
    assert again[second].draft_id != before[second].draft_id
    assert again[approved].draft_id == before[approved].draft_id
    assert len(fake_llm.requests) > calls


def test_a_slot_of_a_month_still_being_written_is_not_written_again_nor_moved(
    services: Services, fake_llm: FakeLLM
) -> None:
    Model(fake_llm).failing = None
    _month(services)
    later = PLAN.model_copy(update={"target_month": "2027-02"})
    queued = services.planner.generate(
        "demo", later, services.planner.schedule("demo", later), background=False
    )
    key = services.planner.drafts(queued)[0].key
    with pytest.raises(Conflict, match="still writing"):
        services.planner.regenerate_slot(queued, key)
    with pytest.raises(Conflict, match="still writing"):
        services.planner.move_slot(queued, key, "2027-02-10")
    assert services.jobs.get(queued.id).done == 0


def test_a_moved_slot_keeps_its_draft_and_verdict_and_every_export_shows_the_new_day(
    services: Services, fake_llm: FakeLLM
) -> None:
    Model(fake_llm).failing = None
    plan_id, job = _month(services)
    before = _by_slot(services, job)
    key, other = list(before)[:2]
    _review(services, before[key], DraftStatus.approved, "Flyttet og godkjent tekst.")
    uid_before = next(
        str(e["uid"])
        for e in Calendar.from_ical(services.planner.export(job, "ics").data).walk("VEVENT")
    )
    taken = {x.slot.date for x in before.values()}
    free = next(d for d in PLAN.days if d not in taken)

    backend = plans_backend(services.db, services.planner, services.learning)
    moved = backend.move("demo", job.id, key, free.isoformat(), "08:30")
    assert moved["slot"]["date"] == free.isoformat() and moved["slot"]["time"] == "08:30"
    assert moved["key"] == key and moved["draft_id"] == before[key].draft_id
    assert moved["status"] == "approved" and moved["edited_text"] == "Flyttet og godkjent tekst."

    # Read again (a reload): the calendar's drafts, the exports, the review dates.
    job = services.jobs.get(job.id)
    now = _by_slot(services, job)
    assert (now[key].slot.date, now[key].slot.time) == (free, "08:30")
    assert now[other].slot == before[other].slot, "the other slots stay where they were"
    rows = list(csv.DictReader(io.StringIO(services.planner.export(job, "buffer").data.decode())))
    assert [r["Text"] for r in rows] == ["Flyttet og godkjent tekst."]
    assert free.isoformat() in rows[0]["Posting Time"] and "08:30" in rows[0]["Posting Time"]
    [event] = Calendar.from_ical(services.planner.export(job, "ics").data).walk("VEVENT")
    start: Any = event["dtstart"]
    assert start.dt.date() == free and str(event["uid"]) == uid_before, (
        "a calendar re-import updates the event instead of adding one"
    )
    from service.auth.review import plan_draft_dates

    with services.db.session() as s:
        dates = plan_draft_dates(s, "demo", plan_id)
    assert dates[str(before[key].draft_id)] == free
    # Asking for the same month again (the tab's "write the month") is the same job, moves kept.
    again = services.planner.generate("demo", PLAN, services.planner.schedule("demo", PLAN))
    assert again.id == job.id and _by_slot(services, again)[key].slot.date == free
    assert services.planner.generate_plan("demo", plan_id).id == job.id

    # Back where it was scheduled: no move left.
    back = services.planner.move_slot(job, key, before[key].slot.date.isoformat(), "")
    assert back.slot.date == before[key].slot.date and back.slot.time == "08:30"
    services.planner.move_slot(job, key, back.slot.date.isoformat(), before[key].slot.time)
    assert services.jobs.get(job.id).params["moves"] == {}


@pytest.mark.parametrize(
    ("day", "at", "reason"),
    [
        ("2026-02-30", "", "not_a_date"),
        ("2026-12-3", "", "not_a_date"),
        ("3.12.2026", "", "not_a_date"),
        ("", "", "not_a_date"),
        ("2027-01-04", "", "outside_month"),
        ("2026-11-30", "", "outside_month"),
        ("2026-12-10", "25:00", "not_a_time"),
        ("2026-12-10", "9.30", "not_a_time"),
    ],
)
def test_a_move_outside_the_month_or_to_no_real_day_is_refused_with_its_reason(
    services: Services, fake_llm: FakeLLM, day: str, at: str, reason: str
) -> None:
    Model(fake_llm).failing = None
    _, job = _month(services)
    key = services.planner.drafts(job)[0].key
    with pytest.raises(Invalid) as refused:
        services.planner.move_slot(job, key, day, at)
    assert refused.value.details["reason"] == reason
    assert "moves" not in services.jobs.get(job.id).params


def test_a_move_onto_another_slot_of_the_channel_is_refused(
    services: Services, fake_llm: FakeLLM
) -> None:
    Model(fake_llm).failing = None
    _, job = _month(services)
    first, second = services.planner.drafts(job)[:2]
    with pytest.raises(Invalid) as refused:
        services.planner.move_slot(job, first.key, second.slot.date.isoformat(), second.slot.time)
    assert refused.value.details["reason"] == "taken"


def test_a_link_card_only_where_the_network_shows_one() -> None:
    text = "Smak julesideren! Bestill på https://www.eplehagen.no/jul og hent i butikken."
    assert card_link("facebook", text) == {
        "url": "https://www.eplehagen.no/jul",
        "domain": "eplehagen.no",
    }
    assert card_link("linkedin", "Les mer: eplehagen.no")["domain"] == "eplehagen.no"  # type: ignore[index]
    assert card_link("instagram", text) is None, "links in captions are not clickable"
    assert card_link("facebook", "Ingen lenke her, bare sider. #jul") is None


def test_the_preview_card_shows_the_link_card_styled_per_network_and_none_without_a_link() -> None:
    from service.webui.plans import check_text, networks
    from ui.plans_tab import preview_card

    text = "Smak julesideren! Bestill på https://www.eplehagen.no/jul i dag."

    def card(channel: str, body: str, lang: str = "nb") -> str:
        draft = {
            "slot": {"date": "2026-12-03", "time": "19:00", "channel": channel,
                     "category": "produkt", "theme": "x"},
            "text": body, "passed": True, "draft_id": "d1", "status": "proposed",
            "edited_text": None, "checks": [], "link": card_link(channel, body),
        }  # fmt: skip
        return preview_card(draft, networks(), lang, check_text)

    facebook, linkedin = card("facebook", text), card("linkedin", text)
    assert "gj-link-card" in facebook and "data-domain='eplehagen.no'" in facebook
    # Facebook writes the domain in capitals above the title; LinkedIn the title first.
    assert "EPLEHAGEN.NO" in facebook
    assert facebook.index("gj-link-domain") < facebook.index("gj-link-title")
    assert linkedin.index("gj-link-title") < linkedin.index("gj-link-domain")
    assert "Tittelen fra nettsiden vises her" in facebook
    assert "The page's title shows here" in html.unescape(card("facebook", text, "en"))
    assert "gj-link-card" not in card("facebook", "Ingen lenke, bare sider. #jul")
    assert "gj-link-card" not in card("instagram", text)


def test_a_viewer_cannot_write_again_or_move_through_the_ui_backend(services: Services) -> None:
    from types import SimpleNamespace

    from gradio.context import LocalContext

    from service.auth.bootstrap import add_user, adopt_unowned, create_owner
    from service.auth.permissions import Role
    from service.errors import Forbidden
    from service.webui.backend import ui_backend

    _, job = _month(services)
    create_owner(services.db, "olga", "an-owner-password-123")
    adopt_unowned(services.db, "olga")
    add_user(services.db, "vera", workspace="demo", role=Role.viewer, password="a-viewer-pass-1")
    key = services.planner.drafts(job)[0].key
    plans = ui_backend(services).plans
    try:
        LocalContext.request.set(SimpleNamespace(username="vera"))  # type: ignore[arg-type]
        with pytest.raises(Forbidden):
            plans.regenerate("demo", job.id, "failed")
        with pytest.raises(Forbidden):
            plans.regenerate_slot("demo", job.id, key)
        with pytest.raises(Forbidden):
            plans.move("demo", job.id, key, "2026-12-10", "")
        assert "moves" not in services.jobs.get(job.id).params
        LocalContext.request.set(SimpleNamespace(username="olga"))  # type: ignore[arg-type]
        assert plans.move("demo", job.id, key, "2026-12-10", "")["slot"]["date"] == "2026-12-10"
    finally:
        LocalContext.request.set(None)


def test_the_calendars_month_button_says_how_many_slots_it_sent_back(
    services: Services, fake_llm: FakeLLM
) -> None:
    model = Model(fake_llm)
    _, job = _month(services)
    failing = [d for d in services.planner.drafts(job) if not d.passed]
    assert failing
    model.failing = None
    backend = plans_backend(services.db, services.planner, services.learning)
    with pytest.raises(Invalid):
        backend.regenerate("demo", job.id, "sometimes")
    sent = backend.regenerate("demo", job.id, "failed")
    assert sent == {"job_id": job.id, "pending": len(failing)}
    _wait(services, job.id)
    assert backend.regenerate("demo", job.id, "failed") == {"job_id": job.id, "pending": 0}
