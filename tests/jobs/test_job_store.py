"""Job steps keyed by (request, step) in tutela's store, on SQLite, PostgreSQL and MariaDB.

A step is inserted once whatever happens to it later; workers claim due steps in batches
under a lease, PostgreSQL and MariaDB skipping the rows another claimer holds; a claim
whose worker died is claimed again once its lease expires; marking done twice is harmless.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tutela.errors import StoreError
from tutela.store.engine import open_engine
from tutela.store.jobs import CLAIMED, DONE, FAILED, READY, SqlJobStore
from tutela.store.ledger import open_ledger
from tutela.store.service_tables import job_table

NOW = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


@pytest.fixture
def store(database_url: str) -> Iterator[SqlJobStore]:
    open_ledger(database_url).close()  # the store at the head revision
    engine = open_engine(database_url)
    try:
        yield SqlJobStore(engine)
    finally:
        engine.dispose()


def _enqueue(store: SqlJobStore, count: int) -> list[str]:
    ids = [f"req-{n:03d}" for n in range(count)]
    for n, request in enumerate(ids):
        store.enqueue(None, request, "complete", NOW + timedelta(seconds=n))
    return ids


def test_enqueue_is_idempotent_whatever_the_step_became(store: SqlJobStore) -> None:
    assert store.enqueue(None, "req-1", "complete", NOW) is True
    assert store.enqueue(None, "req-1", "complete", NOW + timedelta(hours=1)) is False
    (step,) = store.steps("req-1")
    assert (step.state, step.ready_at, step.attempts) == (READY, NOW, 0)
    assert store.claim("w1", 10, NOW, LEASE) == [("req-1", "complete")]
    assert store.enqueue(None, "req-1", "complete", NOW) is False  # claimed: left as it is
    assert store.done("req-1", "complete", "w1", now=NOW) is True
    assert store.enqueue(None, "req-1", "complete", NOW) is False  # done: never again
    (step,) = store.steps("req-1")
    assert (step.state, step.done_at, step.attempts) == (DONE, NOW, 1)


def test_enqueue_joins_the_callers_transaction(store: SqlJobStore) -> None:
    with pytest.raises(RuntimeError), store.engine.begin() as connection:
        store.enqueue(connection, "req-1", "complete", NOW)
        raise RuntimeError("the state change failed")
    assert store.steps("req-1") == []  # rolled back with the change it belonged to


def test_claim_takes_due_steps_in_batches_oldest_first(store: SqlJobStore) -> None:
    ids = _enqueue(store, 5)
    store.enqueue(None, "later", "complete", NOW + timedelta(days=1))
    at = NOW + timedelta(minutes=1)
    first = store.claim("w1", 2, at, LEASE)
    assert first == [(ids[0], "complete"), (ids[1], "complete")]
    rest = store.claim("w2", 10, at, LEASE)
    assert rest == [(r, "complete") for r in ids[2:]]  # not the one ready tomorrow
    assert store.claim("w3", 10, at, LEASE) == []
    (step,) = store.steps(ids[3])
    assert (step.state, step.claimed_by, step.claimed_until) == (CLAIMED, "w2", at + LEASE)


def test_an_expired_lease_is_claimed_again_and_only_the_new_holder_finishes(
    store: SqlJobStore,
) -> None:
    store.enqueue(None, "req-1", "complete", NOW)
    assert store.claim("killed", 10, NOW, timedelta(seconds=30)) == [("req-1", "complete")]
    assert store.claim("w2", 10, NOW + timedelta(seconds=10), LEASE) == []  # lease still held
    later = NOW + timedelta(seconds=31)
    assert store.claim("w2", 10, later, LEASE) == [("req-1", "complete")]
    assert store.done("req-1", "complete", "killed") is False  # its claim was taken over
    assert store.done("req-1", "complete", "w2", now=later) is True
    assert store.done("req-1", "complete", "w2", now=later) is False  # twice: harmless
    (step,) = store.steps("req-1")
    assert (step.state, step.claimed_by, step.attempts) == (DONE, "w2", 2)
    assert store.attempts("req-1", "complete") == 2
    assert store.claim("w3", 10, later + timedelta(days=1), LEASE) == []


def test_a_failed_attempt_is_retried_at_its_time_or_failed_for_good(store: SqlJobStore) -> None:
    _enqueue(store, 2)
    store.claim("w1", 10, NOW + timedelta(seconds=5), LEASE)
    retry = NOW + timedelta(minutes=2)
    assert store.failed("req-000", "complete", "w1", "ConnectorError: " + "x" * 400, retry)
    assert store.failed("req-001", "complete", "w1", "RequestError: refused", None)
    retried, given_up = store.steps("req-000")[0], store.steps("req-001")[0]
    assert (retried.state, retried.ready_at, len(retried.last_error or "")) == (READY, retry, 300)
    assert (given_up.state, given_up.last_error) == (FAILED, "RequestError: refused")
    assert store.claim("w1", 10, retry - timedelta(seconds=1), LEASE) == []
    assert store.claim("w1", 10, retry, LEASE) == [("req-000", "complete")]


def test_a_periodic_duty_is_claimed_once_per_period_and_never_by_claim(
    store: SqlJobStore,
) -> None:
    assert store.claim_once("notify:20260305T1000Z", "a", NOW, timedelta(seconds=1)) is True
    assert store.claim_once("notify:20260305T1000Z", "b", NOW, timedelta(seconds=1)) is False
    assert store.claim("w", 10, NOW + timedelta(hours=1), LEASE) == []  # expired, not a step
    assert store.done("periodic", "notify:20260305T1000Z", "a", now=NOW) is True
    assert store.prune_periodic(NOW + timedelta(seconds=1)) == 1


def test_a_step_name_too_long_for_its_column_is_refused(store: SqlJobStore) -> None:
    with pytest.raises(StoreError, match="at most 32"):
        store.enqueue(None, "req-1", "x" * 33, NOW)


@pytest.mark.parametrize(
    "backend",
    [
        pytest.param("postgres_url", marks=pytest.mark.postgres),
        pytest.param("mariadb_url", marks=pytest.mark.mariadb),
    ],
)
def test_concurrent_claimers_skip_the_rows_another_holds(
    backend: str, request: pytest.FixtureRequest
) -> None:
    url = str(request.getfixturevalue(backend))
    open_ledger(url).close()
    engine = open_engine(url)
    store = SqlJobStore(engine)
    ids = _enqueue(store, 8)
    locked = threading.Event()
    release = threading.Event()

    def hold_first_three() -> None:  # another claimer, mid-transaction
        with engine.begin() as connection:
            query = sa.select(job_table.c.request_id).where(job_table.c.request_id.in_(ids[:3]))
            connection.execute(query.with_for_update()).all()
            locked.set()
            release.wait(30)

    holder = threading.Thread(target=hold_first_three)
    holder.start()
    try:
        assert locked.wait(10)
        claimed = store.claim("w2", 3, NOW + timedelta(minutes=1), LEASE)  # not blocked
        assert claimed == [(r, "complete") for r in ids[3:6]]
    finally:
        release.set()
        holder.join()
    again = store.claim("w3", 10, NOW + timedelta(minutes=1), LEASE)
    assert sorted(again) == sorted((r, "complete") for r in ids[:3] + ids[6:])
    engine.dispose()


@pytest.mark.postgres
def test_two_claimers_in_parallel_on_postgresql_get_disjoint_steps(postgres_url: str) -> None:
    open_ledger(postgres_url).close()
    engine = open_engine(postgres_url)
    store = SqlJobStore(engine)
    ids = _enqueue(store, 200)
    got: dict[str, list[tuple[str, str]]] = {"a": [], "b": []}
    start = threading.Barrier(2)

    def claimer(name: str) -> None:
        start.wait()
        while batch := store.claim(name, 7, NOW + timedelta(minutes=5), LEASE):
            got[name] += batch

    threads = [threading.Thread(target=claimer, args=(n,)) for n in got]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    assert not set(got["a"]) & set(got["b"])
    assert sorted(got["a"] + got["b"]) == sorted((r, "complete") for r in ids)
