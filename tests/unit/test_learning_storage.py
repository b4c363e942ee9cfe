"""Style rules, voice and reuse links survive a round trip through the migrated schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from service.domain import Workspace
from service.errors import NotFound
from service.learning.reuse import ReuseLink
from service.learning.rules import RuleKind, ScopeType, StyleRule
from service.learning.voice import BrandVoice
from service.storage.db import Database
from service.storage.learning_repos import BrandVoiceRepo, ReuseLinkRepo, StyleRuleRepo
from service.storage.learning_tables import StyleRuleRow
from service.storage.repositories import WorkspaceRepo


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'g.db'}")
    database.migrate()
    with database.session() as s:
        WorkspaceRepo(s).save(Workspace(slug="w", name="W"))
    return database


def test_migration_matches_the_tables(db: Database) -> None:
    cols = {c["name"] for c in inspect(db.engine).get_columns("style_rules")}
    assert cols == set(StyleRuleRow.__table__.columns.keys())
    assert {"style_rule_versions", "brand_voices", "reuse_links"} <= set(
        inspect(db.engine).get_table_names()
    )


def test_rules_are_versioned_and_deletions_remembered(db: Database) -> None:
    rule = StyleRule(
        workspace="w",
        kind=RuleKind.hashtag_cap,
        params={"max": 3},
        scope=ScopeType.channel,
        scope_value="instagram",
    )
    with db.session() as s:
        StyleRuleRepo(s).add(rule)
    with db.session() as s:
        repo = StyleRuleRepo(s)
        new = repo.update("w", rule.id, params={"max": 2}, enabled=False)
        assert (new.version, new.params, new.enabled) == (2, {"max": 2}, False)
    with db.session() as s:
        repo = StyleRuleRepo(s)
        assert repo.for_workspace("w") == [new]
        assert [r.params for r in repo.history("w", rule.id)] == [{"max": 3}]
        repo.delete("w", rule.id)
    with db.session() as s:
        repo = StyleRuleRepo(s)
        assert repo.for_workspace("w") == []
        assert repo.dismissed_keys("w") == [new.key()]
        with pytest.raises(NotFound, match="style rule"):
            repo.get("w", rule.id)


def test_voice_and_links_round_trip(db: Database) -> None:
    voice = BrandVoice(tone_words=["varm"], words_to_avoid=["billig"], address="dere")
    link = ReuseLink(
        draft_id="d1",
        post_id="p1",
        channel="instagram",
        source_post_id="s1",
        method="text",
        similarity=0.9,
    )
    with db.session() as s:
        BrandVoiceRepo(s).save("w", voice)
        ReuseLinkRepo(s).replace("w", [link])
    with db.session() as s:
        assert BrandVoiceRepo(s).get("w") == voice
        assert ReuseLinkRepo(s).for_workspace("w") == [link]
        ReuseLinkRepo(s).replace("w", [])
        assert ReuseLinkRepo(s).for_workspace("w") == []
