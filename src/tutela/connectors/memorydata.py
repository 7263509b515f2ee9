"""What a memory collection holds and accepts: column kinds, values, keys and constraints.

The half of :mod:`tutela.connectors.memory` that plays the database's catalog. A
:class:`MemoryCollection` is a :class:`~tutela.ports.CollectionInfo` plus its
rows, and it refuses what a database refuses: a value of the wrong type, a text
longer than its column, NULL in a NOT NULL column or a primary key, a primary
key given twice, a reference to a row that does not exist. Every refusal is a
:class:`~tutela.errors.ConnectorError` naming the collection and column to
fix, never the value (values are personal data).

Rows are never changed in place: a write builds new row dicts and a new list,
checks it, then swaps it in. So every call is atomic, and a transaction takes
its snapshot by keeping references to the lists.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tutela.errors import ConfigurationError, ConnectorError
from tutela.ports import CollectionInfo, ColumnInfo, ForeignKeyInfo, Row

_TYPE_NAMES = {
    "integer": "integer int bigint smallint tinyint mediumint int2 int4 int8 serial bigserial",
    "string": "string str text varchar char character nvarchar nchar clob citext longtext",
    "numeric": "numeric decimal number money",
    "float": "float double real float4 float8",
    "boolean": "boolean bool",
    "date": "date",
    "datetime": "datetime timestamp timestamptz",
    "binary": "binary varbinary blob longblob bytea bytes",
}
KINDS: dict[str, str] = {
    name: kind for kind, names in _TYPE_NAMES.items() for name in names.split()
}
"""Column type names (the first word of ``ColumnInfo.type``, any case) and the kind each holds."""

_MISFIT = object()
_INTEGER = re.compile(r"^[+-]?\d{1,19}$")


def _number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


_STORE: dict[str, Callable[[Any], Any]] = {
    "integer": lambda v: v if isinstance(v, int) and not isinstance(v, bool) else _MISFIT,
    "string": lambda v: v if isinstance(v, str) else _MISFIT,
    "numeric": lambda v: Decimal(str(v)) if _number(v) else _MISFIT,
    "float": lambda v: float(v) if _number(v) else _MISFIT,
    "boolean": lambda v: v if isinstance(v, bool) else _MISFIT,
    "date": lambda v: v if isinstance(v, date) and not isinstance(v, datetime) else _MISFIT,
    "datetime": lambda v: v if isinstance(v, datetime) else _MISFIT,
    "binary": lambda v: bytes(v) if isinstance(v, bytes | bytearray) else _MISFIT,
}
"""How each kind stores a value (numbers as a NUMERIC or FLOAT column returns them); or _MISFIT."""


def kind_of(type_name: str) -> str | None:
    """The kind of value a column of ``type_name`` holds (``varchar(20)`` → ``string``)."""
    word = re.match(r"[a-z0-9_]*", type_name.strip().lower())
    return KINDS.get(word.group(0) if word else "")


def _key(kind: str, key: Any) -> Any:
    """``key`` as a value of ``kind``, or _MISFIT; the SQL connector's coercion (lookups.py)."""
    if kind == "integer" and isinstance(key, str):
        return int(key) if _INTEGER.match(key.strip()) else _MISFIT
    if kind == "string" and isinstance(key, int) and not isinstance(key, bool):
        return str(key)
    return _MISFIT if key is None else _STORE[kind](key)


@dataclass
class MemoryCollection:
    """One collection: its catalog entry, the kind of each column, and its rows.

    ``rows`` is replaced, never changed in place (see the module docstring).
    """

    system: str
    info: CollectionInfo
    kinds: dict[str, str]
    rows: list[Row] = field(default_factory=list)

    @classmethod
    def declare(cls, system: str, info: CollectionInfo) -> MemoryCollection:
        """An empty collection; ConfigurationError for a repeated column or an unknown type."""
        kinds: dict[str, str] = {}
        for column in info.columns:
            kind = kind_of(column.type)
            where = f"system {system!r}: column {info.name}.{column.name}"
            if column.name in kinds:
                raise ConfigurationError(f"{where} is declared twice")
            if kind is None:
                known = ", ".join(sorted(_TYPE_NAMES))
                raise ConfigurationError(f"{where} has type {column.type!r}; use one of {known}")
            kinds[column.name] = kind
        return cls(system, info, kinds)

    @property
    def name(self) -> str:
        """The collection's name."""
        return self.info.name

    def error(self, message: str) -> ConnectorError:
        """A ConnectorError of this collection's system (input must change: not retryable)."""
        return ConnectorError(message, system=self.system)

    def column(self, name: Any) -> ColumnInfo:
        """The column called ``name``; ConnectorError listing the columns there are."""
        if isinstance(name, str) and name in self.kinds:
            return self.info.column(name)
        known = ", ".join(self.kinds)
        raise self.error(f"collection {self.name!r} has no column {name!r} (columns: {known})")

    def value(self, name: str, value: Any) -> Any:
        """``value`` as column ``name`` stores it; ConnectorError saying what the column takes."""
        column, where = self.column(name), f"{self.name}.{name}"
        if value is None:
            if column.nullable and not column.primary_key:
                return None
            raise self.error(f"{where} is NOT NULL: give it a value")
        stored = _STORE[self.kinds[name]](value)
        if stored is _MISFIT:
            kind = self.kinds[name]
            raise self.error(f"{where} holds {kind} values, not {type(value).__name__}")
        if column.length and isinstance(stored, str | bytes) and len(stored) > column.length:
            raise self.error(f"{where} holds at most {column.length} characters, got {len(stored)}")
        return stored

    def values(self, given: Mapping[str, Any]) -> Row:
        """Every value of ``given`` checked and stored as its column stores it."""
        return {name: self.value(name, value) for name, value in given.items()}

    def new_row(self, given: Mapping[str, Any]) -> Row:
        """A whole row from ``given``: missing columns are NULL, every column checked."""
        if not isinstance(given, Mapping):
            kind = type(given).__name__
            raise self.error(f"a row of {self.name!r} must map columns to values, not a {kind}")
        for name in given:
            self.column(name)
        return {name: self.value(name, given.get(name)) for name in self.kinds}

    def keys(self, name: str, keys: Any) -> set[Any]:
        """The distinct ``keys`` that can be values of column ``name``; the others match nothing.

        ``"42"`` is a key of an integer column and ``42`` of a text column, as in
        SQL; ``"1 OR 1=1"``, ``True`` or ``2.5`` are no integer and are dropped.
        """
        if isinstance(keys, str | bytes) or not isinstance(keys, Sequence | set | frozenset):
            raise self.error(
                f"keys for {self.name}.{name} must be a list of values, got {type(keys).__name__}"
            )
        kind = self.kinds[self.column(name).name]
        return {value for value in (_key(kind, key) for key in keys) if value is not _MISFIT}

    def check_primary_key(self, rows: Sequence[Row]) -> None:
        """ConnectorError if two of ``rows`` share the primary key."""
        names = [column.name for column in self.info.columns if column.primary_key]
        if names and len({tuple(row[n] for n in names) for row in rows}) != len(rows):
            raise self.error(
                f"two rows of {self.name!r} would share the primary key ({', '.join(names)})"
            )


def check_reference(
    child: MemoryCollection, rows: Sequence[Row], key: ForeignKeyInfo, targets: Sequence[Row]
) -> None:
    """ConnectorError if one of ``rows`` refers by ``key`` to none of ``targets``.

    A reference holding NULL refers to nothing and is always allowed, as in SQL.
    """
    present = {tuple(row[name] for name in key.target_columns) for row in targets}
    for row in rows:
        value = tuple(row[name] for name in key.columns)
        if None not in value and value not in present:
            raise child.error(
                f"{child.name}.{'/'.join(key.columns)} would refer to a row of "
                f"{key.target_collection!r} that does not exist (foreign key): "
                "write the referred row first, delete the referring rows first"
            )
