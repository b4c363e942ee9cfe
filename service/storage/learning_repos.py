"""Repositories for the learning tables: rows in, domain models out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service.errors import NotFound
from service.learning.reuse import ReuseLink
from service.learning.rules import StyleRule
from service.learning.voice import BrandVoice
from service.storage.learning_tables import (
    BrandVoiceRow,
    ReuseLinkRow,
    StyleRuleRow,
    StyleRuleVersionRow,
)

_FIELDS = [
    "workspace",
    "kind",
    "scope",
    "scope_value",
    "params",
    "evidence",
    "support",
    "considered",
    "source",
    "enabled",
    "version",
    "updated_at",
]


def _rule(row: StyleRuleRow) -> StyleRule:
    data = {"id": row.id} | {f: getattr(row, f) for f in _FIELDS}
    if data["updated_at"].tzinfo is None:  # SQLite hands back naive datetimes; they were UTC
        data["updated_at"] = data["updated_at"].replace(tzinfo=dt.UTC)
    return StyleRule.model_validate(data)


class StyleRuleRepo:
    def __init__(self, session: Session) -> None:
        self.s = session

    def for_workspace(self, workspace: str) -> list[StyleRule]:
        rows = self.s.scalars(
            select(StyleRuleRow)
            .where(StyleRuleRow.workspace == workspace)
            .order_by(StyleRuleRow.kind, StyleRuleRow.id)
        )
        return [_rule(r) for r in rows]

    def get(self, workspace: str, rule_id: str) -> StyleRule:
        row = self.s.get(StyleRuleRow, rule_id)
        if row is None or row.workspace != workspace:
            raise NotFound(f"style rule {rule_id} not found in workspace {workspace}")
        return _rule(row)

    def add(self, rule: StyleRule) -> StyleRule:
        data = rule.model_dump(mode="json")
        row = StyleRuleRow(id=rule.id, **{f: data[f] for f in _FIELDS if f != "updated_at"})
        row.updated_at = rule.updated_at
        self.s.add(row)
        self.s.flush()
        return rule

    def update(self, workspace: str, rule_id: str, **changes: object) -> StyleRule:
        """A new version (the old one kept in history); bad params raise a ValidationError."""
        old = self.get(workspace, rule_id)
        new = old.revised(**changes)
        self._archive(old, deleted=False)
        row = self.s.get(StyleRuleRow, rule_id)
        assert row is not None
        data = new.model_dump(mode="json")
        for f in _FIELDS:
            setattr(row, f, new.updated_at if f == "updated_at" else data[f])
        self.s.flush()
        return new

    def delete(self, workspace: str, rule_id: str) -> None:
        old = self.get(workspace, rule_id)
        self._archive(old, deleted=True)
        self.s.execute(delete(StyleRuleRow).where(StyleRuleRow.id == rule_id))

    def history(self, workspace: str, rule_id: str) -> list[StyleRule]:
        rows = self.s.scalars(
            select(StyleRuleVersionRow)
            .where(
                StyleRuleVersionRow.workspace == workspace, StyleRuleVersionRow.rule_id == rule_id
            )
            .order_by(StyleRuleVersionRow.version)
        )
        return [StyleRule.model_validate(r.snapshot) for r in rows]

    def dismissed_keys(self, workspace: str) -> list[tuple[str, ...]]:
        """What people deleted: mining must not propose these again."""
        rows = self.s.scalars(
            select(StyleRuleVersionRow).where(
                StyleRuleVersionRow.workspace == workspace, StyleRuleVersionRow.deleted.is_(True)
            )
        )
        return [StyleRule.model_validate(r.snapshot).key() for r in rows]

    def _archive(self, rule: StyleRule, *, deleted: bool) -> None:
        self.s.add(
            StyleRuleVersionRow(
                rule_id=rule.id,
                version=rule.version,
                workspace=rule.workspace,
                snapshot=rule.model_dump(mode="json"),
                deleted=deleted,
            )
        )
        self.s.flush()


class BrandVoiceRepo:
    def __init__(self, session: Session) -> None:
        self.s = session

    def get(self, workspace: str) -> BrandVoice | None:
        row = self.s.get(BrandVoiceRow, workspace)
        return BrandVoice.model_validate(row.voice) if row is not None else None

    def save(self, workspace: str, voice: BrandVoice) -> BrandVoice:
        row = self.s.get(BrandVoiceRow, workspace) or BrandVoiceRow(workspace=workspace)
        row.voice = voice.model_dump(mode="json")
        self.s.add(row)
        self.s.flush()
        return voice


class ReuseLinkRepo:
    def __init__(self, session: Session) -> None:
        self.s = session

    def replace(self, workspace: str, links: Sequence[ReuseLink]) -> None:
        """Linking is recomputed from all drafts and posts after each import: replace, not merge."""
        self.s.execute(delete(ReuseLinkRow).where(ReuseLinkRow.workspace == workspace))
        for lk in links:
            self.s.add(ReuseLinkRow(workspace=workspace, **lk.model_dump()))
        self.s.flush()

    def for_workspace(self, workspace: str) -> list[ReuseLink]:
        rows = self.s.scalars(
            select(ReuseLinkRow)
            .where(ReuseLinkRow.workspace == workspace)
            .order_by(ReuseLinkRow.draft_id)
        )
        fields = ("draft_id", "post_id", "channel", "source_post_id", "method", "similarity")
        return [ReuseLink.model_validate({f: getattr(r, f) for f in fields}) for r in rows]
