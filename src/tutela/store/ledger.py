"""The ledger in tutela's store: entries appended with the state change they record.

:class:`SqlLedger` appends entries inside the caller's transaction, so an entry is
committed with the change it records or not at all, numbering them consecutively:
on PostgreSQL appenders take turns on a transaction-scoped advisory lock, on MariaDB
the highest row is locked, and on SQLite the write transaction, taken before the
highest number is read, serialises them. The sequence number is also the primary
key, so two appenders can never both write one number. Entries are checked by
:class:`tutela.ledger.entries.Entry` first: an entry with an e-mail address, a space
or free text is refused before anything is written.

Each row also keeps the entry's request id in an indexed column, so
:meth:`SqlLedger.rows_of` reads one request's entries without reading the log, and
:meth:`SqlLedger.recorded` reads the recorded leaf hashes of a range of sequence numbers
(a tile of an inclusion proof, :mod:`tutela.store.ledger_tiles`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from tutela import sqlengine
from tutela.ledger.entries import Entry
from tutela.store import migrate
from tutela.store.engine import open_engine, store_error
from tutela.store.ledger_tables import REQUEST_TEXT, ledger_checkpoint, ledger_entry

APPEND_LOCK = 0x7475_7465_6C61_4C47
"""The PostgreSQL advisory lock key appenders take turns on (``tutelaLG`` in ASCII)."""


@dataclass(frozen=True)
class NewEntry:
    """An entry to append: everything but its sequence number, which the ledger assigns."""

    time: datetime
    actor: str
    action: str
    request: str
    before: str | None = None
    after: str | None = None


@dataclass(frozen=True)
class StoredEntry:
    """One row of ``tutela_ledger_entry`` as stored: sequence number, text, leaf hash.

    ``request`` is the row's indexed request column (None when empty), which should name
    the request of the entry in ``text``.
    """

    seq: int
    text: str
    leaf_hash: str
    request: str | None


class SqlLedger:
    """The ledger's entries and checkpoints in the store behind ``engine``.

    Raises :class:`~tutela.errors.StoreError` when the database fails (never with
    the URL's password) and :class:`~tutela.ledger.entries.EntryError` for an entry
    that is not ids and digests only.
    """

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def append(self, connection: sa.Connection, entries: Sequence[NewEntry]) -> list[Entry]:
        """Number ``entries`` after the last one and insert them, in ``connection``'s transaction.

        One batched INSERT; the caller commits (with the change the entries record).
        """
        if not entries:
            return []
        first = _next_seq(connection)
        made = [
            Entry(first + i, e.time, e.actor, e.action, e.request, e.before, e.after)
            for i, e in enumerate(entries)
        ]
        now = datetime.now(UTC)
        rows = [
            {
                "seq": e.seq,
                "entry": e.encode().decode("ascii"),
                "leaf_hash": e.leaf_hash().hex(),
                "created_at": now,
                "request": e.request,
            }
            for e in made
        ]
        connection.execute(sa.insert(ledger_entry), rows)
        return made

    def append_now(self, entries: Sequence[NewEntry]) -> list[Entry]:
        """:meth:`append` in a transaction of its own (for entries recording no state change)."""
        with self.guard(), self.engine.begin() as connection:
            return self.append(connection, entries)

    def rows(self) -> list[StoredEntry]:
        """Every stored row, by sequence number, as stored (nothing decoded or checked)."""
        with self.guard(), self.engine.connect() as connection:
            found = connection.execute(_ROWS.order_by(ledger_entry.c.seq)).all()
        return [_stored(row) for row in found]

    def rows_of(self, request: str) -> list[StoredEntry]:
        """The rows whose request column is ``request``, by sequence number, as stored.

        Found through the index ``(request, seq)``: the work is in the request's entries,
        not the log's. Matched exactly (MariaDB's collations ignore trailing spaces, so
        what it finds is compared again); an id no entry can hold (not ASCII, longer than
        64 characters) finds nothing without asking. Nothing is decoded or checked (a
        row's column could be edited: the entry's own ``request`` is what a proof checks).
        """
        if not request.isascii() or len(request) > REQUEST_TEXT:
            return []  # MariaDB refuses to compare its ASCII column with other characters
        query = _ROWS.where(ledger_entry.c.request == request).order_by(ledger_entry.c.seq)
        with self.guard(), self.engine.connect() as connection:
            found = connection.execute(query).all()
        return [_stored(row) for row in found if row.request == request]

    def recorded(self, start: int, end: int) -> list[str]:
        """The recorded leaf hashes of the rows numbered ``start`` to ``end - 1``, in order.

        Read by primary key range, as stored: a missing row is simply not there (so
        fewer than ``end - start`` hashes come back; numbers are unique, so that many
        means every one).
        """
        query = sa.select(ledger_entry.c.leaf_hash)
        query = query.where(ledger_entry.c.seq >= start, ledger_entry.c.seq < end)
        with self.guard(), self.engine.connect() as connection:
            return list(connection.scalars(query.order_by(ledger_entry.c.seq)).all())

    def entries(self) -> list[Entry]:
        """Every entry, decoded, by sequence number (EntryError for one not canonical)."""
        return [Entry.decode(row.text.encode("utf-8")) for row in self.rows()]

    def leaf_hashes(self) -> list[bytes]:
        """The leaf hashes recorded when the entries were appended, by sequence number."""
        return [bytes.fromhex(row.leaf_hash) for row in self.rows()]

    def latest_checkpoint(self) -> tuple[int, str] | None:
        """The size and signed note of the largest checkpoint saved, or None."""
        query = sa.select(ledger_checkpoint.c.size, ledger_checkpoint.c.note)
        query = query.order_by(ledger_checkpoint.c.size.desc()).limit(1)
        with self.guard(), self.engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else (int(row.size), str(row.note))

    def save_checkpoint(self, note: str, size: int) -> None:
        """Keep the signed checkpoint ``note`` of tree size ``size`` (again: replaced)."""
        row = {"size": size, "note": note, "created_at": datetime.now(UTC)}
        with self.guard(), self.engine.begin() as connection:
            connection.execute(sa.delete(ledger_checkpoint).where(ledger_checkpoint.c.size == size))
            connection.execute(sa.insert(ledger_checkpoint), [row])

    def close(self) -> None:
        """Close the pooled connections."""
        self.engine.dispose()

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Turn a SQLAlchemy error into a StoreError saying what failed, without secrets."""
        try:
            yield
        except sa.exc.SQLAlchemyError as error:
            raise store_error(error, self.engine.url) from None


def open_ledger(
    url: str,
    *,
    upgrade: bool = True,
    connect_timeout: int = sqlengine.CONNECT_TIMEOUT,
    statement_timeout: int = sqlengine.STATEMENT_TIMEOUT,
) -> SqlLedger:
    """The ledger of the store at ``url``, its schema upgraded first.

    With ``upgrade=False`` the schema is only checked: a store not at this
    tutela's newest revision raises :class:`tutela.store.migrate.StoreNotCurrent`.
    """
    engine = open_engine(url, connect_timeout=connect_timeout, statement_timeout=statement_timeout)
    ledger = SqlLedger(engine)
    with ledger.guard():
        migrate.prepare(engine, check_only=not upgrade)
    return ledger


_ROWS = sa.select(
    ledger_entry.c.seq, ledger_entry.c.entry, ledger_entry.c.leaf_hash, ledger_entry.c.request
)
_HIGHEST = sa.select(sa.func.max(ledger_entry.c.seq))
_TAKE_WRITE_LOCK = sa.delete(ledger_entry).where(sa.false())


def _stored(row: sa.Row[Any, Any, Any, Any]) -> StoredEntry:
    """A row of :data:`_ROWS` as a :class:`StoredEntry`."""
    return StoredEntry(int(row.seq), row.entry, row.leaf_hash, row.request)


def _next_seq(connection: sa.Connection) -> int:
    """The next sequence number, once this transaction holds the appenders' turn."""
    name = connection.dialect.name
    if name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPEND_LOCK})
    elif name in ("mysql", "mariadb"):
        # An exclusive lock on a row that always exists (the store's one version row):
        # locking the highest entry is not enough on an empty ledger, where both
        # appenders' gap locks are compatible and their inserts then deadlock.
        connection.execute(sa.text(f"SELECT version_num FROM {migrate.VERSION_TABLE} FOR UPDATE"))
    elif name == "sqlite":  # a write statement first: this transaction takes the write lock
        connection.execute(_TAKE_WRITE_LOCK)
    value = connection.execute(_HIGHEST).scalar()
    return 0 if value is None else int(value) + 1
