"""The privacy@ mailbox's messages in tutela's store (``tutela_mail``).

:class:`SqlMailStore` implements :class:`tutela.requests.mail_records.MailStore`. A message is
claimed by inserting its row: the unique index on the keyed digest of its Message-ID
makes a second claim of the same message fail, and the row already there is returned
instead. An update applies only while the row still has the state it was read with, and
appends its ledger entry in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, fields

import sqlalchemy as sa

from tutela.errors import RequestError
from tutela.requests.mail_records import MailRecord, MailState
from tutela.requests.records import LedgerStep
from tutela.store.engine import store_error
from tutela.store.ledger import NewEntry, SqlLedger
from tutela.store.request_tables import request_table
from tutela.store.service_tables import mail_table

_FIELDS = tuple(f.name for f in fields(MailRecord))
_UPDATED = ("state", "request_id", "type", "confidence", "language", "reason")


class SqlMailStore:
    """Inbound messages in the store behind ``engine`` (its schema upgraded by the caller).

    Raises :class:`~tutela.errors.StoreError` when the database fails, without secrets.
    """

    def __init__(self, engine: sa.Engine, ledger: SqlLedger | None = None) -> None:
        self.engine = engine
        self.ledger = ledger or SqlLedger(engine)

    def claim(self, record: MailRecord) -> MailRecord | None:
        """Insert ``record``; None when claimed, else the row of the same message already there."""
        try:
            with self.engine.begin() as connection:
                connection.execute(sa.insert(mail_table), [asdict(record)])
            return None
        except sa.exc.IntegrityError:
            found = self._by_message(record.message)
        except sa.exc.SQLAlchemyError as error:
            raise store_error(error, self.engine.url) from None
        if found is None:  # pragma: no cover - a row deleted between the two statements
            raise RequestError("the message was claimed and dropped meanwhile; read it again")
        return found

    def update(
        self,
        before: MailRecord,
        after: MailRecord,
        *,
        sealed: bytes | None = None,
        step: LedgerStep | None = None,
        subject: str | None = None,
    ) -> None:
        """Store ``after`` over ``before`` with ``sealed`` and the ledger entry of ``step``."""
        values: dict[str, object] = {name: getattr(after, name) for name in _UPDATED}
        if sealed is not None:
            values["sealed"] = sealed
        statement = (
            sa.update(mail_table)
            .where(mail_table.c.id == before.id, mail_table.c.state == before.state)
            .values(values)
        )
        with self.guard(), self.engine.begin() as connection:
            if connection.execute(statement).rowcount != 1:
                raise RequestError(f"message {before.id} changed meanwhile; read it again")
            if step is not None:
                entry = NewEntry(
                    step.time, step.actor, step.action, subject or f"mail:{before.id}",
                    step.before, step.after,
                )  # fmt: skip
                self.ledger.append(connection, [entry])

    def queued(self, limit: int = 100) -> list[MailRecord]:
        """The messages waiting for staff, oldest first."""
        query = (
            sa.select(*(mail_table.c[name] for name in _FIELDS))
            .where(mail_table.c.state == MailState.QUEUED.value)
            .order_by(mail_table.c.received_at, mail_table.c.id)
            .limit(max(1, min(limit, 10_000)))
        )
        with self.guard(), self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [_record(row) for row in rows]

    def get(self, mail_id: str) -> MailRecord | None:
        """The message ``mail_id``, or None."""
        query = sa.select(*(mail_table.c[name] for name in _FIELDS))
        with self.guard(), self.engine.connect() as connection:
            row = connection.execute(query.where(mail_table.c.id == mail_id)).mappings().first()
        return None if row is None else _record(row)

    def sealed(self, mail_id: str) -> bytes | None:
        """The sealed message ``mail_id`` (for staff to open with the store key), or None."""
        query = sa.select(mail_table.c.sealed).where(mail_table.c.id == mail_id)
        with self.guard(), self.engine.connect() as connection:
            value = connection.execute(query).scalar()
        return None if value is None else bytes(value)

    def resolve(self, reference: str) -> str | None:
        """The one request whose id starts with ``reference`` (8 hex digits), or None."""
        if len(reference) != 8 or any(c not in "0123456789abcdef" for c in reference):
            return None
        query = sa.select(request_table.c.id).where(request_table.c.id.like(f"{reference}-%"))
        with self.guard(), self.engine.connect() as connection:
            found = connection.execute(query.limit(2)).scalars().all()
        return str(found[0]) if len(found) == 1 else None

    def _by_message(self, message: str) -> MailRecord | None:
        query = sa.select(*(mail_table.c[name] for name in _FIELDS))
        with self.guard(), self.engine.connect() as connection:
            row = (
                connection.execute(query.where(mail_table.c.message == message)).mappings().first()
            )
        return None if row is None else _record(row)

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Turn a SQLAlchemy error into a StoreError saying what failed, without secrets."""
        try:
            yield
        except sa.exc.SQLAlchemyError as error:
            raise store_error(error, self.engine.url) from None


def _record(row: sa.RowMapping) -> MailRecord:
    values = {name: row[name] for name in _FIELDS}
    if values["confidence"] is not None:
        values["confidence"] = float(values["confidence"])
    return MailRecord(**values)
