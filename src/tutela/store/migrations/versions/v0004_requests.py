"""Data-subject requests: one row per request, its state and deadline (issue 15).

Revision ID: 0004_requests
Revises: 0003_ledger
Create Date: 2026-12-09

Idempotent (:mod:`tutela.store.migrations.steps`): a table or index that exists
already (a migration interrupted on MariaDB) is left as it is.
"""

from __future__ import annotations

from alembic import op

from tutela.store.migrations.steps import create_index, create_table
from tutela.store.request_tables import STATE_DUE_INDEX, request_columns

revision = "0004_requests"
down_revision = "0003_ledger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the request table and its index on state and due date, if missing."""
    create_table("tutela_request", *request_columns())
    create_index(STATE_DUE_INDEX, "tutela_request", ["state", "due_date"])


def downgrade() -> None:
    """Drop the request table."""
    op.drop_index(STATE_DUE_INDEX, table_name="tutela_request")
    op.drop_table("tutela_request")
