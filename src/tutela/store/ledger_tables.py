"""The ledger's tables in tutela's store: entries (the log's leaves) and signed checkpoints.

``tutela_ledger_entry`` holds one row per entry: its sequence number (the leaf index),
its canonical JSON (:meth:`tutela.ledger.entries.Entry.encode`, ids and digests only)
and the leaf hash recorded when it was appended (64 hex digits), so an entry edited
later is named by ``tutela ledger verify``. ``tutela_ledger_checkpoint`` holds the
signed checkpoint notes (C2SP), one per tree size. Declared on the same
:data:`tutela.store.tables.metadata`; created by migration ``0003_ledger``.
"""

from __future__ import annotations

import sqlalchemy as sa

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


def checkpoint_columns() -> list[sa.Column[object]]:
    """The columns of ``tutela_ledger_checkpoint`` (shared with the migration)."""
    return [
        sa.Column("size", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    ]


ledger_entry = sa.Table("tutela_ledger_entry", metadata, *entry_columns())
ledger_checkpoint = sa.Table("tutela_ledger_checkpoint", metadata, *checkpoint_columns())
