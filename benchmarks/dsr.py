"""How fast tutela answers data-subject requests, next to the databases' own floor.

    python benchmarks/dsr.py --customers N --db sqlite|postgresql|mariadb [--url URL]
        [--store URL] [--samples 50] [--batch 1000] [--whales 3] [--rebuild] [--dir DIR]

Builds the shop database once (``tutela.testing.shopdb.build``) and reuses it:
the PostgreSQL or MariaDB database ``tutela_bench_<N>`` on the loopback server,
or ``DIR/shop_<N>.sqlite``. Whales (10,000 logins, 1,000 orders, 3,000 items,
5 cards) are added as runs consume them. Every figure is execution only, the
identity given as e-mail; tutela runs through ``DsrService`` built by the
same application (``bootstrap.build``) the CLI uses, with its store on the same kind of
database (``tutela_bench_store`` on the server, a SQLite WAL file for SQLite),
recreated empty per run. The floor is the same work in minimal hand-written SQL
on the driver itself (psycopg, PyMySQL, sqlite3), set-based, one connection, one
transaction per erasure, on other customers. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import random
import sqlite3
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tutela import bootstrap
from tutela.programme.loader import load_programme
from tutela.rights.models import RequestType, SubjectRequest
from tutela.store.ledger import open_ledger
from tutela.testing import shopdb
from tutela.testing.machine import describe

HASH_KEY = b"tutela-benchmark-hash-key"
SERVERS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/",
    "mariadb": "mysql+pymysql://root@127.0.0.1:3306/",
}
STORE_DATABASE = "tutela_bench_store"
WHALE_LOGINS = 10_000
DRIVERS = {"postgresql": "psycopg", "mysql": "PyMySQL", "mariadb": "PyMySQL", "sqlite": "sqlite3"}
LABELS = ("single access", "single erasure", "whale access", "whale erasure", "batch erasure")


# --- where the shop and the store live ------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    """The shop database under test, tutela's store, and the folder for SQLite files."""

    db: str
    url: str
    store_url: str
    folder: Path

    @property
    def dialect(self) -> str:
        return sa.make_url(self.url).get_backend_name()


def setup_for(options: argparse.Namespace) -> Setup:
    folder = Path(options.dir)
    folder.mkdir(parents=True, exist_ok=True)
    if options.url:
        url = options.url
    elif options.db == "sqlite":
        url = f"sqlite:///{folder / f'shop_{options.customers}.sqlite'}"
    else:
        url = SERVERS[options.db] + f"tutela_bench_{options.customers}"
    return Setup(options.db, url, options.store or _default_store(url, folder), folder)


def _default_store(url: str, folder: Path) -> str:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite:///{folder / 'tutela_store.sqlite'}"
    return parsed.set(database=STORE_DATABASE).render_as_string(hide_password=False)


def fresh_database(url: str) -> None:
    """Drop and create the database (server) or delete the file (SQLite) at ``url``."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    name = parsed.database
    admin_db = "postgres" if parsed.get_backend_name() == "postgresql" else "mysql"
    admin = sa.create_engine(parsed.set(database=admin_db), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        force = " WITH (FORCE)" if parsed.get_backend_name() == "postgresql" else ""
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}{force}")
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()


def _exists(url: str) -> bool:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return Path(str(parsed.database)).is_file()
    engine = sa.create_engine(url)
    try:
        with engine.connect():
            return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


def _shop_size(url: str, customers: int) -> int | None:
    """Customers with id <= ``customers`` in an existing shop database, or None without one."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            if "customer" not in sa.inspect(connection).get_table_names():
                return None
            count = connection.execute(
                sa.text("SELECT count(*) FROM customer WHERE id <= :n"), {"n": customers}
            ).scalar_one()
            after = connection.execute(
                sa.text("SELECT count(*) FROM login_event WHERE customer_id = :n"),
                {"n": customers + 1},
            ).scalar_one()
        return int(count) if after in (0, WHALE_LOGINS) else -1
    finally:
        engine.dispose()


def ensure_shop(setup: Setup, customers: int, rebuild: bool, say: Callable[[str], None]) -> None:
    """Reuse the shop database with ``customers`` customers, or build it."""
    if not rebuild and _exists(setup.url):
        size = _shop_size(setup.url, customers)
        if size == customers:
            say(f"reusing the shop database with {customers:,} customers")
            shopdb.ensure_lookup_indexes(setup.url)  # lower(email), for shops built before it
            return
        if size is not None:
            raise SystemExit(
                f"{shopdb.shopload.safe_url(setup.url)} holds another shop; use --rebuild"
            )
    fresh_database(setup.url)
    started = time.perf_counter()
    report = shopdb.build(setup.url, customers=customers, seed=1)
    say(f"built {report.total_rows:,} rows in {time.perf_counter() - started:.0f} s")


def ensure_whales(setup: Setup, customers: int, needed: int) -> list[str]:
    """E-mails of ``needed`` whales not erased yet, adding whales when too few are left."""
    found = _whales(setup.url, customers)
    if len(found) < needed:
        shopdb.add_whales(setup.url, needed - len(found), seed=1)
        found = _whales(setup.url, customers)
    return found[:needed]


def _whales(url: str, customers: int) -> list[str]:
    query = "SELECT email FROM customer WHERE id > :n AND email LIKE '%@%' ORDER BY id"
    return [str(row[0]) for row in _query(url, query, n=customers)]


def typical_customers(url: str, customers: int, count: int, rng: random.Random) -> list[str]:
    """E-mails of ``count`` distinct random customers (not whales) not erased yet."""
    found: list[str] = []
    ids = _random_ids(customers, rng)
    while len(found) < count:
        chunk = ",".join(str(i) for _, i in zip(range(5_000), ids, strict=False))
        if not chunk:
            raise SystemExit(f"only {len(found)} customers are left unerased; use --rebuild")
        rows = _query(url, f"SELECT email FROM customer WHERE id IN ({chunk})")
        found += [str(email) for (email,) in rows if "@" in str(email)]
    return found[:count]


def _random_ids(customers: int, rng: random.Random) -> Iterator[int]:
    """Every id from 1 to ``customers`` once, in random order."""
    seen: set[int] = set()
    while len(seen) < customers:
        candidate = rng.randint(1, customers)
        if candidate not in seen:
            seen.add(candidate)
            yield candidate


def _query(url: str, sql: str, **params: Any) -> list[Any]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(sa.text(sql), params))
    finally:
        engine.dispose()


# --- tutela ---------------------------------------------------------------------------------


class Tutela:
    """tutela's DSR service for the shop programme, built as the CLI builds it."""

    def __init__(self, setup: Setup) -> None:
        fresh_database(setup.store_url)
        open_ledger(setup.store_url).close()  # the deployment step: `tutela db upgrade`
        programme = load_programme(shopdb.shop_programme_path())
        app = bootstrap.build(
            {
                "TUTELA_SHOP_URL": setup.url,
                "TUTELA_DATABASE_URL": setup.store_url,
                "TUTELA_HASH_KEY": HASH_KEY.decode(),
            }
        )
        self.service = app.dsr_service(programme)
        self.service.catalog()  # a long-running service describes each system once
        self.run_id = uuid.uuid4().hex[:8]
        self.serial = 0

    def requests(self, kind: RequestType, emails: Sequence[str]) -> list[SubjectRequest]:
        self.serial += 1
        reference = f"bench-{self.run_id}-{self.serial}"
        return [SubjectRequest(kind, (("email", email),), reference=reference) for email in emails]

    def access(self, emails: Sequence[str]) -> None:
        self.service.run(self.requests("access", emails))

    def erase(self, emails: Sequence[str]) -> None:
        self.service.run(self.requests("erasure", emails))

    def close(self) -> None:
        self.service.close()
        store = self.service.store
        if hasattr(store, "close"):
            store.close()


# --- the floor: the same work in minimal hand-written SQL -----------------------------------


def keyed_hash(email: str) -> str:
    return hmac.new(HASH_KEY, email.encode("utf-8"), hashlib.sha256).hexdigest()


class Floor:
    """The shop's access and erasure in minimal SQL on the driver, set-based, one connection.

    Access: six SELECTs (customer by e-mail; address, orders, cards, logins by
    customer id; items by order id). Erasure, in one transaction: the
    customer's id, e-mail and address (to compute the HMAC in Python), then the
    plan's writes: delete cards, null login IPs, fix item SKUs, hash e-mails and
    redact names and phones, null addresses.
    """

    mark = "?"

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def any_of(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """``column IN (...)`` and its parameters."""
        marks = ",".join([self.mark] * len(values)) or "NULL"
        return f"{column} IN ({marks})", list(values)

    def select(self, cursor: Any, sql: str, column: str, values: Sequence[Any]) -> list[Any]:
        condition, params = self.any_of(column, values)
        cursor.execute(f"{sql} WHERE {condition}", params)
        return list(cursor.fetchall())

    def access(self, emails: Sequence[str]) -> None:
        cursor = self.connection.cursor()
        people = self.select(
            cursor,
            "SELECT id, email, name, phone, address_id, processing_restricted FROM customer",
            "email",
            emails,
        )
        ids = [row[0] for row in people]
        addresses = [row[4] for row in people if row[4] is not None]
        self.select(cursor, "SELECT id, street, city, zip FROM address", "id", addresses)
        orders = self.select(
            cursor, "SELECT id, customer_id, total, created_at FROM orders", "customer_id", ids
        )
        self.select(
            cursor,
            "SELECT id, order_id, sku, qty FROM order_item",
            "order_id",
            [r[0] for r in orders],
        )
        self.select(
            cursor,
            "SELECT id, customer_id, last4, holder_name FROM payment_card",
            "customer_id",
            ids,
        )
        self.select(cursor, "SELECT id, customer_id, ip, ts FROM login_event", "customer_id", ids)
        self.connection.commit()

    def erase(self, emails: Sequence[str]) -> None:
        cursor = self.connection.cursor()
        people = self.select(cursor, "SELECT id, email, address_id FROM customer", "email", emails)
        ids = [row[0] for row in people]
        self.write(cursor, "DELETE FROM payment_card", "customer_id", ids)
        self.write(cursor, "UPDATE login_event SET ip = NULL", "customer_id", ids)
        self.erase_items(cursor, ids)
        self.erase_customers(cursor, [(row[0], keyed_hash(row[1])) for row in people])
        addresses = [row[2] for row in people if row[2] is not None]
        self.write(
            cursor, "UPDATE address SET street = NULL, city = NULL, zip = NULL", "id", addresses
        )
        self.connection.commit()

    def write(self, cursor: Any, sql: str, column: str, values: Sequence[Any]) -> None:
        if values:
            condition, params = self.any_of(column, values)
            cursor.execute(f"{sql} WHERE {condition}", params)

    def erase_items(self, cursor: Any, ids: Sequence[int]) -> None:
        if ids:
            condition, params = self.any_of("customer_id", ids)
            cursor.execute(
                f"UPDATE order_item SET sku = 'REDACTED' "
                f"WHERE order_id IN (SELECT id FROM orders WHERE {condition})",
                params,
            )

    def erase_customers(self, cursor: Any, hashed: Sequence[tuple[int, str]]) -> None:
        cursor.executemany(
            "UPDATE customer SET email = ?, name = 'REDACTED', phone = NULL WHERE id = ?",
            [(digest, ident) for ident, digest in hashed],
        )

    def close(self) -> None:
        self.connection.close()


class PostgresFloor(Floor):
    """psycopg 3: ``= ANY(%s)`` with one array parameter; e-mails set from ``unnest``."""

    mark = "%s"

    def any_of(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        return f"{column} = ANY(%s)", [list(values)]

    def erase_customers(self, cursor: Any, hashed: Sequence[tuple[int, str]]) -> None:
        if hashed:
            cursor.execute(
                "UPDATE customer SET email = v.email, name = 'REDACTED', phone = NULL "
                "FROM unnest(%s::int[], %s::text[]) AS v(id, email) WHERE customer.id = v.id",
                ([ident for ident, _ in hashed], [digest for _, digest in hashed]),
            )


class MariaDbFloor(Floor):
    """PyMySQL: ``IN (...)``; items through a join; e-mails set by one ``CASE``."""

    mark = "%s"

    def erase_items(self, cursor: Any, ids: Sequence[int]) -> None:
        if ids:
            condition, params = self.any_of("orders.customer_id", ids)
            cursor.execute(
                "UPDATE order_item JOIN orders ON order_item.order_id = orders.id "
                f"SET order_item.sku = 'REDACTED' WHERE {condition}",
                params,
            )

    def erase_customers(self, cursor: Any, hashed: Sequence[tuple[int, str]]) -> None:
        if hashed:
            cases = " ".join(["WHEN %s THEN %s"] * len(hashed))
            condition, keys = self.any_of("id", [ident for ident, _ in hashed])
            params = [value for pair in hashed for value in pair] + keys
            cursor.execute(
                f"UPDATE customer SET email = CASE id {cases} END, name = 'REDACTED', "
                f"phone = NULL WHERE {condition}",
                params,
            )


def floor_for(setup: Setup) -> Floor:
    url = sa.make_url(setup.url)
    if setup.dialect == "postgresql":
        import psycopg

        return PostgresFloor(
            psycopg.connect(
                host=url.host,
                port=url.port or 5432,
                user=url.username,
                password=url.password,
                dbname=url.database,
            )
        )
    if setup.dialect in ("mysql", "mariadb"):
        import pymysql

        return MariaDbFloor(
            pymysql.connect(
                host=url.host,
                port=url.port or 3306,
                user=url.username,
                password=url.password or "",
                database=url.database,
            )
        )
    connection = sqlite3.connect(str(url.database))
    connection.execute("PRAGMA foreign_keys = ON")
    return Floor(connection)


# --- measuring ------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the table: tutela's and the floor's times in seconds."""

    label: str
    tutela: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)


def timed(work: Callable[[], None]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def measure_pairs(
    row: Row,
    tutela: Callable[[Sequence[str]], None],
    floor: Callable[[Sequence[str]], None],
    ours: Sequence[Sequence[str]],
    theirs: Sequence[Sequence[str]],
) -> Row:
    """Alternate tutela and the floor, each on its own subjects."""
    for mine, other in zip(ours, theirs, strict=True):
        row.tutela.append(timed(lambda m=mine: tutela(m)))
        row.floor.append(timed(lambda o=other: floor(o)))
    return row


@dataclass(frozen=True)
class Workload:
    """Who each measurement runs on: tutela's subjects and, apart, the floor's."""

    access: tuple[list[str], list[str]]
    erasure: tuple[list[str], list[str]]
    batch: tuple[list[str], list[str]]
    whales: tuple[list[str], list[str]]
    warmup: list[str]


def workload(setup: Setup, options: argparse.Namespace) -> Workload:
    rng = random.Random(os.urandom(8))
    n, batch = options.samples, options.batch
    people = typical_customers(setup.url, options.customers, 4 * n + 2 * batch + 2, rng)
    whales = ensure_whales(setup, options.customers, 2 * options.whales)
    parts, start = [], 0
    for size in (n, n, n, n, batch, batch, 2):
        parts.append(people[start : start + size])
        start += size
    half = options.whales
    return Workload(
        access=(parts[0], parts[1]),
        erasure=(parts[2], parts[3]),
        batch=(parts[4], parts[5]),
        whales=(whales[:half], whales[half:]),
        warmup=parts[6],
    )


def run(setup: Setup, options: argparse.Namespace, work: Workload) -> list[Row]:
    """Every row of the table: tutela and the floor alternate, each on its own subjects."""
    tutela, floor = Tutela(setup), floor_for(setup)
    ours, theirs = work.whales
    reads = options.whales + 2  # accesses change nothing: whales are read more than once
    rows = [
        (LABELS[0], "access", _singles(work.access[0]), _singles(work.access[1])),
        (LABELS[1], "erase", _singles(work.erasure[0]), _singles(work.erasure[1])),
        (LABELS[2], "access", _singles(ours, reads), _singles(theirs, reads)),
        (LABELS[3], "erase", _singles(ours), _singles(theirs)),
        (f"{LABELS[4]} ({options.batch:,})", "erase", [work.batch[0]], [work.batch[1]]),
    ]
    try:
        tutela.access(work.warmup[:1])  # connections opened, statements prepared
        floor.access(work.warmup[1:])
        return [
            measure_pairs(Row(label), getattr(tutela, kind), getattr(floor, kind), mine, other)
            for label, kind, mine, other in rows
        ]
    finally:
        tutela.close()
        floor.close()


def _singles(emails: Sequence[str], count: int | None = None) -> list[list[str]]:
    """One request per e-mail (cycling through them to make ``count`` requests)."""
    total = len(emails) if count is None else count
    return [[emails[i % len(emails)]] for i in range(total)]


# --- the table ------------------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    milli = seconds * 1000
    return f"{milli:,.1f} ms" if milli < 1000 else f"{milli:,.0f} ms"


def table(rows: Sequence[Row]) -> list[str]:
    header = ("", "tutela p50", "tutela p95", "floor p50", "floor p95", "tutela/floor p50")
    lines = [header]
    for row in rows:
        many = len(row.tutela) > 1
        tutela50, floor50 = statistics.median(row.tutela), statistics.median(row.floor)
        lines.append(
            (
                row.label,
                _ms(tutela50),
                _ms(percentile(row.tutela, 0.95) if many else None),
                _ms(floor50),
                _ms(percentile(row.floor, 0.95) if many else None),
                f"{tutela50 / floor50:.2f}x",
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return [
        "  ".join(
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
            for i, cell in enumerate(line)
        ).rstrip()
        for line in lines
    ]


def header(setup: Setup, options: argparse.Namespace) -> list[str]:
    return [
        f"tutela DSR benchmark: {setup.db}, {options.customers:,} customers "
        f"(~{33 * options.customers / 10**6:.1f} M rows) + whales",
        describe(),
        f"shop: {_server_version(setup.url)}; store: {_store_name(setup.store_url)}",
        f"floor: minimal hand-written set-based SQL on {DRIVERS[setup.dialect]}, one connection, "
        "other customers; time is execution only, identity given as e-mail",
        f"samples: {options.samples} single requests per row, p50/p95; whales: "
        f"{options.whales + 2} accesses and {options.whales} erasures each side; "
        f"batch: one of {options.batch:,} erasures",
    ]


def _server_version(url: str) -> str:
    backend = sa.make_url(url).get_backend_name()
    if backend == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    (row,) = _query(url, "SELECT version()")
    text = str(row[0])
    return text.split(" on ")[0] if backend == "postgresql" else f"MariaDB {text}"


def _store_name(url: str) -> str:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite WAL file {Path(str(parsed.database)).name}"
    server = {"postgresql": "PostgreSQL"}.get(parsed.get_backend_name(), "MariaDB")
    return f"{server} database {parsed.database} on the same server"


# --- command line ---------------------------------------------------------------------------


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks/dsr.py", description=__doc__)
    parser.add_argument("--customers", type=int, required=True)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "mariadb"), required=True)
    parser.add_argument("--url", help="the shop database (default: see above)")
    parser.add_argument("--store", help="tutela's store (default: see above)")
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--whales", type=int, default=3, help="whales erased per side")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--dir", default=".benchmarks", help="folder for SQLite files")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(argv)
    setup = setup_for(options)
    say = lambda text: print(f"# {text}", file=sys.stderr, flush=True)  # noqa: E731
    ensure_shop(setup, options.customers, options.rebuild, say)
    work = workload(setup, options)
    rows = run(setup, options, work)
    print("\n".join([*header(setup, options), "", *table(rows)]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
