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
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from tutela.connectors import explaining
from tutela.connectors.engines import SqlOptions, create_engine
from tutela.connectors.lookups import (
    Fold,
    coerce_keys,
    collations,
    fold_for,
    lookup_for,
    lowered,
)
from tutela.connectors.rowwrites import plan_row_updates
from tutela.connectors.sqlerrors import translate
from tutela.connectors.statements import StatementCache, build, new_name, shape
from tutela.connectors.urls import parse_url, render_url, resolve_url
from tutela.errors import ConfigurationError, ConnectorError
from tutela.ports import CollectionInfo, ColumnInfo, ForeignKeyInfo, Row, ignores_case
from tutela.programme.models import System

Match = Mapping[str, Sequence[Any]]
Pairs = list[tuple[sa.Column[Any], list[Any]]]
Selection = tuple[Pairs, tuple[Fold, ...]]
"""The matched columns with their usable keys, and how each is compared."""


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
        self._metadata = sa.MetaData(schema=self._schema)
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
        metadata = sa.MetaData(schema=self._schema)
        with self._guard(), self._connection() as connection, _reflecting():
            metadata.reflect(bind=connection)
        tables = sorted(metadata.tables.values(), key=lambda table: table.name)
        with self._lock:
            for table in tables:
                self._tables.setdefault(table.name, table)
        return [_collection_info(table, self._engine.dialect) for table in tables]

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
            for names, group in _group_rows(key_column, rows).items():
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

    def _reflect(self, name: str) -> sa.Table:
        bind = getattr(self._local, "connection", None) or self._engine
        with self._guard(), _reflecting():
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
        columns: dict[str, sa.Column[Any]] = {}
        for name in names:
            if not isinstance(name, str) or name not in table.c:
                raise ConnectorError(
                    f"collection {table.name!r} has no column {name!r}", system=self.name
                )
            columns[name] = table.c[name]
        return list(columns.values())

    def _pairs_raw(
        self, table: sa.Table, match: Match
    ) -> list[tuple[sa.Column[Any], Sequence[Any]]]:
        if not match:
            raise ConnectorError(
                f"selecting from {table.name!r} needs at least one field with keys; "
                "tutela never selects a whole collection",
                system=self.name,
            )
        pairs: list[tuple[sa.Column[Any], Sequence[Any]]] = []
        for name, keys in match.items():
            if isinstance(keys, str | bytes) or not isinstance(keys, Sequence | set | frozenset):
                raise ConnectorError(
                    f"keys for {table.name}.{name} must be a list of values, "
                    f"got {type(keys).__name__}",
                    system=self.name,
                )
            pairs.append((self._columns(table, [name])[0], list(keys)))
        return pairs

    def _selection(self, table: sa.Table, match: Match) -> Selection | None:
        """Columns with their usable keys and folds; None when some field has no usable key.

        A field given as :class:`tutela.ports.IgnoreCase` has its keys lower-cased.
        """
        pairs: Pairs = []
        folds: list[Fold] = []
        for (column, keys), name in zip(self._pairs_raw(table, match), match, strict=True):
            fold = self._fold(table, column) if ignores_case(name) else "exact"
            usable = coerce_keys(column, keys)
            pairs.append((column, usable if fold == "exact" else lowered(usable)))
            folds.append(fold)
        return None if any(not keys for _, keys in pairs) else (pairs, tuple(folds))

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


@contextmanager
def _reflecting() -> Iterator[None]:
    """Reflection without SQLAlchemy's warning about SQLite indexes on expressions.

    ``CREATE INDEX ... ON customer (lower(email))`` is what docs/connectors.md
    advises for case-insensitive identities; tutela never needs it reflected.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", "Skipped unsupported reflection of expression-based index", sa.exc.SAWarning
        )
        yield


def _group_rows(
    key: sa.Column[Any], rows: Sequence[Mapping[str, Any]]
) -> dict[tuple[str, ...], list[dict[str, Any]]]:
    groups: dict[tuple[str, ...], dict[Any, dict[str, Any]]] = {}
    for row in rows:
        if key.name not in row:
            raise ConnectorError(f"a row for update_rows lacks its key {key.name!r}")
        usable = coerce_keys(key, [row[key.name]])
        names = tuple(sorted(name for name in row if name != key.name))
        if usable and names:
            groups.setdefault(names, {})[usable[0]] = {**row, key.name: usable[0]}
    return {names: list(group.values()) for names, group in groups.items()}


def _collection_info(table: sa.Table, dialect: sa.Dialect) -> CollectionInfo:
    columns = tuple(
        ColumnInfo(
            name=column.name,
            type=_type_name(column.type, dialect),
            nullable=bool(column.nullable),
            primary_key=column.primary_key,
            length=getattr(column.type, "length", None),
        )
        for column in table.columns
    )
    keys = tuple(
        ForeignKeyInfo(
            columns=tuple(column.name for column in constraint.columns),
            target_collection=constraint.referred_table.name,
            target_columns=tuple(element.column.name for element in constraint.elements),
        )
        for constraint in sorted(
            table.foreign_key_constraints, key=lambda fk: tuple(fk.column_keys)
        )
    )
    return CollectionInfo(name=table.name, columns=columns, foreign_keys=keys)


def _type_name(kind: sa.types.TypeEngine[Any], dialect: sa.Dialect) -> str:
    try:
        text = kind.compile(dialect=dialect).lower()
    except sa.exc.CompileError:
        return type(kind).__name__.lower()
    length = getattr(kind, "length", None)
    if isinstance(kind, sa.Integer):
        return text.split("(")[0]  # MariaDB's display width, integer(11), is not a length
    return text.replace(f"({length})", "") if length else text
