"""Idempotent migration steps: each does nothing when its effect is already there.

MariaDB commits every DDL statement on its own (and so does SQLite through
Python's driver), so a migration killed half-way leaves some of its tables
behind and no version stamp. Written with these steps, the same migration runs
again, creates what is missing, and Alembic stamps the version after it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tutela.errors import StoreError


def create_table(name: str, *columns: sa.Column[object]) -> None:
    """Create table ``name`` unless it exists; an existing one must have every column.

    Raises :class:`StoreError` when a table of that name exists without some of
    ``columns`` (it is not tutela's, or was changed by hand).
    """
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table(name):
        op.create_table(name, *columns)
        return
    present = {column["name"] for column in inspector.get_columns(name)}
    missing = [column.name for column in columns if column.name not in present]
    if missing:
        raise StoreError(
            f"tutela's store holds a table {name!r} without the column(s) "
            f"{', '.join(missing)}: it is not tutela's; drop or rename it, or use another database"
        )


def create_index(name: str, table: str, columns: list[str], *, unique: bool = False) -> None:
    """Create the index ``name`` on ``table`` (``unique`` if asked) unless it exists."""
    present = {index["name"] for index in sa.inspect(op.get_bind()).get_indexes(table)}
    if name not in present:
        op.create_index(name, table, columns, unique=unique)


def add_column(table: str, column: sa.Column[object]) -> None:
    """Add ``column`` to ``table`` unless the table has a column of that name."""
    present = {found["name"] for found in sa.inspect(op.get_bind()).get_columns(table)}
    if column.name not in present:
        op.add_column(table, column)
