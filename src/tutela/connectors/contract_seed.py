"""The data the connector conformance suite runs on, and how to seed a SQL system with it.

Part of :mod:`tutela.connectors.contract` (which re-exports every name here): the
``person`` and ``note`` collections as rows (:data:`PEOPLE`, :data:`NOTES`) and as a
catalog describes them (:data:`COLLECTIONS`); :func:`seed_sql` creates them in a SQL
database.
"""

from __future__ import annotations

import sqlalchemy as sa

from tutela.ports import CollectionInfo, ColumnInfo, ForeignKeyInfo, Row

PEOPLE: tuple[Row, ...] = (
    {"id": 1, "email": "ann@example.test", "name": "Ann", "score": 10},
    {"id": 2, "email": "bob@example.test", "name": "Bob", "score": 20},
    {"id": 3, "email": "a%b@example.test", "name": "Zoë", "score": 30},
    {"id": 4, "email": "a_b@example.test", "name": "zoe", "score": 40},
    {"id": 5, "email": "axb@example.test", "name": "ZOE", "score": 50},
    {"id": 6, "email": "o'brien@example.test", "name": "O'Brien", "score": 60},
    {"id": 7, "email": "carl@example.test", "name": "zoe ", "score": 70},
    {"id": 8, "email": "dora@example.test", "name": "Dora", "score": 80},
)
"""Rows of the ``person`` collection (id primary key, email unique)."""

NOTES: tuple[Row, ...] = (
    {"id": 1, "person_id": 1, "body": "first"},
    {"id": 2, "person_id": 1, "body": "second"},
    {"id": 3, "person_id": 2, "body": "third"},
    {"id": 4, "person_id": 6, "body": "fourth"},
)
"""Rows of the ``note`` collection (``person_id`` references ``person.id``)."""

COLLECTIONS: tuple[CollectionInfo, ...] = (
    CollectionInfo(
        "person",
        (
            ColumnInfo("id", "integer", nullable=False, primary_key=True),
            ColumnInfo("email", "varchar", nullable=False, length=200),
            ColumnInfo("name", "varchar", length=200),
            ColumnInfo("score", "integer"),
        ),
    ),
    CollectionInfo(
        "note",
        (
            ColumnInfo("id", "integer", nullable=False, primary_key=True),
            ColumnInfo("person_id", "integer", nullable=False),
            ColumnInfo("body", "varchar", length=500),
        ),
        (ForeignKeyInfo(("person_id",), "person", ("id",)),),
    ),
)
"""The two collections as a catalog describes them (the schema :func:`seed_sql` creates)."""


def seed_sql(url: str) -> None:
    """Create ``person`` and ``note`` holding :data:`PEOPLE` and :data:`NOTES` at ``url``."""
    metadata = sa.MetaData()
    person = sa.Table(
        "person",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("email", sa.String(200), nullable=False, unique=True),
        sa.Column("name", sa.String(200)),
        sa.Column("score", sa.Integer),
    )
    note = sa.Table(
        "note",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("person_id", sa.ForeignKey("person.id"), index=True, nullable=False),
        sa.Column("body", sa.String(500)),
    )
    engine = sa.create_engine(url)
    try:
        metadata.create_all(engine)
        with engine.begin() as connection:
            connection.execute(person.insert(), [dict(row) for row in PEOPLE])
            connection.execute(note.insert(), [dict(row) for row in NOTES])
    finally:
        engine.dispose()
