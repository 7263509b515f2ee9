"""The moderation queue of community posts held for staff (seed §9, issue 20).

Revision ID: 0013_moderation
Revises: 0012_statement_versions
Create Date: 2027-02-10

Creates ``tutela_moderation`` of :mod:`tutela.store.moderation` and its indexes (the open
queue by status and arrival; a post's rows by its platform id). Idempotent
(:mod:`tutela.store.migrations.steps`): a table or index that exists already is left as it is.
"""

from __future__ import annotations

from alembic import op

from tutela.store import moderation as t
from tutela.store.migrations.steps import create_index, create_table

revision = "0013_moderation"
down_revision = "0012_statement_versions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the table and its indexes, if missing."""
    create_table(t.MODERATION, *t.moderation_columns())
    create_index(t.MODERATION_QUEUE_INDEX, t.MODERATION, ["status", "received_at"])
    create_index(t.MODERATION_POST_INDEX, t.MODERATION, ["post"])


def downgrade() -> None:
    """Drop the table."""
    op.drop_table(t.MODERATION)
