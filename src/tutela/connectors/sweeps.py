"""Retention sweeps on a system's own SQL database: :class:`SqlSweeper` (RT-2, RT-3).

The :class:`tutela.retention.ports.Sweeper` of SQLite, PostgreSQL and MariaDB/MySQL.
Each call works on one key range ``lo <= key < hi`` of one target with set-based
statements (built in :mod:`tutela.connectors.sweeps_sql`): :meth:`SqlSweeper.measure` is
one SELECT of conditional sums (plus one GROUP BY for per-event targets) and
:meth:`SqlSweeper.apply` one DELETE, one UPDATE, or an INSERT ... SELECT then a DELETE
in one transaction (archive). The range lets the database reach the rows through the
primary key, so a statement stays short however large the table is (:meth:`plan` shows
the database's plan).

Tables are reflected once and cached. Database failures become
:class:`tutela.errors.ConnectorError` naming the system, never the URL, password or a
bound value. On MariaDB/MySQL the session's time zone is UTC, so TIMESTAMP columns
compare in UTC like every other time tutela binds.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from tutela.connectors.catalog import reflecting
from tutela.connectors.engines import SqlOptions, create_engine
from tutela.connectors.sqlerrors import translate
from tutela.connectors.sweeps_sql import SweepTables
from tutela.connectors.urls import resolve_url
from tutela.errors import ConfigurationError, ConnectorError
from tutela.programme.models import System
from tutela.retention.ports import Key
from tutela.retention.targets import Bound, Counts, Exclusion, Target

_PROBE = 2_000
"""Rows read, oldest first, to see whether keys follow time (:meth:`SqlSweeper.by_time`)."""
_SPREAD = 8
"""Keys follow time when the oldest rows' keys span at most this many times their number."""


class SqlSweeper:
    """A :class:`tutela.retention.ports.Sweeper` on one system's SQL database.

    ``engine`` is the system's own (built by :meth:`from_system`); ``system_key`` names
    the system in errors. Raises :class:`ConnectorError` for a missing table or column,
    a hold value that cannot be a value of its column, or a failing database.
    """

    def __init__(self, engine: sa.Engine, system_key: str, *, schema: str | None = None) -> None:
        self.system = system_key
        self._engine = engine
        self._metadata = sa.MetaData(schema=schema)
        self._tables: dict[str, sa.Table] = {}
        self._indexed: dict[str, set[str]] = {}
        self._by_time: dict[tuple[str, str], bool] = {}
        self._lock = threading.Lock()
        if engine.dialect.name in ("mysql", "mariadb"):
            sa.event.listen(engine, "connect", _utc_session)

    @classmethod
    def from_system(cls, system: System, env: Mapping[str, str]) -> SqlSweeper:
        """The sweeper of ``system``, its URL resolved from its connector settings and ``env``."""
        if system.connector is None:
            raise ConfigurationError(f"system {system.key!r} has no connector")
        url = resolve_url(system.connector, env, system=system.key)
        options = SqlOptions.parse(system.connector.options or {}, system=system.key)
        engine = create_engine(url, system.key, options)
        return cls(engine, system.key, schema=options.schema)

    def __repr__(self) -> str:
        """The system and its dialect (never the URL)."""
        return f"SqlSweeper({self.system!r}, {self._engine.dialect.name!r})"

    # --- ranges -------------------------------------------------------------------------------

    def span(self, target: Target, bound: Bound | None = None) -> tuple[Key, Key] | None:
        """The least and greatest value ranges run along; None when there is none.

        Ranges run along the primary key, or along the time column when an index leads
        with it (:meth:`by_time`): then only rows up to ``bound``'s latest cutoff are
        ever read, and the span ends there.
        """
        tables = self._tables_of(target)
        chunk = tables.chunk
        query = sa.select(sa.func.min(chunk), sa.func.max(chunk))
        latest = tables.latest(bound) if tables.by_time else None
        if latest is not None:
            query = query.where(chunk < tables.time_bound(latest))
        with self._guard(), self._engine.connect() as connection:
            low, high = connection.execute(query).one()
        return None if low is None else (low, high)

    def by_time(self, target: Target) -> bool:
        """True when ranges run along the target's time column rather than its key.

        When the period counts from a column of the table itself, of a date-and-time
        type, and an index leads with it: each range then reads only rows whose time is
        in it, through that index, and never the rows whose retention has not ended.
        """
        return self._tables_of(target).by_time

    def boundary(self, target: Target, lo: Key, width: int) -> Key | None:
        """The exclusive end of the range from ``lo`` holding about ``width`` keys.

        Integer keys: ``lo + width``. Other keys: the key ``width`` rows after ``lo``
        in the database's key order, None when fewer remain.
        """
        if not isinstance(width, int) or isinstance(width, bool) or width < 1:
            raise ConnectorError("a sweep range must hold at least one key", system=self.system)
        tables = self._tables_of(target)
        if tables.by_time:  # a range of ``width`` seconds along the time column
            if not isinstance(lo, datetime):
                raise ConnectorError(
                    f"collection {target.address!r} is swept along its time column; a range "
                    "starts at a time",
                    system=self.system,
                )
            return lo + timedelta(seconds=width)
        key = tables.key
        if isinstance(key.type, sa.Integer):
            if not isinstance(lo, int) or isinstance(lo, bool):
                raise ConnectorError(
                    f"collection {target.address!r} has integer keys; a range starts at one",
                    system=self.system,
                )
            return lo + width
        query = sa.select(key).where(key >= lo).order_by(key).limit(1).offset(width)
        with self._guard(), self._engine.connect() as connection:
            return connection.execute(query).scalar()

    # --- counting and writing -----------------------------------------------------------------

    def measure(
        self,
        target: Target,
        bound: Bound,
        exclusions: Sequence[Exclusion],
        lo: Key,
        hi: Key | None,
        *,
        exact: bool = True,
    ) -> Counts:
        """Rows in the range, ended, held (ended and protected), and those a write affects.

        A plain deletion with no hold and no event is only counted (``COUNT(*)`` of the
        range, read from an index): along the time column every row of a range has ended,
        so the count is exact; along the key, with ``exact`` False, it is not
        (``Counts.exact`` False).
        """
        tables = self._tables_of(target)
        in_range = tables.in_range(lo, hi, bound)
        plain = target.action == "delete" and not exclusions and not target.per_event
        if plain and ((tables.by_time and not target.per_customer) or not exact):
            with self._guard(), self._engine.connect() as connection:
                counting = sa.select(sa.func.count()).select_from(tables.table).where(in_range)
                rows = int(connection.execute(counting).scalar() or 0)
            if tables.by_time and not target.per_customer:
                return Counts(examined=rows, ended=rows, affected=rows)
            return Counts(examined=rows, affected=rows, exact=False)
        ended = tables.ended(bound)
        writable = tables.writable(bound, exclusions)
        affected = sa.and_(writable, tables.differs())
        query = sa.select(
            sa.func.count(),
            _sum(ended),
            sa.func.sum(sa.case((writable, 0), (ended, 1), else_=0)),
            _sum(affected),
        ).where(in_range)
        with self._guard(), self._engine.connect() as connection:
            examined, ended_rows, held, affected_rows = connection.execute(query).one()
            events = self._events(connection, tables, sa.and_(in_range, affected))
        return Counts(
            examined=int(examined or 0),
            ended=int(ended_rows or 0),
            held=int(held or 0),
            affected=int(affected_rows or 0),
            events=events,
        )

    def apply(
        self,
        target: Target,
        bound: Bound,
        exclusions: Sequence[Exclusion],
        lo: Key,
        hi: Key | None,
    ) -> int:
        """Delete, anonymise or archive the range's ended rows no hold protects; rows affected.

        Commits. A rerun affects 0: deleted rows are gone, masked rows already hold their
        masked values, archived rows are gone (and an archive never receives a key twice).
        """
        tables = self._tables_of(target)
        statements = _writes(tables, bound, exclusions, lo, hi)
        affected = 0
        with self._guard(), self._engine.begin() as connection:
            for statement, counts in statements:
                result = connection.execute(statement)
                affected = result.rowcount if counts else affected
        return int(affected)

    def plan(
        self,
        target: Target,
        bound: Bound,
        exclusions: Sequence[Exclusion],
        lo: Key,
        hi: Key | None,
    ) -> str:
        """The database's plan (EXPLAIN) for the statements :meth:`apply` would run.

        Nothing is written: each statement is only explained. One line per plan row.
        """
        tables = self._tables_of(target)
        prefix = "EXPLAIN QUERY PLAN " if self._engine.dialect.name == "sqlite" else "EXPLAIN "

        def explained(*arguments: Any) -> tuple[str, Any]:
            return prefix + arguments[2], arguments[3]

        lines: list[str] = []
        with self._guard(), self._engine.connect() as connection:
            sa.event.listen(connection, "before_cursor_execute", explained, retval=True)
            try:
                for statement, _ in _writes(tables, bound, exclusions, lo, hi):
                    rows = connection.execute(statement).all()
                    lines += [" | ".join(str(cell) for cell in row) for row in rows]
            finally:
                connection.rollback()
                sa.event.remove(connection, "before_cursor_execute", explained)
        return "\n".join(lines)

    def close(self) -> None:
        """Release every pooled connection."""
        self._engine.dispose()

    # --- helpers ------------------------------------------------------------------------------

    def _events(
        self, connection: sa.Connection, tables: SweepTables, where: ColumnElement[bool]
    ) -> tuple[tuple[str, int], ...]:
        target = tables.target
        if not target.per_event:
            return ()
        via = tables.column(tables.table, str(target.time.via))
        query = sa.select(via, sa.func.count()).where(where, via.is_not(None)).group_by(via)
        rows = connection.execute(query).all()
        return tuple(sorted((str(event), int(count)) for event, count in rows))

    def _tables_of(self, target: Target) -> SweepTables:
        parents = {
            str(column.parent): self._table(str(column.parent))
            for column in (target.time, target.customer)
            if column is not None and column.through_parent
        }
        archive = (
            self._table(target.archive) if target.action == "archive" and target.archive else None
        )
        table = self._table(target.table)
        return SweepTables(
            target=target,
            table=table,
            parents=parents,
            archive=archive,
            dialect=str(self._engine.dialect.name),
            system=self.system,
            by_time=self._time_indexed(target, table),
        )

    def _time_indexed(self, target: Target, table: sa.Table) -> bool:
        """True when the target's own time column is a date-time that an index leads with."""
        time = target.time
        if time.through_parent or time.name not in table.c:
            return False
        if not isinstance(table.c[time.name].type, sa.DateTime):
            return False
        with self._lock:
            decided = self._by_time.get((table.name, time.name))
        if decided is None:
            decided = self._time_leads_an_index(table, time.name)
            with self._lock:
                self._by_time[(table.name, time.name)] = decided
        return decided

    def _time_leads_an_index(self, table: sa.Table, name: str) -> bool:
        with self._lock:
            known = self._indexed.get(table.name)
        if known is None:
            with self._guard(), reflecting():
                indexes = sa.inspect(self._engine).get_indexes(
                    table.name, schema=self._metadata.schema
                )
            known = {str(index["column_names"][0]) for index in indexes if index["column_names"]}
            with self._lock:
                self._indexed[table.name] = known
        return name in known and self._in_time_order(table, name)

    def _in_time_order(self, table: sa.Table, name: str) -> bool:
        """True when rows were added in about the order of their time (keys follow it).

        The oldest :data:`_PROBE` rows by time are read through the index: when their
        integer keys lie close together, rows of one time range sit together too, and
        ranges along the time index read each page once. When they are scattered (rows
        loaded out of order), ranges along the key are cheaper: they read each page once
        whatever the times.
        """
        key = [c for c in table.primary_key.columns]
        if len(key) != 1 or not isinstance(key[0].type, sa.Integer):
            return True
        time = table.c[name]
        oldest = (
            sa.select(key[0].label("k"))
            .where(time.is_not(None))
            .order_by(time)
            .limit(_PROBE)
            .subquery()
        )
        probe = sa.select(sa.func.min(oldest.c.k), sa.func.max(oldest.c.k), sa.func.count())
        with self._guard(), self._engine.connect() as connection:
            low, high, rows = connection.execute(probe).one()
        if not rows:
            return True
        return int(high) - int(low) <= _SPREAD * int(rows)

    def _table(self, name: str) -> sa.Table:
        if not isinstance(name, str) or not name:
            raise ConnectorError(f"collection name must be text, got {name!r}", system=self.system)
        with self._lock:
            table = self._tables.get(name)
            if table is None:
                table = self._reflect(name)
                self._tables[name] = table
        return table

    def _reflect(self, name: str) -> sa.Table:
        with self._guard(), reflecting():
            try:
                return sa.Table(name, self._metadata, autoload_with=self._engine, resolve_fks=False)
            except sa.exc.NoSuchTableError:
                pass
        raise ConnectorError(f"collection {name!r} does not exist", system=self.system)

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except sa.exc.SQLAlchemyError as error:
            password = self._engine.url.password
            raise translate(error, system=self.system, password=password) from error


def _writes(
    tables: SweepTables, bound: Bound, exclusions: Sequence[Exclusion], lo: Key, hi: Key | None
) -> list[tuple[sa.Executable, bool]]:
    """The statements of the write, each with whether its rowcount is the rows affected."""
    table, action = tables.table, tables.target.action
    chosen = sa.and_(tables.in_range(lo, hi, bound), tables.writable(bound, exclusions))
    if action == "delete":
        return [(sa.delete(table).where(chosen), True)]
    if action == "anonymise":
        values = tables.masked_values()
        update = sa.update(table).where(chosen, tables.differs()).values(values)
        return [(update, True)]
    archive = tables.archive
    names = tables.archive_columns()
    assert archive is not None  # archive_columns raises without one
    kept = sa.exists().where(archive.c[tables.target.key] == tables.key)
    copy = sa.insert(archive).from_select(
        names,
        sa.select(*(table.c[name] for name in names)).where(chosen, ~kept.correlate(table)),
    )
    remove = sa.delete(table).where(chosen, kept.correlate(table))
    return [(copy, False), (remove, True)]


def _sum(test: ColumnElement[bool]) -> ColumnElement[Any]:
    """``SUM(CASE WHEN test THEN 1 ELSE 0 END)``: how many rows ``test`` is TRUE for."""
    return sa.func.sum(sa.case((test, 1), else_=0))


def _utc_session(connection: Any, _record: object) -> None:
    cursor = connection.cursor()
    cursor.execute("SET time_zone = '+00:00'")
    cursor.close()
