"""Ask once when unsure, then remember: a proposal keeps every row reachable, confirming it
imports them all, the next file with the same header signature imports with no question."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from service.domain import Workspace
from service.errors import Invalid
from service.library.importers import MappingNeeded, open_export
from service.library.ingest import alias_patch, import_file, parse_mapping
from service.storage.db import Database
from service.storage.repositories import PostRepo, WorkspaceRepo
from tests.fixtures.synthetic import english, to_csv, translate

CONFIRM = {
    "reach": "Reichweite",
    "views": "Aufrufe",
    "reactions_comments_shares": "Reaktionen, Kommentare und Geteilte Inhalte",
    "reactions": "Reaktionen",
    "comments": "Kommentare",
    "shares": "Geteilte Inhalte",
}


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    database.migrate()
    with database.session() as s:
        WorkspaceRepo(s).save(Workspace(slug="w", name="W"))
    return database


def _shuffled(tmp: Path, name: str, n: int = 30, seed: int = 3) -> tuple[Path, Path]:
    """German headers in an order no layout has: the counts can only be told apart by name."""
    header, rows = english("meta_facebook_posts", 0, n, seed=seed)
    order = list(range(len(header)))
    random.Random(1).shuffle(order)
    de = translate(header, "de")
    path = tmp / name
    path.write_text(
        to_csv([de[i] for i in order], [[r[i] for i in order] for r in rows]), encoding="utf-8"
    )
    en = tmp / f"en-{name}"
    en.write_text(to_csv(header, rows), encoding="utf-8")
    return path, en


def _numbers(db: Database) -> dict[str, tuple[int | None, int | None, int | None]]:
    with db.session() as s:
        posts = PostRepo(s).list("w")
    return {p.id: (p.metrics.reach, p.metrics.engagements, p.metrics.impressions) for p in posts}


def test_unsure_file_stops_with_a_proposal_confirm_imports_all_then_remembered(
    db: Database, tmp_path: Path
) -> None:
    path, en = _shuffled(tmp_path, "a.csv")
    first = import_file(db, path, workspace="w", timezone="Europe/Oslo")
    assert first.proposal is not None and first.imported == 0
    prop = first.proposal
    assert prop.format == "meta_facebook_posts" and prop.rows == 30 and "Reach" in prop.unsure
    assert all(0 <= f.confidence <= 1 for f in prop.fields)
    assert all(f.samples for f in prop.fields if f.field in ("post_id", "publish_time"))
    # What a person sees has its evidence: the post id was found by content.
    assert any(f.field == "post_id" and "ID" in f.reason for f in prop.fields)

    confirmed = import_file(db, path, workspace="w", timezone="Europe/Oslo", mapping=CONFIRM)
    assert confirmed.error is None and confirmed.imported == 30 and not confirmed.skipped
    assert confirmed.mapping_source == "confirmed"
    expected = {p.id: (p.metrics.reach, p.metrics.engagements, p.metrics.impressions)
                for p in open_export(en, workspace="w") if hasattr(p, "metrics")}  # fmt: skip
    assert _numbers(db) == expected

    # Another month's file with the same headers: no question, and nothing doubled.
    again, _ = _shuffled(tmp_path, "b.csv", n=35, seed=3)
    second = import_file(db, again, workspace="w", timezone="Europe/Oslo")
    assert second.proposal is None and second.mapping_source == "remembered"
    assert (second.imported, second.updated) == (5, 30)
    assert len(_numbers(db)) == 35


def test_learned_header_names_export_as_an_alias_patch(db: Database, tmp_path: Path) -> None:
    path, _ = _shuffled(tmp_path, "a.csv")
    import_file(db, path, workspace="w", timezone="Europe/Oslo", mapping=CONFIRM)
    patch = yaml.safe_load(alias_patch(db, "w"))
    assert patch["fields"]["reach"] == ["Reichweite"]
    assert "Geteilte Inhalte" in patch["fields"]["shares"]


def test_a_mapping_naming_a_column_the_file_lacks_is_refused_precisely(tmp_path: Path) -> None:
    path, _ = _shuffled(tmp_path, "a.csv")
    with pytest.raises(Invalid, match="no such column"):
        open_export(path, workspace="w", mapping={"reach": "Räckvidd"})
    with pytest.raises(MappingNeeded):
        open_export(path, workspace="w")


def test_map_options_and_files_parse_into_one_mapping(tmp_path: Path) -> None:
    f = tmp_path / "m.json"
    f.write_text('{"mapping": {"reach": "Räckvidd"}}', encoding="utf-8")
    assert parse_mapping(["views=Visningar"], f) == {"reach": "Räckvidd", "views": "Visningar"}
    with pytest.raises(Invalid, match="field=column"):
        parse_mapping(["reach"])


def test_views_then_impressions_in_one_workspace_is_reported(db: Database, tmp_path: Path) -> None:
    for layout, name in ((0, "views.csv"), (1, "impr.csv")):
        header, rows = english("meta_facebook_posts", layout, 5, seed=layout)
        (tmp_path / name).write_text(to_csv(header, rows), encoding="utf-8")
    first = import_file(db, tmp_path / "views.csv", workspace="w", timezone="Europe/Oslo")
    second = import_file(db, tmp_path / "impr.csv", workspace="w", timezone="Europe/Oslo")
    assert not first.warnings
    assert any("changed meaning" in w and "views.csv" in w for w in second.warnings)


def test_a_file_where_every_row_has_the_same_id_warns(db: Database, tmp_path: Path) -> None:
    header, rows = english("meta_facebook_posts", 0, 12)
    for r in rows:
        r[0] = "1900000000000000"
    (tmp_path / "same.csv").write_text(to_csv(header, rows), encoding="utf-8")
    report = import_file(db, tmp_path / "same.csv", workspace="w", timezone="Europe/Oslo")
    assert any("same post ID" in w for w in report.warnings)


def test_the_mapping_tables_migrate_down_and_up(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect

    from service.storage.db import MIGRATIONS

    database = Database(f"sqlite:///{tmp_path / 'm.sqlite'}")
    database.migrate()
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with database.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005")
    assert "import_mappings" not in inspect(database.engine).get_table_names()
    database.migrate()
    assert {"import_mappings", "import_field_sources"} <= set(
        inspect(database.engine).get_table_names()
    )
