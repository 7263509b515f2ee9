"""How fast tutela's retention sweep deletes expired rows, next to one raw DELETE (issue 18).

    python benchmarks/retention.py --db postgresql|mariadb|sqlite [--rows N] [--url URL]
        [--layout ordered|random|both] [--budget S] [--keep] [--dir DIR]

Builds two identical ``login_event`` tables of ``--rows`` rows, half of them past their
13 months (``retention_data.py``: ids in insertion order with ``ts`` mostly increasing,
or ``--layout random`` with the expired rows scattered). The floor is one ``DELETE FROM
login_event_floor WHERE ts < :cutoff`` in autocommit; tutela's sweep runs the rule
``login_events`` (13 months from ``ts``, action delete) of a programme built in memory,
through ``RetentionService`` with ``SqlSweeper`` on the benchmark database and
``SqlRetentionStore`` on a SQLite file (its writes are part of the sweep's time), at a
fixed ``now`` (2026-01-01 UTC) so that exactly the same rows have expired on both sides.

A reader process (own connection) reads the table under test in a loop during each
(a point read by random id, then a user's latest ten logins, 5 ms apart): its p50, p99
and maximum latency show whether the table stayed online. The longest statement is the
sweep report's and, independently, the longest cursor execution on the sweeper's engine.

Targets (printed, not asserted): total at most 1.5x the floor; longest statement under
1 s; reader p99 under 50 ms. Databases: PostgreSQL ``postgresql+psycopg://postgres@
127.0.0.1:5432/tutela_bench_retention`` and MariaDB ``mysql+pymysql://root@127.0.0.1:
3306/tutela_bench_retention`` (created, then dropped unless ``--keep``), SQLite a WAL
file in a temporary folder (or ``--dir``); ``--url`` names another database (its two
tables are replaced, the database is kept). Issue 18's figures: PostgreSQL 20,000,000
rows, MariaDB and SQLite 2,000,000 (the defaults). Ends with ``ratio to floor: R`` and
``longest statement: S s``.
"""

from __future__ import annotations

import argparse
import importlib.util
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from tutela.connectors.engines import SqlOptions, create_engine
from tutela.connectors.sweeps import SqlSweeper
from tutela.connectors.urls import resolve_url
from tutela.programme.durations import Duration
from tutela.programme.models import Programme, RetentionRule
from tutela.programme.purposes import RetentionCover
from tutela.programme.systems import (
    Collection,
    ConnectorSettings,
    Dataset,
    DatasetField,
    System,
)
from tutela.retention.reports import SweepReport
from tutela.retention.service import RetentionService
from tutela.retention.targets import cutoff
from tutela.store.ledger import open_ledger
from tutela.store.retention import SqlRetentionStore
from tutela.testing.machine import describe


def _sibling(name: str) -> ModuleType:
    """The benchmark module ``name`` beside this file, without putting its folder on sys.path.

    (The folder holds ``requests.py``: on sys.path it would hide the ``requests`` package.)
    """
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


if TYPE_CHECKING:
    import retention_data as data
else:
    data = _sibling("retention_data")

URL_VARIABLE = "TUTELA_BENCH_RETENTION_URL"
SYSTEM = "auth"
SERVERS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/",
    "mariadb": "mysql+pymysql://root@127.0.0.1:3306/",
}
DATABASE = "tutela_bench_retention"
TEMPORARY = "tutela_bench_retention_"
DEFAULT_ROWS = {"postgresql": 20_000_000, "mariadb": 2_000_000, "sqlite": 2_000_000}
NOW = datetime(2026, 1, 1, tzinfo=UTC)
PERIOD = "13m"
TARGET_RATIO, TARGET_STATEMENT, TARGET_P99 = 1.5, 1.0, 0.050


# --- the databases --------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """The benchmark database, tutela's store, and whether this run created the database."""

    db: str
    url: str
    store_url: str
    folder: Path
    created: bool


def place_for(options: argparse.Namespace) -> Place:
    """Where the tables and the store live (the scratch database is created here)."""
    folder = Path(options.dir) if options.dir else Path(tempfile.mkdtemp(prefix=TEMPORARY))
    folder.mkdir(parents=True, exist_ok=True)
    store = folder / "tutela_store.sqlite"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    store_url = f"sqlite:///{store}"
    if options.url:
        return Place(options.db, options.url, store_url, folder, created=False)
    if options.db == "sqlite":
        path = folder / "login_event.sqlite"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return Place(options.db, f"sqlite:///{path}", store_url, folder, created=True)
    url = SERVERS[options.db] + DATABASE
    _server_database(url, create=True)
    return Place(options.db, url, store_url, folder, created=True)


def _server_database(url: str, *, create: bool) -> None:
    """Drop the database at ``url``, and create it again when ``create``."""
    parsed = sa.make_url(url)
    postgres = parsed.get_backend_name() == "postgresql"
    admin = sa.create_engine(
        parsed.set(database="postgres" if postgres else "mysql"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        force = " WITH (FORCE)" if postgres else ""
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {parsed.database}{force}")
        if create:
            connection.exec_driver_sql(f"CREATE DATABASE {parsed.database}")
    admin.dispose()


def clean_up(place: Place, keep: bool) -> None:
    """Drop the scratch database and delete the store (and a temporary folder) unless ``keep``."""
    if keep:
        shown = sa.make_url(place.url).render_as_string()
        print(f"# kept: {shown} and {place.store_url}", file=sys.stderr)
        return
    if place.created and place.db != "sqlite":
        _server_database(place.url, create=False)
    names = ["tutela_store.sqlite*"] + (["login_event.sqlite*"] if place.created else [])
    for pattern in names:
        for path in place.folder.glob(pattern):
            path.unlink(missing_ok=True)
    if place.folder.name.startswith(TEMPORARY) and not any(place.folder.iterdir()):
        place.folder.rmdir()


def server_version(engine: sa.Engine) -> str:
    """``PostgreSQL 15.4``, ``MariaDB 10.11.6``, ``SQLite 3.40.1``."""
    kind = data.backend(engine)
    if kind == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    with engine.connect() as connection:
        text = str(connection.exec_driver_sql("SELECT version()").scalar_one())
    if kind == "postgresql":
        return " ".join(text.split()[:2])
    return f"MariaDB {text.split('-')[0]}"


# --- statements, timed on an engine ---------------------------------------------------------


@dataclass
class Statements:
    """Every cursor execution on one engine: how many, the longest (seconds), and of which kind.

    ``ranges`` counts the sweeper's counting SELECTs (one per key range), ``writes`` its
    DELETEs (one per range with rows to delete).
    """

    count: int = 0
    ranges: int = 0
    writes: int = 0
    longest: float = 0.0
    started: dict[int, float] = field(default_factory=dict)

    def watch(self, engine: sa.Engine) -> None:
        """Time each statement ``engine`` runs, from before to after its cursor execution."""
        sa.event.listen(engine, "before_cursor_execute", self._before)
        sa.event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, _connection: Any, cursor: Any, statement: str, *_args: Any) -> None:
        text = statement.lstrip()[:40].lower()
        self.ranges += text.startswith("select count(*)")
        self.writes += text.startswith("delete")
        self.started[id(cursor)] = time.perf_counter()

    def _after(self, _connection: Any, cursor: Any, *_args: Any) -> None:
        began = self.started.pop(id(cursor), None)
        if began is not None:
            self.count += 1
            self.longest = max(self.longest, time.perf_counter() - began)


# --- tutela's sweep -------------------------------------------------------------------------


def programme() -> Programme:
    """The sign-in service's login events, kept 13 months from ``ts``, then deleted."""
    fields = [
        DatasetField(name="id", type="bigint", primary_key=True),
        DatasetField(name="user_id", type="bigint"),
        DatasetField(name="ts", type="timestamp"),
        DatasetField(name="ip", type="string"),
        DatasetField(name="user_agent", type="string"),
    ]
    login_event = Collection(name=data.TABLE, fields=fields, retention_from="ts")
    system = System(
        key=SYSTEM,
        name="Sign-in service",
        owner="platform",
        hosting_country="FR",
        connector=ConnectorSettings(type="sql", url_env=URL_VARIABLE),
        datasets=[Dataset(key="auth_db", name="auth", collections=[login_event])],
    )
    rule = RetentionRule(
        key="login_events",
        name="Login events",
        period=PERIOD,
        action="delete",
        covers=RetentionCover(collections=[f"auth_db.{data.TABLE}"]),
    )
    return Programme(systems=[system], retention=[rule])


@dataclass(frozen=True)
class FixedClock:
    """The sweep's ``now``: fixed, so that exactly the intended rows have expired."""

    at: datetime

    def now(self) -> datetime:
        return self.at


@dataclass(frozen=True)
class Outcome:
    """What the sweep report says: rows deleted, its longest statement, and the report."""

    deleted: int
    longest: float
    report: SweepReport


class TutelaSweep:
    """``RetentionService`` with ``SqlSweeper`` on the benchmark database, store on SQLite.

    The sweeper is built as ``SqlSweeper.from_system`` builds it, on an engine whose
    statements :attr:`statements` times. The store is migrated before the clock starts.
    """

    def __init__(self, url: str, store_url: str, now: datetime, budget: float | None) -> None:
        self.programme = programme()
        system = self.programme.system(SYSTEM)
        assert system.connector is not None
        address = resolve_url(system.connector, {URL_VARIABLE: url}, system=SYSTEM)
        self.engine = create_engine(address, SYSTEM, SqlOptions())
        self.statements = Statements()
        self.statements.watch(self.engine)
        self.ledger = open_ledger(store_url)
        tuning = {} if budget is None else {"budget": budget}
        self.service = RetentionService(
            self.programme,
            SqlRetentionStore(self.ledger.engine, self.ledger),
            lambda key: SqlSweeper(self.engine, key),
            FixedClock(now),
            reference=_no_subject_holds,
            **tuning,  # type: ignore[arg-type]
        )

    def run(self) -> Outcome:
        """One sweep of every rule; RuntimeError when a collection failed."""
        report = self.service.run(actor="system")
        if report.errors:
            raise RuntimeError("; ".join(f"{row.collection}: {row.error}" for row in report.errors))
        longest = max((row.longest_statement for row in report.rows), default=0.0)
        return Outcome(report.total("affected"), longest, report)

    def close(self) -> None:
        """Release the benchmark database's and the store's connections."""
        self.engine.dispose()
        self.ledger.close()


def _no_subject_holds(identity: str, value: str) -> str:
    raise RuntimeError("the retention benchmark places no subject hold")


# --- one layout, both sides -----------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    """What one side measured: time, rows, statements, and the reader's latencies."""

    seconds: float
    deleted: int
    longest: float
    statements: int
    ranges: int
    writes: int
    reads: list[float]
    reported: float | None = None

    @property
    def worst(self) -> float:
        """The longest statement: measured on the engine, or reported, whichever is longer."""
        return max(self.longest, self.reported or 0.0)


@dataclass(frozen=True)
class Result:
    """One layout: the sweep, the floor, and the rows left on each copy afterwards."""

    layout: str
    rows: int
    expired: int
    sweep: Side
    floor: Side
    left: tuple[int, int]

    @property
    def ratio(self) -> float:
        """The sweep's total time over the floor's."""
        return self.sweep.seconds / self.floor.seconds


def run_layout(
    place: Place, engine: sa.Engine, options: argparse.Namespace, layout: str, say: Any
) -> Result:
    """Load, warm, then measure the floor and the sweep on their own copies."""
    before = cutoff(Duration.parse(PERIOD), NOW).replace(tzinfo=None)
    started = time.perf_counter()
    data.load(engine, options.rows, layout)
    say(f"loaded 2 x {options.rows:,} rows ({layout}) in {time.perf_counter() - started:.1f} s")
    readers = [data.Reader(place.url, table, options.rows) for table in data.TABLES]
    try:
        expired = data.expired(engine, data.TABLE, before)
        for table in (data.FLOOR_TABLE, data.TABLE):
            data.warm(engine, table, before)
        floor = measure_floor(engine, readers[1], before)
        say(f"floor: {floor.seconds:.2f} s")
        sweep = measure_sweep(place, engine, readers[0], options.budget, before)
        say(f"sweep: {sweep.seconds:.2f} s")
    finally:
        for reader in readers:
            reader.process.kill()
    left = (_count(engine, data.TABLE), _count(engine, data.FLOOR_TABLE))
    return Result(layout, options.rows, expired, sweep, floor, left)


def measure_floor(engine: sa.Engine, reader: data.Reader, before: datetime) -> Side:
    """The raw DELETE with the reader on the floor's copy."""
    data.settle(engine)
    reader.begin()
    try:
        run = data.floor_delete(engine, before)
    finally:
        reads = reader.stop()
    return Side(run.seconds, run.deleted, run.seconds, 1, 1, 1, reads)


def measure_sweep(
    place: Place, engine: sa.Engine, reader: data.Reader, budget: float | None, before: datetime
) -> Side:
    """tutela's sweep with the reader on the sweep's copy."""
    data.settle(engine)
    sweep = TutelaSweep(place.url, place.store_url, NOW, budget)
    try:
        reader.begin()
        try:
            started = time.perf_counter()
            outcome = sweep.run()
            seconds = time.perf_counter() - started
        finally:
            reads = reader.stop()
    finally:
        sweep.close()
    statements = sweep.statements
    return Side(
        seconds,
        outcome.deleted,
        statements.longest,
        statements.count,
        statements.ranges,
        statements.writes,
        reads,
        reported=outcome.longest,
    )


def _count(engine: sa.Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one())


# --- the table ------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    milli = seconds * 1000
    return f"{milli:,.1f} ms" if milli < 10_000 else f"{milli:,.0f} ms"


def table(result: Result) -> list[str]:
    """The figures of one layout: sweep and floor side by side, with the targets."""
    sweep, floor = result.sweep, result.floor
    reported = "-" if sweep.reported is None else _ms(sweep.reported)
    rows: list[tuple[str, str, str, str]] = [
        ("", "sweep", "floor", "target"),
        ("total time", _ms(sweep.seconds), _ms(floor.seconds), ""),
        ("ratio", f"{result.ratio:.2f}x", "1.00x", f"<= {TARGET_RATIO}x"),
        ("longest statement (report)", reported, "-", ""),
        ("longest statement (measured)", _ms(sweep.longest), _ms(floor.longest), "< 1 s"),
    ]
    for label, share in (("p50", 0.5), ("p99", 0.99)):
        target = "< 50 ms" if label == "p99" else ""
        rows.append(
            (
                f"reader {label}",
                _ms(data.percentile(sweep.reads, share)),
                _ms(data.percentile(floor.reads, share)),
                target,
            )
        )
    rows += [
        ("reader max", _ms(max(sweep.reads)), _ms(max(floor.reads)), ""),
        ("reader queries", f"{len(sweep.reads):,}", f"{len(floor.reads):,}", ""),
        ("rows deleted", f"{sweep.deleted:,}", f"{floor.deleted:,}", "equal"),
        ("rows left", f"{result.left[0]:,}", f"{result.left[1]:,}", "equal"),
        (
            "ranges / writes / statements",
            f"{sweep.ranges:,} / {sweep.writes:,} / {sweep.statements:,}",
            f"{floor.ranges} / {floor.writes} / {floor.statements}",
            "",
        ),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return [
        "  ".join(
            cell.ljust(widths[i]) if i in (0, 3) else cell.rjust(widths[i])
            for i, cell in enumerate(row)
        ).rstrip()
        for row in rows
    ]


def header(place: Place, engine: sa.Engine, options: argparse.Namespace) -> list[str]:
    """What ran where."""
    before = cutoff(Duration.parse(PERIOD), NOW)
    budget = f"{options.budget} s per statement" if options.budget else "the service's default"
    return [
        f"tutela retention benchmark: {place.db}, {options.rows:,} rows per copy",
        describe(),
        f"database: {server_version(engine)}; store: SQLite WAL file (tutela's writes timed)",
        f"rule login_events: delete {PERIOD} after ts; now {NOW:%Y-%m-%d %H:%M} UTC, "
        f"cutoff {before.isoformat()}; budget: {budget}",
        "floor: DELETE FROM login_event_floor WHERE ts < :cutoff (one statement, autocommit)",
        "reader: own process and connection, a point read by id then a user's latest 10 "
        "logins, 5 ms apart",
    ]


def summary(result: Result) -> str:
    """One line per layout."""
    return (
        f"layout {result.layout}: ratio to floor {result.ratio:.2f}, longest statement "
        f"{result.sweep.worst:.3f} s, reader p99 "
        f"{_ms(data.percentile(result.sweep.reads, 0.99))} (floor "
        f"{_ms(data.percentile(result.floor.reads, 0.99))})"
    )


# --- command line ---------------------------------------------------------------------------


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The options; ``--rows`` defaults to issue 18's figure for the database."""
    parser = argparse.ArgumentParser(prog="benchmarks/retention.py", description=__doc__)
    parser.add_argument("--db", choices=("postgresql", "mariadb", "sqlite"), required=True)
    parser.add_argument("--rows", type=_positive, help="rows per copy (half expired)")
    parser.add_argument("--url", help="another database for the two tables (kept)")
    parser.add_argument("--layout", choices=(*data.LAYOUTS, "both"), default="ordered")
    parser.add_argument("--budget", type=float, help="the sweep's per-statement budget, s")
    parser.add_argument("--keep", action="store_true", help="keep the database and store")
    parser.add_argument("--dir", help="folder for the SQLite files (default: a temporary one)")
    options = parser.parse_args(argv)
    options.rows = options.rows or DEFAULT_ROWS[options.db]
    if options.budget is not None and not 0 < options.budget <= 3600:
        parser.error("--budget must be more than 0 and at most 3600 seconds")
    return options


def _positive(text: str) -> int:
    value = int(text.replace(",", "").replace("_", ""))
    if not 2 <= value <= 10**10:
        raise argparse.ArgumentTypeError("--rows must be between 2 and 10,000,000,000")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Measure each layout and print its table; 0, or 1 when the sides disagree."""
    options = parse(argv)
    say: Callable[[str], None] = lambda text: print(f"# {text}", file=sys.stderr, flush=True)  # noqa: E731
    place = place_for(options)
    engine = sa.create_engine(place.url)
    try:
        layouts = data.LAYOUTS if options.layout == "both" else (options.layout,)
        results = [run_layout(place, engine, options, layout, say) for layout in layouts]
        print("\n".join(header(place, engine, options)))
    finally:
        engine.dispose()
        clean_up(place, options.keep)
    for result in results:
        print(f"\n{result.layout} layout: {result.expired:,} of {result.rows:,} rows expired")
        print("\n".join(table(result)))
    print()
    for result in results:
        print(summary(result))
    first = results[0]
    print(f"ratio to floor: {first.ratio:.2f}")
    print(f"longest statement: {first.sweep.worst:.3f} s")
    agree = all(
        r.sweep.deleted == r.floor.deleted == r.expired and r.left[0] == r.left[1] for r in results
    )
    if not agree:
        say("the sweep and the floor disagree on the rows deleted or left")
    return 0 if agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
