"""style rules, their versions, brand voice, reuse links

Revision ID: 0009
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _workspace_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workspace"],
        ["workspaces.slug"],
        name=op.f(f"fk_{table}_workspace_workspaces"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "style_rules",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("workspace", sa.String(length=63), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("scope_value", sa.String(length=64), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("support", sa.Integer(), nullable=False),
        sa.Column("considered", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _workspace_fk("style_rules"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_style_rules")),
    )
    with op.batch_alter_table("style_rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_style_rules_workspace"), ["workspace"], unique=False)
    op.create_table(
        "style_rule_versions",
        sa.Column("rule_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("workspace", sa.String(length=63), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        _workspace_fk("style_rule_versions"),
        sa.PrimaryKeyConstraint("rule_id", "version", name=op.f("pk_style_rule_versions")),
    )
    with op.batch_alter_table("style_rule_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_style_rule_versions_workspace"), ["workspace"], unique=False
        )
    op.create_table(
        "brand_voices",
        sa.Column("workspace", sa.String(length=63), nullable=False),
        sa.Column("voice", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _workspace_fk("brand_voices"),
        sa.PrimaryKeyConstraint("workspace", name=op.f("pk_brand_voices")),
    )
    op.create_table(
        "reuse_links",
        sa.Column("workspace", sa.String(length=63), nullable=False),
        sa.Column("draft_id", sa.String(length=36), nullable=False),
        sa.Column("post_id", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("source_post_id", sa.String(length=200), nullable=True),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        _workspace_fk("reuse_links"),
        sa.PrimaryKeyConstraint("workspace", "draft_id", name=op.f("pk_reuse_links")),
    )


def downgrade() -> None:
    op.drop_table("reuse_links")
    op.drop_table("brand_voices")
    with op.batch_alter_table("style_rule_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_style_rule_versions_workspace"))
    op.drop_table("style_rule_versions")
    with op.batch_alter_table("style_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_style_rules_workspace"))
    op.drop_table("style_rules")
