"""Set lookups in each dialect's best form: ``WHERE column matches a set of keys``.

* PostgreSQL: ``column = ANY(:keys)``, one array parameter, no chunking.
* SQLite: ``column IN (...)`` in chunks that stay under the bound-parameter limit.
* MariaDB/MySQL: ``column IN (...)`` in chunks; string columns also compare the
  UTF-8 bytes, because the default collations call ``zoe``, ``Zoë`` and
  ``zoe `` equal and an erasure must never reach somebody else's row. The
  ``IN`` still uses the index; the byte comparison only filters its result.

Keys are coerced to the column's kind first: a key that cannot be a value of
the column (``' OR 1=1 --`` for an integer id) cannot match and is dropped,
so every backend answers the same and none compares ``'1abc'`` equal to 1.

A field matched case-insensitively (:class:`tutela.ports.IgnoreCase`) is a
:data:`Fold`: its keys are lower-cased, and the column is compared as
``lower(column)`` (PostgreSQL, SQLite: an expression index on ``lower(column)``
serves it) or, on MariaDB/MySQL, by the column's own case-insensitive
collation (``column IN (...)``, the plain index) followed by the exact bytes of
``LOWER(column)``; a ``_bin`` or ``_cs`` column falls back to ``LOWER(column)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from itertools import product
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from tutela.connectors.statements import key_name
from tutela.ports import iter_chunks

_INTEGER = re.compile(r"^[+-]?\d{1,19}$")

MAX_PARAMS = {"sqlite": 30_000, "mysql": 10_000, "mariadb": 10_000}
"""Bound parameters per statement (SQLite allows 32,766; MariaDB's limit is 65,535)."""
DEFAULT_MAX_PARAMS = 10_000

Fold = Literal["exact", "lower", "collation"]
"""How a field's keys are compared: exactly; as ``lower(column)``; or by a collation
that already ignores case (MariaDB ``_ci``), with ``LOWER(column)``'s bytes filtering."""

_COLLATIONS = sa.text(
    "SELECT COLUMN_NAME, COLLATION_NAME FROM information_schema.COLUMNS"
    " WHERE TABLE_SCHEMA = COALESCE(:schema, DATABASE()) AND TABLE_NAME = :table"
)


class Utf8Bytes(ColumnElement[bytes]):
    """MariaDB/MySQL: the UTF-8 bytes of a string expression (an exact comparison)."""

    inherit_cache = True
    _traverse_internals = [("inner", InternalTraversal.dp_clauseelement)]  # noqa: RUF012

    def __init__(self, inner: ColumnElement[Any]) -> None:
        self.inner = inner
        self.type = sa.LargeBinary()


@compiles(Utf8Bytes)
def _compile_utf8_bytes(element: Utf8Bytes, compiler: SQLCompiler, **kw: Any) -> str:
    inner = compiler.process(element.inner, **kw)
    return f"CAST(CONVERT({inner} USING utf8mb4) AS BINARY)"


def coerce_keys(column: sa.Column[Any], keys: Sequence[Any]) -> list[Any]:
    """The distinct ``keys`` that can be values of ``column``, in their first order."""
    kind = _kind(column)
    exact = {"integer": int, "string": str}.get(kind)
    if exact is not None and all(type(key) is exact for key in keys):
        return list(dict.fromkeys(keys))  # already of the column's kind: only drop repeats
    result: dict[Any, None] = {}
    for key in keys:
        value = _coerce(kind, key)
        if value is not None:
            result.setdefault(value, None)
    return list(result)


def _kind(column: sa.Column[Any]) -> str:
    if isinstance(column.type, sa.Integer):
        return "integer"
    if isinstance(column.type, sa.String):
        return "string"
    return "other"


def _coerce(kind: str, key: Any) -> Any:
    if key is None:
        return None
    if kind == "integer":
        if isinstance(key, bool):
            return None
        if isinstance(key, int):
            return key
        if isinstance(key, str) and _INTEGER.match(key.strip()):
            return int(key)
        return None
    if kind == "string":
        return key if isinstance(key, str) else str(key) if isinstance(key, int) else None
    return key


def is_string(column: sa.Column[Any]) -> bool:
    """Whether ``column`` holds text (so MariaDB needs the exact byte comparison)."""
    return _kind(column) == "string"


def lowered(keys: Sequence[Any]) -> list[Any]:
    """The distinct ``keys`` in lower case (the keys of a case-insensitive field)."""
    return list(dict.fromkeys(key.lower() if isinstance(key, str) else key for key in keys))


def fold_for(column: sa.Column[Any], collation: str | None) -> Fold:
    """How a case-insensitive match compares ``column`` (``collation``: MariaDB/MySQL only)."""
    if not is_string(column):
        return "exact"
    return "collation" if (collation or "").endswith("_ci") else "lower"


def collations(connection: sa.Connection, schema: str | None, table: str) -> dict[str, str]:
    """MariaDB/MySQL: each column's collation (``utf8mb4_general_ci``), from the catalog."""
    rows = connection.execute(_COLLATIONS, {"schema": schema, "table": table}).all()
    return {str(name): str(collation) for name, collation in rows if collation}


def _lower(column: sa.Column[Any], fold: Fold) -> ColumnElement[Any]:
    """``lower(column)`` when ``fold`` asks for it, else the column itself."""
    return sa.func.lower(column, type_=column.type) if fold == "lower" else column


class Lookup:
    """How one dialect selects rows by sets of keys (the default: chunked ``IN``).

    :meth:`condition` names its parameters, so a statement is built once per
    shape (see :mod:`tutela.connectors.statements`); :meth:`chunks` gives the
    parameters of each statement to send.
    """

    params_per_key = 1

    def __init__(self, max_params: int) -> None:
        self.max_params = max_params

    def condition(self, column: sa.Column[Any], fold: Fold = "exact") -> ColumnElement[bool]:
        """``column`` (or ``lower(column)``) is one of the keys bound as ``key_<column>``."""
        keys = sa.bindparam(key_name(column), expanding=True, type_=column.type)
        return _lower(column, fold).in_(keys)

    def bind(self, column: sa.Column[Any], keys: list[Any]) -> dict[str, Any]:
        """The parameters of :meth:`condition` for ``keys``."""
        return {key_name(column): keys}

    def chunks(
        self, pairs: Sequence[tuple[sa.Column[Any], list[Any]]], reserved: int = 0
    ) -> Iterator[dict[str, Any]]:
        """The parameters of each statement for ``(column, keys)`` pairs (AND-ed).

        ``reserved`` parameters are kept free for the rest of the statement
        (the values of an UPDATE). Each row falls in exactly one chunk.
        """
        size = max(1, (self.max_params - reserved) // (len(pairs) * self.params_per_key))
        chunked = [
            [self.bind(column, list(part)) for part in iter_chunks(keys, size)]
            for column, keys in pairs
        ]
        for combination in product(*chunked):
            params: dict[str, Any] = {}
            for part in combination:
                params.update(part)
            yield params

    def where(
        self, columns: Sequence[sa.Column[Any]], folds: Sequence[Fold] = ()
    ) -> ColumnElement[bool]:
        """The condition matching every one of ``columns`` against its keys (``folds``: how)."""
        how = list(folds) or ["exact"] * len(columns)
        return sa.and_(*(self.condition(c, f) for c, f in zip(columns, how, strict=True)))


class PostgresLookup(Lookup):
    """``column = ANY(CAST(:key_<column> AS type[]))``: one array parameter, no chunks."""

    def condition(self, column: sa.Column[Any], fold: Fold = "exact") -> ColumnElement[bool]:
        """``column = ANY(CAST(:keys AS type[]))``, or ``lower(column) = ANY(...)``."""
        keys = sa.any_(sa.bindparam(key_name(column), type_=array_of(column)))
        if fold == "lower":
            return sa.func.lower(column, type_=sa.Text()) == keys
        return column == keys

    def chunks(
        self, pairs: Sequence[tuple[sa.Column[Any], list[Any]]], reserved: int = 0
    ) -> Iterator[dict[str, Any]]:
        """One statement for all keys: arrays need no chunking."""
        params: dict[str, Any] = {}
        for column, keys in pairs:
            params.update(self.bind(column, keys))
        yield params


def array_of(column: sa.Column[Any]) -> postgresql.ARRAY[Any]:
    """An array type of ``column``'s values, without length or precision.

    A bounded cast would truncate a longer key (``'x' * 51`` cast to
    ``varchar(50)`` equals ``'x' * 50``), so the element type is left unbounded.
    """
    kind = column.type
    if isinstance(kind, sa.String):
        return postgresql.ARRAY(sa.Text())
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        return postgresql.ARRAY(sa.Numeric())
    return postgresql.ARRAY(kind)


class MariaDbLookup(Lookup):
    """Chunked ``IN`` plus an exact byte comparison on string columns."""

    params_per_key = 2

    def condition(self, column: sa.Column[Any], fold: Fold = "exact") -> ColumnElement[bool]:
        """``column IN (keys)``, and for strings also ``utf8 bytes of column IN (key bytes)``.

        Case-insensitive: the ``IN`` by the column's ``_ci`` collation (or on
        ``LOWER(column)``), and the bytes of ``LOWER(column)`` against the keys' bytes.
        """
        keys = super().condition(column, fold)
        if not is_string(column):
            return keys
        exact = sa.bindparam(bytes_name(column), expanding=True, type_=sa.LargeBinary())
        compared = column if fold == "exact" else sa.func.lower(column, type_=column.type)
        return sa.and_(keys, Utf8Bytes(compared).in_(exact))

    def bind(self, column: sa.Column[Any], keys: list[Any]) -> dict[str, Any]:
        """The keys, and for strings their UTF-8 bytes."""
        params = super().bind(column, keys)
        if is_string(column):
            params[bytes_name(column)] = [key.encode("utf-8") for key in keys]
        return params


def bytes_name(column: sa.Column[Any]) -> str:
    """MariaDB: the parameter holding the UTF-8 bytes of the keys matched against ``column``."""
    return f"bytes_{column.name}"


def lookup_for(dialect: str, max_params: int | None = None) -> Lookup:
    """The :class:`Lookup` for a SQLAlchemy dialect name."""
    limit = max_params or MAX_PARAMS.get(dialect, DEFAULT_MAX_PARAMS)
    if dialect == "postgresql":
        return PostgresLookup(limit)
    if dialect in ("mysql", "mariadb"):
        return MariaDbLookup(limit)
    return Lookup(limit)
