"""Deliveries of consent changes to systems, in ``tutela_propagation`` (docs/propagation.md).

:class:`SqlPropagationStore` reads the deliveries due, lets a run claim one with a
conditional UPDATE (two runs never send the same delivery: the second finds it no longer
due), and stores each outcome with its ledger entry in one transaction, dropping the
sealed message once the delivery is delivered or failed. New deliveries are inserted by
:meth:`tutela.store.consent.SqlChoiceStore.record` with their events
(:func:`insert_deliveries`). The ledger names the delivery's id and a digest only.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from tutela.consent.propagation import Delivery, DeliveryState, Outgoing
from tutela.errors import RequestError
from tutela.requests.records import LedgerStep
from tutela.store.consent_tables import propagation_table
from tutela.store.engine import store_error
from tutela.store.ledger import NewEntry, SqlLedger

_DUE = (DeliveryState.PENDING.value, DeliveryState.RETRY.value)
_FIELDS = tuple(Delivery.__dataclass_fields__)


def insert_deliveries(connection: sa.Connection, deliveries: Sequence[Outgoing]) -> None:
    """Insert ``deliveries`` and their sealed messages on ``connection``, in its transaction."""
    if deliveries:
        rows = [{**_row(o.delivery), "message": o.sealed} for o in deliveries]
        connection.execute(sa.insert(propagation_table), rows)


class SqlPropagationStore:
    """The deliveries in the store behind ``engine`` (its schema upgraded by the caller).

    Raises :class:`~tutela.errors.StoreError` when the database fails, without secrets.
    """

    def __init__(self, engine: sa.Engine, ledger: SqlLedger | None = None) -> None:
        self.engine = engine
        self.ledger = ledger or SqlLedger(engine)

    def due(self, now: datetime, limit: int) -> list[tuple[Delivery, bytes | None]]:
        """Up to ``limit`` pending or retrying deliveries due at ``now``, oldest due first."""
        table = propagation_table
        query = (
            sa.select(table)
            .where(table.c.state.in_(_DUE), table.c.next_at <= now)
            .order_by(table.c.next_at, table.c.id)
            .limit(max(limit, 0))
        )
        with self.guard(), self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [(_delivery(row), _bytes(row["message"])) for row in rows]

    def claim(self, delivery: Delivery, now: datetime, until: datetime) -> bool:
        """Hold ``delivery`` until ``until`` if it is still due at ``now``; False otherwise."""
        table = propagation_table
        statement = (
            sa.update(table)
            .where(table.c.id == delivery.id, table.c.state.in_(_DUE), table.c.next_at <= now)
            .values(next_at=until)
        )
        with self.guard(), self.engine.begin() as connection:
            return bool(connection.execute(statement).rowcount == 1)

    def update(self, delivery: Delivery, step: LedgerStep) -> None:
        """Store ``delivery`` and append ``step`` naming it, in one transaction.

        The sealed message is dropped once delivered or failed. Raises
        :class:`~tutela.errors.RequestError` (nothing stored) for a delivery not stored.
        """
        values: dict[str, Any] = _row(delivery)
        if delivery.state not in (DeliveryState.PENDING, DeliveryState.RETRY):
            values["message"] = None
        table = propagation_table
        statement = sa.update(table).where(table.c.id == delivery.id).values(**values)
        entry = NewEntry(step.time, step.actor, step.action, delivery.id, step.before, step.after)
        with self.guard(), self.engine.begin() as connection:
            if connection.execute(statement).rowcount != 1:
                raise RequestError(f"delivery {delivery.id} is not in the store")
            self.ledger.append(connection, [entry])

    def deliveries(
        self, state: DeliveryState | None = None, event_id: str | None = None
    ) -> list[Delivery]:
        """The deliveries, oldest first: in ``state`` only, of ``event_id`` only."""
        table = propagation_table
        query = sa.select(*(table.c[name] for name in _FIELDS))
        if state is not None:
            query = query.where(table.c.state == state.value)
        if event_id is not None:
            query = query.where(table.c.event_id == event_id)
        query = query.order_by(table.c.created_at, table.c.id)
        with self.guard(), self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [_delivery(row) for row in rows]

    def message(self, delivery_id: str) -> bytes | None:
        """The sealed message kept for ``delivery_id`` (None once dropped or unknown)."""
        table = propagation_table
        query = sa.select(table.c.message).where(table.c.id == delivery_id)
        with self.guard(), self.engine.connect() as connection:
            return _bytes(connection.execute(query).scalar())

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Turn a SQLAlchemy error into a StoreError saying what failed, without secrets."""
        try:
            yield
        except sa.exc.SQLAlchemyError as error:
            raise store_error(error, self.engine.url) from None


def _row(delivery: Delivery) -> dict[str, Any]:
    row: dict[str, Any] = {name: getattr(delivery, name) for name in _FIELDS}
    row["state"] = delivery.state.value
    return row


def _delivery(row: sa.RowMapping) -> Delivery:
    fields = {name: row[name] for name in _FIELDS}
    fields["state"] = DeliveryState(fields["state"])
    return Delivery(**fields)


def _bytes(value: object) -> bytes | None:
    return None if value is None else bytes(value)  # type: ignore[call-overload]
