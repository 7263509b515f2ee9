"""Batches keep a keyed digest of their requests, counts, a lease and an expiry.

Revision ID: 0002_batch_lifecycle
Revises: 0001_dsr
Create Date: 2026-11-29

Idempotent: a column that exists already (a migration interrupted on MariaDB,
whose DDL is not transactional) is left as it is.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tutela.store.tables import UtcDateTime

revision = "0002_batch_lifecycle"
down_revision = "0001_dsr"
branch_labels = None
depends_on = None

TABLE = "tutela_dsr_batch"


def _columns() -> list[sa.Column[object]]:
    return [
        sa.Column("digest", sa.String(80), nullable=False, server_default=""),
        sa.Column("counts", sa.Text, nullable=False, server_default="{}"),
        sa.Column("lease_until", UtcDateTime, nullable=True),
        sa.Column("expires_at", UtcDateTime, nullable=True),
    ]


def upgrade() -> None:
    """Add the lifecycle columns that are missing."""
    present = {column["name"] for column in sa.inspect(op.get_bind()).get_columns(TABLE)}
    for column in _columns():
        if column.name not in present:
            op.add_column(TABLE, column)


def downgrade() -> None:
    """Drop the lifecycle columns."""
    for column in _columns():
        op.drop_column(TABLE, column.name)
