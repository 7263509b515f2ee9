"""The ledger in tutela's store: appended in the caller's transaction, numbered without gaps."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tutela.ledger.checkpoint import Checkpoint, generate_key, sign_checkpoint
from tutela.ledger.entries import EntryError
from tutela.ledger.merkle import tree_head
from tutela.store import migrate
from tutela.store.ledger import NewEntry, SqlLedger, open_ledger
from tutela.store.ledger_audit import audit_rows

ORIGIN = "tutela.test/ledger"
WHEN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def new(request: str = "req-1", action: str = "received") -> NewEntry:
    return NewEntry(WHEN, "system", action, request, after="ab" * 32)


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ],
)
def ledger(request: pytest.FixtureRequest) -> Iterator[SqlLedger]:
    url = str(request.getfixturevalue(f"{request.param}_url".replace("postgresql", "postgres")))
    opened = open_ledger(url)
    yield opened
    opened.close()


def test_the_migration_brings_the_store_to_the_head(ledger: SqlLedger) -> None:
    assert migrate.revision(ledger.engine) == migrate.head()
    migrate.upgrade(ledger.engine)  # again: nothing to do
    tables = set(sa.inspect(ledger.engine).get_table_names())
    assert {"tutela_ledger_entry", "tutela_ledger_checkpoint"} <= tables


def test_append_numbers_consecutively_and_verifies_against_a_checkpoint(ledger: SqlLedger) -> None:
    first = ledger.append_now([new(), new(action="verified")])
    second = ledger.append_now([new("req-2"), new(action="erased")])
    assert [e.seq for e in first + second] == [0, 1, 2, 3]
    assert ledger.entries() == first + second
    assert ledger.leaf_hashes() == [e.leaf_hash() for e in first + second]
    key = generate_key(ORIGIN)
    root = tree_head(ledger.leaf_hashes())
    ledger.save_checkpoint(sign_checkpoint(Checkpoint(ORIGIN, 4, root), key), 4)
    latest = ledger.latest_checkpoint()
    assert latest is not None and latest[0] == 4
    report = audit_rows(ledger.rows(), latest[1], key.verifier, origin=ORIGIN)
    assert report.ok, report.lines()


def test_an_entry_is_written_with_the_state_change_or_not_at_all(ledger: SqlLedger) -> None:
    with pytest.raises(RuntimeError), ledger.engine.begin() as connection:
        ledger.append(connection, [new()])
        raise RuntimeError("the state change failed")
    assert ledger.rows() == []
    with ledger.engine.begin() as connection:
        assert [e.seq for e in ledger.append(connection, [new()])] == [0]


def test_no_personal_data_an_entry_with_an_e_mail_is_refused(ledger: SqlLedger) -> None:
    with pytest.raises(EntryError, match="e-mail") as refused:
        ledger.append_now([NewEntry(WHEN, "system", "received", "ann@example.test")])
    assert "ann@example.test" not in str(refused.value)
    assert ledger.rows() == []


def test_no_checkpoint_and_empty_ledger(ledger: SqlLedger) -> None:
    assert ledger.latest_checkpoint() is None
    assert ledger.append_now([]) == []


def _appender(ledger: SqlLedger, request: str, got: list[list[int]], errors: list[str]) -> None:
    try:
        with ledger.engine.begin() as connection:
            first = ledger.append(connection, [new(request)] * 3)
            time.sleep(0.2)  # hold the turn while the other appender waits
            second = ledger.append(connection, [new(request)] * 2)
        got.append([e.seq for e in first + second])
    except Exception as error:  # pragma: no cover - reported by the assertion
        errors.append(repr(error))


@pytest.mark.parametrize(
    "server",
    [
        pytest.param("postgres_url", marks=pytest.mark.postgres),
        pytest.param("mariadb_url", marks=pytest.mark.mariadb),
    ],
)
def test_two_concurrent_appenders_get_distinct_consecutive_seqs(
    server: str, request: pytest.FixtureRequest
) -> None:
    """PostgreSQL takes turns on an advisory lock; MariaDB locks the highest row (FOR UPDATE)."""
    ledger = open_ledger(str(request.getfixturevalue(server)))
    got: list[list[int]] = []
    errors: list[str] = []
    threads = [
        threading.Thread(target=_appender, args=(ledger, f"req-{i}", got, errors)) for i in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ledger.close()
    assert errors == []
    assert sorted(got) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
