"""One request's ledger entries found through an index, not by reading the whole log.

Revision ID: 0015_ledger_request_index
Revises: 0014_rate_windows
Create Date: 2027-03-01

Adds ``request`` to ``tutela_ledger_entry`` (:func:`tutela.store.ledger_tables.request_column`),
fills it from each existing entry's JSON in batches of :data:`BATCH` rows (walking the
primary key, so memory stays flat at any size), then creates the index ``(request, seq)``.
The entries' text and recorded leaf hashes are not touched: the log, its checkpoints and
its proofs stay as they were. Idempotent (:mod:`tutela.store.migrations.steps`): run again
after a kill, it adds nothing twice and fills only the rows still empty.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from tutela.store.ledger_tables import REQUEST_INDEX, REQUEST_TEXT, request_column
from tutela.store.migrations.steps import add_column, create_index

revision = "0015_ledger_request_index"
down_revision = "0014_rate_windows"
branch_labels = None
depends_on = None

ENTRY = "tutela_ledger_entry"
BATCH = 2_000
"""Rows read and updated per statement while filling the column."""

_entry = sa.table(ENTRY, sa.column("seq"), sa.column("entry"), sa.column("request"))


def upgrade() -> None:
    """Add the column, fill it from the entries, and index it, each step only if missing."""
    add_column(ENTRY, request_column())
    _fill(op.get_bind())
    create_index(REQUEST_INDEX, ENTRY, ["request", "seq"])


def downgrade() -> None:
    """Drop the index and the column (the entries stay as they are)."""
    op.drop_index(REQUEST_INDEX, table_name=ENTRY)
    with op.batch_alter_table(ENTRY) as batch:  # SQLite rebuilds the table
        batch.drop_column("request")


def _fill(connection: sa.Connection) -> None:
    """Copy each entry's request id into its row, :data:`BATCH` rows at a time."""
    update = (
        sa.update(_entry)
        .where(_entry.c.seq == sa.bindparam("at"))
        .values(request=sa.bindparam("named"))
    )
    last = -1
    while True:
        query = (
            sa.select(_entry.c.seq, _entry.c.entry)
            .where(_entry.c.seq > last, _entry.c.request.is_(None))
            .order_by(_entry.c.seq)
            .limit(BATCH)
        )
        rows = connection.execute(query).all()
        if not rows:
            return
        named = [{"at": row.seq, "named": request_of(row.entry)} for row in rows]
        filled = [row for row in named if row["named"] is not None]
        if filled:
            connection.execute(update, filled)
        last = rows[-1].seq


def request_of(text: str) -> str | None:
    """The request id in an entry's JSON; None for text that is not an entry (left empty).

    A row left empty is not found by its request; ``tutela ledger verify`` names it.
    """
    try:
        value = json.loads(text).get("request")
    except (ValueError, AttributeError):
        return None
    if not isinstance(value, str) or not value.isascii():
        return None
    return value if 0 < len(value) <= REQUEST_TEXT else None
