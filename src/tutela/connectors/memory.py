"""The memory connector: the reference implementation of :class:`tutela.ports.Connector`.

Read this module to write a connector. It holds each collection as plain data
(a :class:`~tutela.ports.CollectionInfo` and a list of row dicts, see
:mod:`tutela.connectors.memorydata`) and keeps every rule of the protocol the
way the SQL connector keeps it against a real database; the conformance suite
:mod:`tutela.connectors.contract` pins both.

* ``match`` is ``{field: keys}``: the rows whose field is one of the keys,
  AND-ed across fields. An empty key set selects nothing; an empty match is an
  error, never "every row". Keys are coerced to the column's kind first
  (``"42"`` matches integer 42); a key that cannot be a value of the column
  matches nothing, and every other key only an identical value (no case,
  accent, padding or wildcard games). A field given as
  :class:`~tutela.ports.IgnoreCase` compares text lower-cased on both sides.
* Writes return the number of rows they selected. A write checks all of its
  new rows (types, lengths, NOT NULL, primary and foreign keys) before it
  changes anything, so a refused call changes nothing.
* ``transaction()`` commits everything inside it together, or restores the
  snapshot it took when an exception leaves it; a nested one joins the outer.
* Unknown collections and columns, and values a column cannot hold, raise
  :class:`~tutela.errors.ConnectorError` naming what to fix, never the value.

One lock serialises the calls, and a transaction holds it to its end: other
threads wait, as they would for a database's single writer. A one-off call
outside a transaction commits on its own.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from tutela.connectors.memorydata import MemoryCollection, check_reference
from tutela.connectors.memoryload import declared_system
from tutela.errors import ConfigurationError, ConnectorError
from tutela.ports import CollectionInfo, Row, ignores_case
from tutela.programme.models import System

Match = Mapping[str, Sequence[Any]]
OPERATIONS = ("fetch", "count", "update", "update_rows", "delete")
"""What :meth:`MemoryConnector.explain` can show."""


class MemoryConnector:
    """A :class:`tutela.ports.Connector` over collections held in this process.

    ``collections`` are the catalog (column types such as ``integer``,
    ``varchar``, ``numeric``, ``date``, ``timestamp``, ``boolean``; see
    :data:`tutela.connectors.memorydata.KINDS`), ``rows`` the initial rows per
    collection (missing columns are NULL). Raises ConfigurationError for a
    catalog that cannot work and ConnectorError for rows it would refuse.
    """

    def __init__(
        self,
        name: str,
        collections: Iterable[CollectionInfo],
        rows: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
    ) -> None:
        self.name = name
        self._collections: dict[str, MemoryCollection] = {}
        for info in collections:
            if info.name in self._collections:
                raise ConfigurationError(f"system {name!r}: collection {info.name!r} given twice")
            self._collections[info.name] = MemoryCollection.declare(name, info)
        self._check_declared_references()
        for collection, given in (rows or {}).items():
            table = self._table(collection)
            table.rows = [table.new_row(row) for row in given]
            table.check_primary_key(table.rows)
        self._check_references({name: table.rows for name, table in self._collections.items()})
        self._lock = threading.RLock()
        self._depth = 0

    @classmethod
    def from_system(cls, system: System, env: Mapping[str, str]) -> MemoryConnector:
        """The collections ``system`` declares, filled from ``options.rows`` (a JSON file).

        See :func:`tutela.connectors.memoryload.declared_system`. ``env`` is not
        read (a memory system has no URL or password): the parameter is there so
        every connector factory has the one signature ``(system, env)``.
        """
        collections, rows = declared_system(system)
        return cls(system.key, collections, rows)

    def __repr__(self) -> str:
        """Name and collections."""
        return f"MemoryConnector({self.name!r}, collections={sorted(self._collections)})"

    # --- reads ----------------------------------------------------------------------------

    def describe(self) -> list[CollectionInfo]:
        """Every collection with its columns, primary key and foreign keys (sorted by name)."""
        return [self._collections[name].info for name in sorted(self._collections)]

    def fetch(self, collection: str, match: Match, columns: Sequence[str]) -> list[Row]:
        """Copies of the rows ``match`` selects, with ``columns`` (all when empty)."""
        with self._lock:
            table = self._table(collection)
            names = [table.column(name).name for name in columns] or list(table.kinds)
            return [{name: row[name] for name in names} for row in self._select(table, match)]

    def count(self, collection: str, match: Match) -> int:
        """How many rows of ``collection`` ``match`` selects."""
        with self._lock:
            return len(self._select(self._table(collection), match))

    def rows(self, collection: str) -> list[Row]:
        """Copies of every row of ``collection``: for tests, not part of the Connector protocol."""
        with self._lock:
            return [dict(row) for row in self._table(collection).rows]

    def sample(
        self, collection: str, columns: Sequence[str], limit: int, *, full: bool = False
    ) -> list[tuple[Any, ...]]:
        """Up to ``limit`` rows of ``columns`` chosen at random (every row when ``full``)."""
        with self._lock:
            table = self._table(collection)
            names = [table.column(name).name for name in columns]
            rows = table.rows
            if not full and len(rows) > limit:
                rows = random.sample(rows, max(limit, 0))
            return [tuple(row[name] for name in names) for row in rows]

    # --- writes ---------------------------------------------------------------------------

    def update(self, collection: str, match: Match, values: Mapping[str, Any]) -> int:
        """Set ``values`` on every selected row; return the number of rows selected."""
        with self._lock:
            table = self._table(collection)
            new = table.values(values)
            selected = {id(row) for row in self._select(table, match)}
            if not selected or not new:
                return 0
            after = [{**row, **new} if id(row) in selected else row for row in table.rows]
            self._swap(table, after, set(new))
            return len(selected)

    def update_rows(self, collection: str, key: str, rows: Sequence[Mapping[str, Any]]) -> int:
        """Give each row its own values; ``rows`` map ``key`` to the row's key plus new values.

        Rows whose key cannot match are skipped; a key given twice keeps its last
        values. Returns the number of rows changed.
        """
        with self._lock:
            table = self._table(collection)
            table.column(key)
            by_key: dict[Any, Row] = {}
            for row in rows:
                if key not in row:
                    raise table.error(
                        f"a row for update_rows of {collection!r} lacks its key {key!r}"
                    )
                new = table.values({name: v for name, v in row.items() if name != key})
                for usable in table.keys(key, [row[key]]):
                    by_key[usable] = new
            after = [
                {**row, **by_key[row[key]]} if by_key.get(row[key]) else row for row in table.rows
            ]
            changed = sum(1 for old, new in zip(table.rows, after, strict=True) if old is not new)
            if changed:
                self._swap(table, after, {name for values in by_key.values() for name in values})
            return changed

    def delete(self, collection: str, match: Match) -> int:
        """Delete the selected rows; return how many (ConnectorError if others refer to them)."""
        with self._lock:
            table = self._table(collection)
            selected = {id(row) for row in self._select(table, match)}
            if selected:
                self._swap(table, [row for row in table.rows if id(row) not in selected], None)
            return len(selected)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside commits together; an exception restores the data as it was.

        A transaction opened inside another joins it (one outcome at the outermost end).
        """
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            snapshot = {name: table.rows for name, table in self._collections.items()}
            self._depth = 1
            try:
                yield
            except BaseException:
                for name, rows in snapshot.items():
                    self._collections[name].rows = rows
                raise
            finally:
                self._depth = 0

    # --- plans and lifecycle --------------------------------------------------------------

    def explain(
        self, operation: str, collection: str, match: Match, columns: Sequence[str] = ()
    ) -> str:
        """A readable pseudo-statement of ``operation``; keys are counted, never shown.

        ``operation`` is ``fetch``, ``count``, ``update`` (``columns`` are set),
        ``update_rows`` (``match`` names the key, ``columns`` the values) or ``delete``.
        """
        with self._lock:
            table = self._table(collection)
            names = ", ".join(table.column(name).name for name in columns)
            if operation not in OPERATIONS:
                raise table.error(
                    f"cannot explain {operation!r}; choose one of {', '.join(OPERATIONS)}"
                )
            keys = {
                f"lower({field})" if folded else field: _usable(table, field, given, folded)
                for field, folded, given in self._fields(table, match)
            }
        if any(not found for found in keys.values()):
            return f"-- in memory: no key could match {collection!r}, nothing is done"
        where = " AND ".join(f"{field} IN ({_keys(len(found))})" for field, found in keys.items())
        statement = {
            "fetch": f"SELECT {names or '*'} FROM {collection} WHERE {where}",
            "count": f"SELECT count(*) FROM {collection} WHERE {where}",
            "update": f"UPDATE {collection} SET {names} WHERE {where}",
            "update_rows": f"UPDATE {collection} SET {names} (each row its own) BY {where}",
            "delete": f"DELETE FROM {collection} WHERE {where}",
        }[operation]
        return f"-- in memory, one pass over {collection!r}\n{statement}"

    def close(self) -> None:
        """Nothing to release; the data stays, as a database outlives its connections."""

    # --- helpers --------------------------------------------------------------------------

    def _table(self, name: Any) -> MemoryCollection:
        table = self._collections.get(name) if isinstance(name, str) else None
        if table is None:
            known = ", ".join(sorted(self._collections)) or "none"
            raise ConnectorError(
                f"collection {name!r} does not exist (collections: {known})", system=self.name
            )
        return table

    def _fields(self, table: MemoryCollection, match: Match) -> list[tuple[str, bool, Any]]:
        """(column, compared lower-cased, keys) per matched field."""
        if not match:
            raise table.error(
                f"selecting from {table.name!r} needs at least one field with keys; "
                "tutela never selects a whole collection"
            )
        fields = [(table.column(field).name, field, keys) for field, keys in match.items()]
        return [
            (name, ignores_case(field) and table.kinds[name] == "string", keys)
            for name, field, keys in fields
        ]

    def _select(self, table: MemoryCollection, match: Match) -> list[Row]:
        """The rows ``match`` selects: each field's value is one of that field's usable keys."""
        wanted = [
            (field, folded, _usable(table, field, keys, folded))
            for field, folded, keys in self._fields(table, match)
        ]
        if any(not keys for _, _, keys in wanted):
            return []
        return [
            row
            for row in table.rows
            if all(_compared(row[f], folded) in keys for f, folded, keys in wanted)
        ]

    def _swap(self, table: MemoryCollection, after: list[Row], changed: set[str] | None) -> None:
        """Check ``after`` as the rows of ``table``, then swap it in (``changed`` None: deleted)."""
        columns = set(table.kinds) if changed is None else changed
        if changed is not None and any(table.info.column(name).primary_key for name in changed):
            table.check_primary_key(after)
        self._check_references({table.name: after}, columns)
        table.rows = after

    def _check_references(
        self, changed: Mapping[str, list[Row]], columns: set[str] | None = None
    ) -> None:
        """Foreign keys from or to the ``changed`` collections (through ``columns``, if given)."""

        def rows(name: str) -> list[Row]:
            return changed.get(name, self._collections[name].rows)

        for child in self._collections.values():
            for fk in child.info.foreign_keys:
                ends = ((child.name, fk.columns), (fk.target_collection, fk.target_columns))
                if any(
                    name in changed and (columns is None or columns & set(names))
                    for name, names in ends
                ):
                    check_reference(child, rows(child.name), fk, rows(fk.target_collection))

    def _check_declared_references(self) -> None:
        for table in self._collections.values():
            for fk in table.info.foreign_keys:
                target = self._collections.get(fk.target_collection)
                if (
                    target is None
                    or len(fk.columns) != len(fk.target_columns)
                    or not set(fk.columns) <= set(table.kinds)
                    or not set(fk.target_columns) <= set(target.kinds)
                ):
                    raise ConfigurationError(
                        f"system {self.name!r}: foreign key {table.name}({', '.join(fk.columns)})"
                        f" refers to {fk.target_collection}({', '.join(fk.target_columns)}),"
                        " which is not declared"
                    )


def _usable(table: MemoryCollection, field: str, keys: Any, folded: bool) -> set[Any]:
    """The keys that can match ``field``, lower-cased when it is compared so."""
    usable = table.keys(field, keys)
    return {key.lower() for key in usable} if folded else usable


def _compared(value: Any, folded: bool) -> Any:
    """A stored value as a match compares it: lower-cased text for a case-insensitive field."""
    return value.lower() if folded and isinstance(value, str) else value


def _keys(count: int) -> str:
    return f"<{count} key{'' if count == 1 else 's'}>"
