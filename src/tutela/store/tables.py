"""tutela's own tables (SQLAlchemy 2.0 Core): DSR batches, their checkpoints, restrictions.

What they hold about a subject is minimal (docs/dsr.md, "What tutela keeps"): a
batch keeps its type, size, status, a keyed digest of its requests and counts per
collection; checkpoints (matched keys, computed values, answers awaiting
delivery) live only while the batch is open or its answers await delivery;
restrictions name subjects by keyed hash only.

Timestamps are stored in UTC and come back timezone-aware on every backend.
Created and upgraded only through the Alembic migrations beside this module.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

metadata = sa.MetaData()


class UtcDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware timestamp stored as UTC (SQLite and MariaDB keep no zone)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        """Convert to naive UTC before storing; reject naive input."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("tutela stores only timezone-aware timestamps")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> datetime | None:
        """Give back an aware UTC timestamp."""
        if value is None:
            return None
        stamp: datetime = value
        return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


LongText = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
"""Text without MariaDB's 64 KiB TEXT limit (checkpoint payloads can be large)."""

dsr_batch = sa.Table(
    "tutela_dsr_batch",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("type", sa.String(20), nullable=False),
    sa.Column("requests", sa.Integer, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("finished_at", UtcDateTime, nullable=True),
    sa.Column("digest", sa.String(80), nullable=False, server_default=""),
    sa.Column("counts", sa.Text, nullable=False, server_default="{}"),
    sa.Column("lease_until", UtcDateTime, nullable=True),
    sa.Column("expires_at", UtcDateTime, nullable=True),
)

dsr_checkpoint = sa.Table(
    "tutela_dsr_checkpoint",
    metadata,
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

restriction = sa.Table(
    "tutela_restriction",
    metadata,
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
    sa.Index("ix_tutela_restriction_subject", "identity", "value"),
)
