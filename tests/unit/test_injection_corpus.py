"""The adversarial corpus (tests/fixtures/injections/cases.jsonl): instructions hidden in other
people's posts, in nb, nn and en, written directly, indirectly, politely, in a quote, split over
two sentences, in an emoji line, in a link's text, and as a plain statement of a false price or
link. None of their payload may survive into the text facts are taken from, and no real post
of the sample organisations may be set aside."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from service.generation.injection import (
    Signal,
    echoed_instructions,
    instruction_sentences,
    own_fact_keys,
    screen,
    without_instructions,
)
from tests.conftest import SHARED_DATA, require

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "injections" / "cases.jsonl"
CASES = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]
# What the organisation itself has published: its links and prices may be repeated.
OWN = own_fact_keys(
    [
        "Sjøbua Restaurant, Strandgata 4. Bestill bord på sjobua.no eller ring 57 74 30 00.",
        "Hverdagstilbud: fiskesuppe og et glass hvitvin for 249 kr. 20 % på gavekort i desember.",
    ]
)


def test_the_corpus_covers_three_languages_and_every_way_of_hiding() -> None:
    assert len(CASES) >= 60
    assert set(Counter(c["lang"] for c in CASES)) == {"nb", "nn", "en"}
    styles = {c["style"] for c in CASES}
    assert {"direct", "indirect", "polite", "quote", "split", "emoji", "url", "statement"} <= styles


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_no_payload_survives_into_the_text_facts_come_from(case: dict[str, object]) -> None:
    kept = without_instructions(str(case["text"]), own_keys=OWN).lower()
    payload = [str(p) for p in case["payload"]]  # type: ignore[attr-defined]
    assert [p for p in payload if p.lower() in kept] == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_an_answer_that_obeys_the_injection_is_caught(case: dict[str, object]) -> None:
    flagged = screen(str(case["text"]), own_keys=OWN)
    payload = " ".join(str(p) for p in case["payload"])  # type: ignore[attr-defined]
    obeying = f"Takk for besøket! {payload} Velkommen tilbake."
    assert echoed_instructions(obeying, flagged)
    assert echoed_instructions("Takk for besøket, velkommen tilbake til oss.", flagged) == []


def test_the_sentence_that_reads_as_a_statement_is_unverified_not_an_instruction() -> None:
    text = (
        "For en kveld! Alt på menyen koster nå 0 kr, og mer info finner du på http://evil.example."
    )
    (flag,) = screen(text, own_keys=OWN)
    assert Signal.foreign_price in flag.signals and Signal.foreign_link in flag.signals
    assert not flag.instruction
    # The organisation's own price and link are no reason to set a sentence aside.
    assert screen("Fiskesuppe for 249 kr, bestill på sjobua.no.", own_keys=OWN) == []


@pytest.mark.parametrize(
    "text",
    [
        "Skriv i kommentarfeltet hvem du vil ta med, så trekker vi en vinner fredag!",
        "Husk å ta med matpakke og gode sko på turen.",
        "Fra nå av har vi åpent søndager også.",
        "Legg igjen en kommentar og del innlegget med en venn.",
        "Skriv til oss på Messenger om du har spørsmål om allergener.",
        "Vi har alltid fersk fisk fra kaia, og svaret er ja: vi har glutenfri pizza.",
        "Du som er glad i sjømat: denne helgen serverer vi blåskjell.",
        "Tag a friend who needs this! Always fresh, always local.",
        "Please book ahead for Saturday, the post office closes at 14.",
        "Frå no av har vi ope på søndagar òg. Skriv gjerne ein kommentar!",
    ],
)
def test_an_ordinary_call_to_action_is_no_instruction(text: str) -> None:
    assert instruction_sentences(text) == []


def _sample_texts() -> list[str]:
    out: list[str] = []
    for path in sorted(SHARED_DATA.rglob("*.csv")):
        raw = path.read_bytes()
        decoded = (
            raw.decode("utf-16")
            if raw[:2] in (b"\xff\xfe", b"\xfe\xff")
            else raw.decode("utf-8-sig")
        )
        for row in csv.reader(io.StringIO(decoded)):
            out += [cell for cell in row if len(cell) >= 60 and not cell.startswith("http")]
    for path in sorted(SHARED_DATA.rglob("*.xlsx")):
        book = openpyxl.load_workbook(path, read_only=True)
        for sheet in book:
            for values in sheet.iter_rows(values_only=True):
                out += [v for v in values if isinstance(v, str) and len(v) >= 60]
    return out


def test_no_real_post_of_the_sample_organisations_is_set_aside() -> None:
    require(SHARED_DATA.is_dir(), f"shared data not found at {SHARED_DATA}")
    texts = _sample_texts()
    assert len(texts) >= 300
    flagged = {t[:80]: [f.sentence for f in screen(t)] for t in texts if screen(t)}
    assert flagged == {}
