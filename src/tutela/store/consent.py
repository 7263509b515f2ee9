"""Subjects' choices in tutela's store, each stored with its ledger entry.

:class:`SqlChoiceStore` appends :class:`~tutela.consent.records.ChoiceEvent` rows to
``tutela_choice_event`` and, on the same connection and in the same transaction, one
ledger entry per event: the kind as the action, the event's id as the request and the
SHA-256 of the event's canonical JSON as ``after``. The ledger holds ids and digests
only: never the subject's reference, never an identity.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa

from tutela.consent.propagation import Outgoing
from tutela.consent.records import ChoiceEvent, Kind, Method, event_digest
from tutela.store.consent_tables import choice_event_table
from tutela.store.engine import store_error
from tutela.store.ledger import NewEntry, SqlLedger

_FIELDS = tuple(ChoiceEvent.__dataclass_fields__)


class SqlChoiceStore:
    """The choice events in the store behind ``engine`` (its schema upgraded by the caller).

    Raises :class:`~tutela.errors.StoreError` when the database fails, without secrets.
    """

    def __init__(self, engine: sa.Engine, ledger: SqlLedger | None = None) -> None:
        self.engine = engine
        self.ledger = ledger or SqlLedger(engine)

    def record(
        self, events: Sequence[ChoiceEvent], actor: str, deliveries: Sequence[Outgoing] = ()
    ) -> None:
        """Insert ``events`` and append one ledger entry each, in one transaction.

        ``deliveries`` (the changes to push to systems, docs/propagation.md) are inserted
        in the same transaction: all or none.
        """
        from tutela.store.propagation import insert_deliveries

        if not events:
            return
        rows = [{name: getattr(event, name) for name in _FIELDS} for event in events]
        entries = [_entry(event, actor) for event in events]
        with self.guard(), self.engine.begin() as connection:
            connection.execute(sa.insert(choice_event_table), rows)
            insert_deliveries(connection, deliveries)
            self.ledger.append(connection, entries)
            announce_change(connection)

    def events(self, subject: str | None = None, since_id: int | None = None) -> list[ChoiceEvent]:
        """The events in the order stored: of ``subject`` only, after row ``since_id`` only.

        Rows after ``since_id`` are read in pages of :data:`PAGE` along the primary key, so
        that the newest rows are found by the index whatever the planner's statistics say.
        """
        table = choice_event_table
        query = sa.select(table).order_by(table.c.seq)
        if subject is not None:
            query = query.where(table.c.subject == subject)
        if since_id is None:
            with self.guard(), self.engine.connect() as connection:
                return [_event(row) for row in connection.execute(query).mappings()]
        found: list[ChoiceEvent] = []
        with self.guard(), self.engine.connect() as connection:
            while True:
                page = query.where(table.c.seq > since_id).limit(PAGE)
                rows = connection.execute(page).mappings().all()
                found.extend(_event(row) for row in rows)
                if len(rows) < PAGE:
                    return found
                since_id = int(rows[-1]["seq"])

    def event(self, event_id: str) -> ChoiceEvent | None:
        """The event whose id is ``event_id``, or None when there is none."""
        table = choice_event_table
        query = sa.select(table).where(table.c.id == event_id)
        with self.guard(), self.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        return None if row is None else _event(row)

    def latest_change(self) -> int:
        """The number of the last event stored (0 when none): higher after any change."""
        query = sa.select(sa.func.max(choice_event_table.c.seq))
        with self.guard(), self.engine.connect() as connection:
            found = connection.execute(query).scalar()
        return int(found or 0)

    def changes_since(self, after: int) -> tuple[int, int]:
        """The number of the last event, and how many events are numbered after ``after``.

        The second changes when a row numbered before the last one is committed late;
        counting walks the primary key backwards over the last :data:`WINDOW_CAP` rows
        only (so a planner with stale statistics cannot choose to scan the table); a
        window reaching further back than that is counted up to there.
        """
        seq = choice_event_table.c.seq
        last = sa.select(sa.func.max(seq)).scalar_subquery()
        newest = sa.select(seq.label("seq")).order_by(seq.desc()).limit(WINDOW_CAP).subquery()
        window = sa.select(sa.func.count()).where(newest.c.seq > after).scalar_subquery()
        with self.guard(), self.engine.connect() as connection:
            found = connection.execute(sa.select(last, window)).one()
        return int(found[0] or 0), int(found[1] or 0)

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Turn a SQLAlchemy error into a StoreError saying what failed, without secrets."""
        try:
            yield
        except sa.exc.SQLAlchemyError as error:
            raise store_error(error, self.engine.url) from None


def _entry(event: ChoiceEvent, actor: str) -> NewEntry:
    return NewEntry(event.at, actor, event.kind.value, event.id, None, event_digest(event))


def _event(row: sa.RowMapping) -> ChoiceEvent:
    fields = {name: row[name] for name in _FIELDS}
    fields["kind"] = Kind(fields["kind"])
    fields["method"] = Method(fields["method"])
    return ChoiceEvent(**fields)


PAGE = 10_000
"""How many rows :meth:`SqlChoiceStore.events` reads at a time after a given row."""
WINDOW_CAP = 2_000
"""The most rows :meth:`SqlChoiceStore.changes_since` counts: more than a decision point's window
(:data:`tutela.consent.point.MARGIN`), few enough that the primary key is walked."""

CHANNEL = "tutela_choice"
"""The PostgreSQL channel a change of the choice events is announced on, at commit."""


def announce_change(connection: sa.Connection) -> None:
    """On PostgreSQL, ``NOTIFY`` the listeners when the transaction of ``connection`` commits."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text(f"NOTIFY {CHANNEL}"))
