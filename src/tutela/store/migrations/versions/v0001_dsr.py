"""DSR batches, checkpoints and restrictions.

Revision ID: 0001_dsr
Revises:
Create Date: 2026-11-25

Idempotent (:mod:`tutela.store.migrations.steps`): a table or index that exists
already (a first migration killed half-way on MariaDB, whose DDL is not
transactional) is left as it is and the rest is created.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tutela.store.migrations.steps import create_index, create_table
from tutela.store.tables import LongText, UtcDateTime

revision = "0001_dsr"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the batch, checkpoint and restriction tables that are missing."""
    create_table(
        "tutela_dsr_batch",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("requests", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("finished_at", UtcDateTime, nullable=True),
    )
    create_table(
        "tutela_dsr_checkpoint",
        sa.Column(
            "batch_id",
            sa.String(64),
            sa.ForeignKey("tutela_dsr_batch.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("step", sa.String(255), primary_key=True),
        sa.Column("payload", LongText, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    create_table(
        "tutela_restriction",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("identity", sa.String(120), nullable=False),
        sa.Column("value", sa.String(500), nullable=False),
        sa.Column("allowed", sa.Text, nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("batch_id", sa.String(64), nullable=False),
        sa.Column("collection", sa.String(255), nullable=False, server_default=""),
        sa.Column("field", sa.String(255), nullable=False, server_default=""),
        sa.Column("until", UtcDateTime, nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    create_index("ix_tutela_restriction_subject", "tutela_restriction", ["identity", "value"])


def downgrade() -> None:
    """Drop the tables."""
    op.drop_index("ix_tutela_restriction_subject", "tutela_restriction")
    op.drop_table("tutela_restriction")
    op.drop_table("tutela_dsr_checkpoint")
    op.drop_table("tutela_dsr_batch")
