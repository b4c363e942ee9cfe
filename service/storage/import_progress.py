"""How far each file of a background import has come (rows parsed, stored, embedded) and its
report so far: the job's items say which files are done; this says how far the running one is,
and keeps a refused file's report (skipped rows and reasons) beside the item's error."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from service.storage.tables import Base, UTCDateTime


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ImportProgressRow(Base):
    __tablename__ = "import_progress"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    stage: Mapped[str] = mapped_column(String(16), default="queued")
    rows_total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    parsed: Mapped[int] = mapped_column(Integer, default=0)
    stored: Mapped[int] = mapped_column(Integer, default=0)
    embedded: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=_now, onupdate=_now)


STAGES = ("queued", "parsing", "embedding", "done", "failed")


class ImportProgressRepo:
    def __init__(self, session: Session) -> None:
        self.s = session

    def create(self, job_id: str, files: list[tuple[str, str, int | None]]) -> None:
        """One row per file: (item key, file name as sent, estimated data rows)."""
        for key, name, total in files:
            self.s.add(ImportProgressRow(job_id=job_id, key=key, name=name, rows_total=total))
        self.s.flush()

    def update(self, job_id: str, key: str, **fields: Any) -> None:
        row = self.s.get(ImportProgressRow, (job_id, key))
        if row is None:
            return  # the job was deleted with its workspace while the file was read
        for name, value in fields.items():
            if name == "stage" and value not in STAGES:
                raise ValueError(f"unknown import stage {value!r}")
            setattr(row, name, value)
        row.updated_at = _now()
        self.s.flush()

    def of_job(self, job_id: str) -> list[dict[str, Any]]:
        rows = self.s.scalars(
            select(ImportProgressRow)
            .where(ImportProgressRow.job_id == job_id)
            .order_by(ImportProgressRow.key)
        )
        return [
            {
                "key": r.key,
                "name": r.name,
                "stage": r.stage,
                "rows_total": r.rows_total,
                "parsed": r.parsed,
                "stored": r.stored,
                "embedded": r.embedded,
                "report": r.report,
            }
            for r in rows
        ]
