"""Bounded random samples of a table, for discovery (:class:`tutela.ports.Sampling`).

Never a full scan unless ``full`` is asked for; every statement carries a ``LIMIT``:

* PostgreSQL: the row count is estimated from ``pg_class.reltuples`` (or the
  relation's size when the table was never analysed). A table larger than
  :data:`SMALL_TABLE` times the limit is sampled by pages,
  ``TABLESAMPLE SYSTEM (pct) LIMIT n`` (PostgreSQL docs, "SELECT: TABLESAMPLE");
  a sample that comes back short (bloated pages, stale statistics) is retried
  with a larger percentage, then read with a plain ``LIMIT``.
* SQLite (by ``rowid``) and MariaDB/MySQL (by an integer primary key): random
  keys are picked between the smallest and largest key (two index look-ups) and
  read with ``key IN (...)``; gaps are made up by further picks scaled to the
  density seen, then by a contiguous ``key >= random LIMIT n`` read (wrapping round).
  ``ORDER BY random()``/``RAND()`` would scan and sort the whole table.
  MariaDB's ``information_schema.TABLES.TABLE_ROWS`` gives the first density.
* A small table, or one without such a key, is read with ``LIMIT`` three times
  the sample size and sampled in Python.

:func:`read_only` wraps the reads in a read-only transaction where the dialect
has one (PostgreSQL, MariaDB/MySQL ``SET TRANSACTION READ ONLY``; SQLite
``PRAGMA query_only``). Values are always bound; identifiers are quoted by
SQLAlchemy from the reflected table (schema included).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

SMALL_TABLE = 3
"""A table of at most this many times the sample size is read whole (with a LIMIT)."""

OVERSAMPLE = 2.0
"""TABLESAMPLE asks for this many times the rows needed (pages are not all full)."""

PICKS_PER_STATEMENT = 500
"""Random keys bound in one ``key IN (...)`` statement."""

PICK_ROUNDS = 3
"""Rounds of random key picks before the contiguous top-up read."""

MAX_PICKS = 20
"""At most this many times the sample size of keys are picked in one round."""

_PG_ESTIMATE = sa.text(
    "SELECT c.reltuples, pg_relation_size(c.oid) / current_setting('block_size')::int"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relname = :table AND n.nspname = COALESCE(:schema, current_schema())"
)
_PG_ROWS_PER_PAGE = 50
"""Rows per 8 kB page assumed for a table never analysed (``reltuples`` = -1)."""

_MYSQL_ESTIMATE = sa.text(
    "SELECT TABLE_ROWS FROM information_schema.TABLES"
    " WHERE TABLE_SCHEMA = COALESCE(:schema, DATABASE()) AND TABLE_NAME = :table"
)
_SQLITE_ROWID = ("_rowid_", "rowid", "oid")

Rows = list[tuple[Any, ...]]


@contextmanager
def read_only(connection: sa.Connection) -> Iterator[None]:
    """Make the reads on ``connection`` (its first transaction) read-only where possible."""
    dialect = connection.dialect.name
    if dialect in ("postgresql", "mysql", "mariadb"):
        connection.execute(sa.text("SET TRANSACTION READ ONLY"))
        yield
        return
    if dialect != "sqlite":
        yield
        return
    connection.exec_driver_sql("PRAGMA query_only = ON")
    try:
        yield
    finally:
        connection.exec_driver_sql("PRAGMA query_only = OFF")


def sample_rows(
    connection: sa.Connection,
    table: sa.Table,
    columns: Sequence[sa.Column[Any]],
    limit: int,
    *,
    full: bool = False,
    rng: random.Random | None = None,
) -> Rows:
    """Up to ``limit`` rows of ``columns`` of ``table`` chosen at random (all when ``full``)."""
    if not columns:
        return []
    chosen = rng or random.Random()
    if full:
        return [tuple(row) for row in connection.execute(sa.select(*columns)).all()]
    dialect = connection.dialect.name
    if dialect == "postgresql":
        return _postgresql(connection, table, columns, limit, chosen)
    if dialect == "sqlite":
        return _sqlite(connection, table, columns, limit, chosen)
    if dialect in ("mysql", "mariadb"):
        return _mysql(connection, table, columns, limit, chosen)
    return _bounded(connection, sa.select(*columns), limit, chosen)


# --- per dialect ------------------------------------------------------------------------------


def _postgresql(
    connection: sa.Connection,
    table: sa.Table,
    columns: Sequence[sa.Column[Any]],
    limit: int,
    rng: random.Random,
) -> Rows:
    """TABLESAMPLE SYSTEM on a table estimated large; a bounded read otherwise."""
    estimate = _pg_estimate(connection, table)
    if estimate <= SMALL_TABLE * limit:
        return _bounded(connection, sa.select(*columns), limit, rng)
    percent = min(100.0, 100.0 * limit * OVERSAMPLE / estimate)
    rows: Rows = []
    for attempt in (percent, min(100.0, percent * 5)):
        sampled = sa.tablesample(table, sa.func.system(attempt))
        statement = sa.select(*(sampled.c[column.key] for column in columns)).limit(limit)
        rows = [tuple(row) for row in connection.execute(statement).all()]
        if len(rows) >= limit or attempt >= 100.0:
            return rows
    bounded = _bounded(connection, sa.select(*columns), limit, rng)
    return bounded if len(bounded) > len(rows) else rows


def _pg_estimate(connection: sa.Connection, table: sa.Table) -> float:
    """Rows of ``table`` as the planner's statistics estimate them (0 when unknown)."""
    found = connection.execute(_PG_ESTIMATE, {"table": table.name, "schema": table.schema}).first()
    if found is None:
        return 0.0
    tuples, pages = float(found[0] or 0), float(found[1] or 0)
    return tuples if tuples > 0 else pages * _PG_ROWS_PER_PAGE


def _sqlite(
    connection: sa.Connection,
    table: sa.Table,
    columns: Sequence[sa.Column[Any]],
    limit: int,
    rng: random.Random,
) -> Rows:
    """Random rowids (or the integer primary key of a WITHOUT ROWID table)."""
    key: sa.ColumnElement[Any] | None = _integer_key(table)
    if key is None:
        names = {column.name.lower() for column in table.columns}
        free = [alias for alias in _SQLITE_ROWID if alias not in names]
        if not free:
            return _bounded(connection, sa.select(*columns), limit, rng)
        key = sa.literal_column(free[0])
    try:
        return _keyed(connection, table, columns, key, limit, rng)
    except sa.exc.OperationalError:  # a WITHOUT ROWID table: it has no rowid
        return _bounded(connection, sa.select(*columns), limit, rng)


def _mysql(
    connection: sa.Connection,
    table: sa.Table,
    columns: Sequence[sa.Column[Any]],
    limit: int,
    rng: random.Random,
) -> Rows:
    """Random primary-key picks, the density first estimated from ``TABLE_ROWS``."""
    key = _integer_key(table)
    if key is None:
        return _bounded(connection, sa.select(*columns), limit, rng)
    found = connection.execute(
        _MYSQL_ESTIMATE, {"table": table.name, "schema": table.schema}
    ).scalar()
    return _keyed(connection, table, columns, key, limit, rng, estimate=float(found or 0))


# --- the two ways of reading ------------------------------------------------------------------


def _bounded(
    connection: sa.Connection, select: sa.Select[Any], limit: int, rng: random.Random
) -> Rows:
    """Up to :data:`SMALL_TABLE` × ``limit`` rows read in storage order, sampled in Python."""
    rows = [tuple(row) for row in connection.execute(select.limit(SMALL_TABLE * limit)).all()]
    return rows if len(rows) <= limit else rng.sample(rows, limit)


def _keyed(
    connection: sa.Connection,
    table: sa.Table,
    columns: Sequence[sa.Column[Any]],
    key: sa.ColumnElement[Any],
    limit: int,
    rng: random.Random,
    *,
    estimate: float = 0.0,
) -> Rows:
    """Rows whose integer ``key`` is picked at random between the smallest and largest."""
    low, high = connection.execute(sa.select(sa.func.min(key), sa.func.max(key))).one()
    if low is None or high is None:
        return []
    low, high = int(low), int(high)
    span = high - low + 1
    if span <= SMALL_TABLE * limit:
        return _bounded(connection, sa.select(*columns), limit, rng)
    select = sa.select(key, *columns).select_from(table)
    found: dict[Any, tuple[Any, ...]] = {}
    density = min(1.0, estimate / span) if estimate > 0 else 1.0
    for _ in range(PICK_ROUNDS):
        wanted = limit - len(found)
        if wanted <= 0:
            break
        count = min(span, MAX_PICKS * limit, math.ceil(wanted * 1.3 / max(density, 1e-6)))
        picks = rng.sample(range(low, high + 1), count)
        hits = _read_keys(connection, select, key, picks, found)
        density = hits / count if hits else density / 10
    start = rng.randint(low, high)
    for after in (key >= start, key < start):  # from a random key, wrapping round once
        if len(found) < limit:  # ``limit`` rows hold at least the new rows still needed
            top_up = select.where(after).order_by(key).limit(limit)
            for row in connection.execute(top_up).all():
                if len(found) < limit:
                    found.setdefault(row[0], tuple(row[1:]))
    rows = list(found.values())
    return rows if len(rows) <= limit else rng.sample(rows, limit)


def _read_keys(
    connection: sa.Connection,
    select: sa.Select[Any],
    key: sa.ColumnElement[Any],
    picks: Sequence[int],
    found: dict[Any, tuple[Any, ...]],
) -> int:
    """Add the rows whose key is one of ``picks`` to ``found``; return how many were new."""
    before = len(found)
    for start in range(0, len(picks), PICKS_PER_STATEMENT):
        chunk = picks[start : start + PICKS_PER_STATEMENT]
        for row in connection.execute(select.where(key.in_(chunk))).all():
            found.setdefault(row[0], tuple(row[1:]))
    return len(found) - before


def _integer_key(table: sa.Table) -> sa.Column[Any] | None:
    """The table's primary key when it is one integer column."""
    key = list(table.primary_key.columns)
    if len(key) == 1 and isinstance(key[0].type, sa.Integer):
        return key[0]
    return None
