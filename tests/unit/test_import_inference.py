"""Every supported layout, with its headers in languages the alias table does not know (and
with no header at all where content alone decides), imports every row with the same numbers
as the English file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from service.library.importers import open_export
from service.library.importers.aliases import aliases, normalize
from service.library.importers.model import SkippedRow
from tests.fixtures.synthetic import BUILDERS, LANGUAGES, english, to_csv, translate

# Business Suite's older layout (Impressions where Views is now) differs from the current one
# only by that column's name: by content and position the two cannot be told apart, so a
# translated file of it is read as the current layout (see test_views_or_impressions_...).
CSV_LAYOUTS = [
    k for k in BUILDERS if not k[0].startswith("linkedin") and k != ("meta_facebook_posts", 1)
]
# Where every column's kind is distinct enough for the layout alone to place it.
HEADERLESS = [
    ("meta_facebook_posts", 0),
    ("meta_instagram_posts", 0),
    ("meta_daily_followers", 0),
    ("x_tweet_activity", 0),
    ("x_tweet_activity", 1),
]


def _read(path: Path) -> tuple[str, list[dict[str, Any]], Any]:
    stream = open_export(path, workspace="w")
    items = list(stream)
    assert not [i for i in items if isinstance(i, SkippedRow)]
    return stream.format, [i.model_dump() for i in items], stream


def _write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / "facebook" / name  # follower files take their channel from the folder
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_translations_are_unknown_to_the_alias_table() -> None:
    known = set().union(*aliases().values())
    for fmt, layout in BUILDERS:
        header, _ = english(fmt, layout, 1)
        for lang in LANGUAGES:
            names = [normalize(h) for h in translate(header, lang)]
            unknown = [n for n in names if n not in known]
            # Most columns are new names: the file must be read by content and layout.
            assert len(unknown) >= 0.5 * len(names), (fmt, lang)


@pytest.mark.parametrize("key", CSV_LAYOUTS, ids=lambda k: f"{k[0]}-{k[1]}")
@pytest.mark.parametrize("lang", LANGUAGES)
def test_translated_headers_import_like_english(
    tmp_path: Path, key: tuple[str, int], lang: str
) -> None:
    fmt, layout = key
    header, rows = english(fmt, layout, 40)
    en_fmt, en_items, _ = _read(_write(tmp_path, "en.csv", to_csv(header, rows)))
    assert en_fmt == fmt and len(en_items) == 40
    path = _write(tmp_path, f"{lang}.csv", to_csv(translate(header, lang), rows))
    got_fmt, items, stream = _read(path)
    assert got_fmt == fmt
    assert items == en_items
    # The report says which columns were placed without a known name, and why.
    assert stream.inferred and all(c.reason for c in stream.inferred)


@pytest.mark.parametrize("key", HEADERLESS, ids=lambda k: f"{k[0]}-{k[1]}")
def test_a_file_without_headers_imports_by_content_alone(
    tmp_path: Path, key: tuple[str, int]
) -> None:
    fmt, layout = key
    header, rows = english(fmt, layout, 40)
    _, en_items, _ = _read(_write(tmp_path, "en.csv", to_csv(header, rows)))
    got_fmt, items, stream = _read(_write(tmp_path, "bare.csv", to_csv(None, rows)))
    assert got_fmt == fmt and items == en_items
    assert any("layout" in c.reason or "only column" in c.reason for c in stream.inferred)


def _workbook(path: Path, lang: str | None) -> Path:
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    first.title = "Beregninger" if lang else "Metrics"
    first.append(["Date", "Impressions (total)"])
    first.append(["01/01/2026", 10])
    posts = wb.create_sheet("Alle innlegg" if lang else "All posts")
    header, rows = english("linkedin_page_content", 0, 30)
    posts.append(["All posts from 1/1/2026 to 6/30/2026 (a preamble line)"])
    posts.append(translate(header, lang) if lang else header)
    for r in rows:
        posts.append(r)
    followers = wb.create_sheet("Følgere" if lang else "Followers")
    fheader, frows = english("linkedin_followers_sheet", 0, 30)
    followers.append(translate(fheader, lang) if lang else fheader)
    for r in frows:
        followers.append(r)
    wb.save(path)
    return path


@pytest.mark.parametrize("lang", LANGUAGES)
def test_linkedin_sheets_and_header_row_are_found_by_content(tmp_path: Path, lang: str) -> None:
    en_fmt, en_items, _ = _read(_workbook(tmp_path / "en.xlsx", None))
    fmt, items, _ = _read(_workbook(tmp_path / f"{lang}.xlsx", lang))
    assert en_fmt == fmt == "linkedin_page_content"
    assert len(en_items) == 60 and items == en_items
