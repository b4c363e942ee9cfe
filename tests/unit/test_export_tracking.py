"""Exports write the draft id where the format has room and UTM parameters on every link, never
the id into the post's words; a post published from the file links back to its draft exactly."""

from __future__ import annotations

import csv
import datetime as dt
import io
import urllib.parse

import pytest
from icalendar import Calendar

from service.learning.reuse import ExportedDraft, PublishedPost, link_published, refs_of
from service.planning.exports import PUBLER_COLUMNS, ExportFormat, PlannedPost, tag_links, utm_link
from service.planning.models import Slot
from service.planning.service import export
from tests.unit.test_planning import _plan

SLOT = Slot(
    date=dt.date(2026, 12, 3), time="18:00", channel="instagram", category="meny", theme="t"
)
TEXT = "Julemeny fra fredag. Bestill bord på https://sjobua.no/bord?lang=nb#meny. Vel møtt!"
PLAIN = "Stengt mandag. Vi ses tirsdag."


def _posts() -> list[PlannedPost]:
    return [
        PlannedPost(slot=SLOT, text=TEXT, draft_id="d-111", link="https://sjobua.no/jul"),
        PlannedPost(slot=SLOT, text=PLAIN, draft_id="d-222"),
        PlannedPost(slot=SLOT, text=TEXT),  # no draft id: left as it is
    ]


def _query(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def test_a_link_gets_the_utm_parameters_and_keeps_its_own() -> None:
    url = utm_link(
        "https://sjobua.no/bord?lang=nb&utm_campaign=mine#meny",
        channel="facebook",
        campaign="2026-12",
        draft_id="d-1",
    )
    assert url.startswith("https://sjobua.no/bord?lang=nb&utm_campaign=mine&")
    assert url.endswith("#meny")
    assert _query(url) == {
        "lang": "nb",
        "utm_campaign": "mine",  # the person's own tagging wins
        "utm_source": "facebook",
        "utm_medium": "social",
        "utm_content": "d-1",
    }
    tagged = tag_links("Se https://a.no/x). Og (https://b.no/y)!", channel="x", campaign="c",
                       draft_id="d")  # fmt: skip
    assert tagged.startswith("Se https://a.no/x?utm_source=x&") and tagged.endswith("d)!")
    assert "(https://b.no/y?utm_source=x&utm_medium=social&utm_campaign=c&utm_content=d)!" in (
        tagged
    )
    assert tag_links(PLAIN, channel="x", campaign="c", draft_id="d") == PLAIN


def _tagged(text: str) -> str:
    return text.replace(
        "https://sjobua.no/bord?lang=nb#meny",
        "https://sjobua.no/bord?lang=nb&utm_source=instagram&utm_medium=social"
        "&utm_campaign=2026-12&utm_content=d-111#meny",
    )


def test_every_format_carries_the_id_beside_the_text_and_the_utm_on_the_links() -> None:
    plan, _ = _plan("sjobua-restaurant")
    assert plan.target_month == "2026-12"
    posts = _posts()

    rows = list(
        csv.DictReader(io.StringIO(export("buffer", posts, workspace="w", plan=plan).decode()))
    )
    assert list(rows[0]) == ["Text", "Image URL", "Tags", "Posting Time"]
    assert [r["Text"] for r in rows] == [_tagged(TEXT), PLAIN, TEXT]
    assert [r["Tags"] for r in rows] == ["meny, gjenbruk-d-111", "meny, gjenbruk-d-222", "meny"]

    rows_h = list(
        csv.reader(io.StringIO(export("hootsuite", posts, workspace="w", plan=plan).decode()))
    )
    assert all(len(r) == 3 for r in rows_h)  # the format has no room for more
    assert rows_h[0][1] == _tagged(TEXT) and _query(rows_h[0][2])["utm_content"] == "d-111"
    assert rows_h[1][1] == PLAIN and rows_h[1][2] == ""

    rows_p = list(
        csv.reader(io.StringIO(export("publer", posts, workspace="w", plan=plan).decode()))
    )
    assert rows_p[0] == PUBLER_COLUMNS and all(len(r) == 12 for r in rows_p)
    assert rows_p[1][1] == _tagged(TEXT) and rows_p[1][5] == "meny, gjenbruk-d-111"
    assert _query(rows_p[1][2]) == {
        "utm_source": "instagram",
        "utm_medium": "social",
        "utm_campaign": "2026-12",
        "utm_content": "d-111",
    }

    events = list(Calendar.from_ical(export("ics", posts, workspace="w", plan=plan)).walk("VEVENT"))
    assert [str(e.get("X-GJENBRUK-DRAFT-ID")) for e in events[:2]] == ["d-111", "d-222"]
    assert "X-GJENBRUK-DRAFT-ID" not in events[2]
    assert str(events[1]["DESCRIPTION"]) == PLAIN

    md = export("md", posts, workspace="w", plan=plan).decode()
    assert "`gjenbruk-d-222`" in md and f"\n{PLAIN}\n" in md

    # The id is never in the words of a post: only inside a link's query.
    for text in (rows[1]["Text"], rows_h[1][1], rows_p[2][1]):
        assert "d-222" not in text


@pytest.mark.parametrize("fmt", ["buffer", "hootsuite", "publer"])
def test_a_post_published_from_the_file_links_to_its_draft_by_the_utm(
    fmt: ExportFormat,
) -> None:
    plan, _ = _plan("sjobua-restaurant")
    data = export(fmt, _posts()[:1], workspace="w", plan=plan).decode()
    rows = list(csv.reader(io.StringIO(data)))
    text = rows[-1][0 if fmt == "buffer" else 1]
    # Rewritten by hand before publishing, but the link was kept.
    published = PublishedPost(
        post_id="p1",
        channel="instagram",
        text="Helt ny tekst om noe annet! " + text.split(" ")[6],
        published_at=dt.datetime(2026, 12, 3, 18, tzinfo=dt.UTC),
    )
    assert refs_of(published) == {"d-111"}
    draft = ExportedDraft(
        draft_id="d-111",
        channel="instagram",
        text=TEXT,
        exported_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
        ref="d-111",
    )
    [link] = link_published([draft], [published])
    assert (link.post_id, link.method) == ("p1", "ref")
