"""The request lifecycle: a request's details and residence, and what it keeps for a while.

Revision ID: 0005_lifecycle
Revises: 0004_requests
Create Date: 2026-12-16

Adds ``details`` and ``residence`` to ``tutela_request`` and creates the tables of
:mod:`tutela.store.lifecycle_tables` (sealed identities, one-time codes, rate events,
answers, Art. 19 notifications). Idempotent (:mod:`tutela.store.migrations.steps`): a
column, table or index that exists already (a migration interrupted on MariaDB) is left
as it is.
"""

from __future__ import annotations

from alembic import op

from tutela.store import lifecycle_tables as t
from tutela.store.migrations.steps import add_column, create_index, create_table
from tutela.store.request_tables import SUBJECT_INDEX, lifecycle_request_columns

revision = "0005_lifecycle"
down_revision = "0004_requests"
branch_labels = None
depends_on = None

REQUEST = "tutela_request"


def upgrade() -> None:
    """Add the request's new columns and create the lifecycle tables, if missing."""
    for column in lifecycle_request_columns():
        add_column(REQUEST, column)
    create_table(t.SECRET, *t.secret_columns())
    create_table(t.CODE, *t.code_columns())
    create_table(t.RATE_EVENT, *t.rate_event_columns())
    create_table(t.ANSWER, *t.answer_columns())
    create_table(t.NOTIFICATION, *t.notification_columns())
    create_index(t.RATE_KEY_INDEX, t.RATE_EVENT, ["key", "at"])
    create_index(
        t.NOTIFICATION_RECIPIENT_INDEX, t.NOTIFICATION, ["request_id", "recipient"], unique=True
    )
    create_index(t.NOTIFICATION_DUE_INDEX, t.NOTIFICATION, ["state", "next_at"])
    create_index(SUBJECT_INDEX, REQUEST, ["subject", "received_at"])


def downgrade() -> None:
    """Drop the lifecycle tables and the request's new columns."""
    op.drop_index(SUBJECT_INDEX, table_name=REQUEST)
    for table in (t.NOTIFICATION, t.ANSWER, t.RATE_EVENT, t.CODE, t.SECRET):
        op.drop_table(table)
    with op.batch_alter_table(REQUEST) as batch:  # SQLite rebuilds the table
        for column in lifecycle_request_columns():
            batch.drop_column(column.name)
