"""The SQL store of DSR batches, checkpoints and restrictions.

Implements :class:`tutela.ports.BatchStore` and
:class:`tutela.ports.RestrictionStore` on SQLite (default, WAL mode), PostgreSQL
or MariaDB. The schema is brought up to date with Alembic when the store is
opened (``upgrade=True``, the default), or checked to be current (``upgrade=False``,
what the CLI does: ``tutela db upgrade`` migrates).
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
from tutela.ports import BatchRecord, Clock, RestrictionRecord
from tutela.store import codec, migrate
from tutela.store.engine import open_engine, store_error
from tutela.store.tables import dsr_batch, dsr_checkpoint, restriction

DONE = "done"
"""The status of a batch whose every step is applied; its checkpoints are gone."""


class SqlDsrStore:
    """DSR batches, checkpoints and restrictions in tutela's own database.

    Raises StoreError when the database fails and ConfigurationError for a
    URL no installed driver can open. The URL's password never appears in errors.
    """

    def __init__(
        self,
        url: str,
        clock: Clock,
        *,
        upgrade: bool = True,
        connect_timeout: int = sqlengine.CONNECT_TIMEOUT,
        statement_timeout: int = sqlengine.STATEMENT_TIMEOUT,
    ) -> None:
        self._clock = clock
        self._engine = _engine(url, connect_timeout, statement_timeout)
        with self._guard():
            migrate.prepare(self._engine, check_only=not upgrade)

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
        counts: Mapping[str, int] | None = None,
        keep: Sequence[str] = (),
        expires_at: datetime | None = None,
        lease_until: datetime | None = None,
        lifted: Sequence[RestrictionRecord] = (),
    ) -> None:
        """Mark ``steps`` finished with their payloads and record ``restrictions``, in one commit.

        ``lifted`` ends the whole-subject restrictions (RS-1) of the subjects it names
        (by ``identity`` and ``value``; RS-3); fields kept under a legal obligation stay (ER-2).

        ``opening`` (a batch not stored yet) is recorded first; ``status`` (with
        the finish time and ``counts``) is set last, and ``done`` deletes every
        checkpoint of the batch but ``keep``, all in the same transaction. With
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
                connection.execute(_INSERT_BATCH, _batch_row(opening, lease_until))
            if rows:
                connection.execute(_INSERT_CHECKPOINT, rows)
            if restrictions:
                connection.execute(_INSERT_RESTRICTION, [_row(r) for r in restrictions])
            if lifted:
                connection.execute(_lift(lifted))
            if status is not None:
                close = _close_row(batch_id, status, now, counts, expires_at)
                connection.execute(_CLOSE, close)
                if status == DONE:
                    connection.execute(_purge_batch(batch_id, keep))
            elif lease_until is not None and opening is None:
                connection.execute(_LEASE, {"batch": batch_id, "until": lease_until})

    def claim_batch(self, batch_id: str, now: datetime, until: datetime) -> BatchRecord | None:
        """Lease the open batch ``batch_id`` until ``until``; None if done, unknown or leased."""
        claim = (
            sa.update(dsr_batch)
            .where(
                dsr_batch.c.id == batch_id,
                dsr_batch.c.status != DONE,
                sa.or_(dsr_batch.c.lease_until.is_(None), dsr_batch.c.lease_until < now),
            )
            .values(lease_until=until, status="running")
        )
        with self._guard(), self._engine.begin() as connection:
            claimed = connection.execute(claim).rowcount == 1
        return self.find_batch(batch_id)[0] if claimed else None

    def finish_batch(self, batch_id: str, status: str) -> None:
        """Set the batch's final status and release its lease (``done`` purges checkpoints)."""
        self.save_checkpoints(batch_id, {}, status=status)

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

    def purge(self, now: datetime, *, open_before: datetime | None = None) -> dict[str, int]:
        """Delete what has expired: answers past their delivery window, and stale batches.

        A batch left open (not leased) since before ``open_before`` loses its
        checkpoints and is marked ``abandoned``. Returns how many answer
        checkpoints were deleted and how many batches were abandoned.
        """
        expired = sa.select(dsr_batch.c.id).where(
            dsr_batch.c.status == DONE, dsr_batch.c.expires_at <= now
        )
        with self._guard(), self._engine.begin() as connection:
            answers = connection.execute(
                sa.delete(dsr_checkpoint).where(dsr_checkpoint.c.batch_id.in_(expired))
            ).rowcount
            connection.execute(
                sa.update(dsr_batch)
                .where(dsr_batch.c.status == DONE, dsr_batch.c.expires_at <= now)
                .values(expires_at=None)
            )
            stale = 0
            if open_before is not None:
                stale = _abandon(connection, open_before, now)
        return {"answers": answers, "abandoned": stale}

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
            raise store_error(error, self._engine.url) from None


def _batch_record(row: Any) -> BatchRecord:
    return BatchRecord(
        row.id,
        row.type,
        row.requests,
        row.created_at,
        row.status,
        digest=row.digest,
        counts=json.loads(row.counts or "{}"),
        finished_at=row.finished_at,
        lease_until=row.lease_until,
    )


def _batch_row(batch: BatchRecord, lease_until: datetime | None) -> dict[str, Any]:
    return {
        "id": batch.id,
        "type": batch.type,
        "requests": batch.requests,
        "status": batch.status,
        "created_at": batch.created_at,
        "finished_at": None,
        "digest": batch.digest,
        "counts": json.dumps(dict(batch.counts), sort_keys=True),
        "lease_until": lease_until,
        "expires_at": None,
    }


def _close_row(
    batch_id: str,
    status: str,
    now: datetime,
    counts: Mapping[str, int] | None,
    expires_at: datetime | None,
) -> dict[str, Any]:
    return {
        "batch": batch_id,
        "new_status": status,
        "new_finished_at": now,
        "new_counts": json.dumps(dict(counts or {}), sort_keys=True),
        "new_expires_at": expires_at,
    }


def _purge_batch(batch_id: str, keep: Sequence[str]) -> sa.Delete:
    """Delete the checkpoints of a closed batch, but those in ``keep``."""
    query = sa.delete(dsr_checkpoint).where(dsr_checkpoint.c.batch_id == batch_id)
    return query.where(dsr_checkpoint.c.step.not_in(list(keep))) if keep else query


def _lift(lifted: Sequence[RestrictionRecord]) -> sa.Delete:
    """Delete the whole-subject restrictions of the subjects in ``lifted`` (RS-3)."""
    subjects = sorted({(r.identity, r.value) for r in lifted})
    return sa.delete(restriction).where(
        sa.tuple_(restriction.c.identity, restriction.c.value).in_(subjects),
        restriction.c.collection == "",
        restriction.c.field == "",
    )


def _abandon(connection: sa.Connection, before: datetime, now: datetime) -> int:
    """Close batches left open since before ``before``; delete their checkpoints."""
    stale = sa.select(dsr_batch.c.id).where(
        dsr_batch.c.status != DONE,
        dsr_batch.c.created_at < before,
        sa.or_(dsr_batch.c.lease_until.is_(None), dsr_batch.c.lease_until < now),
    )
    ids = [row.id for row in connection.execute(stale)]
    if ids:
        connection.execute(sa.delete(dsr_checkpoint).where(dsr_checkpoint.c.batch_id.in_(ids)))
        connection.execute(
            sa.update(dsr_batch)
            .where(dsr_batch.c.id.in_(ids))
            .values(status="abandoned", finished_at=now, lease_until=None)
        )
    return len(ids)


_FIND = (
    sa.select(dsr_batch, dsr_checkpoint.c.step, dsr_checkpoint.c.payload)
    .select_from(dsr_batch.outerjoin(dsr_checkpoint))
    .where(dsr_batch.c.id == sa.bindparam("batch"))
)
_INSERT_BATCH = sa.insert(dsr_batch)
_INSERT_CHECKPOINT = sa.insert(dsr_checkpoint)
_INSERT_RESTRICTION = sa.insert(restriction)
_CLOSE = (
    sa.update(dsr_batch)
    .where(dsr_batch.c.id == sa.bindparam("batch"))
    .values(
        status=sa.bindparam("new_status", type_=dsr_batch.c.status.type),
        finished_at=sa.bindparam("new_finished_at", type_=dsr_batch.c.finished_at.type),
        counts=sa.bindparam("new_counts", type_=dsr_batch.c.counts.type),
        expires_at=sa.bindparam("new_expires_at", type_=dsr_batch.c.expires_at.type),
        lease_until=None,
    )
)
_LEASE = (
    sa.update(dsr_batch)
    .where(dsr_batch.c.id == sa.bindparam("batch"))
    .values(lease_until=sa.bindparam("until", type_=dsr_batch.c.lease_until.type))
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


def _engine(url: str, connect_timeout: int, statement_timeout: int) -> sa.Engine:
    return open_engine(url, connect_timeout=connect_timeout, statement_timeout=statement_timeout)
