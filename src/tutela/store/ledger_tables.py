"""The ledger's tables in tutela's store: entries (the log's leaves) and signed checkpoints.

``tutela_ledger_entry`` holds one row per entry: its sequence number (the leaf index),
its canonical JSON (:meth:`tutela.ledger.entries.Entry.encode`, ids and digests only)
and the leaf hash recorded when it was appended (64 hex digits), so an entry edited
later is named by ``tutela ledger verify``. ``tutela_ledger_checkpoint`` holds the
signed checkpoint notes (C2SP), one per tree size. Declared on the same
:data:`tutela.store.tables.metadata`; created by migration ``0003_ledger``.

``request`` (migration ``0015_ledger_request_index``) repeats the request id of the
entry's JSON, written on append, so one request's entries are found through the index
:data:`REQUEST_INDEX` instead of by reading the whole log. It is derived data outside
what the log hashes (the leaf is the entry's JSON alone); the audit checks that it names
the entry's own request (:mod:`tutela.store.ledger_audit`).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from tutela.store.tables import UtcDateTime, metadata

ENTRY_TEXT = 512
"""Longest canonical entry: seven short fields (ids, two 66-character digests)."""


def entry_columns() -> list[sa.Column[object]]:
    """The columns of ``tutela_ledger_entry`` (shared with the migration)."""
    return [
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("entry", sa.String(ENTRY_TEXT), nullable=False),
        sa.Column("leaf_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    ]


REQUEST_TEXT = 64
"""Longest request id an entry holds (:mod:`tutela.ledger.entries`)."""

REQUEST_INDEX = "ix_tutela_ledger_entry_request"
"""The index of one request's entries in sequence order: ``(request, seq)``."""


def request_column() -> sa.Column[object]:
    """The ``request`` column ``0015_ledger_request_index`` adds (shared with the migration).

    Compared by case on every store: request ids differ by case (``ascii_bin`` on
    MariaDB, whose default collation would match ``REQ-1`` with ``req-1``; it still
    ignores trailing spaces, which :meth:`tutela.store.ledger.SqlLedger.rows_of` checks).
    NULL only in a row written by hand or one whose JSON names no request.
    """
    exact = mysql.VARCHAR(REQUEST_TEXT, charset="ascii", collation="ascii_bin")
    text = sa.String(REQUEST_TEXT).with_variant(exact, "mysql", "mariadb")
    return sa.Column("request", text, nullable=True)


def checkpoint_columns() -> list[sa.Column[object]]:
    """The columns of ``tutela_ledger_checkpoint`` (shared with the migration)."""
    return [
        sa.Column("size", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    ]


ledger_entry = sa.Table("tutela_ledger_entry", metadata, *entry_columns(), request_column())
sa.Index(REQUEST_INDEX, ledger_entry.c.request, ledger_entry.c.seq)
ledger_checkpoint = sa.Table("tutela_ledger_checkpoint", metadata, *checkpoint_columns())
