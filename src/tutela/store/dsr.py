"""The SQL store of DSR batches, checkpoints and restrictions.

Implements :class:`tutela.ports.BatchStore` and
:class:`tutela.ports.RestrictionStore` on SQLite (default, WAL mode), PostgreSQL
or MariaDB. The schema is brought up to date with Alembic on first use.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa

from tutela import sqlengine
from tutela.errors import StoreError
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

    def find_batch(self, batch_id: str) -> tuple[BatchRecord | None, dict[str, Any]]:
        """The stored batch ``batch_id`` and the payload of each finished step; (None, {}) if new.

        One query: the batch joined to its checkpoints.
        """
        with self._guard(), self._reading() as connection:
            rows = connection.execute(_FIND, {"batch": batch_id}).all()
        if not rows:
            return None, {}
        steps = {row.step: codec.loads(row.payload) for row in rows if row.step is not None}
        return _batch_record(rows[0]), steps

    def save_checkpoints(
        self,
        batch_id: str,
        steps: Mapping[str, Any],
        restrictions: Sequence[RestrictionRecord] = (),
        *,
        opening: BatchRecord | None = None,
        status: str | None = None,
        durable: bool = True,
    ) -> None:
        """Mark ``steps`` finished with their payloads and record ``restrictions``, in one commit.

        ``opening`` (a batch not stored yet) is recorded first and ``status``
        (with the finish time) set last, in the same transaction. With
        ``durable=False`` PostgreSQL commits without waiting for the WAL flush
        (``synchronous_commit`` off for this transaction only).
        """
        now = self._clock.now()
        rows = [
            {"batch_id": batch_id, "step": step, "payload": codec.dumps(payload), "created_at": now}
            for step, payload in steps.items()
        ]
        with self._guard(), self._engine.begin() as connection:
            if not durable and connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
            if opening is not None:
                connection.execute(_INSERT_BATCH, _batch_row(opening, status, now))
            if rows:
                connection.execute(_INSERT_CHECKPOINT, rows)
            if restrictions:
                connection.execute(_INSERT_RESTRICTION, [_row(r) for r in restrictions])
            if status is not None and opening is None:
                connection.execute(_FINISH, _finish_row(batch_id, status, now))

    def finish_batch(self, batch_id: str, status: str) -> None:
        """Set the batch's final status."""
        with self._guard(), self._engine.begin() as connection:
            connection.execute(_FINISH, _finish_row(batch_id, status, self._clock.now()))

    def open_batch(self, batch: BatchRecord) -> BatchRecord:
        """Record ``batch`` unless one with its id exists; return the stored record."""
        stored, _ = self.find_batch(batch.id)
        if stored is not None:
            return stored
        self.save_checkpoints(batch.id, {}, opening=batch)
        return batch

    def batch(self, batch_id: str) -> BatchRecord | None:
        """The batch called ``batch_id``, or None."""
        return self.find_batch(batch_id)[0]

    def checkpoints(self, batch_id: str) -> dict[str, Any]:
        """The payload of every finished step of ``batch_id``, by step name."""
        return self.find_batch(batch_id)[1]

    def save_checkpoint(
        self,
        batch_id: str,
        step: str,
        payload: Any,
        restrictions: Sequence[RestrictionRecord] = (),
    ) -> None:
        """Mark one ``step`` finished with ``payload`` and record ``restrictions``, atomically."""
        self.save_checkpoints(batch_id, {step: payload}, restrictions)

    def restrictions(self, identity: str, value: str) -> list[RestrictionRecord]:
        """Every restriction recorded for the subject ``identity``/``value``.

        ``value`` is the stored subject reference (a keyed hash, see
        :func:`tutela.rights.restrictions.subject_ref`), not the identity value.
        """
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
    def _reading(self) -> Iterator[sa.Connection]:
        """A connection for one read; on PostgreSQL in autocommit (no BEGIN, no ROLLBACK)."""
        with self._engine.connect() as connection:
            if self._engine.dialect.name == "postgresql":
                connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            yield connection

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except sa.exc.SQLAlchemyError as error:
            kind = type(getattr(error, "orig", None) or error).__name__
            raise StoreError(f"tutela's store failed ({kind}); check TUTELA_DATABASE_URL") from None


def _batch_record(row: Any) -> BatchRecord:
    return BatchRecord(row.id, row.type, row.requests, row.created_at, row.status)


def _batch_row(batch: BatchRecord, status: str | None, now: datetime) -> dict[str, Any]:
    return {
        "id": batch.id,
        "type": batch.type,
        "requests": batch.requests,
        "status": status or batch.status,
        "created_at": batch.created_at,
        "finished_at": now if status else None,
    }


def _finish_row(batch_id: str, status: str, now: datetime) -> dict[str, Any]:
    return {"batch": batch_id, "new_status": status, "new_finished_at": now}


_FIND = (
    sa.select(dsr_batch, dsr_checkpoint.c.step, dsr_checkpoint.c.payload)
    .select_from(dsr_batch.outerjoin(dsr_checkpoint))
    .where(dsr_batch.c.id == sa.bindparam("batch"))
)
_INSERT_BATCH = sa.insert(dsr_batch)
_INSERT_CHECKPOINT = sa.insert(dsr_checkpoint)
_INSERT_RESTRICTION = sa.insert(restriction)
_FINISH = (
    sa.update(dsr_batch)
    .where(dsr_batch.c.id == sa.bindparam("batch"))
    .values(
        status=sa.bindparam("new_status", type_=dsr_batch.c.status.type),
        finished_at=sa.bindparam("new_finished_at", type_=dsr_batch.c.finished_at.type),
    )
)
"""The store's statements, built once (values are always parameters)."""


@lru_cache(maxsize=256)
def _allowed_text(allowed: tuple[str, ...]) -> str:
    return json.dumps(list(allowed))


def _row(record: RestrictionRecord) -> dict[str, Any]:
    return {
        "identity": record.identity,
        "value": record.value,
        "allowed": _allowed_text(record.allowed),
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
    return sqlengine.create_engine(url, owner="TUTELA_DATABASE_URL", wal=True)
