"""Case-insensitive lookups (ports.IgnoreCase) stay index-friendly on each database (ID-3).

PostgreSQL and SQLite compare ``lower(email)`` and use an expression index on it;
MariaDB compares by the column's ``_ci`` collation and uses the plain index, and
falls back to ``LOWER(email)`` on a ``_bin`` column. Bounded data (2,000 rows).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from tutela.connectors.sql import SqlConnector
from tutela.ports import IgnoreCase

ROWS = 2_000
EMAIL = IgnoreCase("email")


def _build(url: str, *, collation: str | None = None, expression_index: bool = False) -> None:
    """``person(id, email)`` with ``ROWS`` lower-case e-mails and an index on e-mail."""
    email_type = sa.String(254, collation=collation) if collation else sa.String(254)
    metadata = sa.MetaData()
    person = sa.Table(
        "person",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("email", email_type, nullable=False),
        sa.Index("ix_person_email", "email"),
    )
    engine = sa.create_engine(url)
    metadata.create_all(engine)
    with engine.begin() as connection:
        rows = [{"id": i, "email": f"user{i}@example.test"} for i in range(1, ROWS + 1)]
        connection.execute(person.insert(), rows)
        if expression_index:
            connection.exec_driver_sql(
                "CREATE INDEX ix_person_email_lower ON person (lower(email))"
            )
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("ANALYZE person")
    engine.dispose()


@pytest.fixture
def captured() -> Iterator[list[tuple[str, Any]]]:
    """The SELECT statements (with their parameters) every engine sends meanwhile."""
    sent: list[tuple[str, Any]] = []

    def record(_c: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "person" in statement:
            sent.append((statement, parameters))

    sa.event.listen(sa.Engine, "before_cursor_execute", record)
    yield sent
    sa.event.remove(sa.Engine, "before_cursor_execute", record)


def _explain(url: str, prefix: str, statement: str, parameters: Any, setup: str = "") -> str:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        if setup:
            connection.exec_driver_sql(setup)
        rows = connection.exec_driver_sql(prefix + statement, parameters).all()
    engine.dispose()
    return "\n".join(" ".join(str(part) for part in row) for row in rows)


def _fetch_ids(url: str, keys: list[str]) -> list[int]:
    connector = SqlConnector("people", url)
    try:
        return sorted(row["id"] for row in connector.fetch("person", {EMAIL: keys}, ["id"]))
    finally:
        connector.close()


@pytest.mark.postgres
def test_ID_3_postgres_lower_lookup_uses_the_expression_index(
    postgres_url: str, captured: list[tuple[str, Any]]
) -> None:
    _build(postgres_url, expression_index=True)
    assert _fetch_ids(postgres_url, ["USER7@Example.TEST", "user1999@example.test"]) == [7, 1999]
    (statement, parameters) = captured[-1]
    assert "lower(person.email) = ANY" in statement
    plan = _explain(postgres_url, "EXPLAIN ", statement, parameters, "SET enable_seqscan = off")
    assert "ix_person_email_lower" in plan, plan


@pytest.mark.postgres
def test_ID_3_postgres_without_the_expression_index_no_index_serves_lower(
    postgres_url: str, captured: list[tuple[str, Any]]
) -> None:
    """The advice in docs/connectors.md matters: the plain index cannot serve lower()."""
    _build(postgres_url)
    assert _fetch_ids(postgres_url, ["USER7@EXAMPLE.TEST"]) == [7]
    (statement, parameters) = captured[-1]
    plan = _explain(postgres_url, "EXPLAIN ", statement, parameters, "SET enable_seqscan = off")
    assert "ix_person_email" not in plan and "Seq Scan" in plan, plan


def test_ID_3_sqlite_lower_lookup_uses_the_expression_index(
    sqlite_url: str, captured: list[tuple[str, Any]]
) -> None:
    _build(sqlite_url, expression_index=True)
    assert _fetch_ids(sqlite_url, ["User42@EXAMPLE.test"]) == [42]
    (statement, parameters) = captured[-1]
    assert "lower(person.email) IN" in statement
    plan = _explain(sqlite_url, "EXPLAIN QUERY PLAN ", statement, parameters)
    assert "ix_person_email_lower" in plan, plan


@pytest.mark.mariadb
def test_ID_3_mariadb_ci_collation_uses_the_plain_index(
    mariadb_url: str, captured: list[tuple[str, Any]]
) -> None:
    _build(mariadb_url)
    assert _fetch_ids(mariadb_url, ["USER7@EXAMPLE.TEST", "user8@example.test "]) == [7]
    (statement, parameters) = captured[-1]
    assert "person.email IN" in statement and "lower(person.email) IN" not in statement
    plan = _explain(mariadb_url, "EXPLAIN ", statement, parameters)
    assert "ix_person_email" in plan, plan


@pytest.mark.mariadb
def test_ID_3_mariadb_binary_collation_falls_back_to_lower(
    mariadb_url: str, captured: list[tuple[str, Any]]
) -> None:
    _build(mariadb_url, collation="utf8mb4_bin")
    assert _fetch_ids(mariadb_url, ["USER7@EXAMPLE.TEST", "uSer9@example.test"]) == [7, 9]
    assert "lower(person.email) IN" in captured[-1][0]


def test_ID_3_explain_shows_the_lowered_comparison(sqlite_url: str) -> None:
    _build(sqlite_url)
    connector = SqlConnector("people", sqlite_url)
    try:
        text = connector.explain("fetch", "person", {EMAIL: ["ANN@EXAMPLE.TEST"]}, ["id"])
        plain = connector.explain("fetch", "person", {"email": ["ANN@EXAMPLE.TEST"]}, ["id"])
    finally:
        connector.close()
    assert "lower(person.email) IN" in text and "ANN@EXAMPLE.TEST" not in text
    assert "lower(" not in plain
