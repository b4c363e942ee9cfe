"""profile audits

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "profile_audits",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("workspace", sa.String(length=63), nullable=False),
        sa.Column("overall", sa.Integer(), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("profiles", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace"],
            ["workspaces.slug"],
            name=op.f("fk_profile_audits_workspace_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profile_audits")),
    )
    with op.batch_alter_table("profile_audits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_profile_audits_workspace"), ["workspace"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("profile_audits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_profile_audits_workspace"))
    op.drop_table("profile_audits")
