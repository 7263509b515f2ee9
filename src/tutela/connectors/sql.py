"""The SQL connector: SQLite, PostgreSQL (psycopg 3) and MariaDB/MySQL (PyMySQL).

One :class:`SqlConnector` per system. Every call is set-based: a whole key set
becomes one statement (PostgreSQL, one array parameter) or one statement per
chunk (SQLite, MariaDB: chunked ``IN``). Identifiers come from the programme and
are checked against the reflected catalog; values are always bound. Tables are
reflected lazily, once, and cached.

Calls outside :meth:`SqlConnector.transaction` commit on their own (all chunks
of one call together); calls inside it share one connection and commit together.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any

import sqlalchemy as sa

from tutela.connectors import explaining, sampling
from tutela.connectors.catalog import collection_info, exact_sqlite_numbers, reflecting
from tutela.connectors.engines import SqlOptions, create_engine
from tutela.connectors.lookups import Fold, collations, fold_for, lookup_for
from tutela.connectors.matching import Match, Selection, columns_of, group_rows, select_keys
from tutela.connectors.rowwrites import plan_row_updates
from tutela.connectors.sqlerrors import translate
from tutela.connectors.statements import StatementCache, build, new_name, shape
from tutela.connectors.urls import parse_url, render_url, resolve_url
from tutela.errors import ConfigurationError, ConnectorError
from tutela.ports import CollectionInfo, Row
from tutela.programme.models import System


class SqlConnector:
    """A :class:`tutela.ports.Connector` for one SQL database reached through SQLAlchemy.

    Raises :class:`ConfigurationError` for a URL or option that cannot work and
    :class:`ConnectorError` (``retryable`` set) for failures of the database.
    The password never appears in ``repr``, messages or logs.
    """

    def __init__(
        self, name: str, url: sa.URL | str, *, options: Mapping[str, object] | None = None
    ) -> None:
        self.name = name
        self._url = url if isinstance(url, sa.URL) else parse_url(url, source="the URL")
        settings = SqlOptions.parse(options or {}, system=name)
        self._schema = settings.schema
        self._engine = create_engine(self._url, name, settings)
        self._lookup = lookup_for(self.dialect, settings.max_params)
        self._tables: dict[str, sa.Table] = {}
        self._metadata = self._new_metadata()
        self._lock = threading.Lock()
        self._local = threading.local()
        self._statements = StatementCache()
        self._collations: dict[str, dict[str, str]] = {}

    @classmethod
    def from_system(cls, system: System, env: Mapping[str, str]) -> SqlConnector:
        """The connector of ``system``, its URL resolved from settings and ``env``."""
        if system.connector is None:
            raise ConfigurationError(f"system {system.key!r} has no connector")
        url = resolve_url(system.connector, env, system=system.key)
        return cls(system.key, url, options=system.connector.options)

    def __repr__(self) -> str:
        """Name and URL, password hidden."""
        return f"SqlConnector({self.name!r}, {self.url!r})"

    @property
    def url(self) -> str:
        """The database URL with the password hidden."""
        return render_url(self._url)

    @property
    def dialect(self) -> str:
        """The SQLAlchemy dialect name: ``sqlite``, ``postgresql``, ``mysql`` or ``mariadb``."""
        return str(self._engine.dialect.name)

    # --- reads ----------------------------------------------------------------------------

    def describe(self) -> list[CollectionInfo]:
        """Every table with its columns, primary key and foreign keys (sorted by name)."""
        metadata = self._new_metadata()
        with self._guard(), self._connection() as connection, reflecting():
            metadata.reflect(bind=connection)
        tables = sorted(metadata.tables.values(), key=lambda table: table.name)
        with self._lock:
            for table in tables:
                self._tables.setdefault(table.name, table)
        return [collection_info(table, self._engine.dialect) for table in tables]

    def fetch(self, collection: str, match: Match, columns: Sequence[str]) -> list[Row]:
        """Rows of ``collection`` selected by ``match`` with ``columns`` (all when empty)."""
        table = self._table(collection)
        selected = self._columns(table, columns) or list(table.c)
        selection = self._selection(table, match)
        rows: list[Row] = []
        if selection is None:
            return rows
        pairs = selection[0]
        statement = self._statement("fetch", table, selected, selection)
        with self._guard(), self._connection() as connection:
            for params in self._lookup.chunks(pairs):
                result = connection.execute(statement, params)
                names = tuple(result.keys())
                rows.extend(dict(zip(names, row, strict=True)) for row in result.all())
        return rows

    def count(self, collection: str, match: Match) -> int:
        """How many rows of ``collection`` ``match`` selects."""
        table = self._table(collection)
        selection = self._selection(table, match)
        if selection is None:
            return 0
        pairs = selection[0]
        statement = self._statement("count", table, [], selection)
        total = 0
        with self._guard(), self._connection() as connection:
            for params in self._lookup.chunks(pairs):
                total += int(connection.execute(statement, params).scalar_one())
        return total

    def sample(
        self, collection: str, columns: Sequence[str], limit: int, *, full: bool = False
    ) -> list[tuple[Any, ...]]:
        """Up to ``limit`` random rows of ``columns`` (see :mod:`tutela.connectors.sampling`).

        Never a full scan unless ``full``; read in a read-only transaction of its own,
        rolled back at the end, under the connector's timeouts.
        """
        if limit < 1:
            raise ConnectorError(f"a sample needs at least 1 row, got {limit}", system=self.name)
        table = self._table(collection)
        selected = self._columns(table, columns)
        with (
            self._guard(),
            self._engine.connect() as connection,
            sampling.read_only(connection),
        ):
            return sampling.sample_rows(connection, table, selected, limit, full=full)

    def read_query(self, sql: str, limit: int) -> tuple[list[str], list[tuple[Any, ...]]]:
        """The column names and at most ``limit`` rows of the read-only query ``sql``.

        For ``tutela anonymise``: run in a read-only transaction of its own (rolled back),
        under the connector's timeouts; the query comes from the programme, not a user.
        """
        with (
            self._guard(),
            self._engine.connect() as connection,
            sampling.read_only(connection),
        ):
            result = connection.execute(sa.text(sql))
            return list(result.keys()), [tuple(row) for row in result.fetchmany(limit)]

    # --- writes ---------------------------------------------------------------------------

    def update(self, collection: str, match: Match, values: Mapping[str, Any]) -> int:
        """Set ``values`` on every selected row; return the number of rows matched."""
        table = self._table(collection)
        assigned = self._columns(table, values)
        selection = self._selection(table, match)
        if selection is None or not assigned:
            return 0
        pairs = selection[0]
        statement = self._statement("update", table, assigned, selection)
        new = {new_name(column): values[column.name] for column in assigned}
        total = 0
        with self._guard(), self._connection() as connection:
            for params in self._lookup.chunks(pairs, reserved=len(assigned)):
                total += connection.execute(statement, {**params, **new}).rowcount
        return total

    def update_rows(self, collection: str, key: str, rows: Sequence[Mapping[str, Any]]) -> int:
        """Give each row its own values; ``rows`` map ``key`` to the row's key plus new values.

        Rows naming the same columns go in one set-based statement (see
        :mod:`tutela.connectors.rowwrites`); a key given twice keeps its last values.
        """
        table = self._table(collection)
        key_column = self._columns(table, [key])[0]
        total = 0
        with self._guard(), self._connection() as connection:
            for names, group in group_rows(key_column, rows).items():
                columns = self._columns(table, names)
                steps = plan_row_updates(
                    self.dialect, table, key_column, columns, group, self._statements
                )
                for step in steps:
                    result = connection.execute(step.statement, step.parameters())
                    total += result.rowcount if step.counts else 0
        return total

    def delete(self, collection: str, match: Match) -> int:
        """Delete the selected rows; return how many."""
        table = self._table(collection)
        selection = self._selection(table, match)
        if selection is None:
            return 0
        pairs = selection[0]
        statement = self._statement("delete", table, [], selection)
        total = 0
        with self._guard(), self._connection() as connection:
            for params in self._lookup.chunks(pairs):
                total += connection.execute(statement, params).rowcount
        return total

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A unit of work on one connection: commits at the end, rolls back on any exception.

        A transaction opened inside another joins it (one commit at the outermost end).
        """
        if getattr(self._local, "connection", None) is not None:
            yield
            return
        with self._guard(), self._engine.begin() as connection:
            self._local.connection = connection
            try:
                yield
            finally:
                self._local.connection = None

    # --- plans and lifecycle --------------------------------------------------------------

    def explain(
        self, operation: str, collection: str, match: Match, columns: Sequence[str] = ()
    ) -> str:
        """The SQL text ``operation`` would send, with placeholders, for this dialect.

        ``operation`` is ``fetch``, ``count``, ``update`` (``columns`` are set),
        ``update_rows`` (``match`` names the key, ``columns`` the values) or
        ``delete``. Chunked operations show the first chunk and how many there are.
        """
        table = self._table(collection)
        selected = self._columns(table, columns)
        if operation == "update_rows":
            key_column = self._columns(table, list(match)[:1])[0]
            rows = [
                {key_column.name: key, **dict.fromkeys(columns)} for key in match[key_column.name]
            ]
            steps = plan_row_updates(
                self.dialect, table, key_column, selected, rows, self._statements
            )
            return explaining.render_steps(steps, self._engine.dialect)
        selection = self._selection(table, match)
        if selection is None:
            return f"-- no statement: no key could match {collection!r}, nothing is sent"
        chunks = list(self._lookup.chunks(selection[0], reserved=len(selected)))
        statement = self._statement(operation, table, selected, selection)
        return explaining.render(statement, self._engine.dialect, len(chunks), chunks[0])

    def close(self) -> None:
        """Release every pooled connection."""
        self._engine.dispose()

    # --- helpers --------------------------------------------------------------------------

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except sa.exc.SQLAlchemyError as error:
            raise translate(error, system=self.name, password=self._url.password) from error

    @contextmanager
    def _connection(self) -> Iterator[sa.Connection]:
        current: sa.Connection | None = getattr(self._local, "connection", None)
        if current is not None:
            yield current
            return
        with self._engine.begin() as connection:
            yield connection

    def _statement(
        self,
        operation: str,
        table: sa.Table,
        columns: Sequence[sa.Column[Any]],
        selection: Selection,
    ) -> sa.Executable:
        """The cached statement of ``operation`` for these columns and matched fields."""
        pairs, folds = selection
        matched = [column for column, _ in pairs]
        return self._statements.get(
            (shape(operation, table, columns, matched), folds),
            lambda: build(operation, table, columns, self._lookup.where(matched, folds)),
        )

    def _table(self, name: str) -> sa.Table:
        if not isinstance(name, str):
            raise ConnectorError(f"collection name must be text, got {name!r}", system=self.name)
        with self._lock:
            table = self._tables.get(name)
            if table is None:
                table = self._reflect(name)
                self._tables[name] = table
        return table

    def _new_metadata(self) -> sa.MetaData:
        """Metadata to reflect into; on SQLite, NUMERIC columns are read exactly."""
        metadata = sa.MetaData(schema=self._schema)
        if self._engine.dialect.name == "sqlite":
            sa.event.listen(metadata, "column_reflect", exact_sqlite_numbers)
        return metadata

    def _reflect(self, name: str) -> sa.Table:
        bind = getattr(self._local, "connection", None) or self._engine
        with self._guard(), reflecting():
            try:
                return sa.Table(name, self._metadata, autoload_with=bind, resolve_fks=False)
            except sa.exc.NoSuchTableError:
                known = ", ".join(sorted(sa.inspect(bind).get_table_names(schema=self._schema)))
        raise ConnectorError(
            f"collection {name!r} does not exist (tables: {known or 'none'})", system=self.name
        )

    def _columns(
        self, table: sa.Table, names: Sequence[str] | Mapping[str, Any]
    ) -> list[sa.Column[Any]]:
        return columns_of(table, names, system=self.name)

    def _selection(self, table: sa.Table, match: Match) -> Selection | None:
        """See :func:`tutela.connectors.matching.select_keys`."""
        return select_keys(table, match, partial(self._fold, table), system=self.name)

    def _fold(self, table: sa.Table, column: sa.Column[Any]) -> Fold:
        """How ``column`` is compared case-insensitively (MariaDB: by its collation)."""
        if self.dialect not in ("mysql", "mariadb"):
            return fold_for(column, None)
        known = self._collations.get(table.name)
        if known is None:
            with self._guard(), self._connection() as connection:
                known = collations(connection, self._schema, table.name)
            self._collations[table.name] = known
        return fold_for(column, known.get(column.name))
