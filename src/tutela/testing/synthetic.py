"""Synthetic systems for any programme: one SQLite database per system, with synthetic people.

:func:`build_systems` reads the programme's systems (those with an SQL connector
reached through ``url_env`` and with datasets) and makes, in a folder, one SQLite
database per system whose tables are its collections: columns from the fields (the
declared ``type``, else one inferred from the field's role, name and categories),
primary keys, and foreign keys from ``references`` within the system. Rows come from
one pool of synthetic people shared by every system, so the same person (the same
e-mail) appears in every system the programme's references link (a web-shop contact
is also a CRM contact and a support requester) and nowhere else (an applicant only in
recruitment). Values follow each field's data categories (fideslang keys). The same
programme, people and seed always give the same databases.

Each database is written by one ``executemany`` per table inside one transaction, so
a few hundred people across ten systems take a fraction of a second.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tutela.programme.models import Programme
from tutela.testing import shopload
from tutela.testing.synthetic_cast import Cast, Person, cast
from tutela.testing.synthetic_layout import (
    Address,
    Column,
    Shape,
    SystemLayout,
    buildable,
    is_text,
    layout,
)
from tutela.testing.synthetic_rows import Table, make_table

__all__ = ["best_known_person", "build_systems", "buildable", "database_path", "plan_cast"]


def build_systems(
    programme: Programme, folder: Path, *, people: int = 200, seed: int = 1
) -> dict[str, str]:
    """Build a SQLite database per SQL system of ``programme`` in ``folder`` (created).

    Returns ``{connector.url_env: sqlite URL}`` for the systems built; a database
    already there is replaced. Raises ConfigurationError when a system's collections
    cannot be made (two collections of one name, a cycle of required references).
    """
    folder.mkdir(parents=True, exist_ok=True)
    layouts = layout(programme)
    people_cast = cast(layouts, people, seed)
    tables: dict[Address, Table] = {}
    urls: dict[str, str] = {}
    for system in layouts:
        _make_tables(system, people_cast, tables)
        path = database_path(folder, system.key)
        _write(path, system, tables)
        urls[system.url_env] = f"sqlite:///{path}"
    return urls


def database_path(folder: Path, system: str) -> Path:
    """Where :func:`build_systems` writes the database of ``system``."""
    return folder / f"{system}.sqlite"


def plan_cast(programme: Programme, *, people: int = 200, seed: int = 1) -> Cast:
    """Who :func:`build_systems` puts where, without building anything (pure)."""
    return cast(layout(programme), people, seed)


def best_known_person(programme: Programme, *, people: int = 200, seed: int = 1) -> Person | None:
    """The synthetic person present in the most datasets, or None when no dataset holds people."""
    return plan_cast(programme, people=people, seed=seed).best_known()


def _make_tables(system: SystemLayout, people: Cast, tables: dict[Address, Table]) -> None:
    nth: Counter[str] = Counter()
    for shape in system.shapes:
        tables[shape.address] = make_table(shape, people, tables, nth[shape.dataset])
        if shape.person:
            nth[shape.dataset] += 1


def _write(path: Path, system: SystemLayout, tables: dict[Address, Table]) -> None:
    path.unlink(missing_ok=True)
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        metadata = _metadata(system)
        metadata.create_all(engine)
        columns = {s.collection.name: tables[s.address].columns for s in system.shapes}
        rows = {s.collection.name: tables[s.address].rows for s in system.shapes}
        shopload.load(engine, columns, lambda name: iter(rows[name]))
    finally:
        engine.dispose()


def _metadata(system: SystemLayout) -> sa.MetaData:
    """The tables of ``system``: one per collection, foreign keys within the system."""
    metadata = sa.MetaData()
    names = {shape.address: shape.collection.name for shape in system.shapes}
    for shape in system.shapes:
        columns = [_column(shape, column, names) for column in shape.columns]
        sa.Table(shape.collection.name, metadata, *columns)
    return metadata


def _column(shape: Shape, column: Column, names: dict[Address, str]) -> sa.Column[Any]:
    link = shape.links.get(column.name)
    keys = []
    if link is not None and link.local and link.target in names:
        keys.append(sa.ForeignKey(f"{names[link.target]}.{link.target_field}"))
    return sa.Column(
        column.name,
        _sql_type(column),
        *keys,
        primary_key=column.primary_key,
        nullable=column.nullable,
    )


def _sql_type(column: Column) -> sa.types.TypeEngine[Any]:
    declared = column.declared
    if column.kind == "integer":
        big = "big" in declared or declared in ("int8", "bigserial")
        return sa.BigInteger() if big else sa.Integer()
    simple: dict[str, sa.types.TypeEngine[Any]] = {
        "numeric": sa.Numeric(14, 2),
        "date": sa.Date(),
        "datetime": sa.DateTime(),
        "boolean": sa.Boolean(),
    }
    if column.kind in simple:
        if declared in ("float", "double", "real", "double precision"):
            return sa.Float()
        return simple[column.kind]
    return sa.Text() if is_text(column) else sa.String(column.length)
