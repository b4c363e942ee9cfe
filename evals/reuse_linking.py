"""Reuse linking on a constructed history, through the product: `python -m evals.reuse_linking`.

A workspace's library is imported (source posts and the channels' other posts), drafts made from
the sources are approved and exported as a Buffer CSV (the export writes UTM parameters with the
draft id), and a later import brings the published posts back with known numbers: some as
exported, some edited on the way (a word changed, a hashtag dropped, the link lost to a link
shortener), some rewritten by hand with the tagged link kept, one exported before anyone
approved it, and posts that are no reuse at all (unrelated, a look-alike published before the
export, one on another channel). The import's end links them (stored); the reuse report read
afterwards is compared with the truth: precision and recall of the links, and whether every
number of the report (n and means of the reused posts, their sources and the channel's
baseline, per channel) equals the one computed from the constructed numbers by hand.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

WORKSPACE = "reuse-eval"
CAMPAIGN = "2026-12"
EXPORTED = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
REACH = 1000


@dataclass(frozen=True)
class Src:
    id: str
    channel: str
    text: str
    engagements: int
    days_before: int


@dataclass(frozen=True)
class Dft:
    id: str
    channel: str
    source: str
    text: str
    approved: bool = True


@dataclass(frozen=True)
class Pub:
    id: str
    channel: str
    text: str  # may name {exported:<draft id>}: the text as the export wrote it
    engagements: int
    days_after: float
    reuse_of: str | None = None  # the truth


SOURCES = [
    Src(
        "fb-s1",
        "facebook",
        "Fiskesuppe med ferske reker og dill, servert med nybakt brød.",
        80,
        300,
    ),
    Src("fb-s2", "facebook", "Quiz på tirsdag klokka sju med premier til vinnerlaget.", 40, 200),
    Src("fb-s3", "facebook", "Julebord med pinnekjøtt og ribbe hver helg i desember.", 60, 330),
    Src(
        "ig-s1", "instagram", "Sommermeny med grillet makrell og rabarbrapai til dessert.", 90, 150
    ),
    Src(
        "ig-s2", "instagram", "Brunsj hver søndag med eggerøre, bacon og nystekte vafler.", 70, 120
    ),
]
BASELINE = [
    Src("fb-b1", "facebook", "Vi har åpent i påsken fra klokka tolv til ti.", 30, 60),
    Src("fb-b2", "facebook", "Takk for en fin sesong, vi ses til våren igjen.", 50, 40),
    Src("fb-b3", "facebook", "Ny kokk på kjøkkenet: velkommen til Ingrid fra Bodø.", 20, 20),
    Src("ig-b1", "instagram", "Solnedgang over brygga i kveld, for en utsikt.", 110, 50),
    Src("ig-b2", "instagram", "Nye stoler på terrassen, kom og prøv dem.", 60, 30),
    # Looks like draft ig-d5 but was published long before it was exported: not its reuse.
    Src(
        "ig-b3", "instagram", "Vinsmaking fredag med sommelier fra byen og små retter til.", 45, 10
    ),
]
LINK = "https://sjobua.no/bord"
DRAFTS = [
    Dft(
        "fb-d1",
        "facebook",
        "fb-s1",
        f"Fiskesuppe med reker og dill i dag 🍲 Bestill på {LINK} #sjøbua",
    ),
    Dft(
        "fb-d2",
        "facebook",
        "fb-s2",
        "Quiz tirsdag klokka sju! Premier til vinnerlaget og kjempegod stemning #quiz",
    ),
    Dft(
        "fb-d3",
        "facebook",
        "fb-s3",
        f"Julebord med pinnekjøtt og ribbe, helgene i desember. Bord: {LINK}",
    ),
    Dft(
        "fb-d4", "facebook", "fb-s1", "Aldri publisert: fiskesuppe til lunsj hver fredag i vinter."
    ),
    # Exported before anyone approved it (an export with include=proposed), published with its link.
    Dft(
        "fb-d5",
        "facebook",
        "fb-s2",
        f"Quizfinale i januar med storpremie. Påmelding: {LINK}",
        approved=False,
    ),
    Dft("ig-d1", "instagram", "ig-s1", f"Makrell på grillen og rabarbrapai til dessert ☀️ {LINK}"),
    Dft(
        "ig-d2",
        "instagram",
        "ig-s2",
        "Søndagsbrunsj med eggerøre, bacon og nystekte vafler 🧇 #brunsj",
    ),
    Dft("ig-d3", "instagram", "ig-s2", f"Vafler og eggerøre hver søndag fra elleve. Bord: {LINK}"),
    Dft("ig-d4", "instagram", "ig-s1", "Aldri publisert: makrellsalat med poteter og dill."),
    Dft(
        "ig-d5", "instagram", "ig-s1", "Vinsmaking fredag med sommelier fra byen og små retter til."
    ),
    # Its text went out on Facebook instead, where no draft of it was made: not a reuse of it.
    Dft(
        "ig-d6",
        "instagram",
        "ig-s2",
        "Konsert på brygga lørdag kveld med lokale band og fiskekaker.",
    ),
]
PUBLISHED = [
    Pub("p1", "facebook", "{exported:fb-d1}", 95, 0.5, "fb-d1"),  # as exported, UTM and all
    # Edited on the way: "kjempegod" → "god", the "!" and the hashtag dropped.
    Pub(
        "p2",
        "facebook",
        "Quiz tirsdag klokka sju. Premier til vinnerlaget og god stemning",
        55,
        2,
        "fb-d2",
    ),
    # The scheduler shortened the link: the UTM is gone, the words are the draft's.
    Pub(
        "p3",
        "facebook",
        "Julebord med pinnekjøtt og ribbe, helgene i desember. Bord: https://buff.ly/3xYz",
        70,
        4,
        "fb-d3",
    ),
    Pub("p4", "facebook", "{rewritten:fb-d5}", 65, 5, "fb-d5"),  # rewritten by hand, link kept
    Pub("p5", "instagram", "{rewritten:ig-d1}", 120, 1, "ig-d1"),
    Pub(
        "p6", "instagram", "Søndagsbrunsj med eggerøre, bacon og nystekte vafler 🧇", 85, 3, "ig-d2"
    ),
    Pub("p7", "instagram", "{exported:ig-d3}", 75, 6, "ig-d3"),
    # No reuse: unrelated posts in the window, and ig-d6's text on another channel.
    Pub("u1", "facebook", "Stengt mandag på grunn av strømbrudd i hele bygda.", 25, 3, None),
    Pub("u2", "instagram", "Morgenkaffe på brygga, tåka letter sakte.", 100, 2, None),
    Pub(
        "u3",
        "facebook",
        "Konsert på brygga lørdag kveld med lokale band og fiskekaker.",
        35,
        5,
        None,
    ),
]


class ChannelCheck(BaseModel):
    channel: str
    field: str
    expected_n: int
    reported_n: int
    expected_mean: float | None
    reported_mean: float | None

    @property
    def exact(self) -> bool:
        if self.expected_n != self.reported_n:
            return False
        if self.expected_mean is None or self.reported_mean is None:
            return self.expected_mean is self.reported_mean
        return abs(self.expected_mean - self.reported_mean) < 1e-9


class LinkingResult(BaseModel):
    precision: float
    recall: float
    found: int
    truth: int
    by_ref: int
    by_text: int
    wrong: list[tuple[str, str]]
    missed: list[tuple[str, str]]
    checks: list[ChannelCheck]
    text_only_precision: float
    text_only_recall: float

    @property
    def exact(self) -> bool:
        return all(c.exact for c in self.checks)


def _rate(engagements: int) -> float:
    return round(engagements / REACH, 6)


def _csv(rows: Sequence[Sequence[object]]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["id", "channel", "published_at", "text", "reach", "engagements"])
    w.writerows(rows)
    return out.getvalue().encode()


def _when(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def exported_texts(surfaces: dict[str, str]) -> dict[str, str]:
    """Each draft as the Buffer export writes it (UTM parameters with its id on its link)."""
    from service.planning.exports import PlannedPost, buffer_csv, tracked
    from service.planning.models import Slot

    posts = [
        PlannedPost(
            slot=Slot(
                date=EXPORTED.date(), time="18:00", channel=d.channel, category="x", theme="x"
            ),
            text=d.text,
            draft_id=d.id,
            status="approved" if d.approved else "proposed",
        )
        for d in DRAFTS
    ]
    rows = list(csv.DictReader(io.StringIO(buffer_csv(tracked(posts, CAMPAIGN)))))
    assert len(rows) == len(DRAFTS) and set(surfaces) >= {d.channel for d in DRAFTS}
    return {d.id: row["Text"] for d, row in zip(DRAFTS, rows, strict=True)}


def published_text(p: Pub, exported: dict[str, str]) -> str:
    if p.text.startswith("{exported:"):
        return exported[p.text[10:-1]]
    if p.text.startswith("{rewritten:"):
        link = next(w for w in exported[p.text[11:-1]].split() if w.startswith("https://"))
        return f"Helt ny tekst skrevet for hånd, les mer her: {link}"
    return p.text


def run(work_dir: Path) -> LinkingResult:
    from service.container import Services
    from service.domain import Draft, DraftStatus, Workspace
    from service.generation.surfaces import load_surfaces
    from service.learning.reuse import (
        ExportedDraft,
        PublishedPost,
        link_published,
        precision_recall,
    )
    from service.library.ingest import import_paths, index_and_classify
    from service.providers.embeddings import HashingEmbedder
    from service.settings import Settings
    from service.storage.repositories import DraftRepo, WorkspaceRepo

    catalog = load_surfaces()
    # A surface of each channel from the data file (no surface id is named here).
    surfaces: dict[str, str] = {}
    for sid, surface in sorted(catalog.surfaces.items()):
        surfaces.setdefault(surface.channel, sid)
    settings = Settings(data_dir=work_dir, llm="local")
    services = Services(settings, embedder=HashingEmbedder())
    try:
        with services.db.session() as s:
            WorkspaceRepo(s).save(Workspace(slug=WORKSPACE, name="Reuse eval", timezone="UTC"))

        def imported(name: str, rows: Sequence[Sequence[object]]) -> None:
            path = work_dir / name
            path.write_bytes(_csv(rows))
            reports = import_paths(services.db, [path], workspace=WORKSPACE)
            assert reports[0].imported == len(rows), reports[0]
            index_and_classify(services.db, services.vectors, services.embedder, WORKSPACE)

        imported(
            "library.csv",
            [
                [
                    p.id,
                    p.channel,
                    _when(EXPORTED - dt.timedelta(days=p.days_before)),
                    p.text,
                    REACH,
                    p.engagements,
                ]
                for p in (*SOURCES, *BASELINE)
            ],
        )
        with services.db.session() as s:
            repo = DraftRepo(s)
            for d in DRAFTS:
                repo.add(
                    Draft(
                        id=d.id,
                        workspace=WORKSPACE,
                        surface=surfaces[d.channel],
                        language="nb",
                        text=d.text,
                        passed=True,
                        status=DraftStatus.approved if d.approved else DraftStatus.proposed,
                        source_post_id=d.source,
                        created_at=EXPORTED - dt.timedelta(days=1),
                        updated_at=EXPORTED,
                    )
                )
        exported = exported_texts(surfaces)
        imported(
            "published.csv",
            [
                [
                    p.id,
                    p.channel,
                    _when(EXPORTED + dt.timedelta(days=p.days_after)),
                    published_text(p, exported),
                    REACH,
                    p.engagements,
                ]
                for p in PUBLISHED
            ],
        )
        report = services.learning.reuse(WORKSPACE)  # the stored links, as the API reads them
    finally:
        services.close()

    truth = {p.reuse_of: p.id for p in PUBLISHED if p.reuse_of}
    precision, recall = precision_recall(report.links, truth)
    # The same history linked as before exports wrote an id: by text similarity and time only.
    text_only = link_published(
        [
            ExportedDraft(
                draft_id=d.id,
                channel=d.channel,
                text=d.text,
                exported_at=EXPORTED,
                source_post_id=d.source,
                by_text=d.approved,
            )
            for d in DRAFTS
        ],
        [
            PublishedPost(
                post_id=p.id,
                channel=p.channel,
                text=published_text(p, exported),
                published_at=EXPORTED + dt.timedelta(days=p.days_after),
            )
            for p in PUBLISHED
        ],
    )
    text_p, text_r = precision_recall(text_only, truth)
    found = {(lk.draft_id, lk.post_id) for lk in report.links}
    checks = []
    values = {p.id: _rate(p.engagements) for p in (*SOURCES, *BASELINE)}
    values |= {p.id: _rate(p.engagements) for p in PUBLISHED}
    channel_of = {p.id: p.channel for p in (*SOURCES, *BASELINE)}
    channel_of |= {p.id: p.channel for p in PUBLISHED}
    source_of = {d.id: d.source for d in DRAFTS}
    by_channel = {c.channel: c for c in report.channels}
    for channel in sorted({channel_of[p] for p in truth.values()}):
        reused = [p for d, p in truth.items() if channel_of[p] == channel]
        sources = sorted({source_of[d] for d, p in truth.items() if channel_of[p] == channel})
        baseline = [
            pid
            for pid, ch in channel_of.items()
            if ch == channel and pid not in reused and pid not in sources
        ]
        got = by_channel.get(channel)
        for field, ids in (("reused", reused), ("sources", sources), ("baseline", baseline)):
            group = getattr(got, field) if got is not None else None
            checks.append(
                ChannelCheck(
                    channel=channel,
                    field=field,
                    expected_n=len(ids),
                    reported_n=group.n if group is not None else 0,
                    expected_mean=sum(values[i] for i in ids) / len(ids) if ids else None,
                    reported_mean=group.mean if group is not None else None,
                )
            )
    return LinkingResult(
        precision=precision,
        recall=recall,
        found=len(report.links),
        truth=len(truth),
        by_ref=sum(lk.method == "ref" for lk in report.links),
        by_text=sum(lk.method == "text" for lk in report.links),
        wrong=sorted(found - set(truth.items())),
        missed=sorted(set(truth.items()) - found),
        checks=checks,
        text_only_precision=text_p,
        text_only_recall=text_r,
    )


def render(r: LinkingResult) -> str:
    lines = [
        "| measure | value |",
        "|---|---|",
        f"| published reuses in the history | {r.truth} |",
        f"| links found (by UTM / by text) | {r.found} ({r.by_ref} / {r.by_text}) |",
        f"| precision | {r.precision:.0%} |",
        f"| recall | {r.recall:.0%} |",
        f"| report's numbers exact | {'yes' if r.exact else 'no'} |",
        f"| text and time only (no UTM): precision / recall "
        f"| {r.text_only_precision:.0%} / {r.text_only_recall:.0%} |",
        "",
        "| channel | group | n constructed | n reported | mean constructed | mean reported |",
        "|---|---|---|---|---|---|",
    ]

    def num(v: float | None) -> str:
        return "–" if v is None else f"{v:.4f}"

    for c in r.checks:
        lines.append(
            f"| {c.channel} | {c.field} | {c.expected_n} | {c.reported_n} "
            f"| {num(c.expected_mean)} | {num(c.reported_mean)} |"
        )
    if r.wrong:
        lines.append(f"wrong links: {r.wrong}")
    if r.missed:
        lines.append(f"missed: {r.missed}")
    return "\n".join(lines)


def main(argv: Sequence[str]) -> int:
    del argv
    with tempfile.TemporaryDirectory() as tmp:
        result = run(Path(tmp))
    print(render(result))
    return 0 if result.precision == result.recall == 1.0 and result.exact else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
