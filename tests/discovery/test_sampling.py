"""Sampling for discovery: bounded, random, NULLs kept, never a full scan unless asked.

Each backend is a real database: SQLite, PostgreSQL (``TABLESAMPLE``) and MariaDB
(random primary-key picks). The statements sent are recorded through SQLAlchemy's
``before_cursor_execute`` event and checked: every read of the sampled table
carries a ``LIMIT`` or a set of picked keys, and none sorts the table at random.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from tutela.connectors.memory import MemoryConnector
from tutela.connectors.sql import SqlConnector
from tutela.errors import ConnectorError
from tutela.ports import CollectionInfo, ColumnInfo, Sampling

ODD_TABLE = 'Kunden "Liste" é'
ODD_COLUMNS = ("e-mail adres", 'naam "roepnaam"', "straße")


@pytest.fixture
def statements() -> Iterator[list[str]]:
    """Every SQL statement any engine sends during the test."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    sa.event.listen(sa.Engine, "before_cursor_execute", record)
    yield sent
    sa.event.remove(sa.Engine, "before_cursor_execute", record)


def _big_table(url: str, rows: int, *, table: str = "big", gaps: int = 1) -> None:
    """``table`` with an integer key, an e-mail column and a half-NULL note column."""
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    big = sa.Table(
        table,
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("email", sa.String(80)),
        sa.Column("note", sa.String(20), nullable=True),
    )
    metadata.create_all(engine)
    data = [
        {"id": n * gaps, "email": f"user{n}@example.test", "note": None if n % 2 else "x"}
        for n in range(1, rows + 1)
    ]
    with engine.begin() as connection:
        if data:
            connection.execute(big.insert(), data)
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text(f"ANALYZE {table}"))
        elif engine.dialect.name in ("mysql", "mariadb"):
            connection.execute(sa.text(f"ANALYZE TABLE {table}"))
    engine.dispose()


def _reads_of(statements: list[str], table: str) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith("SELECT") and table in s]


def _assert_bounded(statements: list[str], table: str) -> None:
    reads = _reads_of(statements, table)
    assert reads, statements
    for read in reads:
        assert not re.search(r"ORDER BY\s+(random|rand)\(", read, re.IGNORECASE), read
        bounded = re.search(r"\bLIMIT\b|\bIN\b|TABLESAMPLE|\bmin\(|\bmax\(", read, re.I)
        assert bounded, f"unbounded read: {read}"


def _sample(
    url: str, *, limit: int, table: str = "big", **options: object
) -> list[tuple[Any, ...]]:
    connector = SqlConnector("shop", url, options=options or None)
    try:
        assert isinstance(connector, Sampling)
        return connector.sample(table, ["id", "email", "note"], limit)
    finally:
        connector.close()


def _check_sample(rows: list[tuple[Any, ...]], limit: int) -> None:
    assert len(rows) == limit
    assert len({row[0] for row in rows}) == limit, "a row was sampled twice"
    assert all(re.fullmatch(r"user\d+@example\.test", row[1]) for row in rows)
    notes = {row[2] for row in rows}
    assert notes == {None, "x"}, "NULLs must come back as they are"


def test_sqlite_samples_a_big_table_by_random_rowids_without_a_full_scan(
    sqlite_url: str, statements: list[str]
) -> None:
    _big_table(sqlite_url, 5000)
    rows = _sample(sqlite_url, limit=100)
    _check_sample(rows, 100)
    _assert_bounded(statements, "big")
    ids = sorted(row[0] for row in rows)
    assert ids[-1] - ids[0] > 1000, "a random sample spreads over the table"


def test_sqlite_sample_fills_up_when_keys_have_gaps(sqlite_url: str) -> None:
    _big_table(sqlite_url, 2000, gaps=97)
    rows = _sample(sqlite_url, limit=300)
    assert len(rows) == 300 and len({row[0] for row in rows}) == 300


@pytest.mark.parametrize(("rows", "limit", "expected"), [(10, 100, 10), (250, 100, 100), (0, 5, 0)])
def test_a_small_table_gives_at_most_limit_rows(
    sqlite_url: str, rows: int, limit: int, expected: int
) -> None:
    _big_table(sqlite_url, rows)
    assert len(_sample(sqlite_url, limit=limit)) == expected


def test_full_reads_every_row(sqlite_url: str) -> None:
    _big_table(sqlite_url, 700)
    connector = SqlConnector("shop", sqlite_url)
    rows = connector.sample("big", ["id"], 10, full=True)
    connector.close()
    assert sorted(row[0] for row in rows) == list(range(1, 701))


def test_sqlite_without_rowid_and_text_key_reads_a_bounded_sample(sqlite_url: str) -> None:
    engine = sa.create_engine(sqlite_url)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE tags (code TEXT PRIMARY KEY, label TEXT) WITHOUT ROWID"
        )
        connection.exec_driver_sql(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) "
            "INSERT INTO tags SELECT 'c' || i, NULL FROM n"
        )
    engine.dispose()
    connector = SqlConnector("shop", sqlite_url)
    rows = connector.sample("tags", ["code", "label"], 50)
    connector.close()
    assert len(rows) == 50 and {row[1] for row in rows} == {None}


def test_sampling_is_read_only_on_sqlite(sqlite_url: str) -> None:
    _big_table(sqlite_url, 10)
    connector = SqlConnector("shop", sqlite_url)
    connector.sample("big", ["id"], 5)
    assert connector.count("big", {"id": [1, 2]}) == 2, "query_only is reset after sampling"
    assert connector.update("big", {"id": [1]}, {"note": "y"}) == 1
    connector.close()


@pytest.mark.parametrize(
    ("limit", "columns", "message"),
    [(0, ["id"], "at least 1 row"), (5, ["nope"], "nope"), (5, ["id; DROP TABLE big"], "DROP")],
)
def test_bad_sample_requests_fail_with_a_connector_error(
    sqlite_url: str, limit: int, columns: list[str], message: str
) -> None:
    _big_table(sqlite_url, 3)
    connector = SqlConnector("shop", sqlite_url)
    with pytest.raises(ConnectorError, match=re.escape(message)):
        connector.sample("big", columns, limit)
    connector.close()


def _odd_table(url: str) -> None:
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    odd = sa.Table(
        ODD_TABLE,
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        *(sa.Column(name, sa.String(60)) for name in ODD_COLUMNS),
    )
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            odd.insert(),
            [{"id": n, **{name: f"{name} {n}" for name in ODD_COLUMNS}} for n in range(1, 31)],
        )
    engine.dispose()


@pytest.mark.parametrize(
    "backend",
    [
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ],
)
def test_odd_table_and_column_names_are_quoted(
    backend: str, request: pytest.FixtureRequest
) -> None:
    url = str(request.getfixturevalue(f"{backend}_url"))
    _odd_table(url)
    connector = SqlConnector("odd", url)
    rows = connector.sample(ODD_TABLE, list(ODD_COLUMNS), 10)
    connector.close()
    assert len(rows) == 10
    assert all(row[0].startswith(ODD_COLUMNS[0]) and row[2].startswith("straße") for row in rows)


@pytest.mark.postgres
def test_postgresql_samples_a_big_table_with_tablesample(
    postgres_url: str, statements: list[str]
) -> None:
    _big_table(postgres_url, 20_000)
    rows = _sample(postgres_url, limit=200)
    _check_sample(rows, 200)
    _assert_bounded(statements, "big")
    assert any("TABLESAMPLE system" in s for s in statements), statements
    assert any(s.strip() == "SET TRANSACTION READ ONLY" for s in statements)


@pytest.mark.postgres
def test_postgresql_small_table_is_read_with_a_limit(
    postgres_url: str, statements: list[str]
) -> None:
    _big_table(postgres_url, 50)
    assert len(_sample(postgres_url, limit=100)) == 50
    assert not any("TABLESAMPLE" in s for s in statements)
    _assert_bounded(statements, "big")


@pytest.mark.postgres
def test_postgresql_honours_the_schema_option(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    with engine.begin() as connection:
        connection.exec_driver_sql('CREATE SCHEMA "crm data"')
        connection.exec_driver_sql(
            'CREATE TABLE "crm data".big (id integer PRIMARY KEY, email text, note text)'
        )
        connection.exec_driver_sql(
            "INSERT INTO \"crm data\".big SELECT g, 'user' || g || '@example.test',"
            " CASE WHEN g %% 2 = 0 THEN 'x' END FROM generate_series(1, 5000) g"
        )
        connection.exec_driver_sql('ANALYZE "crm data".big')
    engine.dispose()
    rows = _sample(postgres_url, limit=100, schema="crm data")
    _check_sample(rows, 100)


@pytest.mark.mariadb
def test_mariadb_samples_a_big_table_by_primary_key_picks(
    mariadb_url: str, statements: list[str]
) -> None:
    _big_table(mariadb_url, 3000, gaps=3)
    rows = _sample(mariadb_url, limit=100)
    _check_sample(rows, 100)
    _assert_bounded(statements, "big")
    assert any(re.search(r"\bIN \(", s) for s in _reads_of(statements, "big"))
    assert any("SET TRANSACTION READ ONLY" in s for s in statements)


def test_memory_connector_samples_at_most_limit_rows() -> None:
    info = CollectionInfo(
        "people", (ColumnInfo("id", "integer", primary_key=True), ColumnInfo("email", "varchar"))
    )
    rows = [{"id": n, "email": None if n % 3 else f"p{n}@example.test"} for n in range(50)]
    connector = MemoryConnector("crm", [info], {"people": rows})
    assert isinstance(connector, Sampling)
    sample = connector.sample("people", ["email", "id"], 20)
    assert len(sample) == 20 and len({row[1] for row in sample}) == 20
    assert None in {row[0] for row in sample}
    assert len(connector.sample("people", ["id"], 20, full=True)) == 50
