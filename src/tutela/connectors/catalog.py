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
    try:
        text = kind.compile(dialect=dialect).lower()
    except sa.exc.CompileError:
        return type(kind).__name__.lower()
    length = getattr(kind, "length", None)
    if isinstance(kind, sa.Integer):
        return text.split("(")[0]  # MariaDB's display width, integer(11), is not a length
    return text.replace(f"({length})", "") if length else text
