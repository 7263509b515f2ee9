"""tutela as a service: staff API keys, job steps and the privacy@ mailbox (issue 16).

Revision ID: 0006_service
Revises: 0005_lifecycle
Create Date: 2026-12-20

Creates the tables of :mod:`tutela.store.service_tables`. Idempotent
(:mod:`tutela.store.migrations.steps`): a table or index that exists already (a migration
interrupted on MariaDB) is left as it is.
"""

from __future__ import annotations

from alembic import op

from tutela.store import service_tables as t
from tutela.store.migrations.steps import create_index, create_table

revision = "0006_service"
down_revision = "0005_lifecycle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the service's tables and their indexes, if missing."""
    create_table(t.API_KEY, *t.api_key_columns())
    create_table(t.JOB, *t.job_columns())
    create_table(t.MAIL, *t.mail_columns())
    create_index(t.API_KEY_PREFIX_INDEX, t.API_KEY, ["prefix"], unique=True)
    create_index(t.JOB_READY_INDEX, t.JOB, ["state", "ready_at"])
    create_index(t.MAIL_MESSAGE_INDEX, t.MAIL, ["message"], unique=True)
    create_index(t.MAIL_STATE_INDEX, t.MAIL, ["state", "received_at"])


def downgrade() -> None:
    """Drop the service's tables."""
    for table in (t.MAIL, t.JOB, t.API_KEY):
        op.drop_table(table)
