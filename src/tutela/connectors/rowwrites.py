"""Per-row updates, set-based, in each dialect's fastest correct form.

``update_rows`` gives every selected row its own new values (a keyed hash of
its e-mail, say). Measured on 20,000 rows of a 200,000-row table:

* PostgreSQL: one ``UPDATE t SET c = v.c FROM (SELECT unnest(:keys) AS k,
  unnest(:c) AS c) v WHERE t.key = v.k``, whatever the number of rows.
* MariaDB/MySQL: a temporary table filled by one multi-row INSERT, then one
  ``UPDATE t JOIN tmp``: 0.15 s, where an executemany of single-row UPDATEs
  (one round trip each) took 2.2 s. Up to :data:`CASE_ROWS` rows with an
  integer key go in one ``UPDATE t SET c = CASE key WHEN .. THEN .. END WHERE
  key IN (..)`` instead: one statement, not four (the temporary table's
  create, insert, update and drop). Text keys keep the temporary table, whose
  join compares exact bytes; ``CASE`` would compare by the collation.
* SQLite: executemany of one prepared UPDATE in the same transaction: 0.08 s,
  faster than a temporary table (0.12 s); SQLite runs in-process, so a
  statement per row costs no round trip.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from tutela.connectors.lookups import Utf8Bytes, array_of, is_string
from tutela.connectors.statements import StatementCache, shape

CASE_ROWS = 100
"""MariaDB/MySQL: at most this many rows with an integer key are set by one ``CASE`` update."""


@dataclass(frozen=True)
class Step:
    """One statement to send with its parameters.

    ``rows`` are executemany parameters, ``params`` those of a single execution;
    ``counts`` marks the UPDATE whose row count is the result.
    """

    statement: sa.Executable
    rows: list[dict[str, Any]] = field(default_factory=list)
    counts: bool = False
    params: dict[str, Any] | None = None

    def parameters(self) -> list[dict[str, Any]] | dict[str, Any] | None:
        """What to pass to ``Connection.execute`` with the statement."""
        return self.rows or self.params


def plan_row_updates(
    dialect: str,
    table: sa.Table,
    key: sa.Column[Any],
    columns: Sequence[sa.Column[Any]],
    rows: Sequence[Mapping[str, Any]],
    cache: StatementCache | None = None,
) -> list[Step]:
    """The statements that give each row of ``rows`` its values (rows keyed by ``key``).

    ``cache`` keeps the PostgreSQL and SQLite statement of each shape (the values are
    parameters); MariaDB's temporary table is named per call.
    """
    if dialect in ("mysql", "mariadb"):
        if len(rows) <= CASE_ROWS and not is_string(key):
            return [_case(table, key, columns, rows)]
        return _temporary_table(table, key, columns, rows)
    cache = cache or StatementCache()
    names = {column.name: f"tutela_v{i}" for i, column in enumerate(columns)}
    if dialect == "postgresql":
        statement = cache.get(
            shape("update_rows", table, [key], columns), lambda: _postgres(table, key, columns)
        )
        arrays = {name: [row[column] for row in rows] for column, name in names.items()}
        arrays["tutela_k"] = [row[key.name] for row in rows]
        return [Step(statement, counts=True, params=arrays)]
    statement = cache.get(
        shape("update_rows", table, [key], columns), lambda: _executemany(table, key, columns)
    )
    params = [
        {"tutela_k": row[key.name], **{name: row[column] for column, name in names.items()}}
        for row in rows
    ]
    return [Step(statement, params, counts=True)]


def _postgres(
    table: sa.Table, key: sa.Column[Any], columns: Sequence[sa.Column[Any]]
) -> sa.Executable:
    arrays = [_unnest(key, "k")]
    for index, column in enumerate(columns):
        arrays.append(_unnest(column, f"v{index}"))
    values = sa.select(*arrays).subquery("v")
    assignments = {column: values.c[f"v{i}"] for i, column in enumerate(columns)}
    return sa.update(table).values(assignments).where(key == values.c.k)


def _unnest(column: sa.Column[Any], label: str) -> ColumnElement[Any]:
    array = sa.bindparam(f"tutela_{label}", type_=array_of(column))
    return sa.func.unnest(array).label(label)


def _executemany(
    table: sa.Table, key: sa.Column[Any], columns: Sequence[sa.Column[Any]]
) -> sa.Executable:
    return (
        sa.update(table)
        .where(key == sa.bindparam("tutela_k"))
        .values({column: sa.bindparam(f"tutela_v{i}") for i, column in enumerate(columns)})
    )


def _case(
    table: sa.Table,
    key: sa.Column[Any],
    columns: Sequence[sa.Column[Any]],
    rows: Sequence[Mapping[str, Any]],
) -> Step:
    keys = [row[key.name] for row in rows]
    assignments = {
        column: sa.case(
            *((key == row[key.name], sa.literal(row[column.name], column.type)) for row in rows),
            else_=column,
        )
        for column in columns
    }
    return Step(sa.update(table).values(assignments).where(key.in_(keys)), counts=True)


def _temporary_table(
    table: sa.Table,
    key: sa.Column[Any],
    columns: Sequence[sa.Column[Any]],
    rows: Sequence[Mapping[str, Any]],
) -> list[Step]:
    temporary = sa.Table(
        f"tutela_rows_{uuid.uuid4().hex[:12]}",
        sa.MetaData(),
        # No key or index: the default collations call 'A@X' and 'a@x' duplicates, and
        # CREATE INDEX on a temporary table would commit the open transaction. The
        # join is driven from this table into the target's own index anyway.
        sa.Column("k", key.type),
        *(sa.Column(f"v{i}", column.type) for i, column in enumerate(columns)),
        prefixes=["TEMPORARY"],
    )
    params = [
        {"k": row[key.name], **{f"v{i}": row[c.name] for i, c in enumerate(columns)}}
        for row in rows
    ]
    match = key == temporary.c.k
    if is_string(key):
        match = sa.and_(match, Utf8Bytes(key) == Utf8Bytes(temporary.c.k))
    update = (
        sa.update(table)
        .values({column: temporary.c[f"v{i}"] for i, column in enumerate(columns)})
        .where(match)
    )
    return [
        Step(sa.schema.CreateTable(temporary)),
        Step(sa.insert(temporary), params),
        Step(update, counts=True),
        # TEMPORARY matters: a plain DROP TABLE would commit the open transaction.
        Step(sa.DDL("DROP TEMPORARY TABLE %(table)s").against(temporary)),  # type: ignore[no-untyped-call]
    ]
