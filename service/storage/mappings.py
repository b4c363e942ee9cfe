"""Column mappings people confirmed, per workspace and header signature, and which field each
metric was read from (so a file that switches `Views` for `Impressions` is reported)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from service.storage.tables import Base


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ImportMappingRow(Base):
    __tablename__ = "import_mappings"
    __table_args__ = (UniqueConstraint("workspace", "signature"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(
        ForeignKey("workspaces.slug", ondelete="CASCADE"), index=True
    )
    signature: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(64))
    mapping: Mapped[dict[str, str]] = mapped_column(JSON)
    columns: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ImportSourceRow(Base):
    __tablename__ = "import_field_sources"
    __table_args__ = (UniqueConstraint("workspace", "format", "metric"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace: Mapped[str] = mapped_column(ForeignKey("workspaces.slug", ondelete="CASCADE"))
    format: Mapped[str] = mapped_column(String(64))
    metric: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(64))
    file: Mapped[str] = mapped_column(String(255), default="")


class MappingRepo:
    def __init__(self, session: Session) -> None:
        self.s = session

    def get(self, workspace: str, signature: str) -> dict[str, str] | None:
        row = self.s.scalar(
            select(ImportMappingRow).where(
                ImportMappingRow.workspace == workspace, ImportMappingRow.signature == signature
            )
        )
        return dict(row.mapping) if row else None

    def save(
        self, workspace: str, signature: str, fmt: str, mapping: dict[str, str], columns: list[str]
    ) -> None:
        row = self.s.scalar(
            select(ImportMappingRow).where(
                ImportMappingRow.workspace == workspace, ImportMappingRow.signature == signature
            )
        )
        if row is None:
            row = ImportMappingRow(workspace=workspace, signature=signature)
        row.format, row.mapping, row.columns = fmt, dict(mapping), list(columns)
        row.updated_at = _now()
        self.s.add(row)
        self.s.flush()

    def all(self, workspace: str) -> list[dict[str, Any]]:
        rows = self.s.scalars(
            select(ImportMappingRow)
            .where(ImportMappingRow.workspace == workspace)
            .order_by(ImportMappingRow.id)
        )
        return [
            {"signature": r.signature, "format": r.format, "mapping": dict(r.mapping)} for r in rows
        ]

    def swap_sources(
        self, workspace: str, fmt: str, sources: dict[str, str], file: str
    ) -> list[tuple[str, str, str, str]]:
        """Store where each metric came from; return (metric, before, now, earlier file) for
        each metric whose source changed since the workspace's earlier files."""
        changed: list[tuple[str, str, str, str]] = []
        for metric, source in sources.items():
            row = self.s.scalar(
                select(ImportSourceRow).where(
                    ImportSourceRow.workspace == workspace,
                    ImportSourceRow.format == fmt,
                    ImportSourceRow.metric == metric,
                )
            )
            if row is None:
                self.s.add(
                    ImportSourceRow(
                        workspace=workspace, format=fmt, metric=metric, source=source, file=file
                    )
                )
                continue
            if row.source != source:
                changed.append((metric, row.source, source, row.file))
                row.source, row.file = source, file
        self.s.flush()
        return changed
