"""Rate limits kept in tutela's store, shared by every process and host (``tutela_rate_window``).

:class:`SqlRateWindows` implements :class:`tutela.access.limits.RateWindows`: the subjects'
submission limits, the preference links' limits and the console's login throttle count in
one place, so N API processes do not allow N times the attempts. One row per key:

- ``digest``: HMAC-SHA256 of the caller's key under the store key's code subkey, so the
  store keeps neither the key nor an unkeyed hash of it (not even of a client address);
  any string is accepted, however long, in any script;
- ``times``: the times of the events the window still counts, oldest first (microseconds
  since the epoch, at most the window's ``events`` of them);
- ``expires``: when the newest event leaves the window (microseconds since the epoch).

**Concurrency.** An attempt is one transaction that first writes the rows of its keys, in
digest order: an upsert inserting a missing row or touching an existing one. The write
locks the rows (a row lock on PostgreSQL and MariaDB, the write lock on SQLite), so an
attempt on one of the same keys waits until this one commits, then reads what it counted:
two attempts racing cannot both pass a full window. Every attempt locks in the same order
and touches other rows only by their primary key, so two cannot deadlock. On MariaDB the
transaction is READ COMMITTED (no gap locks).

**Purge.** Each attempt then deletes at most :data:`PURGE_BATCH` rows whose newest event
left its window, skipping rows another attempt holds (``SKIP LOCKED``), so the purge never
waits: the table holds the keys seen within their windows and little more, and an
attempt's work is bounded. A refused attempt's new keys leave no row.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from tutela.access.limits import RateWindows, SlidingWindows, Window, recent, waiting
from tutela.requests.sealing import StoreKey, Use
from tutela.store.engine import store_error
from tutela.store.tables import LongText, metadata

RATE_WINDOW = "tutela_rate_window"
RATE_WINDOW_EXPIRY_INDEX = "ix_tutela_rate_window_expires"
PURGE_BATCH = 32
"""Rows whose window has passed deleted by one attempt, at most."""
MOST_EVENTS = 10_000
"""The largest ``events`` of a window the store keeps (a row holds at most that many times)."""
SHORTEST_SECRET = 16
"""Bytes of the secret the keys are digested with, at least."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_DOMAIN = b"tutela/rate-window/v1\x00"
_SERVERS_READ_COMMITTED = ("mysql", "mariadb")


def rate_window_columns() -> list[sa.Column[object]]:
    """The columns of ``tutela_rate_window`` (shared with its migration)."""
    return [
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("times", LongText, nullable=False),
        sa.Column("expires", sa.BigInteger, nullable=False),
    ]


rate_window_table = sa.Table(RATE_WINDOW, metadata, *rate_window_columns())
sa.Index(RATE_WINDOW_EXPIRY_INDEX, rate_window_table.c.expires)

_T = rate_window_table
_COUNT = (
    sa.update(_T)
    .where(_T.c.digest == sa.bindparam("d"))
    .values(times=sa.bindparam("t"), expires=sa.bindparam("e"))
)
"""Record a key's times and expiry (executed once per key of an admitted attempt)."""
_FORGET = sa.delete(_T).where(_T.c.digest == sa.bindparam("d"), _T.c.expires <= sa.bindparam("at"))
"""Delete one expired row by its key (a scan of a key list would wait on others' rows)."""


class SqlRateWindows:
    """Sliding windows per key in the store behind ``engine`` (its schema upgraded by the caller).

    ``secret`` digests the keys (at least :data:`SHORTEST_SECRET` bytes; bootstrap passes
    the store key's code subkey): every process sharing a limit must use the same one.
    Raises :class:`~tutela.errors.StoreError` when the database fails, without secrets.
    """

    def __init__(self, engine: sa.Engine, secret: bytes) -> None:
        if len(secret) < SHORTEST_SECRET:
            raise ValueError(f"the rate windows' secret is at least {SHORTEST_SECRET} bytes")
        self.engine = engine
        self._secret = secret

    def attempt(self, windows: Mapping[str, Window], now: datetime) -> int:
        """Count one event under every key if each window has room: 0; else seconds to wait.

        Nothing is counted when one window is full, so a refused attempt costs nothing.
        ValueError for a naive ``now``, a key that is not a string, or a window of fewer
        than 1 or more than :data:`MOST_EVENTS` events.
        """
        at = _micros(now)
        limits = {self.digest(key): _checked(limit) for key, limit in windows.items()}
        if not limits:
            return 0
        ordered = dict(sorted(limits.items()))
        with self.guard(), self._transaction() as connection:
            _lock(connection, list(ordered), at)
            seen = _read(connection, list(ordered))
            kept = {d: recent(seen.get(d, []), limit, now) for d, limit in ordered.items()}
            wait = max(waiting(kept[d], limit, now) for d, limit in ordered.items())
            if wait == 0:
                _count(connection, kept, ordered, now)
            _purge(connection, at)
        return wait

    def digest(self, key: str) -> str:
        """The row's digest of ``key``: HMAC-SHA256 under the secret, 64 hex digits."""
        if not isinstance(key, str):
            raise ValueError("a rate key is a string (a keyed digest the caller chose)")
        data = _DOMAIN + key.encode("utf-8", "surrogatepass")
        return hmac.new(self._secret, data, hashlib.sha256).hexdigest()

    @contextmanager
    def _transaction(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as connection:
            if connection.dialect.name in _SERVERS_READ_COMMITTED:
                connection.execution_options(isolation_level="READ COMMITTED")
            with connection.begin():
                yield connection

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Turn a SQLAlchemy error into a StoreError saying what failed, without secrets."""
        try:
            yield
        except sa.exc.SQLAlchemyError as error:
            raise store_error(error, self.engine.url) from None


def rate_windows(engine: sa.Engine, key: StoreKey | None) -> RateWindows:
    """The rate limits in the store behind ``engine``, keys digested under ``key``.

    Without a store key the keys could not be digested with a secret, so the limits stay
    in this process's memory (:class:`~tutela.access.limits.SlidingWindows`).
    """
    if key is None:
        return SlidingWindows()
    return SqlRateWindows(engine, key.subkey(Use.CODE))


def _checked(limit: Window) -> Window:
    if not 1 <= limit.events <= MOST_EVENTS or limit.window <= timedelta(0):
        raise ValueError(f"a rate window counts 1 to {MOST_EVENTS} events over a positive duration")
    return limit


def _micros(at: datetime) -> int:
    if at.tzinfo is None:
        raise ValueError("the rate windows take timezone-aware times")
    return (at - _EPOCH) // _MICROSECOND


def _time(micros: int) -> datetime:
    return _EPOCH + micros * _MICROSECOND


def _lock(connection: sa.Connection, digests: list[str], at: int) -> None:
    """Insert each missing row (nothing counted, expired at ``at``) or touch it: locks all."""
    rows = [{"digest": digest, "times": "", "expires": at} for digest in digests]
    name = connection.dialect.name
    if name in ("mysql", "mariadb"):
        from sqlalchemy.dialects import mysql

        touch = mysql.insert(_T).values(rows).on_duplicate_key_update(expires=_T.c.expires)
        connection.execute(touch)
        return
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if name == "postgresql" else sqlite
    statement = dialect.insert(_T).values(rows)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[_T.c.digest], set_={"expires": _T.c.expires}
        )
    )


def _read(connection: sa.Connection, digests: list[str]) -> dict[str, list[datetime]]:
    """The times each row holds, oldest first.

    A plain read: :func:`_lock` holds the rows already, and a READ COMMITTED statement sees
    what the attempts before committed. (A locking read would also lock the rows a scan
    passes on MariaDB, and deadlock with attempts on other keys.)
    """
    query = sa.select(_T.c.digest, _T.c.times).where(_T.c.digest.in_(digests))
    found: dict[str, list[datetime]] = {}
    for digest, times in connection.execute(query):
        found[digest] = sorted(_time(int(part)) for part in times.split() if part.isdigit())
    return found


def _count(
    connection: sa.Connection,
    kept: Mapping[str, Sequence[datetime]],
    limits: Mapping[str, Window],
    now: datetime,
) -> None:
    """Add ``now`` to each row's recent times, keeping the newest its window can refuse with."""
    rows = []
    for digest, limit in limits.items():
        times = [*kept[digest], now][-limit.events :]
        text = " ".join(str(_micros(at)) for at in times)
        rows.append({"d": digest, "t": text, "e": _micros(now + limit.window)})
    connection.execute(_COUNT, rows)


def _purge(connection: sa.Connection, at: int) -> None:
    """Delete up to :data:`PURGE_BATCH` rows expired at ``at``, skipping rows others hold."""
    query = (
        sa.select(_T.c.digest).where(_T.c.expires <= at).order_by(_T.c.expires).limit(PURGE_BATCH)
    )
    if connection.dialect.name != "sqlite":
        query = query.with_for_update(skip_locked=True)
    stale = [{"d": digest, "at": at} for digest in connection.execute(query).scalars()]
    if stale:
        connection.execute(_FORGET, stale)
