"""The statement versions the privacy centre served, for reading earlier versions (NT-1).

Revision ID: 0012_statement_versions
Revises: 0011_console_sessions
Create Date: 2027-01-27

Creates ``tutela_statement_version`` of :mod:`tutela.store.statements`. Idempotent
(:mod:`tutela.store.migrations.steps`): a table that exists already is left as it is.
"""

from __future__ import annotations

from alembic import op

from tutela.store import statements as t
from tutela.store.migrations.steps import create_table

revision = "0012_statement_versions"
down_revision = "0011_console_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the table, if missing."""
    create_table(t.STATEMENT_VERSION, *t.statement_version_columns())


def downgrade() -> None:
    """Drop the table."""
    op.drop_table(t.STATEMENT_VERSION)
