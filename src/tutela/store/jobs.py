"""Job steps in tutela's store: one row of ``tutela_job`` per (request, step).

The request row and its state machine are the truth; a step row only says that work
is waiting. :class:`SqlJobStore` inserts a step if absent (a step already there, ready,
claimed or done, is left as it is), lets workers claim ready steps in batches under a
lease, and records each step done or failed. Claiming is one transaction: on
PostgreSQL and MariaDB the rows are read ``FOR UPDATE SKIP LOCKED``, so two workers
claiming at once get disjoint steps; on SQLite the transaction takes the write lock
first. A claim whose lease expired (its worker was killed) is claimable again.

Periodic duties use rows whose request is :data:`PERIODIC` and whose step names the
duty and the start of its period: the process whose insert succeeds runs the duty.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from tutela.errors import StoreError
from tutela.store.engine import store_error
from tutela.store.service_tables import job_table

READY, CLAIMED, DONE, FAILED = "ready", "claimed", "done", "failed"
COMPLETE = "complete"
"""The step that runs an approved request and answers it (ready when it enters in progress)."""
PERIODIC = "periodic"
"""The request id of periodic duties' rows (never claimed by :meth:`SqlJobStore.claim`)."""
ERROR_TEXT = 300
"""Longest error kept for a failed attempt (the column's width)."""
_ID_WIDTH, _STEP_WIDTH = 36, 32


@dataclass(frozen=True)
class JobStep:
    """One row of ``tutela_job``: a step of a request and where it stands."""

    request_id: str
    step: str
    state: str
    ready_at: datetime
    attempts: int
    claimed_by: str | None
    claimed_until: datetime | None
    done_at: datetime | None
    last_error: str | None


class SqlJobStore:
    """The job steps in the store behind ``engine`` (its schema upgraded by the caller).

    Raises :class:`~tutela.errors.StoreError` when the database fails, without secrets.
    """

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def enqueue(
        self, connection: sa.Connection | None, request_id: str, step: str, ready_at: datetime
    ) -> bool:
        """Make ``step`` of ``request_id`` ready at ``ready_at`` unless it exists; True if new.

        With ``connection`` the insert joins the caller's transaction (committed with the
        state change that makes the step due); without, it commits on its own.
        """
        row = _row(request_id, step, READY, ready_at)
        if connection is not None:
            return _insert_absent(connection, row)
        with self.guard(), self.engine.begin() as own:
            return _insert_absent(own, row)

    def enqueue_many(
        self, connection: sa.Connection, ready: Sequence[tuple[str, datetime]], step: str
    ) -> None:
        """:meth:`enqueue` for each (request id, ready at) of ``ready``, in one statement.

        The inserts join the caller's transaction; a step already there is left as it is.
        """
        if ready:
            rows = [_row(request_id, step, READY, ready_at) for request_id, ready_at in ready]
            _insert_absent_rows(connection, rows)

    def claim(
        self, worker: str, limit: int, now: datetime, lease: timedelta
    ) -> list[tuple[str, str]]:
        """Claim up to ``limit`` due steps for ``worker`` until ``now + lease``, oldest first.

        Due: ready at or before ``now``, or claimed by a worker whose lease has expired.
        Each claim counts one attempt. Returns the (request id, step) pairs claimed.
        """
        with self.guard(), self.engine.begin() as connection:
            _take_write_lock(connection)
            found = connection.execute(_due_query(connection, now, limit)).all()
            pairs = [(str(row.request_id), str(row.step)) for row in found]
            if pairs:
                values = {"by": worker, "until": now + lease}
                rows = [{"r": r, "s": s, **values} for r, s in pairs]
                connection.execute(_CLAIM, rows)
        return pairs

    def done(self, request_id: str, step: str, worker: str, *, now: datetime | None = None) -> bool:
        """Mark the step done if ``worker`` still holds its claim; True when it did.

        A second call, or a call by a worker whose claim was taken over, changes nothing.
        """
        values = {"state": DONE, "done_at": now or datetime.now(UTC), "claimed_until": None}
        return self._finish(request_id, step, worker, values)

    def done_many(
        self, requests: Sequence[str], step: str, worker: str, *, now: datetime | None = None
    ) -> int:
        """Mark ``step`` of each of ``requests`` done, in one statement; how many were marked.

        As :meth:`done`: a step whose claim ``worker`` no longer holds is left as it is.
        """
        if not requests:
            return 0
        t = job_table
        query = (
            sa.update(t)
            .where(t.c.request_id.in_(sorted(set(requests))), t.c.step == step)
            .where(t.c.state == CLAIMED, t.c.claimed_by == worker)
            .values(state=DONE, done_at=now or datetime.now(UTC), claimed_until=None)
        )
        with self.guard(), self.engine.begin() as connection:
            return int(connection.execute(query).rowcount)

    def failed(
        self,
        request_id: str,
        step: str,
        worker: str,
        error: str,
        retry_at: datetime | None,
    ) -> bool:
        """Record a failed attempt: ready again at ``retry_at``, or failed for good (None).

        ``error`` must hold no personal data (it is kept, cut to 300 characters).
        """
        values: dict[str, object] = {"last_error": error[:ERROR_TEXT], "claimed_until": None}
        if retry_at is None:
            values |= {"state": FAILED}
        else:
            values |= {"state": READY, "ready_at": retry_at}
        return self._finish(request_id, step, worker, values)

    def steps(self, request_id: str) -> list[JobStep]:
        """The steps of ``request_id``, by name."""
        query = sa.select(job_table).where(job_table.c.request_id == request_id)
        with self.guard(), self.engine.connect() as connection:
            rows = connection.execute(query.order_by(job_table.c.step)).mappings().all()
        return [
            JobStep(**{name: row[name] for name in JobStep.__dataclass_fields__}) for row in rows
        ]

    def attempts(self, request_id: str, step: str) -> int:
        """How many times the step was claimed (0 when there is no such step)."""
        t = job_table
        query = sa.select(t.c.attempts).where(t.c.request_id == request_id, t.c.step == step)
        with self.guard(), self.engine.connect() as connection:
            found = connection.execute(query).scalar()
        return 0 if found is None else int(found)

    def claim_once(self, step: str, worker: str, now: datetime, lease: timedelta) -> bool:
        """Claim the periodic ``step`` (``duty:period``) for ``worker``; False if another did."""
        row = _row(PERIODIC, step, CLAIMED, now) | {
            "attempts": 1,
            "claimed_by": worker,
            "claimed_until": now + lease,
        }
        with self.guard(), self.engine.begin() as connection:
            return _insert_absent(connection, row)

    def prune_periodic(self, before: datetime) -> int:
        """Delete the periodic rows of periods that started before ``before``; how many."""
        query = sa.delete(job_table).where(job_table.c.request_id == PERIODIC)
        query = query.where(job_table.c.ready_at < before)
        with self.guard(), self.engine.begin() as connection:
            return int(connection.execute(query).rowcount)

    def _finish(self, request_id: str, step: str, worker: str, values: dict[str, object]) -> bool:
        query = (
            sa.update(job_table)
            .where(job_table.c.request_id == request_id, job_table.c.step == step)
            .where(job_table.c.state == CLAIMED, job_table.c.claimed_by == worker)
            .values(values)
        )
        with self.guard(), self.engine.begin() as connection:
            return int(connection.execute(query).rowcount) == 1

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Turn a SQLAlchemy error into a StoreError saying what failed, without secrets."""
        try:
            yield
        except sa.exc.SQLAlchemyError as error:
            raise store_error(error, self.engine.url) from None


def _row(request_id: str, step: str, state: str, ready_at: datetime) -> dict[str, object]:
    if not request_id or len(request_id) > _ID_WIDTH or not step or len(step) > _STEP_WIDTH:
        raise StoreError(
            f"a job step needs a request id of at most {_ID_WIDTH} characters and a step "
            f"name of at most {_STEP_WIDTH}"
        )
    return {
        "request_id": request_id,
        "step": step,
        "state": state,
        "ready_at": ready_at,
        "attempts": 0,
        "claimed_by": None,
        "claimed_until": None,
        "done_at": None,
        "last_error": None,
    }


def _insert_absent(connection: sa.Connection, row: dict[str, object]) -> bool:
    """Insert ``row`` unless its (request, step) exists; True when inserted."""
    name = connection.dialect.name
    if name in ("mysql", "mariadb"):  # the widths are checked, so IGNORE only skips the duplicate
        statement = sa.insert(job_table).values(row).prefix_with("IGNORE")
        return int(connection.execute(statement).rowcount) == 1
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if name == "postgresql" else sqlite
    absent = dialect.insert(job_table).values(row).on_conflict_do_nothing()
    return connection.execute(absent.returning(job_table.c.step)).first() is not None


def _insert_absent_rows(connection: sa.Connection, rows: list[dict[str, object]]) -> None:
    """Insert each of ``rows`` unless its (request, step) exists: one statement, executemany."""
    name = connection.dialect.name
    if name in ("mysql", "mariadb"):
        connection.execute(sa.insert(job_table).prefix_with("IGNORE"), rows)
        return
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if name == "postgresql" else sqlite
    connection.execute(dialect.insert(job_table).on_conflict_do_nothing(), rows)


def _take_write_lock(connection: sa.Connection) -> None:
    """On SQLite, a write statement first: this transaction takes the write lock."""
    if connection.dialect.name == "sqlite":
        connection.execute(sa.delete(job_table).where(sa.false()))


def _due_query(connection: sa.Connection, now: datetime, limit: int) -> sa.Select[tuple[str, str]]:
    t = job_table
    ready = sa.and_(t.c.state == READY, t.c.ready_at <= now)
    lapsed = sa.and_(t.c.state == CLAIMED, t.c.claimed_until < now)
    query = (
        sa.select(t.c.request_id, t.c.step)
        .where(sa.or_(ready, lapsed), t.c.request_id != PERIODIC)
        .order_by(t.c.ready_at, t.c.request_id, t.c.step)
        .limit(max(1, limit))
    )
    if connection.dialect.name != "sqlite":
        query = query.with_for_update(skip_locked=True)
    return query


_CLAIM = (
    sa.update(job_table)
    .where(job_table.c.request_id == sa.bindparam("r"), job_table.c.step == sa.bindparam("s"))
    .values(
        state=CLAIMED,
        claimed_by=sa.bindparam("by"),
        claimed_until=sa.bindparam("until"),
        attempts=job_table.c.attempts + 1,
    )
)
"""Claim one step (executed for each step claimed, in the claiming transaction)."""
