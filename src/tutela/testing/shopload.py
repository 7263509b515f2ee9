"""Bulk loading of generated rows, each backend its fastest way, in one transaction.

* PostgreSQL: ``COPY ... FROM STDIN`` on the raw psycopg connection, streamed
  in blocks of text lines.
* MariaDB/MySQL: ``LOAD DATA LOCAL INFILE`` from temporary files of up to a
  million lines when the server allows ``local_infile``; otherwise multi-row
  INSERT batches (PyMySQL's executemany). Foreign-key and unique checks are
  off for the session during the load.
* SQLite: ``executemany`` of one INSERT fed straight from the generator, with
  ``PRAGMA synchronous = OFF``.

Values travel as data (COPY text, files, bound parameters), never as SQL.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tutela.connectors.urls import parse_url, render_url

RowTuple = tuple[object, ...]
Rows = Callable[[str], Iterator[RowTuple]]

BLOCK_ROWS = 100_000
FILE_ROWS = 1_000_000


def safe_url(url: str) -> str:
    """``url`` with its password hidden."""
    return render_url(url)


def engine_for(url: str) -> sa.Engine:
    """An engine for loading (MariaDB connections may send local files)."""
    parsed = parse_url(url, source="--url")
    if parsed.get_backend_name() in ("mysql", "mariadb"):
        return sa.create_engine(parsed, connect_args={"local_infile": True})
    return sa.create_engine(parsed)


def load(engine: sa.Engine, columns: Mapping[str, Sequence[str]], rows: Rows) -> dict[str, int]:
    """Load every table of ``columns`` (in order) from ``rows(table)``; return rows per table."""
    loader = {"postgresql": _copy, "sqlite": _executemany}.get(engine.dialect.name, _mariadb)
    raw = engine.raw_connection()
    try:
        preparer = engine.dialect.identifier_preparer
        counts = {}
        _begin_load(engine.dialect.name, raw)
        for table, names in columns.items():
            quoted = (preparer.quote(table), [preparer.quote(name) for name in names])
            counts[table] = loader(raw.driver_connection, *quoted, rows(table))
        raw.commit()
        _end_load(engine.dialect.name, raw)
        return counts
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()


def _begin_load(dialect: str, raw: Any) -> None:
    cursor = raw.cursor()
    if dialect == "postgresql":
        cursor.execute("SET LOCAL synchronous_commit = off")
    elif dialect == "sqlite":
        cursor.execute("PRAGMA synchronous = OFF")
    else:
        cursor.execute("SET foreign_key_checks = 0, unique_checks = 0")
    cursor.close()


def _end_load(dialect: str, raw: Any) -> None:
    cursor = raw.cursor()
    if dialect == "sqlite":
        cursor.execute("PRAGMA synchronous = FULL")
    elif dialect != "postgresql":
        cursor.execute("SET foreign_key_checks = 1, unique_checks = 1")
    cursor.close()


def _lines(rows: Iterable[RowTuple]) -> Iterator[str]:
    for row in rows:
        yield "\t".join("\\N" if value is None else str(value) for value in row) + "\n"


def _copy(connection: Any, table: str, names: list[str], rows: Iterator[RowTuple]) -> int:
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy,
    ):
        lines = _lines(rows)
        while block := list(islice(lines, BLOCK_ROWS)):
            copy.write("".join(block))
            count += len(block)
    return count


def _executemany(connection: Any, table: str, names: list[str], rows: Iterator[RowTuple]) -> int:
    counted = _Counted(rows)
    marks = ", ".join("?" for _ in names)
    connection.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", counted)
    return counted.count


def _mariadb(connection: Any, table: str, names: list[str], rows: Iterator[RowTuple]) -> int:
    cursor = connection.cursor()
    try:
        cursor.execute("SELECT @@local_infile")
        if int(cursor.fetchone()[0]):
            return _load_data(cursor, table, names, rows)
        return insert_batches(cursor, table, names, rows)
    finally:
        cursor.close()


def _load_data(cursor: Any, table: str, names: list[str], rows: Iterator[RowTuple]) -> int:
    count = 0
    statement = (
        f"LOAD DATA LOCAL INFILE %s INTO TABLE {table} CHARACTER SET utf8mb4 ({', '.join(names)})"
    )
    lines = _lines(rows)
    with tempfile.TemporaryDirectory(prefix="tutela-shop-") as folder:
        path = Path(folder) / "rows.tsv"
        while block := list(islice(lines, FILE_ROWS)):
            path.write_text("".join(block), encoding="utf-8")
            cursor.execute(statement, (str(path),))
            count += len(block)
    return count


def insert_batches(cursor: Any, table: str, names: list[str], rows: Iterator[RowTuple]) -> int:
    """MariaDB without ``local_infile``: multi-row INSERTs of 5,000 bound rows each."""
    count = 0
    marks = ", ".join("%s" for _ in names)
    statement = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"
    while batch := list(islice(rows, 5_000)):
        cursor.executemany(statement, batch)
        count += len(batch)
    return count


class _Counted:
    """An iterator that counts what it hands out."""

    def __init__(self, rows: Iterator[RowTuple]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[RowTuple]:
        for row in self.rows:
            self.count += 1
            yield row


def relax_checks(connection: sa.Connection) -> None:
    """MariaDB: add foreign keys without re-checking rows the load just wrote."""
    if connection.dialect.name in ("mysql", "mariadb"):
        connection.exec_driver_sql("SET foreign_key_checks = 0")


def restore_checks(connection: sa.Connection) -> None:
    """Undo :func:`relax_checks`."""
    if connection.dialect.name in ("mysql", "mariadb"):
        connection.exec_driver_sql("SET foreign_key_checks = 1")


def after_load(engine: sa.Engine, tables: Sequence[sa.Table]) -> None:
    """PostgreSQL: move id sequences past the loaded ids and refresh planner statistics."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        for table in tables:
            sequence = sa.func.pg_get_serial_sequence(table.name, "id")
            top = sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0) + 1).scalar_subquery()
            connection.execute(sa.select(sa.func.setval(sequence, top, False)))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in tables:
            connection.execute(
                sa.text(f"ANALYZE {engine.dialect.identifier_preparer.quote(table.name)}")
            )
