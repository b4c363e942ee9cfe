"""Tables for learning: style rules with their history, the brand voice, published-reuse links.

Kept apart from tables.py so the feature merges on its own; they share its Base (and naming), so
`Base.metadata` holds them once this module is imported."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from service.storage.tables import Base, _now


class StyleRuleRow(Base):
    __tablename__ = "style_rules"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    workspace: Mapped[str] = mapped_column(
        ForeignKey("workspaces.slug", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(16))
    scope_value: Mapped[str] = mapped_column(String(64), default="")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    support: Mapped[int] = mapped_column(Integer, default=0)
    considered: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(16))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class StyleRuleVersionRow(Base):
    """Every earlier version of a rule, and a tombstone when a person deletes one (so mining
    does not propose it again)."""

    __tablename__ = "style_rule_versions"

    rule_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace: Mapped[str] = mapped_column(
        ForeignKey("workspaces.slug", ondelete="CASCADE"), index=True
    )
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    saved_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class BrandVoiceRow(Base):
    __tablename__ = "brand_voices"

    workspace: Mapped[str] = mapped_column(
        ForeignKey("workspaces.slug", ondelete="CASCADE"), primary_key=True
    )
    voice: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ReuseLinkRow(Base):
    __tablename__ = "reuse_links"

    workspace: Mapped[str] = mapped_column(
        ForeignKey("workspaces.slug", ondelete="CASCADE"), primary_key=True
    )
    draft_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    post_id: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(32))
    source_post_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    method: Mapped[str] = mapped_column(String(8))
    similarity: Mapped[float] = mapped_column(Float)
