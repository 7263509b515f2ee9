"""The SQL store of DSR batches, checkpoints and restrictions.

Implements :class:`tutela.ports.CheckpointStore` and
:class:`tutela.ports.RequestStore` on SQLite (default, WAL mode), PostgreSQL
or MariaDB. The schema is brought up to date with Alembic on first use.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from tutela.errors import ConfigurationError, StoreError
from tutela.ports import BatchRecord, Clock, RestrictionRecord
from tutela.store import codec, migrate
from tutela.store.tables import dsr_batch, dsr_checkpoint, restriction


class SqlDsrStore:
    """DSR batches, checkpoints and restrictions in tutela's own database.

    Raises StoreError when the database fails and ConfigurationError for a
    URL no installed driver can open. The URL's password never appears in errors.
    """

    def __init__(self, url: str, clock: Clock, *, upgrade: bool = True) -> None:
        self._clock = clock
        self._engine = _engine(url)
        if upgrade:
            with self._guard():
                migrate.upgrade(self._engine)

    def open_batch(self, batch: BatchRecord) -> BatchRecord:
        """Record ``batch`` unless one with its id exists; return the stored record."""
        with self._guard(), self._engine.begin() as connection:
            stored = connection.execute(
                sa.select(dsr_batch).where(dsr_batch.c.id == batch.id)
            ).first()
            if stored is None:
                connection.execute(
                    sa.insert(dsr_batch).values(
                        id=batch.id,
                        type=batch.type,
                        requests=batch.requests,
                        status=batch.status,
                        created_at=batch.created_at,
                    )
                )
                return batch
        return BatchRecord(
            stored.id, stored.type, stored.requests, stored.created_at, stored.status
        )

    def batch(self, batch_id: str) -> BatchRecord | None:
        """The batch called ``batch_id``, or None."""
        with self._guard(), self._engine.connect() as connection:
            row = connection.execute(sa.select(dsr_batch).where(dsr_batch.c.id == batch_id)).first()
        return (
            None
            if row is None
            else BatchRecord(row.id, row.type, row.requests, row.created_at, row.status)
        )

    def checkpoints(self, batch_id: str) -> dict[str, Any]:
        """The payload of every finished step of ``batch_id``, by step name."""
        query = sa.select(dsr_checkpoint.c.step, dsr_checkpoint.c.payload).where(
            dsr_checkpoint.c.batch_id == batch_id
        )
        with self._guard(), self._engine.connect() as connection:
            return {row.step: codec.loads(row.payload) for row in connection.execute(query)}

    def save_checkpoint(
        self,
        batch_id: str,
        step: str,
        payload: Any,
        restrictions: Sequence[RestrictionRecord] = (),
    ) -> None:
        """Mark ``step`` finished with ``payload`` and record ``restrictions``, atomically."""
        text = codec.dumps(payload)
        with self._guard(), self._engine.begin() as connection:
            connection.execute(
                sa.insert(dsr_checkpoint).values(
                    batch_id=batch_id, step=step, payload=text, created_at=self._clock.now()
                )
            )
            if restrictions:
                connection.execute(sa.insert(restriction), [_row(r) for r in restrictions])

    def finish_batch(self, batch_id: str, status: str) -> None:
        """Set the batch's final status."""
        statement = (
            sa.update(dsr_batch)
            .where(dsr_batch.c.id == batch_id)
            .values(status=status, finished_at=self._clock.now())
        )
        with self._guard(), self._engine.begin() as connection:
            connection.execute(statement)

    def restrictions(self, identity: str, value: str) -> list[RestrictionRecord]:
        """Every restriction recorded for the subject known by ``identity=value``."""
        query = (
            sa.select(restriction)
            .where(restriction.c.identity == identity, restriction.c.value == value)
            .order_by(restriction.c.id)
        )
        with self._guard(), self._engine.connect() as connection:
            return [_record(row) for row in connection.execute(query)]

    def close(self) -> None:
        """Release connections."""
        self._engine.dispose()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except sa.exc.SQLAlchemyError as error:
            kind = type(getattr(error, "orig", None) or error).__name__
            raise StoreError(f"tutela's store failed ({kind}); check TUTELA_DATABASE_URL") from None


def _row(record: RestrictionRecord) -> dict[str, Any]:
    return {
        "identity": record.identity,
        "value": record.value,
        "allowed": json.dumps(list(record.allowed)),
        "reason": record.reason,
        "batch_id": record.batch_id,
        "collection": record.collection,
        "field": record.field,
        "until": record.until,
        "created_at": record.created_at,
    }


def _record(row: Any) -> RestrictionRecord:
    return RestrictionRecord(
        identity=row.identity,
        value=row.value,
        allowed=tuple(json.loads(row.allowed)),
        reason=row.reason,
        batch_id=row.batch_id,
        created_at=row.created_at,
        collection=row.collection,
        field=row.field,
        until=row.until,
    )


def _engine(url: str) -> sa.Engine:
    try:
        engine = sa.create_engine(url, hide_parameters=True, pool_pre_ping=True)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ModuleNotFoundError):
        raise ConfigurationError(
            "TUTELA_DATABASE_URL is not a database URL tutela can open "
            "(sqlite:///file, postgresql+psycopg://..., mysql+pymysql://...)"
        ) from None
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(connection: Any, _record: object) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()
