"""The console's staff logins: name, role, argon2 hash of the password (issue 19).

Revision ID: 0010_console
Revises: 0009_retention
Create Date: 2027-01-20

Creates ``tutela_staff_login`` of :mod:`tutela.store.console`. Idempotent
(:mod:`tutela.store.migrations.steps`): a table or index that exists already (a migration
interrupted on MariaDB) is left as it is.
"""

from __future__ import annotations

from alembic import op

from tutela.store import console as t
from tutela.store.migrations.steps import create_index, create_table

revision = "0010_console"
down_revision = "0009_retention"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the table and its unique index on the name, if missing."""
    create_table(t.STAFF_LOGIN, *t.staff_login_columns())
    create_index(t.STAFF_LOGIN_NAME_INDEX, t.STAFF_LOGIN, ["name"], unique=True)


def downgrade() -> None:
    """Drop the table."""
    op.drop_table(t.STAFF_LOGIN)
