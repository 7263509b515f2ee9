"""The ledger: its entries (the transparency log's leaves) and its signed checkpoints.

Revision ID: 0003_ledger
Revises: 0002_batch_lifecycle
Create Date: 2026-12-02

Idempotent (:mod:`tutela.store.migrations.steps`): a table that exists already (a
migration interrupted on MariaDB, whose DDL is not transactional) is left as it is.
"""

from __future__ import annotations

from alembic import op

from tutela.store.ledger_tables import checkpoint_columns, entry_columns
from tutela.store.migrations.steps import create_table

revision = "0003_ledger"
down_revision = "0002_batch_lifecycle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the ledger's entry and checkpoint tables that are missing."""
    create_table("tutela_ledger_entry", *entry_columns())
    create_table("tutela_ledger_checkpoint", *checkpoint_columns())


def downgrade() -> None:
    """Drop the ledger's tables."""
    op.drop_table("tutela_ledger_checkpoint")
    op.drop_table("tutela_ledger_entry")
