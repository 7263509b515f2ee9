"""SQL connector behaviour beyond the contract: chunks, explain, errors, secrets, options."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from tutela.connectors.contract import PEOPLE, seed_sql
from tutela.connectors.sql import SqlConnector
from tutela.errors import ConfigurationError, ConnectorError

SECRET = "s3cr3t-Pw-777"


@pytest.fixture
def seeded(database_url: str) -> Iterator[SqlConnector]:
    seed_sql(database_url)
    connector = SqlConnector("people", database_url)
    yield connector
    connector.close()


def test_chunked_lookups_give_the_same_answer_as_one_statement(database_url: str) -> None:
    seed_sql(database_url)
    small = SqlConnector("people", database_url, options={"max_params": 4})
    keys = [row["email"] for row in PEOPLE] + [f"nobody{i}@example.test" for i in range(20)]
    rows = small.fetch("person", {"email": keys}, ["id"])
    assert sorted(row["id"] for row in rows) == [row["id"] for row in PEOPLE]
    assert small.count("person", {"email": keys, "id": [1, 2, 3, 4, 5]}) == 5
    assert small.update("person", {"email": keys}, {"score": 1}) == len(PEOPLE)
    if small.dialect != "postgresql":
        assert small.explain("count", "person", {"email": keys}).startswith("-- 1 of ")
    small.close()


def test_explain_prints_dialect_placeholders_never_values(seeded: SqlConnector) -> None:
    text = seeded.explain("delete", "person", {"email": ["ann@example.test", "b", "c", "d"]})
    assert "ann@example.test" not in text
    if seeded.dialect == "postgresql":
        assert "= ANY (%(" in text and "::TEXT[]" in text
    else:
        assert "IN (" in text and "/* 4 keys */" in text
    rows = seeded.explain("update_rows", "person", {"id": [1, 2]}, ["name"])
    assert "UPDATE" in rows and "person" in rows
    with pytest.raises(ConnectorError, match="cannot explain 'merge'"):
        seeded.explain("merge", "person", {"id": [1]})


def test_update_rows_on_postgresql_is_one_statement(postgres_url: str) -> None:
    seed_sql(postgres_url)
    connector = SqlConnector("people", postgres_url)
    text = connector.explain("update_rows", "person", {"id": [1, 2, 3]}, ["name", "score"])
    assert text.count("UPDATE") == 1 and "unnest(" in text
    rows = [{"id": 1, "name": "A", "score": 1}, {"id": 2, "name": "B", "score": 2}]
    assert connector.update_rows("person", "id", rows) == 2
    found = connector.fetch("person", {"id": [1, 2]}, ["id", "name", "score"])
    assert sorted(found, key=lambda row: row["id"]) == rows
    connector.close()


def test_key_longer_than_column_does_not_match_its_prefix(seeded: SqlConnector) -> None:
    long_key = "ann@example.test" + "x" * 300
    assert seeded.fetch("person", {"email": [long_key]}, ["id"]) == []


def test_integer_keys_as_text_match_and_junk_is_dropped(seeded: SqlConnector) -> None:
    rows = seeded.fetch("person", {"id": ["2", " 3 ", "1abc", "1 OR 1=1", 2.5, True]}, ["id"])
    assert sorted(row["id"] for row in rows) == [2, 3]


def test_empty_columns_fetch_every_column(seeded: SqlConnector) -> None:
    assert seeded.fetch("person", {"id": [1]}, []) == [dict(PEOPLE[0])]


def test_keys_must_be_a_list_not_a_string(seeded: SqlConnector) -> None:
    with pytest.raises(ConnectorError, match="must be a list of values, got str"):
        seeded.delete("person", {"email": "ann@example.test"})
    assert seeded.count("person", {"id": [1]}) == 1


def test_nested_transaction_joins_the_outer_one(seeded: SqlConnector) -> None:
    with pytest.raises(RuntimeError), seeded.transaction():
        with seeded.transaction():
            seeded.update("person", {"id": [1]}, {"score": 0})
        raise RuntimeError("abort outer")
    assert seeded.fetch("person", {"id": [1]}, ["score"]) == [{"score": 10}]


def test_column_dropped_after_reflection_is_a_non_retryable_missing_column(
    seeded: SqlConnector, database_url: str
) -> None:
    assert seeded.count("person", {"id": [1]}) == 1  # reflects and caches the table
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(sa.text("ALTER TABLE person DROP COLUMN score"))
    engine.dispose()
    with pytest.raises(ConnectorError) as raised:
        seeded.fetch("person", {"id": [1]}, ["score"])
    assert raised.value.retryable is False
    assert "missing column" in str(raised.value) and "score" in str(raised.value)


def test_database_error_is_not_retryable_and_hides_the_value(seeded: SqlConnector) -> None:
    with pytest.raises(ConnectorError) as raised:
        seeded.update("person", {"id": [2]}, {"email": "ann@example.test"})  # unique e-mail
    assert raised.value.retryable is False
    assert "ann@example.test" not in str(raised.value)
    assert raised.value.system == "people"


def test_lock_timeout_is_retryable(postgres_url: str) -> None:
    seed_sql(postgres_url)
    holder = sa.create_engine(postgres_url)
    waiter = SqlConnector(
        "people", sa.make_url(postgres_url).update_query_dict({"options": "-c lock_timeout=200"})
    )
    with holder.begin() as connection:
        connection.execute(sa.text("LOCK TABLE person IN ACCESS EXCLUSIVE MODE"))
        with pytest.raises(ConnectorError) as raised:
            waiter.update("person", {"id": [1]}, {"score": 0})
    assert raised.value.retryable is True
    holder.dispose()
    waiter.close()


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://postgres:{SECRET}@127.0.0.1:1/none",
        f"mysql://root:{SECRET}@127.0.0.1:1/none",
    ],
)
def test_unreachable_server_is_retryable_and_never_shows_the_password(url: str) -> None:
    connector = SqlConnector("shop", url)
    assert SECRET not in repr(connector) and "***" in repr(connector)
    with pytest.raises(ConnectorError) as raised:
        connector.describe()
    assert raised.value.retryable is True
    assert SECRET not in str(raised.value)


def test_wrong_password_error_does_not_contain_it() -> None:
    connector = SqlConnector("shop", f"mysql://root:{SECRET}@127.0.0.1:3306/test")
    with pytest.raises(ConnectorError) as raised:
        connector.describe()
    assert SECRET not in str(raised.value)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"pool": 3}, "unknown connector option 'pool'"),
        ({"max_params": "many"}, "'max_params' must be int"),
        ({"schema": True}, "'schema' must be str"),
    ],
)
def test_bad_options_name_what_to_fix(options: dict[str, object], expected: str) -> None:
    with pytest.raises(ConfigurationError, match=expected):
        SqlConnector("shop", "sqlite://", options=options)


def test_unknown_driver_and_missing_sqlite_file_are_clear(tmp_path: object) -> None:
    with pytest.raises(ConfigurationError, match="no installed SQL driver for 'oracle"):
        SqlConnector("erp", "oracle://user@host/db")
    with pytest.raises(ConnectorError, match="does not exist"):
        SqlConnector("erp", f"sqlite:///{tmp_path}/missing.db")


def test_mariadb_lock_wait_timeout_is_retryable(mariadb_url: str) -> None:
    seed_sql(mariadb_url)
    holder = sa.create_engine(mariadb_url)
    waiter = SqlConnector(
        "people",
        sa.make_url(mariadb_url).update_query_dict(
            {"init_command": "SET innodb_lock_wait_timeout = 1"}
        ),
    )
    with holder.begin() as connection:
        connection.execute(sa.text("SELECT id FROM person WHERE id = 1 FOR UPDATE"))
        with pytest.raises(ConnectorError, match="Lock wait timeout") as raised:
            waiter.update("person", {"id": [1]}, {"score": 0})
    assert raised.value.retryable is True
    holder.dispose()
    waiter.close()
