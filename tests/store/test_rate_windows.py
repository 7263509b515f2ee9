"""Rate limits in tutela's store: the sliding-window contract, shared and race-safe.

The contract runs on the in-memory limiter and on the store (SQLite, PostgreSQL,
MariaDB); then what only the store does: two engines share one limit, threads on
separate connections racing are never admitted past it, expired rows are purged a
bounded batch at a time, and the store keeps keyed digests, never a key.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from tutela.access.limits import RateWindows, SlidingWindows, Window
from tutela.errors import StoreError
from tutela.requests.sealing import StoreKey, Use
from tutela.store import migrate
from tutela.store.engine import open_engine
from tutela.store.ledger import open_ledger
from tutela.store.rate_windows import (
    PURGE_BATCH,
    RATE_WINDOW,
    RATE_WINDOW_EXPIRY_INDEX,
    SqlRateWindows,
    rate_windows,
)

NOW = datetime(2027, 2, 24, 9, 0, tzinfo=UTC)
SECRET = b"rate-windows-test-secret-32bytes"
MINUTE = timedelta(minutes=1)


@pytest.fixture
def store_url(database_url: str) -> str:
    open_ledger(database_url).close()  # the store at the head revision
    return database_url


@pytest.fixture
def engines(store_url: str) -> Iterator[list[sa.Engine]]:
    opened: list[sa.Engine] = []
    yield opened
    for engine in opened:
        engine.dispose()


def _engine(url: str, opened: list[sa.Engine]) -> sa.Engine:
    engine = open_engine(url)
    opened.append(engine)
    return engine


@pytest.fixture
def store(store_url: str, engines: list[sa.Engine]) -> SqlRateWindows:
    return SqlRateWindows(_engine(store_url, engines), SECRET)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SqlRateWindows]:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    open_ledger(url).close()
    engine = open_engine(url)
    yield SqlRateWindows(engine, SECRET)
    engine.dispose()


@pytest.fixture(params=["memory", "store"])
def limiter(request: pytest.FixtureRequest) -> RateWindows:
    """Each implementation of the contract (the store's on SQLite; below, on every backend)."""
    if request.param == "memory":
        return SlidingWindows()
    found: SqlRateWindows = request.getfixturevalue("sqlite_store")
    return found


def _rows(engine: sa.Engine) -> list[sa.RowMapping]:
    with engine.connect() as connection:
        query = sa.text(f"SELECT digest, times, expires FROM {RATE_WINDOW}")
        return list(connection.execute(query).mappings())


# The contract, on both implementations


def test_ID_2_a_full_window_refuses_naming_the_wait_then_slides(limiter: RateWindows) -> None:
    limit = {"address:one": Window(2, MINUTE)}
    assert [limiter.attempt(limit, NOW) for _ in range(3)] == [0, 0, 60]
    assert limiter.attempt(limit, NOW + timedelta(seconds=30)) == 30
    assert limiter.attempt(limit, NOW + timedelta(seconds=61)) == 0


def test_ID_2_the_wait_is_until_the_oldest_counted_event_leaves(limiter: RateWindows) -> None:
    limit = {"identity:ann": Window(3, timedelta(minutes=10))}
    for minutes in (0, 1, 2):
        assert limiter.attempt(limit, NOW + minutes * MINUTE) == 0
    assert limiter.attempt(limit, NOW + 3 * MINUTE) == 7 * 60
    late = NOW + 10 * MINUTE - timedelta(milliseconds=200)
    assert limiter.attempt(limit, late) == 1  # never less than a second
    assert limiter.attempt(limit, NOW + 10 * MINUTE) == 0  # the first event has left


def test_nothing_is_counted_when_one_window_is_full(limiter: RateWindows) -> None:
    both = {"identity:ann": Window(1, MINUTE), "address:one": Window(3, MINUTE)}
    assert limiter.attempt(both, NOW) == 0
    assert limiter.attempt(both, NOW) == 60  # the identity's window is full
    address = {"address:one": Window(3, MINUTE)}
    assert [limiter.attempt(address, NOW) for _ in range(3)] == [0, 0, 60]


def test_keys_are_counted_apart_and_no_keys_is_no_limit(limiter: RateWindows) -> None:
    assert limiter.attempt({"login:a": Window(1, MINUTE)}, NOW) == 0
    assert limiter.attempt({"login:b": Window(1, MINUTE)}, NOW) == 0
    assert limiter.attempt({"login:a": Window(1, MINUTE)}, NOW) == 60
    assert limiter.attempt({}, NOW) == 0


# The store on SQLite, PostgreSQL and MariaDB


def test_ID_2_the_store_keeps_the_contract_on_every_backend(store: SqlRateWindows) -> None:
    both = {"identity:ann": Window(2, MINUTE), "address:one": Window(3, MINUTE)}
    assert [store.attempt(both, NOW) for _ in range(3)] == [0, 0, 60]
    assert store.attempt({"address:one": Window(3, MINUTE)}, NOW) == 0  # the refusal cost none
    assert store.attempt({"address:one": Window(3, MINUTE)}, NOW) == 60
    assert store.attempt(both, NOW + timedelta(seconds=59, microseconds=1)) == 1
    assert store.attempt(both, NOW + MINUTE) == 0


def test_two_apps_on_one_store_share_one_limit(store_url: str, engines: list[sa.Engine]) -> None:
    first = SqlRateWindows(_engine(store_url, engines), SECRET)
    second = SqlRateWindows(_engine(store_url, engines), SECRET)
    limit = {"identity:ann": Window(4, timedelta(hours=1))}
    taken = [limiter.attempt(limit, NOW) for limiter in (first, second, first, second)]
    assert taken == [0, 0, 0, 0]
    assert first.attempt(limit, NOW) == 3600 and second.attempt(limit, NOW) == 3600
    other = SqlRateWindows(_engine(store_url, engines), b"another secret of 32 bytes......")
    assert other.attempt(limit, NOW) == 0  # another secret digests the key apart


@pytest.mark.parametrize("threads", [12])
def test_ID_2_attempts_racing_on_separate_connections_never_pass_the_limit(
    store_url: str, engines: list[sa.Engine], threads: int
) -> None:
    limiters = [SqlRateWindows(_engine(store_url, engines), SECRET) for _ in range(threads)]
    start = threading.Barrier(threads, timeout=60)
    waits: list[int] = []
    failures: list[BaseException] = []
    shared = ("identity:ann", Window(10, timedelta(hours=1)))

    def race(index: int, limiter: SqlRateWindows) -> None:
        own = (f"address:{index % 3}", Window(100, timedelta(hours=1)))
        pairs = [shared, own] if index % 2 else [own, shared]  # the callers' orders differ
        start.wait()
        try:
            for _attempt in range(3):
                waits.append(limiter.attempt(dict(pairs), NOW))
        except BaseException as error:  # reported below
            failures.append(error)

    running = [threading.Thread(target=race, args=pair) for pair in enumerate(limiters)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join(timeout=120)
    assert failures == []
    assert len(waits) == 3 * threads
    assert waits.count(0) == 10  # exactly the limit, however the attempts interleave
    assert all(wait == 3600 for wait in waits if wait)
    [row] = [r for r in _rows(engines[0]) if r["digest"] == limiters[0].digest(shared[0])]
    assert len(row["times"].split()) == 10


def test_windows_past_are_purged_a_bounded_batch_per_attempt(
    store: SqlRateWindows,
) -> None:
    limit = Window(1, MINUTE)
    for index in range(PURGE_BATCH + 10):
        assert store.attempt({f"address:{index}": limit}, NOW) == 0
    assert len(_rows(store.engine)) == PURGE_BATCH + 10
    later = NOW + 2 * MINUTE
    assert store.attempt({"address:new": limit}, later) == 0
    assert len(_rows(store.engine)) == 10 + 1  # one batch purged, the new key kept
    assert store.attempt({"address:newer": limit}, later) == 0
    assert {row["digest"] for row in _rows(store.engine)} == {
        store.digest("address:new"),
        store.digest("address:newer"),
    }


def test_a_row_keeps_only_the_times_its_window_counts(store: SqlRateWindows) -> None:
    limit = {"login:alice": Window(3, timedelta(minutes=15))}
    for minutes in range(0, 60, 5):
        store.attempt(limit, NOW + minutes * MINUTE)
    [row] = _rows(store.engine)
    assert len(row["times"].split()) == 3


def test_a_refused_attempt_leaves_no_row_for_its_new_keys(store: SqlRateWindows) -> None:
    full = {"identity:ann": Window(1, MINUTE)}
    assert store.attempt(full, NOW) == 0
    assert store.attempt({**full, "address:new": Window(5, MINUTE)}, NOW) == 60
    assert [row["digest"] for row in _rows(store.engine)] == [store.digest("identity:ann")]


HOSTILE = [
    "a" * 1_000_000,
    "identité:émile@exämple.test",
    "адрес:日本語:🙂",
    "lone:\ud800surrogate",
    "nul:\x00byte",
    "x' OR 1=1; DROP TABLE tutela_rate_window; --",
    "",
]


def test_hostile_keys_are_digested_and_never_kept(store: SqlRateWindows) -> None:
    limit = Window(1, MINUTE)
    assert [store.attempt({key: limit}, NOW) for key in HOSTILE] == [0] * len(HOSTILE)
    assert [store.attempt({key: limit}, NOW) for key in HOSTILE] == [60] * len(HOSTILE)
    rows = _rows(store.engine)
    assert len(rows) == len(HOSTILE)
    for row in rows:
        assert len(row["digest"]) == 64 and set(row["digest"]) <= set("0123456789abcdef")
    kept = repr(rows)
    assert "exämple" not in kept and "DROP" not in kept and "a" * 32 not in kept
    plain = {hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest() for key in HOSTILE}
    assert not plain & {row["digest"] for row in rows}  # keyed, not a bare hash


@pytest.mark.parametrize(
    ("windows", "now", "match"),
    [
        ({b"bytes": Window(1, MINUTE)}, NOW, "a rate key is a string"),
        ({"k": Window(0, MINUTE)}, NOW, "1 to 10000 events"),
        ({"k": Window(10_001, MINUTE)}, NOW, "1 to 10000 events"),
        ({"k": Window(1, timedelta(0))}, NOW, "positive duration"),
        ({"k": Window(1, MINUTE)}, NOW.replace(tzinfo=None), "timezone-aware"),
    ],
)
def test_malformed_attempts_are_refused_before_anything_is_stored(
    sqlite_store: SqlRateWindows, windows: dict[str, Window], now: datetime, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        sqlite_store.attempt(windows, now)
    assert _rows(sqlite_store.engine) == []


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 16 bytes"):
        SqlRateWindows(sa.create_engine("sqlite://"), b"short")


def test_a_store_without_the_table_is_a_store_error_naming_no_secret(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    with pytest.raises(StoreError, match="tutela's store failed") as raised:
        SqlRateWindows(engine, SECRET).attempt({"identity:ann": Window(1, MINUTE)}, NOW)
    assert "ann" not in str(raised.value) and SECRET.decode() not in str(raised.value)
    engine.dispose()


def test_the_migration_creates_the_table_and_its_expiry_index(store: SqlRateWindows) -> None:
    assert migrate.revision(store.engine) == migrate.head()
    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    assert scripts.get_revision("0014_rate_windows").down_revision == "0013_moderation"
    indexes = {index["name"] for index in sa.inspect(store.engine).get_indexes(RATE_WINDOW)}
    assert RATE_WINDOW_EXPIRY_INDEX in indexes


def test_the_store_is_used_with_a_store_key_and_memory_without(store: SqlRateWindows) -> None:
    key = StoreKey.parse(StoreKey.generate())
    shared = rate_windows(store.engine, key)
    assert isinstance(shared, SqlRateWindows)
    assert shared.digest("k") == SqlRateWindows(store.engine, key.subkey(Use.CODE)).digest("k")
    assert isinstance(rate_windows(store.engine, None), SlidingWindows)
