"""The real planner and executor on memory connectors: the minishop programme, no database.

The shop's tables are plain data (``memory_shop``); the store is the real SQLite
DSR store. Each test checks the rows the memory connector holds afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from minishop import CUSTOMERS, HASH_KEY, FixedClock, email, text_hash

from tutela.connectors.memory import MemoryConnector
from tutela.errors import ConnectorError, RequestError
from tutela.ports import CollectionInfo, ColumnInfo, ForeignKeyInfo, Row
from tutela.programme.models import Programme
from tutela.rights.models import BatchResult, CollectionResult, RequestType, SubjectRequest
from tutela.rights.restrictions import subject_ref
from tutela.rights.service import DsrService
from tutela.store.dsr import SqlDsrStore

TABLES = ("address", "customer", "orders", "order_item", "login_event", "warehouse")


def column(name: str, kind: str, length: int | None = None, **flags: bool) -> ColumnInfo:
    return ColumnInfo(name, kind, length=length, **flags)


def references(name: str, target: str) -> ForeignKeyInfo:
    return ForeignKeyInfo((name,), target, ("id",))


KEY = column("id", "integer", primary_key=True, nullable=False)
CATALOG = (
    CollectionInfo(
        "address", (KEY, column("street", "varchar", 100), column("city", "varchar", 60))
    ),
    CollectionInfo(
        "customer",
        (
            KEY,
            column("email", "varchar", 120, nullable=False),
            column("name", "varchar", 80),
            column("phone", "varchar", 30),
            column("address_id", "integer"),
            column("segment", "varchar", 40),
            column("processing_restricted", "boolean", nullable=False),
        ),
        (references("address_id", "address"),),
    ),
    CollectionInfo(
        "orders",
        (
            KEY,
            column("customer_id", "integer", nullable=False),
            column("total", "numeric", nullable=False),
            column("created_at", "date", nullable=False),
            column("note", "varchar", 200),
        ),
        (references("customer_id", "customer"),),
    ),
    CollectionInfo(
        "order_item",
        (
            KEY,
            column("order_id", "integer", nullable=False),
            column("product", "varchar", 50),
            column("gift_message", "varchar", 100),
        ),
        (references("order_id", "orders"),),
    ),
    CollectionInfo(
        "login_event",
        (
            column("customer_id", "integer", nullable=False),
            column("ip", "varchar", 45),
            column("at", "timestamp"),
        ),
        (references("customer_id", "customer"),),
    ),
    CollectionInfo("warehouse", (KEY, column("city", "varchar", 60))),
)
"""The minishop schema of tests/rights/conftest.py, as a catalog."""


def shop_rows(customers: int = CUSTOMERS) -> dict[str, list[Row]]:
    """The rows ``minishop.build`` writes to a database, as data."""
    ids = range(1, customers + 1)
    return {
        "address": [{"id": i, "street": f"{i} Main St", "city": "Gent"} for i in ids],
        "customer": [
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
        "orders": [
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
        "order_item": [
            {"id": i * 100 + k * 10 + j, "order_id": i * 10 + k, "product": "tea"}
            | {"gift_message": f"love {i}"}
            for i in ids
            for k in (1, 2)
            for j in (1, 2)
        ],
        "login_event": [
            {"customer_id": i, "ip": f"10.0.0.{i}", "at": datetime(2025, 2, 1 + i % 28, 8)}
            for i in ids
            for _ in (1, 2)
        ],
        "warehouse": [{"id": 1, "city": "Antwerp"}],
    }


def owner(table: str, row: Row) -> int:
    """The customer a row of ``table`` belongs to (0 for the warehouse)."""
    if table in ("address", "customer"):
        return int(row["id"])
    if table in ("orders", "login_event"):
        return int(row["customer_id"])
    return int(row["order_id"]) // 10 if table == "order_item" else 0


def rows_of(shop: MemoryConnector, customer: int) -> dict[str, list[Row]]:
    """Every row of ``customer`` per table, read directly from the memory tables."""
    return {
        table: [row for row in shop.rows(table) if owner(table, row) == customer]
        for table in TABLES
    }


def others(tables: Mapping[str, list[Row]], customers: Sequence[int]) -> dict[str, list[Row]]:
    """The rows of ``tables`` that belong to none of ``customers``."""
    return {t: [r for r in rows if owner(t, r) not in customers] for t, rows in tables.items()}


def everything(shop: MemoryConnector) -> dict[str, list[Row]]:
    return {table: shop.rows(table) for table in TABLES}


@pytest.fixture
def shop() -> MemoryConnector:
    return MemoryConnector("shop", CATALOG, rows=shop_rows())


@pytest.fixture
def service(
    programme: Programme, shop: MemoryConnector, store: SqlDsrStore
) -> Iterator[DsrService]:
    dsr = DsrService(
        programme, {"shop": shop}, store, FixedClock(), hash_key=HASH_KEY, restriction_store=store
    )
    yield dsr
    dsr.close()


def request(kind: RequestType, *identities: tuple[str, str], **changes: str) -> SubjectRequest:
    return SubjectRequest(kind, identities, tuple(changes.items()))


def found(result: BatchResult, index: int = 0) -> dict[str, CollectionResult]:
    return {c.collection: c for c in result.results[index].collections}


# --- access (AC) -----------------------------------------------------------------------------


def test_AC_1_access_answers_with_exactly_the_subjects_rows(
    service: DsrService, shop: MemoryConnector
) -> None:
    before = everything(shop)
    result = service.run([request("access", ("email", email(2)))])
    answer = found(result)
    assert result.results[0].found is True
    stored = rows_of(shop, 2)
    assert answer["shop.customer"].rows == (stored["customer"][0],)  # every column
    assert answer["shop.address"].rows == ({"id": 2, "street": "2 Main St", "city": "Gent"},)
    assert sorted(r["id"] for r in answer["shop.orders"].rows) == [21, 22]
    assert {r["total"] for r in answer["shop.orders"].rows} == {Decimal("21.50"), Decimal("22.50")}
    assert sorted(r["order_id"] for r in answer["shop.order_item"].rows) == [21, 21, 22, 22]
    assert [r["ip"] for r in answer["shop.login_event"].rows] == ["10.0.0.2", "10.0.0.2"]
    assert "shop.warehouse" not in answer
    assert everything(shop) == before


def test_AC_2_access_labels_each_field_with_its_categories_and_purposes(
    service: DsrService,
) -> None:
    result = service.run([request("access", ("customer_id", "1"))])
    labels = found(result)["shop.customer"].labels
    assert labels["email"]["categories"] == ["user.contact.email"]
    assert {"account", "marketing"} <= set(labels["email"]["purposes"])
    assert "tax_records" in found(result)["shop.orders"].labels["total"]["purposes"]


@pytest.mark.parametrize(
    "identity",
    [
        ("email", "' OR '1'='1"),
        ("email", "%"),
        ("customer_id", "1 OR 1=1"),
    ],
)
def test_AC_1_identities_that_are_not_exact_values_find_nothing(
    service: DsrService, shop: MemoryConnector, identity: tuple[str, str]
) -> None:
    before = everything(shop)
    for kind in ("access", "erasure"):
        result = service.run([request(kind, identity)])  # type: ignore[arg-type]
        assert result.results[0].found is False
    assert everything(shop) == before


def test_AC_1_plan_shows_the_memory_statements_without_identity_values(
    service: DsrService,
) -> None:
    plan, statements = service.plan([request("erasure", ("email", email(1)))])
    assert plan.type == "erasure"
    text = "\n".join(line for lines in statements.values() for line in lines)
    assert "SELECT" in text and "DELETE FROM login_event WHERE customer_id IN (<1 key>)" in text
    assert email(1) not in text


# --- erasure (ER) ----------------------------------------------------------------------------


def expected_hash(value: str) -> str:
    """The hash of customer.email in its own domain (derived from HASH_KEY)."""
    return text_hash(HASH_KEY, "column/shop/shop.customer/email", value, 120)


def test_ER_1_erasure_masks_the_subjects_fields_and_deletes_its_events(
    service: DsrService, shop: MemoryConnector
) -> None:
    untouched = others(everything(shop), [2])
    result = service.run([request("erasure", ("email", email(2)))])
    assert result.results[0].found is True
    erased = rows_of(shop, 2)
    [customer] = erased["customer"]
    assert customer["email"] == expected_hash(email(2))
    assert customer["name"] == "REDACTED" and customer["segment"] is None
    assert customer["phone"] != "+32470000002" and len(customer["phone"]) == 12
    assert customer["address_id"] == 2 and customer["processing_restricted"] is False
    assert erased["address"] == [{"id": 2, "street": None, "city": None}]
    assert erased["login_event"] == []
    assert [o["note"] for o in erased["orders"]] == [None, None]
    assert [i["gift_message"] for i in erased["order_item"]] == [None] * 4
    assert result.counts["shop.login_event"] == 2 and result.counts["shop.order_item"] == 4
    assert others(everything(shop), [2]) == untouched


def test_ER_2_fields_kept_under_a_legal_obligation_keep_their_values_and_end_date(
    service: DsrService, shop: MemoryConnector, store: SqlDsrStore
) -> None:
    before = rows_of(shop, 4)["orders"]
    result = service.run([request("erasure", ("customer_id", "4"))])
    retained = {(r.collection, r.field): r for r in result.results[0].retained}
    total = retained[("shop.orders", "total")]
    assert total.purpose == "tax_records" and total.basis == "legal_obligation"
    assert total.until == datetime(2036, 3, 2, 9, 0, tzinfo=UTC)
    assert ("shop.orders", "created_at") in retained
    after = rows_of(shop, 4)["orders"]
    kept = [(o["id"], o["total"], o["created_at"]) for o in after]
    assert kept == [(o["id"], o["total"], o["created_at"]) for o in before]
    assert [o["note"] for o in after] == [None, None]
    recorded = store.restrictions("customer_id", subject_ref("customer_id", "4", HASH_KEY))
    assert {(r.collection, r.field) for r in recorded} == {
        ("shop.orders", "total"),
        ("shop.orders", "created_at"),
    }
    assert all(r.allowed == ("storage", "tax_records") for r in recorded)


class FailingShop:
    """The memory connector, failing right after it wrote its ``fail_on``-th collection."""

    def __init__(self, inner: MemoryConnector, fail_on: int) -> None:
        self.inner, self.fail_on, self.name = inner, fail_on, inner.name
        self.written: list[str] = []

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.inner, attribute)

    def _wrote(self, collection: str, rows: int) -> int:
        self.written.append(collection)
        if len(self.written) == self.fail_on:
            raise ConnectorError("injected failure", system=self.name, retryable=True)
        return rows

    def update(self, collection: str, match: Mapping[str, Any], values: Mapping[str, Any]) -> int:
        return self._wrote(collection, self.inner.update(collection, match, values))

    def update_rows(self, collection: str, key: str, rows: Sequence[Mapping[str, Any]]) -> int:
        return self._wrote(collection, self.inner.update_rows(collection, key, rows))

    def delete(self, collection: str, match: Mapping[str, Any]) -> int:
        return self._wrote(collection, self.inner.delete(collection, match))


@pytest.mark.parametrize("fail_on", [1, 3, 5])
def test_ER_1_a_failed_batch_rolls_the_memory_tables_back_and_resumes(
    programme: Programme, shop: MemoryConnector, store: SqlDsrStore, fail_on: int
) -> None:
    before = everything(shop)
    requests = [request("erasure", ("email", email(i))) for i in (3, 5)]
    failing = DsrService(
        programme, {"shop": FailingShop(shop, fail_on)}, store, FixedClock(), hash_key=HASH_KEY
    )
    with pytest.raises(ConnectorError, match="injected"):
        failing.run(requests)
    assert everything(shop) == before  # the system's one transaction: all or nothing
    DsrService(programme, {"shop": shop}, store, FixedClock(), hash_key=HASH_KEY).run(requests)
    for i in (3, 5):
        assert rows_of(shop, i)["customer"][0]["email"] == expected_hash(email(i))
        assert rows_of(shop, i)["login_event"] == []
    assert others(everything(shop), [3, 5]) == others(before, [3, 5])


def test_ER_1_dry_run_counts_the_rows_and_changes_nothing(
    service: DsrService, shop: MemoryConnector, store: SqlDsrStore
) -> None:
    before = everything(shop)
    result = service.run([request("erasure", ("email", email(6)))], dry_run=True)
    assert result.dry_run is True
    assert result.counts == {
        "shop.customer": 1,
        "shop.address": 1,
        "shop.login_event": 2,
        "shop.orders": 2,
        "shop.order_item": 4,
    }
    assert everything(shop) == before
    assert store.checkpoints(result.batch_id) == {}


# --- rectification (RE), restriction (RS), portability (PO) ----------------------------------


def test_RE_1_rectification_sets_only_the_given_field(
    service: DsrService, shop: MemoryConnector
) -> None:
    untouched = others(everything(shop), [3])
    before = rows_of(shop, 3)
    service.run([request("rectification", ("customer_id", "3"), **{"customer.name": "Ann O'Hara"})])
    after = rows_of(shop, 3)
    assert after["customer"] == [{**before["customer"][0], "name": "Ann O'Hara"}]
    assert {t: r for t, r in after.items() if t != "customer"} == {
        t: r for t, r in before.items() if t != "customer"
    }
    assert others(everything(shop), [3]) == untouched


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"customer.phone": "x" * 31}, "value longer than 30 characters"),
        ({"orders.note": "x" * 201}, "value longer than 200 characters"),
        ({"address.city": "Gent\x00"}, "contains a NUL character"),
    ],
)
def test_RE_1_values_that_do_not_fit_the_memory_catalog_are_refused_before_any_write(
    service: DsrService, shop: MemoryConnector, change: dict[str, str], expected: str
) -> None:
    before = everything(shop)
    good = request("rectification", ("customer_id", "2"), **{"customer.name": "Fine"})
    bad = request("rectification", ("customer_id", "3"), **{"customer.name": "Fine", **change})
    with pytest.raises(RequestError, match=expected):
        service.run([good, bad])
    assert everything(shop) == before


def test_RS_1_restriction_sets_the_flag_and_records_the_subject(
    service: DsrService, shop: MemoryConnector, store: SqlDsrStore
) -> None:
    untouched = others(everything(shop), [4])
    result = service.run([request("restriction", ("email", email(4)))])
    assert rows_of(shop, 4)["customer"][0]["processing_restricted"] is True
    assert others(everything(shop), [4]) == untouched
    [recorded] = store.restrictions("email", subject_ref("email", email(4), HASH_KEY))
    assert recorded.field == "" and "legal_claims" in recorded.allowed
    assert "marketing" not in recorded.allowed
    assert "storage" in result.results[0].restricted_purposes
    assert service.restrictions("email", email(4)) == [recorded]


def test_PO_2_portability_has_only_provided_and_observed_data(
    service: DsrService, shop: MemoryConnector
) -> None:
    before = everything(shop)
    result = service.run([request("portability", ("customer_id", "2"))])
    answer = found(result)
    [customer] = answer["shop.customer"].rows
    assert customer["email"] == email(2) and customer["phone"] == "+32470000002"
    assert "segment" not in customer  # from a third party (PO-2)
    assert "shop.login_event" not in answer  # held on legitimate interests (PO-1)
    assert [r["note"] for r in answer["shop.orders"].rows] == ["leave at door 2"] * 2
    assert everything(shop) == before  # PO-4: portability erases nothing
