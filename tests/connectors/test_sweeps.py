"""The SQL of retention sweeps (RT-2, RT-3) on SQLite, PostgreSQL and MariaDB.

Tables are built with SQLAlchemy in each test's own database; targets are written by
hand, as :mod:`tutela.retention.rules` would compile them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from tutela import sqlengine
from tutela.connectors.sweeps import SqlSweeper
from tutela.errors import ConfigurationError, ConnectorError
from tutela.programme.durations import Duration
from tutela.programme.models import ConnectorSettings, System
from tutela.retention.targets import (
    Bound,
    Column,
    Condition,
    Counts,
    Exclusion,
    Masked,
    Target,
    cutoff,
)

TS = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
BOUND = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
TINY = timedelta(microseconds=1)
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


# --- fixtures and helpers -------------------------------------------------------------------


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    """The test database's engine, for building and reading tables."""
    made = sa.create_engine(database_url)
    yield made
    made.dispose()


@pytest.fixture
def sweeper(database_url: str) -> Iterator[SqlSweeper]:
    """The sweeper under test on the same database (tutela's own engine)."""
    built = SqlSweeper(sqlengine.create_engine(database_url, owner="test"), "app")
    yield built
    built.close()


def login_table(metadata: sa.MetaData, name: str = "login_event") -> sa.Table:
    """``id, email, status, logged_at``: the swept table of most tests."""
    return sa.Table(
        name,
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("email", sa.String(200)),
        sa.Column("status", sa.String(200)),
        sa.Column("logged_at", TS),
    )


def build_logins(engine: sa.Engine, rows: Sequence[dict[str, Any]]) -> sa.Table:
    """The login table holding ``rows`` (missing fields are NULL)."""
    metadata = sa.MetaData()
    table = login_table(metadata)
    metadata.create_all(engine)
    full = [{"email": None, "status": None, "logged_at": None, **row} for row in rows]
    if full:
        with engine.begin() as connection:
            connection.execute(table.insert(), full)
    return table


def naive(moment: datetime) -> datetime:
    """``moment`` as naive UTC (how a DATETIME column keeps it)."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def logins(**overrides: Any) -> Target:
    """A target on ``login_event`` counting from ``logged_at``."""
    fields: dict[str, Any] = {
        "rule": "logins",
        "action": "delete",
        "system": "app",
        "dataset": "app",
        "table": "login_event",
        "address": "app.login_event",
        "key": "id",
        "time": Column("logged_at"),
        "period": Duration.parse("13m"),
    }
    return Target(**{**fields, **overrides})


def ids(engine: sa.Engine, table: str, where: str = "") -> list[Any]:
    """The keys left in ``table`` in order."""
    with engine.connect() as connection:
        rows = connection.execute(sa.text(f"SELECT * FROM {table} {where}")).all()
    return sorted(row[0] for row in rows)


def standard_logins(engine: sa.Engine) -> sa.Table:
    """Ten logins: 1-5 ended (before BOUND), 6-9 not, 10 with no time."""
    rows = [
        {"id": i, "email": f"u{i}@example.com", "logged_at": naive(BOUND - timedelta(days=i))}
        for i in range(1, 6)
    ]
    rows += [
        {"id": i, "email": f"u{i}@example.com", "logged_at": naive(BOUND + timedelta(days=i))}
        for i in range(6, 10)
    ]
    rows.append({"id": 10, "email": "u10@example.com"})
    return build_logins(engine, rows)


# --- actions -------------------------------------------------------------------------------


def test_RT_2_delete_removes_exactly_the_ended_rows(engine: sa.Engine, sweeper: SqlSweeper) -> None:
    standard_logins(engine)
    target, bound = logins(), Bound(before=BOUND)
    counts = sweeper.measure(target, bound, [], 1, None)
    assert counts == Counts(examined=10, ended=5, held=0, affected=5)
    assert sweeper.apply(target, bound, [], 1, None) == 5
    assert ids(engine, "login_event") == [6, 7, 8, 9, 10]
    assert sweeper.apply(target, bound, [], 1, None) == 0
    assert sweeper.measure(target, bound, [], 1, None) == Counts(examined=5)


def test_RT_2_only_the_range_is_touched(engine: sa.Engine, sweeper: SqlSweeper) -> None:
    standard_logins(engine)
    target, bound = logins(), Bound(before=BOUND)
    assert sweeper.measure(target, bound, [], 2, 4) == Counts(examined=2, ended=2, affected=2)
    assert sweeper.apply(target, bound, [], 2, 4) == 2
    assert ids(engine, "login_event") == [1, 4, 5, 6, 7, 8, 9, 10]


def test_RT_2_boundary_is_exact_to_the_microsecond(engine: sa.Engine, sweeper: SqlSweeper) -> None:
    build_logins(
        engine,
        [
            {"id": 1, "logged_at": naive(BOUND - TINY)},
            {"id": 2, "logged_at": naive(BOUND)},
            {"id": 3, "logged_at": naive(BOUND + TINY)},
            {"id": 4},
        ],
    )
    elsewhere = BOUND.astimezone(timezone(timedelta(hours=5)))  # same instant, other zone
    assert sweeper.apply(logins(), Bound(before=elsewhere), [], 1, None) == 1
    assert ids(engine, "login_event") == [2, 3, 4]


def test_RT_2_date_column_ends_by_whole_days(engine: sa.Engine, sweeper: SqlSweeper) -> None:
    metadata = sa.MetaData()
    invoice = sa.Table(
        "invoice",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("issued", sa.Date),
    )
    metadata.create_all(engine)
    days = [date(2024, 3, 9), date(2024, 3, 10), date(2024, 3, 11)]
    with engine.begin() as connection:
        connection.execute(invoice.insert(), [{"id": i, "issued": d} for i, d in enumerate(days)])
    target = logins(table="invoice", address="app.invoice", time=Column("issued", type="date"))
    midnight = datetime(2024, 3, 10, tzinfo=UTC)
    assert sweeper.measure(target, Bound(before=midnight), [], 0, None).ended == 1
    assert sweeper.measure(target, Bound(before=midnight + TINY), [], 0, None).ended == 2
    assert sweeper.apply(target, Bound(before=BOUND), [], 0, None) == 2
    assert ids(engine, "invoice") == [2]


def test_RT_2_timezone_aware_column_on_postgresql(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    metadata = sa.MetaData()
    audit = sa.Table(
        "audit",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.DateTime(timezone=True)),
    )
    metadata.create_all(engine)
    paris = timezone(timedelta(hours=2))
    moments = [BOUND - TINY, BOUND, BOUND + TINY]
    with engine.begin() as connection:
        rows = [{"id": i, "at": m.astimezone(paris)} for i, m in enumerate(moments)]
        connection.execute(audit.insert(), rows)
    sweeper = SqlSweeper(sqlengine.create_engine(postgres_url, owner="test"), "app")
    target = logins(table="audit", address="app.audit", time=Column("at"))
    try:
        assert sweeper.apply(target, Bound(before=BOUND), [], 0, None) == 1
        assert ids(engine, "audit") == [1, 2]
    finally:
        sweeper.close()
        engine.dispose()


def test_RT_2_mariadb_timestamp_compares_in_utc(mariadb_url: str) -> None:
    engine = sa.create_engine(mariadb_url)
    sa.event.listen(engine, "connect", lambda dbapi, _: dbapi.query("SET time_zone = '+05:00'"))
    metadata = sa.MetaData()
    seen = sa.Table(
        "seen",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", mysql.TIMESTAMP(fsp=6), nullable=True),
    )
    metadata.create_all(engine)
    local = [naive(m) + timedelta(hours=5) for m in (BOUND - TINY, BOUND)]  # the writer's zone
    with engine.begin() as connection:
        connection.execute(seen.insert(), [{"id": i, "at": m} for i, m in enumerate(local)])
    sweeper = SqlSweeper(sqlengine.create_engine(mariadb_url, owner="test"), "app")
    target = logins(table="seen", address="app.seen", time=Column("at"))
    try:
        assert sweeper.apply(target, Bound(before=BOUND), [], 0, None) == 1
        assert ids(engine, "seen") == [1]
    finally:
        sweeper.close()
        engine.dispose()


def test_RT_2_anonymise_masks_with_null_and_a_fixed_value(
    engine: sa.Engine, sweeper: SqlSweeper
) -> None:
    standard_logins(engine)
    with engine.begin() as connection:  # row 5 is masked already: not affected again
        connection.execute(
            sa.text("UPDATE login_event SET email = NULL, status = 'gone' WHERE id = 5")
        )
    target = logins(action="anonymise", masked=(Masked("email"), Masked("status", "gone")))
    bound = Bound(before=BOUND)
    assert sweeper.measure(target, bound, [], 1, None) == Counts(examined=10, ended=5, affected=4)
    assert sweeper.apply(target, bound, [], 1, None) == 4
    assert sweeper.apply(target, bound, [], 1, None) == 0
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT id, email, status FROM login_event")).all()
    masked = {row[0] for row in rows if row[1] is None and row[2] == "gone"}
    assert masked == {1, 2, 3, 4, 5}
    assert all(row[1] == f"u{row[0]}@example.com" for row in rows if row[0] > 5)


def test_RT_2_archive_moves_rows_once(engine: sa.Engine, sweeper: SqlSweeper) -> None:
    standard_logins(engine)
    metadata = sa.MetaData()
    archive = login_table(metadata, "login_archive")
    metadata.create_all(engine)
    with engine.begin() as connection:  # key 2 already archived: never duplicated
        connection.execute(archive.insert(), [{"id": 2, "email": "old", "status": None}])
    target = logins(action="archive", archive="login_archive", columns=("id", "email", "logged_at"))
    bound = Bound(before=BOUND)
    assert sweeper.measure(target, bound, [], 1, None).affected == 5
    assert sweeper.apply(target, bound, [], 1, None) == 5
    assert ids(engine, "login_event") == [6, 7, 8, 9, 10]
    assert ids(engine, "login_archive") == [1, 2, 3, 4, 5]
    with engine.connect() as connection:
        email = connection.execute(sa.text("SELECT email FROM login_archive WHERE id = 3"))
        assert email.scalar_one() == "u3@example.com"
    assert sweeper.apply(target, bound, [], 1, None) == 0
    assert ids(engine, "login_archive") == [1, 2, 3, 4, 5]


def test_archive_to_a_table_lacking_a_column_fails_before_writing(
    engine: sa.Engine, sweeper: SqlSweeper
) -> None:
    standard_logins(engine)
    metadata = sa.MetaData()
    sa.Table("thin_archive", metadata, sa.Column("id", sa.Integer, primary_key=True))
    metadata.create_all(engine)
    target = logins(action="archive", archive="thin_archive", columns=("id", "email"))
    with pytest.raises(ConnectorError, match="'thin_archive' has no column 'email'"):
        sweeper.apply(target, Bound(before=BOUND), [], 1, None)
    assert len(ids(engine, "login_event")) == 10


# --- events and customers ------------------------------------------------------------------


def build_scans(engine: sa.Engine, scans: Sequence[tuple[int, str, datetime]]) -> None:
    """``scan(id, customer, completed_at)`` and three ``scan_item`` rows per scan."""
    metadata = sa.MetaData()
    scan = sa.Table(
        "scan",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("customer", sa.String(50)),
        sa.Column("completed_at", TS),
    )
    item = sa.Table(
        "scan_item",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("scan_id", sa.Integer, sa.ForeignKey("scan.id")),
        sa.Column("payload", sa.String(200)),
    )
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            scan.insert(), [{"id": i, "customer": c, "completed_at": naive(t)} for i, c, t in scans]
        )
        items = [
            {"id": scan_id * 10 + n, "scan_id": scan_id, "payload": f"vm-{n}"}
            for scan_id, _, _ in scans
            for n in range(3)
        ]
        connection.execute(item.insert(), items)


def scan_items(**overrides: Any) -> Target:
    """Scan items counting from their scan's end (an event), customer on the scan."""
    fields: dict[str, Any] = {
        "rule": "scan-data",
        "action": "delete",
        "system": "scans",
        "dataset": "scans",
        "table": "scan_item",
        "address": "scans.scan_item",
        "key": "id",
        "time": Column("completed_at", parent="scan", via="scan_id", parent_key="id"),
        "period": None,
        "customer": Column(
            "customer", type="string", parent="scan", via="scan_id", parent_key="id"
        ),
        "per_customer": True,
    }
    return Target(**{**fields, **overrides})


def test_RT_2_per_event_counts_each_scan(engine: sa.Engine, sweeper: SqlSweeper) -> None:
    build_scans(
        engine,
        [(1, "acme", BOUND - timedelta(hours=2)), (2, "acme", BOUND - TINY), (3, "acme", BOUND)],
    )
    target = scan_items(per_customer=False, period=Duration.parse("24h"))
    counts = sweeper.measure(target, Bound(before=BOUND), [], 0, None)
    assert counts == Counts(examined=9, ended=6, affected=6, events=(("1", 3), ("2", 3)))
    assert sweeper.apply(target, Bound(before=BOUND), [], 0, None) == 6
    assert ids(engine, "scan_item") == [30, 31, 32]


def test_RT_2_scan_data_24h_and_48h_per_customer(engine: sa.Engine, sweeper: SqlSweeper) -> None:
    hours = timedelta(hours=1)
    build_scans(
        engine,
        [
            (1, "acme", NOW - 30 * hours),  # 24h customer: due
            (2, "acme", NOW - 20 * hours),  # 24h: not yet
            (3, "globex", NOW - 30 * hours),  # 48h: not yet
            (4, "globex", NOW - 50 * hours),  # 48h: due
            (5, "initech", NOW - 900 * hours),  # keeps its data: not listed
        ],
    )
    bound = Bound(
        customers=(
            ("acme", cutoff(Duration.parse("24h"), NOW)),
            ("globex", cutoff(Duration.parse("48h"), NOW)),
        )
    )
    counts = sweeper.measure(scan_items(), bound, [], 0, None)
    assert counts.events == (("1", 3), ("4", 3))
    assert sweeper.apply(scan_items(), bound, [], 0, None) == 6
    assert ids(engine, "scan_item") == [20, 21, 22, 30, 31, 32, 50, 51, 52]
    assert sweeper.measure(scan_items(), Bound(), [], 0, None).ended == 0


def test_RT_2_customer_on_the_table_itself(engine: sa.Engine, sweeper: SqlSweeper) -> None:
    build_logins(
        engine,
        [
            {"id": 1, "status": "7", "logged_at": naive(NOW - timedelta(hours=30))},
            {"id": 2, "status": "8", "logged_at": naive(NOW - timedelta(hours=30))},
        ],
    )
    target = logins(period=None, per_customer=True, customer=Column("status", type="string"))
    bound = Bound(customers=(("7", cutoff(Duration.parse("24h"), NOW)),))
    assert sweeper.apply(target, bound, [], 1, None) == 1
    assert ids(engine, "login_event") == [2]


# --- holds ---------------------------------------------------------------------------------


def test_RT_3_collection_hold_protects_every_row(engine: sa.Engine, sweeper: SqlSweeper) -> None:
    standard_logins(engine)
    held = [Exclusion(hold="h-1", whole=True)]
    counts = sweeper.measure(logins(), Bound(before=BOUND), held, 1, None)
    assert counts == Counts(examined=10, ended=5, held=5, affected=0)
    assert sweeper.apply(logins(), Bound(before=BOUND), held, 1, None) == 0
    assert len(ids(engine, "login_event")) == 10


def test_RT_3_customer_hold_protects_the_customers_scans(
    engine: sa.Engine, sweeper: SqlSweeper
) -> None:
    build_scans(
        engine,
        [(1, "acme", NOW - timedelta(days=5)), (2, "globex", NOW - timedelta(days=5))],
    )
    target = scan_items(per_customer=False, period=Duration.parse("24h"))
    held = [Exclusion(hold="h-acme", customer="acme")]
    bound = Bound(before=cutoff(Duration.parse("24h"), NOW))
    counts = sweeper.measure(target, bound, held, 0, None)
    assert (counts.ended, counts.held, counts.affected) == (6, 3, 3)
    assert counts.events == (("2", 3),)
    assert sweeper.apply(target, bound, held, 0, None) == 3
    assert ids(engine, "scan_item") == [10, 11, 12]


def test_RT_3_filter_hold_protects_matching_and_unknown_rows(
    engine: sa.Engine, sweeper: SqlSweeper
) -> None:
    old = naive(BOUND - timedelta(days=1))
    build_logins(
        engine,
        [
            {"id": 1, "status": "disputed", "logged_at": old},
            {"id": 2, "status": "closed", "logged_at": old},
            {"id": 3, "status": None, "logged_at": old},  # NULL: the test is unknown: held
            {"id": 4, "status": "open", "logged_at": old},
        ],
    )
    held = [
        Exclusion(hold="h-f", conditions=(Condition("status", "!=", "closed"),)),
        Exclusion(hold="h-g", conditions=(Condition("status", "in", ("zzz",)),)),
    ]
    counts = sweeper.measure(logins(), Bound(before=BOUND), held, 1, None)
    assert (counts.ended, counts.held, counts.affected) == (4, 3, 1)
    assert sweeper.apply(logins(), Bound(before=BOUND), held, 1, None) == 1
    assert ids(engine, "login_event") == [1, 3, 4]


@pytest.mark.parametrize(
    ("condition", "left"),
    [
        (Condition("logged_at", "<", datetime(2024, 3, 7, tzinfo=UTC)), [4, 5, 6, 7, 8, 9, 10]),
        (Condition("logged_at", ">=", "2024-03-08T02:00:00+02:00"), [1, 2, 6, 7, 8, 9, 10]),
        (Condition("logged_at", "<", date(2024, 3, 7)), [4, 5, 6, 7, 8, 9, 10]),
        (Condition("id", "in", (1, "2", 3)), [1, 2, 3, 6, 7, 8, 9, 10]),
        (Condition("id", ">", 3), [4, 5, 6, 7, 8, 9, 10]),
        (Condition("email", "=", "u4@example.com"), [4, 6, 7, 8, 9, 10]),
    ],
)
def test_RT_3_filter_values_compare_as_the_column_type(
    engine: sa.Engine, sweeper: SqlSweeper, condition: Condition, left: list[int]
) -> None:
    standard_logins(engine)
    held = [Exclusion(hold="h-f", conditions=(condition,))]
    sweeper.apply(logins(), Bound(before=BOUND), held, 1, None)
    assert ids(engine, "login_event") == left


def test_RT_3_subject_hold_protects_its_keys(engine: sa.Engine, sweeper: SqlSweeper) -> None:
    standard_logins(engine)
    keys: tuple[object, ...] = (2, "4", "junk", None, *range(100, 2600))  # several IN lists
    held = [Exclusion(hold="h-s", keys=keys)]
    counts = sweeper.measure(logins(), Bound(before=BOUND), held, 1, None)
    assert (counts.held, counts.affected) == (2, 3)
    assert sweeper.apply(logins(), Bound(before=BOUND), held, 1, None) == 3
    assert ids(engine, "login_event") == [2, 4, 6, 7, 8, 9, 10]


def test_RT_3_measure_matches_apply_under_every_hold(
    engine: sa.Engine, sweeper: SqlSweeper
) -> None:
    standard_logins(engine)
    held = [
        Exclusion(hold="a", keys=(1,)),
        Exclusion(hold="b", conditions=(Condition("email", "=", "u3@example.com"),)),
    ]
    target = logins(action="anonymise", masked=(Masked("email", "x"),))
    total = 0
    for lo, hi in [(1, 4), (4, 7), (7, None)]:
        counts = sweeper.measure(target, Bound(before=BOUND), held, lo, hi)
        assert sweeper.apply(target, Bound(before=BOUND), held, lo, hi) == counts.affected
        total += counts.affected
    assert total == 3


# --- ranges --------------------------------------------------------------------------------


def test_span_and_integer_boundary(engine: sa.Engine, sweeper: SqlSweeper) -> None:
    build_logins(engine, [])
    assert sweeper.span(logins()) is None
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO login_event (id) VALUES (3), (40), (700)"))
    assert sweeper.span(logins()) == (3, 700)
    assert sweeper.boundary(logins(), 3, 100) == 103


def test_string_keys_walk_in_ranges(engine: sa.Engine, sweeper: SqlSweeper) -> None:
    metadata = sa.MetaData()
    token = sa.Table(
        "token",
        metadata,
        sa.Column("code", sa.String(40), primary_key=True),
        sa.Column("created_at", TS),
    )
    metadata.create_all(engine)
    codes = [f"k{n:03d}" for n in range(25)]
    with engine.begin() as connection:
        rows = [{"code": c, "created_at": naive(BOUND - timedelta(days=1))} for c in codes]
        connection.execute(token.insert(), rows)
    target = logins(table="token", address="app.token", key="code", time=Column("created_at"))
    span = sweeper.span(target)
    assert span == ("k000", "k024")
    ranges: list[tuple[Any, Any]] = []
    lo: Any = span[0]
    while lo is not None:
        hi = sweeper.boundary(target, lo, 10)
        ranges.append((lo, hi))
        lo = hi
    assert ranges == [("k000", "k010"), ("k010", "k020"), ("k020", None)]
    held = [Exclusion(hold="h", keys=("k015",))]
    moved = sum(sweeper.apply(target, Bound(before=BOUND), held, a, b) for a, b in ranges)
    assert moved == 24
    assert ids(engine, "token") == ["k015"]


# --- plans ---------------------------------------------------------------------------------


def big_logins(url: str, rows: int = 20_000, *, indexed: bool = False) -> sa.Engine:
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    table = login_table(metadata)
    if indexed:
        sa.Index("login_event_logged_at", table.c.logged_at)
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            table.insert(),
            [{"id": i, "logged_at": naive(BOUND - timedelta(minutes=i))} for i in range(rows)],
        )
        connection.execute(sa.text("ANALYZE login_event" if "postgres" in url else "SELECT 1"))
    return engine


def test_RT_2_statements_reach_rows_by_primary_key_on_postgresql(postgres_url: str) -> None:
    engine = big_logins(postgres_url)
    sweeper = SqlSweeper(sqlengine.create_engine(postgres_url, owner="test"), "app")
    held = [Exclusion(hold="h", conditions=(Condition("status", "=", "x"),))]
    try:
        for target in (logins(), logins(action="anonymise", masked=(Masked("email"),))):
            plan = sweeper.plan(target, Bound(before=BOUND), held, 1000, 2000)
            assert "login_event_pkey" in plan, plan
            assert "Seq Scan" not in plan, plan
        build_scans(engine, [(i, "acme", BOUND - timedelta(hours=i)) for i in range(1, 300)])
        with engine.begin() as connection:
            connection.execute(sa.text("ANALYZE scan_item"))
        per_event = scan_items(per_customer=False, period=Duration.parse("24h"))
        plan = sweeper.plan(per_event, Bound(before=BOUND), [], 100, 200)
        assert "scan_item_pkey" in plan, plan
        assert ids(engine, "login_event", "WHERE id < 5") == [0, 1, 2, 3, 4]  # plan wrote nothing
        assert len(ids(engine, "scan_item")) == 897
    finally:
        sweeper.close()
        engine.dispose()


def test_RT_2_statements_reach_rows_by_primary_key_on_mariadb(mariadb_url: str) -> None:
    engine = big_logins(mariadb_url)
    with engine.begin() as connection:
        connection.execute(sa.text("ANALYZE TABLE login_event"))
    sweeper = SqlSweeper(sqlengine.create_engine(mariadb_url, owner="test"), "app")
    try:
        plan = sweeper.plan(logins(), Bound(before=BOUND), [], 1000, 2000)
        assert "range" in plan and "PRIMARY" in plan, plan
    finally:
        sweeper.close()
        engine.dispose()


def test_RT_2_per_event_delete_uses_the_key_range_on_mariadb(mariadb_url: str) -> None:
    engine = sa.create_engine(mariadb_url)
    build_scans(engine, [(i, "acme", BOUND - timedelta(hours=i)) for i in range(1, 300)])
    sweeper = SqlSweeper(sqlengine.create_engine(mariadb_url, owner="test"), "app")
    target = scan_items(per_customer=False, period=Duration.parse("24h"))
    try:
        plan = sweeper.plan(target, Bound(before=BOUND), [], 100, 200)
        first = plan.splitlines()[0]
        assert "scan_item" in plan and "PRIMARY" in plan, plan
        assert "ALL" not in first.split(" | ")[3:5], plan
        assert sweeper.apply(target, Bound(before=BOUND), [], 100, 200) == 30  # scans 10-19
    finally:
        sweeper.close()
        engine.dispose()


def test_RT_2_time_indexed_tables_are_swept_along_the_index_on_postgresql(
    postgres_url: str,
) -> None:
    engine = big_logins(postgres_url, indexed=True)
    sweeper = SqlSweeper(sqlengine.create_engine(postgres_url, owner="test"), "app")
    bound = Bound(before=BOUND - timedelta(minutes=10_000))
    try:
        assert sweeper.by_time(logins())
        low, high = sweeper.span(logins(), bound) or (None, None)
        assert low == naive(BOUND - timedelta(minutes=19_999))
        assert high is not None and high < naive(bound.before or BOUND)
        plan = sweeper.plan(logins(), bound, [], low, low + timedelta(hours=2))
        assert "login_event_logged_at" in plan, plan
        assert "Seq Scan" not in plan, plan
    finally:
        sweeper.close()
        engine.dispose()


def test_RT_2_time_ranges_delete_exactly_the_ended_rows(database_url: str) -> None:
    engine = big_logins(database_url, 3_000, indexed=True)
    sweeper = SqlSweeper(sqlengine.create_engine(database_url, owner="test"), "app")
    bound = Bound(before=BOUND - timedelta(minutes=1_000))  # rows 1001..2999 ended
    target = logins()
    try:
        assert sweeper.by_time(target)
        span = sweeper.span(target, bound)
        assert span is not None
        lo, examined, deleted = span[0], 0, 0
        while True:
            hi = sweeper.boundary(target, lo, 3_600 * 5)
            last = hi is None or hi > span[1]
            end = None if last else hi
            counts = sweeper.measure(target, bound, [], lo, end)
            examined += counts.examined
            deleted += sweeper.apply(target, bound, [], lo, end)
            if last:
                break
            lo = hi
        assert examined == deleted == 1_999
        remaining = ids(engine, "login_event")
        assert remaining == list(range(1_001))
    finally:
        sweeper.close()
        engine.dispose()


# --- hostile input and failures --------------------------------------------------------------


def test_RT_3_hostile_condition_value_is_only_a_value(
    engine: sa.Engine, sweeper: SqlSweeper
) -> None:
    evil = "'; DROP TABLE login_event; --"
    standard_logins(engine)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE login_event SET status = 'ok'"))
        connection.execute(sa.text("UPDATE login_event SET status = :s WHERE id = 1"), {"s": evil})
    held = [Exclusion(hold="h", conditions=(Condition("status", "=", evil),))]
    assert sweeper.apply(logins(), Bound(before=BOUND), held, 1, None) == 4
    assert ids(engine, "login_event") == [1, 6, 7, 8, 9, 10]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (logins(table='login_event"; DROP TABLE x; --'), "does not exist"),
        (logins(time=Column("logged_at; DROP TABLE login_event")), "has no column"),
        (logins(time=Column("missing_at")), "has no column 'missing_at'"),
        (logins(key="nope"), "has no column 'nope'"),
        (logins(time=Column("email")), "not a date or time"),
        (logins(action="anonymise", masked=(Masked("ghost"),)), "has no column 'ghost'"),
        (logins(action="anonymise"), "anonymises no field"),
        (logins(action="archive"), "names no archive"),
        (logins(action="anonymise", masked=(Masked("id", "x"),)), "masked value"),
        (scan_items(table="login_event", key="id"), "does not exist"),
    ],
)
def test_bad_targets_fail_clearly_and_change_nothing(
    engine: sa.Engine, sweeper: SqlSweeper, target: Target, message: str
) -> None:
    standard_logins(engine)
    with pytest.raises(ConnectorError, match=message) as raised:
        sweeper.measure(target, Bound(before=BOUND), [], 1, None)
        sweeper.apply(target, Bound(before=BOUND), [], 1, None)
    assert "Traceback" not in str(raised.value)
    assert raised.value.system == "app"
    assert len(ids(engine, "login_event")) == 10


@pytest.mark.parametrize(
    "exclusion",
    [
        Exclusion(hold="h", conditions=(Condition("id", "=", "1 OR 1=1"),)),
        Exclusion(hold="h", conditions=(Condition("id", "=", 10**30),)),
        Exclusion(hold="h", conditions=(Condition("id", "in", "1,2"),)),  # type: ignore[arg-type]
        Exclusion(hold="h", conditions=(Condition("logged_at", "<", "yesterday"),)),
        Exclusion(hold="h", conditions=(Condition("ghost", "=", 1),)),
        Exclusion(hold="h", conditions=(Condition("id", "LIKE", 1),)),  # type: ignore[arg-type]
        Exclusion(hold="h", customer="acme"),
        Exclusion(hold="h"),
    ],
)
def test_RT_3_unusable_hold_stops_the_sweep_and_changes_nothing(
    engine: sa.Engine, sweeper: SqlSweeper, exclusion: Exclusion
) -> None:
    standard_logins(engine)
    with pytest.raises(ConnectorError, match=r"'h'|'ghost'") as raised:
        sweeper.apply(logins(), Bound(before=BOUND), [exclusion], 1, None)
    assert "1 OR 1=1" not in str(raised.value)  # values are never echoed
    assert len(ids(engine, "login_event")) == 10


@pytest.mark.parametrize(("lo", "width"), [(1, 0), (1, "10"), ("1", 10), (1, True)])
def test_boundary_refuses_unusable_ranges(
    engine: sa.Engine, sweeper: SqlSweeper, lo: Any, width: Any
) -> None:
    standard_logins(engine)
    with pytest.raises(ConnectorError):
        sweeper.boundary(logins(), lo, width)


def test_database_failure_names_the_system_not_the_url(
    engine: sa.Engine, sweeper: SqlSweeper, database_url: str
) -> None:
    standard_logins(engine)
    assert sweeper.measure(logins(), Bound(before=BOUND), [], 1, None).examined == 10
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE login_event"))
    with pytest.raises(ConnectorError) as raised:
        sweeper.apply(logins(), Bound(before=BOUND), [], 1, None)
    assert raised.value.system == "app"
    assert database_url not in str(raised.value)
    assert "u1@example.com" not in str(raised.value)


def crm(connector: ConnectorSettings | None) -> System:
    """A system named ``crm`` reached through ``connector``."""
    return System(key="crm", name="CRM", owner="Sales", hosting_country="BE", connector=connector)


def test_from_system_opens_the_systems_database(database_url: str, engine: sa.Engine) -> None:
    standard_logins(engine)
    sweeper = SqlSweeper.from_system(
        crm(ConnectorSettings(url_env="CRM_URL")), {"CRM_URL": database_url}
    )
    try:
        assert sweeper.system == "crm"
        assert sweeper.span(logins()) == (1, 10)
        assert database_url not in repr(sweeper)
    finally:
        sweeper.close()


def test_from_system_says_what_to_fix(sqlite_url: str) -> None:
    with pytest.raises(ConfigurationError, match="'crm' has no connector"):
        SqlSweeper.from_system(crm(None), {})
    settings = ConnectorSettings(url_env="CRM_URL", options={"bogus": 1})
    with pytest.raises(ConfigurationError, match="unknown connector option 'bogus'"):
        SqlSweeper.from_system(crm(settings), {"CRM_URL": sqlite_url})
    with pytest.raises(ConnectorError, match="does not exist"):  # a mistyped SQLite path
        SqlSweeper.from_system(crm(ConnectorSettings(url_env="CRM_URL")), {"CRM_URL": sqlite_url})
