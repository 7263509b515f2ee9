"""The rate limits shared by every process: subjects' submissions, preference links, logins.

Revision ID: 0014_rate_windows
Revises: 0013_moderation
Create Date: 2027-02-24

Creates ``tutela_rate_window`` of :mod:`tutela.store.rate_windows` (one row per keyed
digest of a rate key: the times its window still counts, and when the newest leaves it)
and its index on that expiry, which the purge reads. Idempotent
(:mod:`tutela.store.migrations.steps`): a table or index that exists already is left as it is.
"""

from __future__ import annotations

from alembic import op

from tutela.store import rate_windows as t
from tutela.store.migrations.steps import create_index, create_table

revision = "0014_rate_windows"
down_revision = "0013_moderation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the table and its index, if missing."""
    create_table(t.RATE_WINDOW, *t.rate_window_columns())
    create_index(t.RATE_WINDOW_EXPIRY_INDEX, t.RATE_WINDOW, ["expires"])


def downgrade() -> None:
    """Drop the table."""
    op.drop_table(t.RATE_WINDOW)
