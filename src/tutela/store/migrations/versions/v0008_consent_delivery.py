"""Choices pushed to systems, and announced changes of the statement (issue 17).

Revision ID: 0008_consent_delivery
Revises: 0007_consent
Create Date: 2027-01-05

Creates the propagation, announcement and announcement-mail tables of
:mod:`tutela.store.consent_tables`. Idempotent (:mod:`tutela.store.migrations.steps`): a
table or index that exists already (a migration interrupted on MariaDB) is left as it is.
"""

from __future__ import annotations

from alembic import op

from tutela.store import consent_tables as t
from tutela.store.migrations.steps import create_index, create_table

revision = "0008_consent_delivery"
down_revision = "0007_consent"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the tables and their indexes, if missing."""
    create_table(t.PROPAGATION, *t.propagation_columns())
    create_table(t.ANNOUNCEMENT, *t.announcement_columns())
    create_table(t.ANNOUNCEMENT_MAIL, *t.announcement_mail_columns())
    create_index(t.PROPAGATION_DUE_INDEX, t.PROPAGATION, ["state", "next_at"])
    create_index(t.PROPAGATION_EVENT_INDEX, t.PROPAGATION, ["event_id"])
    create_index(t.ANNOUNCEMENT_VERSION_INDEX, t.ANNOUNCEMENT, ["version"], unique=True)


def downgrade() -> None:
    """Drop the tables."""
    for table in (t.ANNOUNCEMENT_MAIL, t.ANNOUNCEMENT, t.PROPAGATION):
        op.drop_table(table)
