"""Data-subject requests in tutela's store, each change committed with its ledger entry.

:class:`SqlRequestStore` inserts, reads, lists and updates rows of ``tutela_request``.
Every insert or update appends the ledger entry recording it (:class:`SqlLedger.append`)
on the same connection, in the same transaction: the change and its entry commit
together or not at all. An update applies only while the row still has the state it
was read with, so two staff members acting at once cannot both move one request.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date
from typing import TYPE_CHECKING

import sqlalchemy as sa

from tutela.errors import RequestError
from tutela.requests.records import LedgerStep, RequestRecord
from tutela.requests.states import State
from tutela.store.engine import store_error
from tutela.store.jobs import COMPLETE, SqlJobStore
from tutela.store.ledger import NewEntry, SqlLedger
from tutela.store.lifecycle_tables import secret_table
from tutela.store.request_tables import request_table

if TYPE_CHECKING:
    from tutela.requests.intake_batch import Admitted

IN_PROGRESS = State.IN_PROGRESS.value
"""The state whose entry makes the request's ``complete`` step ready."""
_UPDATED = (
    "state",
    "due_date",
    "due_rule",
    "extended",
    "reason",
    "details",
    "residence",
    "updated_at",
)


class RequestChanged(RequestError):
    """The request changed since it was read (another command moved it): nothing stored."""


class SqlRequestStore:
    """The requests in the store behind ``engine`` (its schema upgraded by the caller).

    Raises :class:`~tutela.errors.StoreError` when the database fails, without secrets.
    """

    def __init__(self, engine: sa.Engine, ledger: SqlLedger | None = None) -> None:
        self.engine = engine
        self.ledger = ledger or SqlLedger(engine)

    def insert(self, record: RequestRecord, step: LedgerStep, secret: bytes | None = None) -> None:
        """Insert ``record`` (with its sealed identity) and append ``step``, in one transaction."""
        with self.guard(), self.engine.begin() as connection:
            connection.execute(sa.insert(request_table), [asdict(record)])
            if secret is not None:
                row = {"request_id": record.id, "sealed": secret, "created_at": step.time}
                connection.execute(sa.insert(secret_table), [row])
            self.ledger.append(connection, [_entry(record.id, step)])

    def insert_many(self, items: Sequence[Admitted]) -> None:
        """Insert every request, its sealed identity and ledger steps, in one transaction.

        All the entries go to the ledger in one append (each request's in order); a request
        stored *in progress* gets its ``complete`` job step in the same transaction.
        """
        if not items:
            return
        secrets = [
            {"request_id": i.record.id, "sealed": i.secret, "created_at": i.steps[0].time}
            for i in items
            if i.secret is not None
        ]
        entries = [_entry(i.record.id, step) for i in items for step in i.steps]
        rows = [{name: getattr(i.record, name) for name in _COLUMNS} for i in items]
        ready = [(i.record.id, i.steps[-1].time) for i in items if i.record.state == IN_PROGRESS]
        with self.guard(), self.engine.begin() as connection:
            connection.execute(sa.insert(request_table), rows)
            if secrets:
                connection.execute(sa.insert(secret_table), secrets)
            self.ledger.append(connection, entries)
            if ready:
                SqlJobStore(self.engine).enqueue_many(connection, ready, COMPLETE)

    def get(self, request_id: str) -> RequestRecord | None:
        """The request ``request_id``, or None."""
        with self.guard(), self.engine.connect() as connection:
            row = connection.execute(_BY_ID, {"wanted": request_id}).mappings().first()
        return None if row is None else _record(row)

    def list(
        self,
        *,
        state: str | None = None,
        type: str | None = None,
        due_before: date | None = None,
        states: tuple[str, ...] | None = None,
        subject: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[RequestRecord]:
        """The requests matching every filter given, earliest due first.

        ``limit`` and ``offset`` page through them (the order is total: due date,
        received time, id).
        """
        table = request_table
        query = sa.select(table).order_by(table.c.due_date, table.c.received_at, table.c.id)
        if state is not None:
            query = query.where(table.c.state == state)
        if states is not None:
            query = query.where(table.c.state.in_(states))
        if type is not None:
            query = query.where(table.c.type == type)
        if due_before is not None:
            query = query.where(table.c.due_date < due_before)
        if subject is not None:
            query = query.where(table.c.subject == subject)
        if limit is not None:
            query = query.limit(limit).offset(offset)
        with self.guard(), self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [_record(row) for row in rows]

    def update(self, before: RequestRecord, after: RequestRecord, step: LedgerStep) -> None:
        """Store ``after`` over ``before`` and append ``step``, in one transaction.

        Refused (:class:`RequestChanged`, nothing stored) when the row no longer has
        ``before``'s state. A request entering *in progress* gets its ``complete`` job step
        in the same transaction, so a worker finds it whatever interface moved it.
        """
        values = {f"new_{name}": getattr(after, name) for name in _UPDATED}
        values |= {"wanted": before.id, "was": before.state, "was_extended": before.extended}
        with self.guard(), self.engine.begin() as connection:
            if connection.execute(_UPDATE, values).rowcount != 1:
                raise RequestChanged(f"request {before.id} changed meanwhile; show it and retry")
            self.ledger.append(connection, [_entry(before.id, step)])
            if after.state == IN_PROGRESS and before.state != IN_PROGRESS:
                SqlJobStore(self.engine).enqueue(connection, before.id, COMPLETE, step.time)

    def update_many(
        self,
        pairs: Sequence[tuple[RequestRecord, RequestRecord]],
        steps: Sequence[LedgerStep],
        connection: sa.Connection | None = None,
    ) -> None:
        """Store each ``after`` over its ``before`` with its step in ``steps``: all or none.

        Refused (:class:`RequestChanged`, nothing stored) when any row no longer has its
        ``before``'s state and extended flag: store them one by one to learn which. With
        ``connection`` the updates join the caller's transaction and the CALLER appends the
        entries of ``steps`` (with its own, in one append); without, they commit on their own.
        """
        if connection is None:
            with self.guard(), self.engine.begin() as own:
                self.update_many(pairs, steps, own)
                entries = [_entry(b.id, s) for (b, _a), s in zip(pairs, steps, strict=True)]
                self.ledger.append(own, entries)
            return
        rows = [
            {f"new_{name}": getattr(after, name) for name in _UPDATED}
            | {"wanted": before.id, "was": before.state, "was_extended": before.extended}
            for before, after in pairs
        ]
        if rows and connection.execute(_UPDATE, rows).rowcount != len(rows):
            raise RequestChanged("a request of the batch changed meanwhile; store them one by one")
        jobs = SqlJobStore(self.engine)
        for (before, after), step in zip(pairs, steps, strict=True):
            if after.state == IN_PROGRESS and before.state != IN_PROGRESS:
                jobs.enqueue(connection, before.id, COMPLETE, step.time)

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Turn a SQLAlchemy error into a StoreError saying what failed, without secrets."""
        try:
            yield
        except sa.exc.SQLAlchemyError as error:
            raise store_error(error, self.engine.url) from None


_BY_ID = sa.select(request_table).where(request_table.c.id == sa.bindparam("wanted"))
_UPDATE = (
    sa.update(request_table)
    .where(request_table.c.id == sa.bindparam("wanted"))
    .where(request_table.c.state == sa.bindparam("was"))
    .where(request_table.c.extended == sa.bindparam("was_extended"))
    .values({name: sa.bindparam(f"new_{name}") for name in _UPDATED})
)
"""The statements built once: only their parameters change from one request to the next."""
_COLUMNS = tuple(RequestRecord.__dataclass_fields__)
"""A record's fields, each a column of ``tutela_request``."""


def _entry(request_id: str, step: LedgerStep) -> NewEntry:
    return NewEntry(step.time, step.actor, step.action, request_id, step.before, step.after)


def _record(row: sa.RowMapping) -> RequestRecord:
    fields = {name: row[name] for name in RequestRecord.__dataclass_fields__}
    fields["extended"] = bool(fields["extended"])
    return RequestRecord(**fields)
