"""Staff API keys in tutela's store (``tutela_api_key``), each change with its ledger entry.

:class:`SqlKeyStore` implements :class:`tutela.access.service.KeyStore`. A key's row holds
its public prefix and argon2 hash, never the key. Creating and revoking a key append the
ledger entry recording it on the same connection, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, fields
from datetime import datetime

import sqlalchemy as sa

from tutela.access.keys import KeyEvent, KeyRecord
from tutela.store.engine import store_error
from tutela.store.ledger import NewEntry, SqlLedger
from tutela.store.service_tables import api_key_table

_BY_PREFIX = sa.select(api_key_table).where(api_key_table.c.prefix == sa.bindparam("wanted"))
_BY_ID = sa.select(api_key_table).where(api_key_table.c.id == sa.bindparam("wanted"))
_TOUCH = (
    sa.update(api_key_table)
    .where(api_key_table.c.id == sa.bindparam("wanted"))
    .values(last_used_at=sa.bindparam("at"))
)


class SqlKeyStore:
    """The staff keys in the store behind ``engine`` (its schema upgraded by the caller).

    Raises :class:`~tutela.errors.StoreError` when the database fails, without secrets.
    """

    def __init__(self, engine: sa.Engine, ledger: SqlLedger | None = None) -> None:
        self.engine = engine
        self.ledger = ledger or SqlLedger(engine)

    def create(self, record: KeyRecord, event: KeyEvent) -> None:
        """Insert ``record`` and append ``event``'s entry, in one transaction."""
        row = {**asdict(record), "role": str(record.role)}
        with self.guard(), self.engine.begin() as connection:
            connection.execute(sa.insert(api_key_table), [row])
            self.ledger.append(connection, [_entry(event)])

    def find(self, prefix: str) -> KeyRecord | None:
        """The key whose prefix is ``prefix``, or None."""
        return self._one(_BY_PREFIX, prefix)

    def get(self, key_id: str) -> KeyRecord | None:
        """The key ``key_id``, or None."""
        return self._one(_BY_ID, key_id)

    def touch(self, key_id: str, at: datetime) -> None:
        """Record that the key ``key_id`` was used at ``at``."""
        with self.guard(), self.engine.begin() as connection:
            connection.execute(_TOUCH, {"wanted": key_id, "at": at})

    def revoke(self, record: KeyRecord, event: KeyEvent) -> bool:
        """Set ``record.revoked_at`` on a key not yet revoked, with ``event``; True if changed."""
        table = api_key_table
        statement = (
            sa.update(table)
            .where(table.c.id == record.id, table.c.revoked_at.is_(None))
            .values(revoked_at=record.revoked_at)
        )
        with self.guard(), self.engine.begin() as connection:
            if connection.execute(statement).rowcount != 1:
                return False
            self.ledger.append(connection, [_entry(event)])
        return True

    def list(self) -> list[KeyRecord]:
        """Every key, newest first."""
        table = api_key_table
        query = sa.select(table).order_by(table.c.created_at.desc(), table.c.id)
        with self.guard(), self.engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [_record(row) for row in rows]

    def _one(self, query: sa.Select[tuple[object, ...]], wanted: str) -> KeyRecord | None:
        with self.guard(), self.engine.connect() as connection:
            row = connection.execute(query, {"wanted": wanted}).mappings().first()
        return None if row is None else _record(row)

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Turn a SQLAlchemy error into a StoreError saying what failed, without secrets."""
        try:
            yield
        except sa.exc.SQLAlchemyError as error:
            raise store_error(error, self.engine.url) from None


def _record(row: sa.RowMapping) -> KeyRecord:
    return KeyRecord(**{field.name: row[field.name] for field in fields(KeyRecord)})


def _entry(event: KeyEvent) -> NewEntry:
    return NewEntry(event.time, event.actor, event.action, event.key_id, None, event.after)
