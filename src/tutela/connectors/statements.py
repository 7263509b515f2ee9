"""The statements a SQL connector sends, built once per shape and cached.

A shape is the operation, the table, the columns read or set and the fields
matched. Keys and new values are bound parameters, never part of a statement,
so one statement serves every call of its shape: ``key_<field>`` holds a
field's keys (and on MariaDB ``bytes_<field>`` their UTF-8 bytes), and
``new_<column>`` a value ``update`` sets. Building and compiling a statement
once instead of per call is most of what separates the connector from
hand-written SQL on the driver.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from tutela.errors import ConnectorError

OPERATIONS = ("fetch", "count", "update", "update_rows", "delete")
"""What :meth:`SqlConnector.explain` can show."""


def key_name(column: sa.Column[Any]) -> str:
    """The parameter holding the keys matched against ``column``."""
    return f"key_{column.name}"


def new_name(column: sa.Column[Any]) -> str:
    """The parameter holding the value ``update`` sets on ``column``."""
    return f"new_{column.name}"


def build(
    operation: str,
    table: sa.Table,
    columns: Sequence[sa.Column[Any]],
    condition: ColumnElement[bool],
) -> sa.Executable:
    """The statement of ``operation`` on ``table`` selecting rows by ``condition``.

    ``columns`` are read (``fetch``, all when empty) or set (``update``).
    """
    if operation == "fetch":
        return sa.select(*(columns or table.c)).where(condition)
    if operation == "count":
        return sa.select(sa.func.count()).select_from(table).where(condition)
    if operation == "update":
        values: dict[sa.Column[Any], Any] = {
            column: sa.bindparam(new_name(column), type_=column.type) for column in columns
        }
        return sa.update(table).where(condition).values(values)
    if operation == "delete":
        return sa.delete(table).where(condition)
    raise ConnectorError(
        f"cannot explain {operation!r}; choose one of {', '.join(OPERATIONS)}", retryable=False
    )


class StatementCache:
    """Statements by shape, built on first use (thread-safe; shapes are few)."""

    def __init__(self) -> None:
        self._statements: dict[Hashable, sa.Executable] = {}
        self._lock = threading.Lock()

    def get(self, shape: Hashable, make: Callable[[], sa.Executable]) -> sa.Executable:
        """The statement of ``shape``, made by ``make()`` the first time."""
        statement = self._statements.get(shape)
        if statement is None:
            statement = make()
            with self._lock:
                statement = self._statements.setdefault(shape, statement)
        return statement


def shape(operation: str, table: sa.Table, *groups: Sequence[sa.Column[Any]]) -> Hashable:
    """What identifies a statement: operation, table and the names of each column group."""
    return (operation, table.name, *(tuple(column.name for column in group) for group in groups))
