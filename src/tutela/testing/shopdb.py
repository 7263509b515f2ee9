"""The shop test database: schema, fast bulk build and heavy "whale" customers.

Six tables as a real web shop has them: ``customer`` (unique e-mail,
restriction flag), ``address``, ``orders``, ``order_item``, ``payment_card`` and
``login_event``, with a foreign key and an index on every reference. Used by
tests (tens of customers) and benchmarks (a million: ~26M rows).

Loading takes each backend's fastest path inside one transaction: PostgreSQL
COPY, MariaDB LOAD DATA LOCAL INFILE (multi-row INSERT when the server forbids
it) with foreign-key checks off, SQLite executemany with ``synchronous=OFF``.
Tables are created without secondary indexes and foreign keys, which are
added after the load (SQLite keeps its foreign keys in CREATE TABLE).

Run ``python -m tutela.testing.shopdb --customers N --url URL [--whales K]``; on a
terminal it draws a progress bar on stderr (rows per chunk, then each phase).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from importlib.resources import files
from itertools import chain, islice
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa

from tutela.testing import shopload
from tutela.testing.shopgen import REGULAR, WHALE, Pools, RowTuple, ShopRows, Span

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)
address = sa.Table(
    "address",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("street", sa.String(200)),
    sa.Column("city", sa.String(100)),
    sa.Column("zip", sa.String(20)),
)
customer = sa.Table(
    "customer",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(254), nullable=False),
    sa.Column("name", sa.String(200)),
    sa.Column("phone", sa.String(40)),
    sa.Column("address_id", sa.Integer, sa.ForeignKey("address.id"), index=True),
    sa.Column("processing_restricted", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("ix_customer_email", "email", unique=True),
)
orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customer.id"), nullable=False, index=True),
    sa.Column("total", sa.Numeric(10, 2), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)
order_item = sa.Table(
    "order_item",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id"), nullable=False, index=True),
    sa.Column("sku", sa.String(32), nullable=False),
    sa.Column("qty", sa.Integer, nullable=False),
)
payment_card = sa.Table(
    "payment_card",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customer.id"), nullable=False, index=True),
    sa.Column("last4", sa.String(4), nullable=False),
    sa.Column("holder_name", sa.String(200)),
)
login_event = sa.Table(
    "login_event",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customer.id"), nullable=False, index=True),
    sa.Column("ip", sa.String(45)),
    sa.Column("ts", sa.DateTime, nullable=False),
)

TABLES: tuple[sa.Table, ...] = (address, customer, orders, order_item, payment_card, login_event)
"""The shop's tables, parents first (the load order)."""

LOADED_COLUMNS: dict[str, tuple[str, ...]] = {
    "address": ("id", "street", "city", "zip"),
    "customer": ("id", "email", "name", "phone", "address_id"),
    "orders": ("id", "customer_id", "total", "created_at"),
    "order_item": ("id", "order_id", "sku", "qty"),
    "payment_card": ("id", "customer_id", "last4", "holder_name"),
    "login_event": ("id", "customer_id", "ip", "ts"),
}
"""Columns the generators fill, in their order (``processing_restricted`` keeps its default)."""


ROWS_PER_CUSTOMER = {"regular": 33, "whale": 14_007}
"""Rows one customer brings on average (address, customer, orders, items, cards, logins)."""

CHUNK_ROWS = 50_000
"""Rows between two progress reports: progress costs nothing per row."""


class BuildProgress(Protocol):
    """What :func:`build` and :func:`add_whales` tell while they work."""

    def phase(self, name: str) -> None:
        """A phase starts: ``create``, ``load``, ``index`` or ``analyze``."""

    def rows(self, table: str, count: int) -> None:
        """``count`` more rows of ``table`` go to the database (once per chunk)."""


@dataclass(frozen=True)
class BuildReport:
    """What a build loaded: rows per table and the seconds each phase took."""

    rows: dict[str, int]
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        """Rows over all tables."""
        return sum(self.rows.values())


@dataclass(frozen=True)
class Whale:
    """A heavy customer added by :func:`add_whales`."""

    id: int
    email: str


def shop_programme_path() -> Path:
    """The folder of the shop programme (YAML shipped with the package)."""
    return Path(str(files("tutela.testing") / "shop"))


def build(
    url: str, customers: int = 1_000, seed: int = 1, *, progress: BuildProgress | None = None
) -> BuildReport:
    """Create the shop schema in the empty database at ``url`` and load ``customers`` people.

    ~5 orders of ~3 items, ~1 card and 10 login events per customer; the same
    ``seed`` gives the same rows. Raises ValueError if a shop table exists.
    ``progress`` is told each phase and each chunk of :data:`CHUNK_ROWS` rows.
    """
    if customers < 0:
        raise ValueError("customers must be 0 or more")
    engine = shopload.engine_for(url)
    try:
        clock = _Clock(progress)
        clock.start("create")
        _create_tables(engine)
        clock.start("load")
        rows = ShopRows(Pools.make(seed), Span(range(1, customers + 1)), REGULAR)
        counts = shopload.load(engine, LOADED_COLUMNS, _reporting(rows.table, progress))
        clock.start("index")
        _add_indexes_and_keys(engine)
        clock.start("analyze")
        shopload.after_load(engine, TABLES)
        clock.start(None)
        return BuildReport(counts, clock.laps)
    finally:
        engine.dispose()


def add_whales(
    url: str, count: int, seed: int = 1, *, progress: BuildProgress | None = None
) -> list[Whale]:
    """Add ``count`` customers with 10,000 logins, 1,000 orders, 3,000 items and 5 cards each.

    New ids follow the largest existing ones; returns the whales' ids and e-mails.
    """
    engine = shopload.engine_for(url)
    try:
        clock = _Clock(progress)
        clock.start("load")
        span = _next_span(engine, count)
        rows = ShopRows(Pools.make(seed), span, WHALE)
        shopload.load(engine, LOADED_COLUMNS, _reporting(rows.table, progress))
        clock.start("analyze")
        shopload.after_load(engine, TABLES)
        return [Whale(id=c, email=rows.person(c)[0]) for c in span.customers]
    finally:
        engine.dispose()


TableRows = Callable[[str], Iterator[RowTuple]]


def _reporting(rows: TableRows, progress: BuildProgress | None) -> TableRows:
    """``rows``, telling ``progress`` once per chunk; ``rows`` itself when nobody listens.

    Rows still flow one by one (``chain`` in C), so the loaders stream as before.
    """
    if progress is None:
        return rows
    listener = progress

    def table(name: str) -> Iterator[RowTuple]:
        return chain.from_iterable(_chunks(name, rows(name), listener))

    return table


def _chunks(
    name: str, rows: Iterator[RowTuple], progress: BuildProgress
) -> Iterator[list[RowTuple]]:
    while chunk := list(islice(rows, CHUNK_ROWS)):
        progress.rows(name, len(chunk))
        yield chunk


def _create_tables(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        existing = set(sa.inspect(connection).get_table_names()) & {t.name for t in TABLES}
        if existing:
            raise ValueError(f"the database already holds shop tables: {sorted(existing)}")
        keep_keys: list[sa.ForeignKeyConstraint] | None = (
            None if engine.dialect.name == "sqlite" else []
        )
        for table in TABLES:
            connection.execute(
                sa.schema.CreateTable(table, include_foreign_key_constraints=keep_keys)
            )


LOWER_EMAIL_INDEX = "CREATE INDEX IF NOT EXISTS ix_customer_email_lower ON customer (lower(email))"
"""PostgreSQL and SQLite: the index a case-insensitive e-mail lookup uses (docs/connectors.md).

MariaDB needs none: its default collation already ignores case, so the plain index serves."""


def ensure_lookup_indexes(url: str) -> None:
    """Add :data:`LOWER_EMAIL_INDEX` to a shop built before it existed (a no-op if there)."""
    engine = shopload.engine_for(url)
    try:
        if engine.dialect.name in ("postgresql", "sqlite"):
            with engine.begin() as connection:
                connection.execute(sa.text(LOWER_EMAIL_INDEX))
    finally:
        engine.dispose()


def _add_indexes_and_keys(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        shopload.relax_checks(connection)
        for table in TABLES:
            for index in sorted(table.indexes, key=lambda index: str(index.name)):
                connection.execute(sa.schema.CreateIndex(index))
        if engine.dialect.name in ("postgresql", "sqlite"):
            connection.execute(sa.text(LOWER_EMAIL_INDEX))
        if engine.dialect.name != "sqlite":
            for table in TABLES:
                for key in table.foreign_key_constraints:
                    # isolate_from_table=False: leave the shared Table able to create
                    # its keys inline later (a SQLite build in the same process).
                    connection.execute(sa.schema.AddConstraint(key, isolate_from_table=False))
        shopload.restore_checks(connection)


def _next_span(engine: sa.Engine, count: int) -> Span:
    with engine.connect() as connection:
        tops = [
            connection.execute(sa.select(sa.func.coalesce(sa.func.max(t.c.id), 0))).scalar_one()
            for t in (customer, orders, order_item, payment_card, login_event)
        ]
    first = int(tops[0]) + 1
    return Span(range(first, first + count), *(int(top) + 1 for top in tops[1:]))


class _Clock:
    """Seconds per phase; tells ``progress`` when a phase starts."""

    def __init__(self, progress: BuildProgress | None) -> None:
        self.laps: dict[str, float] = {}
        self._progress = progress
        self._phase: str | None = None
        self._started = time.perf_counter()

    def start(self, phase: str | None) -> None:
        """End the running phase (its seconds go to ``laps``) and start ``phase``, if any."""
        now = time.perf_counter()
        if self._phase is not None:
            self.laps[self._phase] = round(now - self._started, 2)
        self._phase, self._started = phase, now
        if phase is not None and self._progress is not None:
            self._progress.phase(phase)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tutela.testing.shopdb``: build a shop database and print what it holds."""
    parser = argparse.ArgumentParser(prog="python -m tutela.testing.shopdb", description=__doc__)
    parser.add_argument("--url", required=True, help="database URL (empty database)")
    parser.add_argument("--customers", type=int, default=1_000)
    parser.add_argument("--whales", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args(argv)
    try:
        with _progress(options.customers, options.whales) as progress:
            report = build(options.url, options.customers, options.seed, progress=progress)
            whales = (
                add_whales(options.url, options.whales, options.seed, progress=progress)
                if options.whales
                else []
            )
    except (ValueError, sa.exc.SQLAlchemyError) as error:
        sys.stderr.write(f"error: {_first_line(error)}\n")
        return 1
    for line in _report_lines(options.url, report, whales):
        sys.stdout.write(line + "\n")
    return 0


def _progress(customers: int, whales: int) -> AbstractContextManager[BuildProgress | None]:
    """A progress bar on stderr when stderr is a terminal; nothing otherwise (logs, CI)."""
    if not sys.stderr.isatty():
        return nullcontext()
    from tutela.testing.shopprogress import TerminalProgress

    expected = customers * ROWS_PER_CUSTOMER["regular"] + whales * ROWS_PER_CUSTOMER["whale"]
    return TerminalProgress(expected)


def _report_lines(url: str, report: BuildReport, whales: list[Whale]) -> Iterator[str]:
    yield f"shop database at {shopload.safe_url(url)}"
    for name, rows in report.rows.items():
        yield f"  {name:<13} {rows:>12,} rows"
    yield f"  {'total':<13} {report.total_rows:>12,} rows"
    yield "  seconds: " + ", ".join(f"{phase} {secs}" for phase, secs in report.seconds.items())
    for whale in whales:
        yield f"  whale {whale.id}: {whale.email}"


def _first_line(error: Exception) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


if __name__ == "__main__":
    raise SystemExit(main())
