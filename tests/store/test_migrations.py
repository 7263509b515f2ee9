"""The store's migrations resume after a kill, refuse what is not theirs, and take turns."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from tutela.errors import StoreError
from tutela.store import migrate
from tutela.store.dsr import SqlDsrStore

TABLES = {"tutela_dsr_batch", "tutela_dsr_checkpoint", "tutela_restriction"}
VERSION_TABLE = "tutela_alembic_version"

BATCH_DDL = """CREATE TABLE tutela_dsr_batch (
    id VARCHAR(64) NOT NULL PRIMARY KEY, type VARCHAR(20) NOT NULL, requests INTEGER NOT NULL,
    status VARCHAR(20) NOT NULL, created_at DATETIME NOT NULL, finished_at DATETIME NULL
)"""
CHECKPOINT_DDL = """CREATE TABLE tutela_dsr_checkpoint (
    batch_id VARCHAR(64) NOT NULL, step VARCHAR(255) NOT NULL, payload LONGTEXT NOT NULL,
    created_at DATETIME NOT NULL, PRIMARY KEY (batch_id, step),
    FOREIGN KEY (batch_id) REFERENCES tutela_dsr_batch (id) ON DELETE CASCADE
)"""
VERSION_DDL = f"CREATE TABLE {VERSION_TABLE} (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"


class FixedClock:
    def now(self) -> datetime:
        return datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _head() -> str:
    head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    assert head is not None
    return head


def _run(url: str, *statements: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)
    engine.dispose()


def _schema(url: str) -> tuple[set[str], list[str]]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names())
        versions = [row[0] for row in connection.exec_driver_sql(f"SELECT * FROM {VERSION_TABLE}")]
        indexes = {
            index["name"] for index in sa.inspect(connection).get_indexes("tutela_restriction")
        }
    engine.dispose()
    assert "ix_tutela_restriction_subject" in indexes
    return tables, versions


@pytest.mark.mariadb
@pytest.mark.parametrize(
    "killed_after",
    [(BATCH_DDL,), (VERSION_DDL, BATCH_DDL, CHECKPOINT_DDL)],
    ids=["first-table", "two-tables-and-an-empty-version-table"],
)
def test_a_first_migration_killed_half_way_on_mariadb_completes_on_the_next_open(
    mariadb_url: str, killed_after: tuple[str, ...]
) -> None:
    _run(mariadb_url, *killed_after)  # DDL commits on its own: what a kill leaves behind
    SqlDsrStore(mariadb_url, FixedClock()).close()
    tables, versions = _schema(mariadb_url)
    assert TABLES | {VERSION_TABLE} <= tables
    assert versions == [_head()]
    SqlDsrStore(mariadb_url, FixedClock()).close()  # and again: nothing left to do
    assert _schema(mariadb_url)[1] == [_head()]


def test_a_table_with_tutelas_name_but_not_its_columns_is_refused(sqlite_url: str) -> None:
    _run(sqlite_url, "CREATE TABLE tutela_restriction (id INTEGER PRIMARY KEY, note TEXT)")
    with pytest.raises(StoreError, match="'tutela_restriction' without the column") as raised:
        SqlDsrStore(sqlite_url, FixedClock())
    assert "identity" in str(raised.value)


def test_a_store_written_by_a_newer_tutela_is_refused_clearly(sqlite_url: str) -> None:
    _run(sqlite_url, VERSION_DDL, f"INSERT INTO {VERSION_TABLE} VALUES ('9999_future')")
    with pytest.raises(StoreError, match="newer version of tutela") as raised:
        SqlDsrStore(sqlite_url, FixedClock())
    assert "9999_future" in str(raised.value)


@pytest.mark.parametrize(
    "server",
    [
        pytest.param("postgres_url", marks=pytest.mark.postgres),
        pytest.param("mariadb_url", marks=pytest.mark.mariadb),
    ],
)
def test_processes_opening_a_new_store_together_take_turns(
    server: str, request: pytest.FixtureRequest
) -> None:
    url = str(request.getfixturevalue(server))
    start = threading.Barrier(3, timeout=30)
    failures: list[BaseException] = []

    def open_store() -> None:
        start.wait()
        try:
            SqlDsrStore(url, FixedClock(), connect_timeout=5, statement_timeout=30).close()
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=open_store) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert _schema(url)[1] == [_head()]
