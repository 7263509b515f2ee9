"""Subjects' choices in tutela's store, each stored with its ledger entry.

:class:`SqlChoiceStore` appends :class:`~tutela.consent.records.ChoiceEvent` rows to
``tutela_choice_event`` and, on the same connection and in the same transaction, one
ledger entry per event: the kind as the action, the event's id as the request and the
SHA-256 of the event's canonical JSON as ``after``. The ledger holds ids and digests
only: never the subject's reference, never an identity.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime

import sqlalchemy as sa

from tutela.consent.records import ChoiceEvent, Kind, Method
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

    def record(self, events: Sequence[ChoiceEvent], actor: str) -> None:
        """Insert ``events`` and append one ledger entry each, in one transaction."""
        if not events:
            return
        rows = [asdict(event) for event in events]
        entries = [_entry(event, actor) for event in events]
        with self.guard(), self.engine.begin() as connection:
            connection.execute(sa.insert(choice_event_table), rows)
            self.ledger.append(connection, entries)

    def events(self, subject: str | None = None, since_id: int | None = None) -> list[ChoiceEvent]:
        """The events in the order stored: of ``subject`` only, after row ``since_id`` only."""
        table = choice_event_table
        query = sa.select(table).order_by(table.c.seq)
        if subject is not None:
            query = query.where(table.c.subject == subject)
        if since_id is not None:
            query = query.where(table.c.seq > since_id)
        with self.guard(), self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [_event(row) for row in rows]

    def latest_change(self) -> int:
        """The number of the last event stored (0 when none): higher after any change."""
        query = sa.select(sa.func.max(choice_event_table.c.seq))
        with self.guard(), self.engine.connect() as connection:
            found = connection.execute(query).scalar()
        return int(found or 0)

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Turn a SQLAlchemy error into a StoreError saying what failed, without secrets."""
        try:
            yield
        except sa.exc.SQLAlchemyError as error:
            raise store_error(error, self.engine.url) from None


def event_digest(event: ChoiceEvent) -> str:
    """SHA-256 (hex) of ``event``'s canonical JSON: sorted keys, times in ISO 8601."""
    document = {name: _plain(value) for name, value in asdict(event).items()}
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


def _entry(event: ChoiceEvent, actor: str) -> NewEntry:
    return NewEntry(event.at, actor, event.kind.value, event.id, None, event_digest(event))


def _event(row: sa.RowMapping) -> ChoiceEvent:
    fields = {name: row[name] for name in _FIELDS}
    fields["kind"] = Kind(fields["kind"])
    fields["method"] = Method(fields["method"])
    return ChoiceEvent(**fields)
