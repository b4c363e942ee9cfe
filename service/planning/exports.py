"""A month's drafts in the formats the scheduling tools read. Each writer cites the format's
source; tests read every file back with a standard parser (csv, icalendar).

Tracking (`tracked`): every link in an exported draft gets UTM parameters (utm_source=<channel>,
utm_medium=social, utm_campaign=<the plan's month>, utm_content=<draft id>), so a later import
of the published post links it to its draft exactly (service/learning/reuse.py). The draft id
itself travels only where the format has room beside the text (Buffer's tags, Publer's labels,
an iCalendar property, the Markdown heading); it is never written into the post's text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import urllib.parse
import uuid
from collections.abc import Sequence
from typing import Literal
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from pydantic import BaseModel

from service.planning.models import Slot

ExportFormat = Literal["md", "buffer", "hootsuite", "publer", "ics"]
# Stable event ids: the same workspace, slot and channel give the same UID on every export, so
# a calendar that imports the file again updates the event instead of adding a second one.
_UID_NAMESPACE = uuid.UUID("6f1d9a52-8c7e-4f0b-9a57-3c2e1d0b7a41")


class PlannedPost(BaseModel):
    slot: Slot
    # The slot's key as scheduled; a slot moved to another day keeps it (and its event UID).
    key: str = ""
    text: str
    passed: bool = True
    link: str = ""
    # "approved" (a person said yes), or "proposed" when an export asks for unreviewed ones too.
    status: str = "approved"
    draft_id: str | None = None


# A link in a post's text; the sentence's own punctuation after it is not part of it.
_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}»”’'"
UTM_MEDIUM = "social"
# How the draft id is named where a format keeps it beside the text (a tag, a label).
DRAFT_TAG_PREFIX = "gjenbruk-"


def utm_link(url: str, *, channel: str, campaign: str, draft_id: str) -> str:
    """`url` with the UTM parameters added; a parameter the link already has is left as the
    person wrote it (their own campaign tagging wins), the fragment stays last."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    have = {k.lower() for k, _ in query}
    wanted = [
        ("utm_source", channel),
        ("utm_medium", UTM_MEDIUM),
        ("utm_campaign", campaign),
        ("utm_content", draft_id),
    ]
    added = urllib.parse.urlencode([(k, v) for k, v in wanted if v and k not in have])
    if not added:
        return url
    # The link's own query is kept byte for byte; ours follows it.
    joined = f"{parts.query}&{added}" if parts.query else added
    return urllib.parse.urlunsplit(parts._replace(query=joined))


def tag_links(text: str, *, channel: str, campaign: str, draft_id: str) -> str:
    def one(m: re.Match[str]) -> str:
        url = m.group(0)
        tail = ""
        while url and url[-1] in _TRAILING:
            url, tail = url[:-1], url[-1] + tail
        if "://" not in url or not urllib.parse.urlsplit(url).netloc:
            return m.group(0)
        return utm_link(url, channel=channel, campaign=campaign, draft_id=draft_id) + tail

    return _URL.sub(one, text)


def tracked(posts: Sequence[PlannedPost], campaign: str) -> list[PlannedPost]:
    """The posts with UTM parameters on every link of a draft that has an id (text and link)."""
    out = []
    for p in posts:
        if not p.draft_id:
            out.append(p)
            continue
        how = {"channel": p.slot.channel, "campaign": campaign, "draft_id": p.draft_id}
        out.append(
            p.model_copy(
                update={
                    "text": tag_links(p.text, **how),
                    "link": tag_links(p.link, **how) if p.link else "",
                }
            )
        )
    return out


def draft_tag(p: PlannedPost) -> str:
    return f"{DRAFT_TAG_PREFIX}{p.draft_id}" if p.draft_id else ""


def _labels(p: PlannedPost) -> str:
    return ", ".join(x for x in (p.slot.category, draft_tag(p)) if x)


def _when(p: PlannedPost) -> dt.datetime:
    hour, minute = map(int, p.slot.time.split(":"))
    return dt.datetime.combine(p.slot.date, dt.time(hour, minute))


def markdown(posts: Sequence[PlannedPost], title: str) -> str:
    lines = [f"# {title}", ""]
    for p in posts:
        s = p.slot
        mark = "" if p.passed else " ⚠️ ikke bestått"
        if p.status != "approved":
            mark += " · ikke godkjent ennå"
        lines += [
            f"## {s.date.isoformat()} {s.time} · {s.channel} · {s.category}{mark}",
            f"*{s.theme}*"
            + (f" · {s.occasion}" if s.occasion else "")
            + (f" · `{draft_tag(p)}`" if p.draft_id else ""),
            "",
            p.text or "_(ingen tekst)_",
            "",
        ]
    return "\n".join(lines)


def buffer_csv(posts: Sequence[PlannedPost]) -> str:
    """Buffer bulk upload: header `Text,Image URL,Tags,Posting Time`, time `YYYY-MM-DD HH:mm`.
    Tags (comma-separated, Buffer's own labels, not published) carry the category and the
    draft id. Source: https://support.buffer.com/article/926-how-to-bulk-upload-posts-to-buffer"""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["Text", "Image URL", "Tags", "Posting Time"])
    for p in posts:
        w.writerow([p.text, "", _labels(p), _when(p).strftime("%Y-%m-%d %H:%M")])
    return out.getvalue()


def hootsuite_csv(posts: Sequence[PlannedPost], date_format: Literal["dd/mm", "mm/dd"]) -> str:
    """Hootsuite Bulk Composer: no header; columns date, message, link; the date as
    dd/mm/yyyy hh:mm or mm/dd/yyyy hh:mm (chosen on upload), 24-hour clock, minutes ending in 0
    or 5. The format has no column for anything else, so the draft id travels only in the links'
    UTM parameters. Source: https://help.hootsuite.com/hc/en-us/articles/204598140"""
    pattern = "%d/%m/%Y %H:%M" if date_format == "dd/mm" else "%m/%d/%Y %H:%M"
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    for p in posts:
        when = _when(p)
        when = when.replace(minute=when.minute - when.minute % 5)
        w.writerow([when.strftime(pattern), p.text, p.link])
    return out.getvalue()


PUBLER_COLUMNS = [
    "Date",
    "Text",
    "Link(s)",
    "Media URL(s)",
    "Title",
    "Label(s)",
    "Alt text(s)",
    "Comment(s)",
    "Pin board, FB album, or Google category",
    "Post subtype",
    "CTA",
    "Reminder",
]


def publer_csv(posts: Sequence[PlannedPost]) -> str:
    """Publer's twelve-column CSV template (kept whole: Publer reads the columns by position),
    date in the international format `YYYY-MM-DD HH:MM`. Labels (Publer's own, not published)
    carry the category and the draft id. Source: https://publer.com/blog/ultimate-csv-bulk-scheduler-social-media/"""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(PUBLER_COLUMNS)
    for p in posts:
        row = [""] * len(PUBLER_COLUMNS)
        row[0] = _when(p).strftime("%Y-%m-%d %H:%M")
        row[1] = p.text
        row[2] = p.link
        row[5] = _labels(p)
        w.writerow(row)
    return out.getvalue()


def event_uid(workspace: str, slot: Slot, key: str = "") -> str:
    """Stable per slot: re-importing updates the event, also after the slot was moved."""
    return f"{uuid.uuid5(_UID_NAMESPACE, f'{workspace}|{key or slot.key}')}@gjenbruk"


def ics(posts: Sequence[PlannedPost], workspace: str, timezone: str, title: str) -> bytes:
    """iCalendar (RFC 5545) via the icalendar library: one 15-minute event per draft."""
    cal = Calendar()
    cal.add("prodid", "-//Gjenbruk//månedsplan//NO")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", title)
    zone = ZoneInfo(timezone)
    stamp = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # fixed: re-exports are byte-identical
    for p in posts:
        start = _when(p).replace(tzinfo=zone)
        event = Event()
        event.add("uid", event_uid(workspace, p.slot, p.key))
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", start + dt.timedelta(minutes=15))
        event.add("summary", f"{p.slot.channel}: {p.slot.theme}")
        event.add("description", p.text)
        event.add("categories", [p.slot.category])
        if p.draft_id:
            # An extension property (RFC 5545 §3.8.8.2): calendars keep it and show nothing.
            event.add("x-gjenbruk-draft-id", p.draft_id)
        cal.add_component(event)
    return bytes(cal.to_ical())
