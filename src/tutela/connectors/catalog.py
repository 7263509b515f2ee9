"""What the SQL connector reads from a database's catalog: reflection and ``describe``.

:func:`reflecting` wraps every reflection; :func:`collection_info` turns a
reflected table into the :class:`tutela.ports.CollectionInfo` that
:meth:`tutela.connectors.sql.SqlConnector.describe` returns, with each column's
type named as the dialect writes it (:func:`type_name`).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from tutela.ports import CollectionInfo, ColumnInfo, ForeignKeyInfo


@contextmanager
def reflecting() -> Iterator[None]:
    """Reflection without SQLAlchemy's warning about SQLite indexes on expressions.

    ``CREATE INDEX ... ON customer (lower(email))`` is what docs/connectors.md
    advises for case-insensitive identities; tutela never needs it reflected.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", "Skipped unsupported reflection of expression-based index", sa.exc.SAWarning
        )
        yield


def collection_info(table: sa.Table, dialect: sa.Dialect) -> CollectionInfo:
    """``table`` as a catalog entry: its columns, primary key and foreign keys."""
    columns = tuple(
        ColumnInfo(
            name=column.name,
            type=type_name(column.type, dialect),
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


def type_name(kind: sa.types.TypeEngine[Any], dialect: sa.Dialect) -> str:
    """The lower-case type name ``dialect`` writes for ``kind``, without its length."""
    if isinstance(kind, SqliteNumber):
        kind = kind.reflected
    try:
        text = kind.compile(dialect=dialect).lower()
    except sa.exc.CompileError:
        return type(kind).__name__.lower()
    length = getattr(kind, "length", None)
    if isinstance(kind, sa.Integer):
        return text.split("(")[0]  # MariaDB's display width, integer(11), is not a length
    return text.replace(f"({length})", "") if length else text


class SqliteNumber(sa.types.TypeDecorator[Any]):
    """A SQLite ``NUMERIC`` column read exactly as SQLite holds it.

    SQLite's NUMERIC affinity keeps integers, reals or text in the same column;
    SQLAlchemy's ``Numeric`` reads them through a float (12345678901234567 comes
    back as ...568) and fails on text. Here integers stay exact, reals become the
    Decimal of their shortest text, text stays text; decimals are bound as text,
    which the column's affinity stores as a number.
    """

    impl = sa.types.NullType
    cache_ok = True

    def __init__(self, reflected: sa.types.TypeEngine[Any] | None = None) -> None:
        super().__init__()
        self.reflected = reflected or sa.NUMERIC()

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> Any:
        """Decimals as text (sqlite3 binds no Decimal); other values as they are."""
        return str(value) if isinstance(value, Decimal) else value

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Any:
        """Integers and reals as exact Decimals; anything else as SQLite returns it."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return value
        number = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
        scale = getattr(self.reflected, "scale", None)
        if not scale:
            return number
        try:  # the column's scale, as SQLAlchemy's Numeric gives it: 12.5 -> 12.50
            return number.quantize(Decimal(1).scaleb(-scale))
        except InvalidOperation:
            return number


def exact_sqlite_numbers(_inspector: Any, _table: sa.Table, column: dict[str, Any]) -> None:
    """``column_reflect`` listener: SQLite NUMERIC/DECIMAL columns become :class:`SqliteNumber`."""
    kind = column["type"]
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        column["type"] = SqliteNumber(kind)
