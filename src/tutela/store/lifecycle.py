"""What the request lifecycle keeps beside the request rows, in tutela's store.

:class:`SqlLifecycleStore` implements :class:`tutela.requests.keeping.LifecycleStore` on
the tables of :mod:`tutela.store.lifecycle_tables`. A change that comes with a ledger
step appends it (:meth:`SqlLedger.append`) on the same connection, in the same
transaction: both commit or neither does. Replacing a secret, code or answer deletes the
old row and inserts the new one in one transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, fields
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from tutela.access.limits import Window
from tutela.errors import RequestError
from tutela.requests.codes import CodeRecord
from tutela.requests.keeping import (
    AnswerKind,
    AnswerRecord,
    Channel,
    Finishing,
    NotificationRecord,
    NotificationState,
)
from tutela.requests.records import LedgerStep
from tutela.store.engine import store_error
from tutela.store.ledger import NewEntry, SqlLedger
from tutela.store.lifecycle_tables import (
    ERROR_TEXT,
    answer_table,
    code_table,
    notification_table,
    secret_table,
)
from tutela.store.rate_windows import SqlRateWindows
from tutela.store.requests import SqlRequestStore

PURGED = "answer_purged"
_CODE_LIMITS = b"tutela/verification-code-limits/v1"
"""The label the code limits' keys (keyed digests already) are digested under."""
"""The ledger action of an answer's bytes dropped after its delivery window."""

NOTHING = hashlib.sha256(b"").hexdigest()
"""The ``after`` digest of a purge: SHA-256 of no bytes (what is left)."""


class SqlLifecycleStore:
    """Secrets, codes, rate events, answers and notifications in the store behind ``engine``.

    The schema is upgraded by the caller. Raises :class:`~tutela.errors.StoreError` when
    the database fails, without secrets.
    """

    def __init__(self, engine: sa.Engine, ledger: SqlLedger | None = None) -> None:
        self.engine = engine
        self.ledger = ledger or SqlLedger(engine)

    def save_secret(self, request_id: str, sealed: bytes, now: datetime) -> None:
        """Keep the sealed identity of ``request_id`` (replacing any)."""
        row = {"request_id": request_id, "sealed": sealed, "created_at": now}
        with self.guard(), self.engine.begin() as connection:
            _replace(connection, secret_table, request_id, row)

    def secret(self, request_id: str) -> bytes | None:
        """The sealed identity of ``request_id``, or None once purged."""
        query = sa.select(secret_table.c.sealed).where(secret_table.c.request_id == request_id)
        with self.guard(), self.engine.connect() as connection:
            return _bytes(connection.execute(query).scalar())

    def purge_secret(self, request_id: str) -> bool:
        """Drop the sealed identity of ``request_id``; True when there was one."""
        statement = sa.delete(secret_table).where(secret_table.c.request_id == request_id)
        with self.guard(), self.engine.begin() as connection:
            return bool(connection.execute(statement).rowcount)

    def save_code(self, record: CodeRecord, step: LedgerStep | None = None) -> None:
        """Keep ``record`` as the request's only code (replacing any), with ``step``."""
        with self.guard(), self.engine.begin() as connection:
            _replace(connection, code_table, record.request_id, asdict(record))
            if step is not None:
                self.ledger.append(connection, [_entry(record.request_id, step)])

    def code(self, request_id: str) -> CodeRecord | None:
        """The code record of ``request_id``, or None."""
        query = sa.select(code_table).where(code_table.c.request_id == request_id)
        with self.guard(), self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        if row is None:
            return None
        return CodeRecord(**{**_fields(CodeRecord, row), "used": bool(row["used"])})

    def count_rate(self, limits: Mapping[str, tuple[int, timedelta]], now: datetime) -> int:
        """Count one event under each key if each window has room: 0; else seconds to wait.

        The verification codes' limits, in the rate windows every process shares
        (:class:`~tutela.store.rate_windows.SqlRateWindows`: locked rows, no race). The keys
        are keyed digests under the store key already, so they are digested again under a
        fixed label, which only keeps them apart from the other limits' rows.
        """
        windows = {key: Window(events, window) for key, (events, window) in limits.items()}
        return SqlRateWindows(self.engine, _CODE_LIMITS).attempt(windows, now)

    def save_answer(self, record: AnswerRecord, sealed: bytes, step: LedgerStep) -> None:
        """Keep the sealed answer of ``record.request_id`` (replacing any), with ``step``."""
        row = {**asdict(record), "kind": str(record.kind), "sealed": sealed}
        with self.guard(), self.engine.begin() as connection:
            _replace(connection, answer_table, record.request_id, row)
            self.ledger.append(connection, [_entry(record.request_id, step)])

    def complete_many(self, finished: Sequence[Finishing]) -> None:
        """Store each request's answer, state change and identity purge, with their steps.

        One transaction and one ledger append (per request: ``answer_kept``, then the state
        change). :class:`~tutela.store.requests.RequestChanged`, nothing stored, when any
        request no longer has the state it was read with.
        """
        if not finished:
            return
        kept = [(f.answer, f.sealed) for f in finished if f.answer is not None]
        rows = [{**asdict(a), "kind": str(a.kind), "sealed": sealed} for a, sealed in kept]
        purged = [f.before.id for f in finished if f.purge]
        entries = [_entry(f.before.id, s) for f in finished for s in (f.kept, f.completed) if s]
        requests = SqlRequestStore(self.engine, self.ledger)
        with self.guard(), self.engine.begin() as connection:
            pairs = [(f.before, f.after) for f in finished]
            requests.update_many(pairs, [f.completed for f in finished], connection)
            if rows:
                ids = [row["request_id"] for row in rows]
                connection.execute(
                    sa.delete(answer_table).where(answer_table.c.request_id.in_(ids))
                )
                connection.execute(sa.insert(answer_table), rows)
            if purged:
                table = secret_table
                connection.execute(sa.delete(table).where(table.c.request_id.in_(purged)))
            self.ledger.append(connection, entries)

    def answer(self, request_id: str) -> tuple[AnswerRecord, bytes | None] | None:
        """The answer of ``request_id`` and its sealed bytes (None once purged), or None."""
        query = sa.select(answer_table).where(answer_table.c.request_id == request_id)
        with self.guard(), self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        if row is None:
            return None
        record = AnswerRecord(**{**_fields(AnswerRecord, row), "kind": AnswerKind(row["kind"])})
        return record, _bytes(row["sealed"])

    def record_mail(self, request_id: str, step: LedgerStep) -> None:
        """Ledger a message sent to the subject of ``request_id`` (its digest in ``step``)."""
        with self.guard(), self.engine.begin() as connection:
            self.ledger.append(connection, [_entry(request_id, step)])

    def record_download(self, request_id: str, step: LedgerStep) -> None:
        """Count one download of the answer, with ``step``.

        Raises :class:`RequestError` (nothing stored) when the request has no answer.
        """
        table = answer_table
        statement = (
            sa.update(table)
            .where(table.c.request_id == request_id)
            .values(downloads=table.c.downloads + 1)
        )
        with self.guard(), self.engine.begin() as connection:
            if connection.execute(statement).rowcount != 1:
                raise RequestError(f"request {request_id} has no answer to download")
            self.ledger.append(connection, [_entry(request_id, step)])

    def purge_answers(self, now: datetime, actor: str) -> list[str]:
        """Purge every answer expired at ``now``; the request ids purged.

        Its bytes are dropped and its row kept (``purged_at``), each with a ledger entry
        by ``actor``: ``answer_purged``, before the answer's digest, after SHA-256 of b"".
        """
        table = answer_table
        waiting = table.c.purged_at.is_(None)
        query = sa.select(table.c.request_id, table.c.digest).where(
            waiting, table.c.expires_at <= now
        )
        purged: list[str] = []
        entries: list[NewEntry] = []
        with self.guard(), self.engine.begin() as connection:
            for request_id, digest in connection.execute(query.order_by(table.c.request_id)):
                drop = sa.update(table).where(table.c.request_id == request_id, waiting)
                if connection.execute(drop.values(sealed=None, purged_at=now)).rowcount == 1:
                    purged.append(request_id)
                    entries.append(NewEntry(now, actor, PURGED, request_id, digest, NOTHING))
            self.ledger.append(connection, entries)
        return purged

    def add_notifications(
        self, records: Sequence[NotificationRecord], sealed: Mapping[str, bytes]
    ) -> None:
        """Keep new notifications, one per request and recipient, in one transaction.

        ``sealed`` maps a notification id to its sealed message. A notification whose
        request and recipient are there already is left as it is.
        """
        table = notification_table
        requests = sorted({record.request_id for record in records})
        query = sa.select(table.c.request_id, table.c.recipient).where(
            table.c.request_id.in_(requests)
        )
        with self.guard(), self.engine.begin() as connection:
            taken = {(row.request_id, row.recipient) for row in connection.execute(query)}
            rows = []
            for record in records:
                if (record.request_id, record.recipient) not in taken:
                    taken.add((record.request_id, record.recipient))
                    rows.append({**_notification_row(record), "sealed": sealed.get(record.id)})
            if rows:
                connection.execute(sa.insert(table), rows)

    def notifications(self, request_id: str) -> list[NotificationRecord]:
        """The notifications of ``request_id``, by recipient."""
        table = notification_table
        query = (
            sa.select(table)
            .where(table.c.request_id == request_id)
            .order_by(table.c.recipient, table.c.id)
        )
        with self.guard(), self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [_notification(row) for row in rows]

    def due_notifications(
        self, now: datetime, limit: int
    ) -> list[tuple[NotificationRecord, bytes | None]]:
        """Up to ``limit`` pending notifications due at ``now``, with their sealed messages."""
        table = notification_table
        query = (
            sa.select(table)
            .where(table.c.state == NotificationState.PENDING.value, table.c.next_at <= now)
            .order_by(table.c.next_at, table.c.id)
            .limit(max(limit, 0))
        )
        with self.guard(), self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [(_notification(row), _bytes(row["sealed"])) for row in rows]

    def update_notification(self, record: NotificationRecord, step: LedgerStep) -> None:
        """Store ``record`` (its sealed message dropped once it is no longer pending).

        Raises :class:`RequestError` (nothing stored) for a notification not in the store.
        """
        table = notification_table
        values = _notification_row(record)
        if record.state != NotificationState.PENDING:
            values["sealed"] = None
        statement = sa.update(table).where(table.c.id == record.id).values(**values)
        with self.guard(), self.engine.begin() as connection:
            if connection.execute(statement).rowcount != 1:
                raise RequestError(f"notification {record.id} is not in the store")
            self.ledger.append(connection, [_entry(record.request_id, step)])

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Turn a SQLAlchemy error into a StoreError saying what failed, without secrets."""
        try:
            yield
        except sa.exc.SQLAlchemyError as error:
            raise store_error(error, self.engine.url) from None


def _replace(
    connection: sa.Connection, table: sa.Table, request_id: str, row: dict[str, Any]
) -> None:
    """Delete the row of ``request_id`` in ``table`` and insert ``row`` in its place."""
    connection.execute(sa.delete(table).where(table.c.request_id == request_id))
    connection.execute(sa.insert(table), [row])


def _entry(request_id: str, step: LedgerStep) -> NewEntry:
    return NewEntry(step.time, step.actor, step.action, request_id, step.before, step.after)


def _fields(kind: type[Any], row: sa.RowMapping) -> dict[str, Any]:
    """The values of ``row`` named by the fields of the dataclass ``kind``."""
    return {field.name: row[field.name] for field in fields(kind)}


def _bytes(value: object) -> bytes | None:
    return None if value is None else bytes(value)  # type: ignore[call-overload]


def _notification_row(record: NotificationRecord) -> dict[str, Any]:
    """The row of ``record``, its enums as text and its error cut to the column's size."""
    row = asdict(record)
    row["channel"], row["state"] = str(record.channel), str(record.state)
    if record.last_error is not None:
        row["last_error"] = record.last_error[:ERROR_TEXT]
    return row


def _notification(row: sa.RowMapping) -> NotificationRecord:
    values = _fields(NotificationRecord, row)
    values["channel"], values["state"] = Channel(row["channel"]), NotificationState(row["state"])
    return NotificationRecord(**values)
