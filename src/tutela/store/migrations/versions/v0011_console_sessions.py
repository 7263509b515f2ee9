"""The console's sessions in the store, admins' pending logins and the last TOTP step (issue 19).

Revision ID: 0011_console_sessions
Revises: 0010_console
Create Date: 2027-01-27

Creates ``tutela_console_session`` (sessions shared by every server process, by the
SHA-256 of their id) and ``tutela_console_pending`` (an admin's right password waiting for
a TOTP code), and adds ``totp_step`` to ``tutela_staff_login`` (the last step accepted, so
no code is used twice), all of :mod:`tutela.store.console`. Idempotent
(:mod:`tutela.store.migrations.steps`).
"""

from __future__ import annotations

from alembic import op

from tutela.store import console as t
from tutela.store.migrations.steps import add_column, create_index, create_table

revision = "0011_console_sessions"
down_revision = "0010_console"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the step column and create the two tables and the sessions' login index."""
    add_column(t.STAFF_LOGIN, t.totp_step_column())
    create_table(t.CONSOLE_SESSION, *t.session_columns())
    create_index(t.CONSOLE_SESSION_LOGIN_INDEX, t.CONSOLE_SESSION, ["login_id"])
    create_table(t.CONSOLE_PENDING, *t.pending_columns())


def downgrade() -> None:
    """Drop the two tables and the step column."""
    op.drop_table(t.CONSOLE_PENDING)
    op.drop_table(t.CONSOLE_SESSION)
    with op.batch_alter_table(t.STAFF_LOGIN) as batch:  # SQLite rebuilds the table
        batch.drop_column("totp_step")
