"""The retention benchmark's data, its floor and its concurrent reader (``retention.py``).

Two identical copies of a ``login_event`` table (``login_event`` for tutela's sweep,
``login_event_floor`` for the raw ``DELETE``): ``id`` BIGINT primary key, ``user_id``,
``ts`` (indexed), ``ip`` and ``user_agent`` (rows of about 110 bytes), and an index on
``(user_id, ts)`` for the reader's "latest logins of a user". Every value is computed
from the row's id by integer arithmetic, the same on every database, so the copies and
the databases agree row for row:

- ``ordered``: ids in insertion order, ``ts`` increasing over 790 days around the cutoff
  with up to an hour of jitter (late events), so half the rows (the oldest) are expired;
- ``random``: ``ts`` scattered over the same 790 days regardless of id, so the expired
  half is spread over every key range.

Loading stays in the database where it can: PostgreSQL ``INSERT … SELECT
generate_series``, MariaDB ``INSERT … SELECT`` from the Sequence engine's ``seq_1_to_N``,
SQLite one ``executemany`` in one transaction; the copy is ``INSERT … SELECT``, and the
secondary indexes are built after the load. Both copies are then analysed and read
through once, the same way.

The reader runs in its own process (``python retention_data.py read URL TABLE ROWS
USERS``): a thread would share the benchmark's interpreter lock and measure the sweep's
Python instead of the table's availability.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

TABLE = "login_event"
FLOOR_TABLE = "login_event_floor"
TABLES = (TABLE, FLOOR_TABLE)
BASE = datetime(2024, 12, 1)  # the whole second at the cutoff of 13 months before NOW
SPAN = 790 * 86_400  # seconds of history: half of it before the cutoff
JITTER = 3_600  # late events: up to an hour either way (ordered layout)
HASH = 2_654_435_761  # Knuth's multiplicative constant: jitter per id
SCATTER = 11_400_714_819  # another odd constant: ts per id in the random layout
USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Safari/17.4",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Mobile Chrome",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko Firefox/125.0",
    "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile",
    "okhttp/4.12.0 (cloudockit-mobile 3.8.1; Android 13; SM-S911B)",
)
BATCH = 1_000_000  # rows per INSERT on the servers, per executemany on SQLite
LAYOUTS = ("ordered", "random")


def users_for(rows: int) -> int:
    """About fifty logins per user."""
    return max(100, rows // 50)


# --- the rows, as arithmetic on the id ------------------------------------------------------


def offset(i: int, rows: int, layout: str) -> int:
    """Seconds from :data:`BASE` of row ``i`` (1-based): negative or zero means expired."""
    if layout == "random":
        return (i * SCATTER) % SPAN - SPAN // 2
    return ((i - 1) * SPAN) // rows - SPAN // 2 + (i * HASH) % (2 * JITTER + 1) - JITTER


def python_rows(start: int, stop: int, rows: int, layout: str) -> Iterator[tuple[Any, ...]]:
    """Rows ``start`` to ``stop - 1`` as SQLite stores them (ts as SQLAlchemy writes it)."""
    users = users_for(rows)
    for i in range(start, stop):
        ts = BASE + timedelta(seconds=offset(i, rows, layout))
        ip = f"10.{i % 250}.{(i // 250) % 250}.{(i // 62_500) % 250}"
        agent = USER_AGENTS[i % len(USER_AGENTS)]
        yield i, (i * 48_271) % users + 1, ts.strftime("%Y-%m-%d %H:%M:%S.%f"), ip, agent


def _offset_sql(layout: str, div: str) -> str:
    """:func:`offset` in SQL over the integer column ``i`` (``div``: integer division)."""
    if layout == "random":
        return f"(i * {SCATTER}) % {SPAN} - {SPAN // 2}"
    return (
        f"((i - 1) * {SPAN}) {div} :rows - {SPAN // 2} + (i * {HASH}) % {2 * JITTER + 1} - {JITTER}"
    )


def _quoted(values: Sequence[str]) -> str:
    return ", ".join("'" + value.replace("'", "''") + "'" for value in values)


# --- the schema and the load ----------------------------------------------------------------


def backend(engine: sa.Engine) -> str:
    """``postgresql``, ``mysql`` (MariaDB) or ``sqlite``."""
    name = engine.dialect.name
    return "mysql" if name == "mariadb" else name


def create_tables(engine: sa.Engine) -> None:
    """Drop and create both tables, without their secondary indexes."""
    kind = backend(engine)
    key = "INTEGER PRIMARY KEY" if kind == "sqlite" else "BIGINT NOT NULL"
    ts = "DATETIME(6)" if kind == "mysql" else "TIMESTAMP"
    with engine.begin() as connection:
        if kind == "sqlite":
            connection.exec_driver_sql("PRAGMA journal_mode = WAL").all()
        for table in (TABLE, FLOOR_TABLE):
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
            primary = ", PRIMARY KEY (id)" if kind == "mysql" else ""
            tail = " ENGINE=InnoDB" if kind == "mysql" else ""
            connection.exec_driver_sql(
                f"CREATE TABLE {table} (id {key}, user_id BIGINT NOT NULL, "
                f"ts {ts} NOT NULL, ip VARCHAR(45), user_agent VARCHAR(200){primary}){tail}"
            )


def load(engine: sa.Engine, rows: int, layout: str) -> None:
    """Fill ``login_event`` with ``rows`` rows, copy it, then index and analyse both."""
    create_tables(engine)
    {"postgresql": _load_postgresql, "mysql": _load_mariadb, "sqlite": _load_sqlite}[
        backend(engine)
    ](engine, rows, layout)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"INSERT INTO {FLOOR_TABLE} SELECT * FROM {TABLE} ORDER BY id")
    index(engine)
    analyse(engine)


def _load_postgresql(engine: sa.Engine, rows: int, layout: str) -> None:
    agents = f"(ARRAY[{_quoted(USER_AGENTS)}])[i % {len(USER_AGENTS)} + 1]"
    sql = (
        f"INSERT INTO {TABLE} SELECT i, (i * 48271) % :users + 1, "
        f"TIMESTAMP '{BASE:%Y-%m-%d %H:%M:%S}' + ({_offset_sql(layout, '/')}) "
        "* INTERVAL '1 second', "
        "'10.' || i % 250 || '.' || (i / 250) % 250 || '.' || (i / 62500) % 250, "
        f"{agents} FROM generate_series(CAST(:lo AS BIGINT), CAST(:hi AS BIGINT)) AS i"
    )
    _batches(engine, sql, rows)


def _load_mariadb(engine: sa.Engine, rows: int, layout: str) -> None:
    for lo in range(1, rows + 1, BATCH):
        hi = min(rows, lo + BATCH - 1)
        sql = (
            f"INSERT INTO {TABLE} SELECT i, (i * 48271) % :users + 1, "
            f"TIMESTAMPADD(SECOND, {_offset_sql(layout, 'DIV')}, '{BASE:%Y-%m-%d %H:%M:%S}'), "
            "CONCAT('10.', i % 250, '.', (i DIV 250) % 250, '.', (i DIV 62500) % 250), "
            f"ELT(i % {len(USER_AGENTS)} + 1, {_quoted(USER_AGENTS)}) "
            f"FROM (SELECT CAST(seq AS SIGNED) AS i FROM seq_{lo}_to_{hi}) AS numbers"
        )
        with engine.begin() as connection:
            connection.execute(sa.text(sql), {"users": users_for(rows), "rows": rows})


def _batches(engine: sa.Engine, sql: str, rows: int) -> None:
    for lo in range(1, rows + 1, BATCH):
        hi = min(rows, lo + BATCH - 1)
        with engine.begin() as connection:
            params = {"users": users_for(rows), "rows": rows, "lo": lo, "hi": hi}
            connection.execute(sa.text(sql), params)


def _load_sqlite(engine: sa.Engine, rows: int, layout: str) -> None:
    insert = f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?, ?)"
    with engine.begin() as connection:
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        for lo in range(1, rows + 1, BATCH):
            cursor.executemany(insert, python_rows(lo, min(rows, lo + BATCH - 1) + 1, rows, layout))


def index(engine: sa.Engine) -> None:
    """The primary key (PostgreSQL), and the indexes on ``ts`` and ``(user_id, ts)``."""
    kind = backend(engine)
    with engine.begin() as connection:
        for table in (TABLE, FLOOR_TABLE):
            if kind == "postgresql":
                connection.exec_driver_sql(f"ALTER TABLE {table} ADD PRIMARY KEY (id)")
            if kind == "mysql":  # one ALTER: MariaDB rebuilds once
                connection.exec_driver_sql(
                    f"ALTER TABLE {table} ADD INDEX ix_{table}_ts (ts), "
                    f"ADD INDEX ix_{table}_user (user_id, ts)"
                )
                continue
            connection.exec_driver_sql(f"CREATE INDEX ix_{table}_ts ON {table} (ts)")
            connection.exec_driver_sql(f"CREATE INDEX ix_{table}_user ON {table} (user_id, ts)")


def analyse(engine: sa.Engine) -> None:
    """``VACUUM ANALYZE`` (PostgreSQL), ``ANALYZE TABLE`` (MariaDB), ``ANALYZE`` (SQLite)."""
    kind = backend(engine)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in (TABLE, FLOOR_TABLE):
            if kind == "postgresql":
                connection.exec_driver_sql(f"VACUUM ANALYZE {table}")
                # the floor's dead rows must not be vacuumed while the sweep runs
                if table == FLOOR_TABLE:
                    connection.exec_driver_sql(
                        f"ALTER TABLE {table} SET (autovacuum_enabled = false)"
                    )
            elif kind == "mysql":
                connection.exec_driver_sql(f"ANALYZE TABLE {table}").all()
            else:
                connection.exec_driver_sql(f"ANALYZE {table}")


def warm(engine: sa.Engine, table: str, before: datetime) -> None:
    """Read the table, its time index and its user index once: both copies alike."""
    with engine.connect() as connection:
        connection.exec_driver_sql(f"SELECT count(*), sum(length(user_agent)) FROM {table}").all()
        connection.execute(
            sa.text(f"SELECT count(*) FROM {table} WHERE ts < :before"), {"before": before}
        ).all()
        connection.exec_driver_sql(f"SELECT count(*) FROM {table} WHERE user_id > 0").all()


def expired(engine: sa.Engine, table: str, before: datetime) -> int:
    """Rows of ``table`` whose ``ts`` is before ``before``."""
    with engine.connect() as connection:
        query = sa.text(f"SELECT count(*) FROM {table} WHERE ts < :before")
        return int(connection.execute(query, {"before": before}).scalar_one())


def settle(engine: sa.Engine, limit: float = 120.0) -> None:
    """Let the server catch up before a measurement: checkpoint, or wait for the purge."""
    kind = backend(engine)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if kind == "postgresql":
            connection.exec_driver_sql("CHECKPOINT")
        elif kind == "sqlite":
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").all()
        else:
            _purged(connection, time.monotonic() + limit)


def _purged(connection: sa.Connection, deadline: float) -> None:
    """Wait (until ``deadline``) for InnoDB to purge the undo history of earlier deletes."""
    query = (
        "SELECT `count` FROM information_schema.innodb_metrics WHERE name = 'trx_rseg_history_len'"
    )
    while time.monotonic() < deadline:
        length = connection.exec_driver_sql(query).scalar()
        if length is None or int(length) < 1_000:
            return
        time.sleep(0.5)


# --- the floor ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FloorRun:
    """The raw ``DELETE``: its time and the rows it deleted."""

    seconds: float
    deleted: int


def floor_delete(engine: sa.Engine, before: datetime) -> FloorRun:
    """``DELETE FROM login_event_floor WHERE ts < :cutoff``: one statement, autocommit."""
    statement = sa.text(f"DELETE FROM {FLOOR_TABLE} WHERE ts < :cutoff")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        started = time.perf_counter()
        result = connection.execute(statement, {"cutoff": before})
        seconds = time.perf_counter() - started
    return FloorRun(seconds, int(result.rowcount))


# --- the concurrent reader ------------------------------------------------------------------


class Reader:
    """A process reading ``table`` in a loop between :meth:`begin` and :meth:`stop`.

    Started early (importing SQLAlchemy takes a while), it connects, reads once, and
    waits for :meth:`begin`; :meth:`stop` returns every latency since, in seconds.
    """

    def __init__(self, url: str, table: str, rows: int, pause: float = 0.005) -> None:
        command = [sys.executable, str(Path(__file__).resolve()), "read", url, table]
        command += [str(rows), str(users_for(rows)), str(pause)]
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def begin(self) -> None:
        """Wait until the reader is connected, then let it read."""
        assert self.process.stdout is not None and self.process.stdin is not None
        ready = self.process.stdout.readline().strip()
        if ready != "ready":
            self.process.kill()
            raise RuntimeError(f"the reader did not start: {ready!r}")
        self.process.stdin.write("go\n")
        self.process.stdin.flush()

    def stop(self) -> list[float]:
        """Stop reading; every latency measured since :meth:`begin`."""
        output, _ = self.process.communicate(timeout=60)
        if self.process.returncode != 0:
            raise RuntimeError(f"the reader failed with exit code {self.process.returncode}")
        return [float(value) for value in json.loads(output or "[]")]


def read_loop(url: str, table: str, rows: int, users: int, pause: float) -> None:
    """The reader process: once told to go, point reads and a user's latest logins, until
    stdin closes (then at least one read), the latencies printed as JSON.
    """
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    point = sa.text(f"SELECT id, user_id, ts, ip, user_agent FROM {table} WHERE id = :id")
    latest = sa.text(
        f"SELECT id, ts, ip FROM {table} WHERE user_id = :user ORDER BY ts DESC LIMIT 10"
    )
    rng = random.Random(7)
    going, stopped = threading.Event(), threading.Event()

    def listen() -> None:
        if sys.stdin.readline().strip() == "go":
            going.set()
        sys.stdin.read()
        stopped.set()

    threading.Thread(target=listen, daemon=True).start()
    latencies: list[float] = []
    with engine.connect() as connection:
        connection.execute(point, {"id": 1}).all()
        print("ready", flush=True)
        while not stopped.is_set() and not going.wait(0.1):
            pass
        while going.is_set() and (not stopped.is_set() or not latencies):
            query, params = (
                (point, {"id": rng.randint(1, rows)})
                if len(latencies) % 2 == 0
                else (latest, {"user": rng.randint(1, users)})
            )
            started = time.perf_counter()
            connection.execute(query, params).all()
            latencies.append(time.perf_counter() - started)
            time.sleep(pause)
    engine.dispose()
    print(json.dumps(latencies), flush=True)


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (``share`` 0.5 for the median); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


if __name__ == "__main__" and sys.argv[1:2] == ["read"]:
    url_, table_, rows_, users_, pause_ = sys.argv[2:7]
    read_loop(url_, table_, int(rows_), int(users_), float(pause_))
