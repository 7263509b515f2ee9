"""Subjects' choices: consent, objections, restrictions and opt-outs (issue 17).

Revision ID: 0007_consent
Revises: 0006_service
Create Date: 2026-12-30

Creates the table of :mod:`tutela.store.consent_tables`. Idempotent
(:mod:`tutela.store.migrations.steps`): a table or index that exists already (a migration
interrupted on MariaDB) is left as it is.
"""

from __future__ import annotations

from alembic import op

from tutela.store import consent_tables as t
from tutela.store.migrations.steps import create_index, create_table

revision = "0007_consent"
down_revision = "0006_service"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the choice events' table and its indexes, if missing."""
    create_table(t.CHOICE_EVENT, *t.choice_event_columns())
    create_index(t.CHOICE_ID_INDEX, t.CHOICE_EVENT, ["id"], unique=True)
    create_index(t.CHOICE_SUBJECT_INDEX, t.CHOICE_EVENT, ["subject", "purpose", "at"])


def downgrade() -> None:
    """Drop the choice events' table."""
    op.drop_table(t.CHOICE_EVENT)
