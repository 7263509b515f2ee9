"""A small shop schema on the real servers, its programme, and helpers to compare tables."""

from __future__ import annotations

import hashlib
import hmac
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tutela.connectors.sql import SqlConnector
from tutela.errors import ConnectorError
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.store.dsr import SqlDsrStore

MINISHOP = Path(__file__).parent / "fixtures" / "minishop"
HASH_KEY = b"test-hash-key-never-printed"
CUSTOMERS = 6

metadata = sa.MetaData()
address = sa.Table(
    "address",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("street", sa.String(100)),
    sa.Column("city", sa.String(60)),
)
customer = sa.Table(
    "customer",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("email", sa.String(120), nullable=False),
    sa.Column("name", sa.String(80)),
    sa.Column("phone", sa.String(30)),
    sa.Column("address_id", sa.Integer, sa.ForeignKey("address.id")),
    sa.Column("segment", sa.String(40)),
    sa.Column("processing_restricted", sa.Boolean, nullable=False, default=False),
)
orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customer.id"), nullable=False),
    sa.Column("total", sa.Numeric(10, 2), nullable=False),
    sa.Column("created_at", sa.Date, nullable=False),
    sa.Column("note", sa.String(200)),
)
order_item = sa.Table(
    "order_item",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id"), nullable=False),
    sa.Column("product", sa.String(50)),
    sa.Column("gift_message", sa.String(100)),
)
login_event = sa.Table(
    "login_event",
    metadata,
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customer.id"), nullable=False),
    sa.Column("ip", sa.String(45)),
    sa.Column("at", sa.DateTime),
)
warehouse = sa.Table(
    "warehouse",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("city", sa.String(60)),
)
TABLES = {"address": "id", "customer": "id", "orders": "id", "order_item": "id"}


def email(i: int) -> str:
    """The e-mail address of customer ``i`` (customer 3 has a quote in it)."""
    return "o'hara3@example.test" if i == 3 else f"user{i}@example.test"


def build(url: str, customers: int = CUSTOMERS) -> None:
    """Create the minishop tables at ``url`` and fill them deterministically."""
    engine = sa.create_engine(url)
    metadata.create_all(engine)
    ids = range(1, customers + 1)
    with engine.begin() as connection:
        connection.execute(
            address.insert(), [{"id": i, "street": f"{i} Main St", "city": "Gent"} for i in ids]
        )
        connection.execute(
            customer.insert(),
            [
                {
                    "id": i,
                    "email": email(i),
                    "name": f"Name {i}",
                    "phone": f"+3247000{i:04d}",
                    "address_id": i,
                    "segment": "vip",
                    "processing_restricted": False,
                }
                for i in ids
            ],
        )
        connection.execute(
            orders.insert(),
            [
                {
                    "id": i * 10 + k,
                    "customer_id": i,
                    "total": Decimal(f"{i}{k}.50"),
                    "created_at": date(2025, 1, 1 + i % 28),
                    "note": f"leave at door {i}",
                }
                for i in ids
                for k in (1, 2)
            ],
        )
        connection.execute(
            order_item.insert(),
            [
                {
                    "id": i * 100 + k * 10 + j,
                    "order_id": i * 10 + k,
                    "product": "tea",
                    "gift_message": f"love {i}",
                }
                for i in ids
                for k in (1, 2)
                for j in (1, 2)
            ],
        )
        connection.execute(
            login_event.insert(),
            [
                {"customer_id": i, "ip": f"10.0.0.{i}", "at": datetime(2025, 2, 1 + i % 28, 8)}
                for i in ids
                for _ in (1, 2)
            ],
        )
        connection.execute(warehouse.insert(), [{"id": 1, "city": "Antwerp"}])
    engine.dispose()


def subject_keys(i: int) -> dict[str, set[int]]:
    """Primary keys of customer ``i``'s rows, per table."""
    order_ids = {i * 10 + k for k in (1, 2)}
    return {
        "address": {i},
        "customer": {i},
        "orders": order_ids,
        "order_item": {o * 10 + j for o in order_ids for j in (1, 2)},
    }


def checksums(url: str, excluding: dict[str, set[int]] | None = None) -> dict[str, str]:
    """A digest per table of every row except ``excluding`` (and login events of them)."""
    excluding = excluding or {}
    engine = sa.create_engine(url)
    digests = {}
    with engine.connect() as connection:
        for name, key in TABLES.items():
            table = metadata.tables[name]
            rows = connection.execute(sa.select(table).order_by(table.c[key])).all()
            kept = [
                tuple(row) for row in rows if row._mapping[key] not in excluding.get(name, set())
            ]
            digests[name] = _digest(kept)
        events = connection.execute(
            sa.select(login_event).order_by(login_event.c.customer_id, login_event.c.at)
        ).all()
        gone = excluding.get("customer", set())
        digests["login_event"] = _digest([tuple(r) for r in events if r.customer_id not in gone])
        digests["warehouse"] = _digest(
            [tuple(r) for r in connection.execute(sa.select(warehouse)).all()]
        )
    engine.dispose()
    return digests


def _digest(rows: list[tuple[Any, ...]]) -> str:
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def rows_of(url: str, table: str, where: str, **params: Any) -> list[dict[str, Any]]:
    """Rows of ``table`` by a direct SQL query (independent of the executor)."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        found = connection.execute(sa.text(f"SELECT * FROM {table} WHERE {where}"), params)
        rows = [dict(row._mapping) for row in found]
    engine.dispose()
    return rows


@dataclass
class FixedClock:
    """A clock stopped at one instant."""

    at: datetime = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def programme() -> Programme:
    return load_programme(MINISHOP)


@pytest.fixture
def shop_url(database_url: str) -> str:
    build(database_url)
    return database_url


@pytest.fixture
def shop(shop_url: str) -> Iterator[SqlConnector]:
    connector = SqlConnector("shop", shop_url)
    yield connector
    connector.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlDsrStore]:
    dsr_store = SqlDsrStore(f"sqlite:///{tmp_path / 'tutela.sqlite'}", FixedClock())
    yield dsr_store
    dsr_store.close()


class FailOnSecondWrite:
    """The real connector, failing inside the transaction of the second collection it writes."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.name, self.written = inner, inner.name, set[str]()

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.inner, attribute)

    def _wrote(self, collection: str) -> None:
        self.written.add(collection)
        if len(self.written) == 2:
            raise ConnectorError("injected failure", system=self.name, retryable=True)

    def update(self, collection: str, match: Any, values: Any) -> int:
        count = self.inner.update(collection, match, values)
        self._wrote(collection)
        return count

    def update_rows(self, collection: str, key: str, rows: Any) -> int:
        count = self.inner.update_rows(collection, key, rows)
        self._wrote(collection)
        return count

    def delete(self, collection: str, match: Any) -> int:
        count = self.inner.delete(collection, match)
        self._wrote(collection)
        return count


def text_hash(key: bytes, domain: str, value: str, length: int = 64) -> str:
    """The ``hash`` strategy's text value, computed here from its definition (docs/dsr.md).

    HMAC-SHA256 under the domain's key (HMAC(key, ``tutela/hash/v1/`` + domain)) as
    hex, cut to the column length (at most 64), its last four characters a keyed tag
    of the rest (HMAC under the key of ``domain + "/tag"``).
    """

    def derived(name: str) -> bytes:
        return hmac.new(key, b"tutela/hash/v1/" + name.encode(), hashlib.sha256).digest()

    size = min(length, 64)
    body = hmac.new(derived(domain), value.encode(), hashlib.sha256).hexdigest()[: size - 4]
    return body + hmac.new(derived(domain + "/tag"), body.encode(), hashlib.sha256).hexdigest()[:4]


# Test modules import these helpers as ``minishop``: importlib mode adds no test folder to sys.path.
sys.modules.setdefault("minishop", sys.modules[__name__])
