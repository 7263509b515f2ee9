"""The executor on the shop test database and shop programme (tutela.testing.shopdb)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from minishop import HASH_KEY, FailOnSecondWrite, FixedClock, text_hash

from tutela.connectors.sql import SqlConnector
from tutela.errors import ConnectorError
from tutela.programme.durations import Duration
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.rights.executor import Options, execute_batch
from tutela.rights.models import BatchResult, RequestType, SubjectRequest
from tutela.rights.restrictions import subject_ref
from tutela.rights.service import DsrService
from tutela.store.dsr import SqlDsrStore
from tutela.testing import shopdb

CHILDREN = ("orders", "payment_card", "login_event")


@pytest.fixture
def shop_db(database_url: str) -> str:
    shopdb.build(database_url, customers=20, seed=7)
    return database_url


@pytest.fixture
def connector(shop_db: str) -> Iterator[SqlConnector]:
    opened = SqlConnector("shop", shop_db)
    yield opened
    opened.close()


@pytest.fixture
def shop_programme() -> Programme:
    return load_programme(shopdb.shop_programme_path())


def query(url: str, sql: str, **params: Any) -> list[dict[str, Any]]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = [dict(r._mapping) for r in connection.execute(sa.text(sql), params)]
    engine.dispose()
    return rows


def subject(url: str, customer_id: int) -> dict[str, set[int]]:
    """Ids of every row of the customer, per table, by direct SQL."""
    (person,) = query(url, "SELECT * FROM customer WHERE id = :c", c=customer_id)
    ids = {"customer": {customer_id}, "address": {person["address_id"]}}
    for table in CHILDREN:
        ids[table] = {
            r["id"]
            for r in query(url, f"SELECT id FROM {table} WHERE customer_id = :c", c=customer_id)
        }
    orders = ",".join(map(str, ids["orders"])) or "0"
    ids["order_item"] = {
        r["id"] for r in query(url, f"SELECT id FROM order_item WHERE order_id IN ({orders})")
    }
    return ids


def checksums(url: str, excluding: Mapping[str, set[int]]) -> dict[str, str]:
    engine = sa.create_engine(url)
    digests = {}
    with engine.connect() as connection:
        for table in shopdb.TABLES:
            rows = connection.execute(sa.select(table).order_by(table.c.id)).all()
            kept = [tuple(r) for r in rows if r.id not in excluding.get(table.name, set())]
            digests[table.name] = hashlib.sha256(repr(kept).encode()).hexdigest()
    engine.dispose()
    return digests


def run(
    programme: Programme,
    connector: Any,
    store: SqlDsrStore,
    requests: Sequence[SubjectRequest],
    dry_run: bool = False,
    resume: str | None = None,
) -> BatchResult:
    return execute_batch(
        programme,
        requests,
        {"shop": connector},
        store,
        FixedClock(),
        dry_run,
        hash_key=HASH_KEY,
        options=Options(resume=resume),
    )


def email_of(url: str, customer_id: int) -> str:
    return str(query(url, "SELECT email FROM customer WHERE id = :c", c=customer_id)[0]["email"])


def req(kind: RequestType, name: str, value: str) -> SubjectRequest:
    return SubjectRequest(kind, ((name, value),))


def test_AC_1_shop_access_is_exactly_the_subjects_rows(
    shop_programme: Programme, connector: SqlConnector, store: SqlDsrStore, shop_db: str
) -> None:
    result = run(shop_programme, connector, store, [req("access", "email", email_of(shop_db, 7))])
    found = {c.collection.split(".")[1]: c for c in result.results[0].collections}
    expected = subject(shop_db, 7)
    for table, ids in expected.items():
        assert {row["id"] for row in found[table].rows} == ids if ids else table not in found
    (person,) = query(shop_db, "SELECT * FROM customer WHERE id = 7")
    assert found["customer"].rows[0]["email"] == person["email"]
    assert found["customer"].rows[0]["processing_restricted"] in (False, 0)  # every column


def test_ER_2_shop_erasure_keeps_tax_fields_and_changes_nothing_else(
    shop_programme: Programme, connector: SqlConnector, store: SqlDsrStore, shop_db: str
) -> None:
    ids = subject(shop_db, 9)
    before = checksums(shop_db, ids)
    orders_before = query(
        shop_db, "SELECT id, total, created_at FROM orders WHERE customer_id = 9 ORDER BY id"
    )
    original = email_of(shop_db, 9)
    result = run(shop_programme, connector, store, [req("erasure", "customer_id", "9")])
    assert checksums(shop_db, ids) == before
    (person,) = query(shop_db, "SELECT * FROM customer WHERE id = 9")
    assert person["email"] != original and len(person["email"]) == 64
    assert person["name"] == "REDACTED" and person["phone"] is None
    assert query(shop_db, "SELECT * FROM payment_card WHERE customer_id = 9") == []
    assert {
        r["ip"] for r in query(shop_db, "SELECT ip FROM login_event WHERE customer_id = 9")
    } <= {None}
    assert (
        query(shop_db, "SELECT id, total, created_at FROM orders WHERE customer_id = 9 ORDER BY id")
        == orders_before
    )
    retained = {(r.collection, r.field): r.until for r in result.results[0].retained}
    latest = max(row["created_at"] for row in orders_before)  # each order from its own date
    latest = latest if isinstance(latest, datetime) else datetime.fromisoformat(str(latest))
    ten_years = Duration.parse("10y").after(latest.replace(tzinfo=latest.tzinfo or UTC))
    assert retained[("shop_db.orders", "total")] == ten_years
    assert ("shop_db.orders", "created_at") in retained
    kept = store.restrictions(
        "customer_id", subject_ref("customer_id", "9", HASH_KEY)
    )  # orders change nothing, yet are recorded (ER-2)
    assert {(r.collection, r.field) for r in kept} == {
        ("shop_db.orders", "total"),
        ("shop_db.orders", "created_at"),
    }
    after = checksums(shop_db, {})
    run(shop_programme, connector, store, [req("erasure", "customer_id", "9")])
    assert checksums(shop_db, {}) == after


def test_ER_1_shop_killed_batch_rerun_equals_uninterrupted(
    shop_programme: Programme,
    connector: SqlConnector,
    store: SqlDsrStore,
    shop_db: str,
    tmp_path: Any,
) -> None:
    people = (3, 4)
    ids = {t: set().union(*(subject(shop_db, p)[t] for p in people)) for t in subject(shop_db, 3)}
    before = checksums(shop_db, ids)
    requests = [req("erasure", "email", email_of(shop_db, p)) for p in people]
    untouched = checksums(shop_db, {})
    with pytest.raises(ConnectorError) as raised:
        run(shop_programme, FailOnSecondWrite(connector), store, requests)
    assert checksums(shop_db, {}) == untouched  # one transaction per system: all or nothing
    resumed = run(shop_programme, connector, store, requests, resume=raised.value.batch)
    assert resumed.resumed == () and resumed.batch_id == raised.value.batch
    resumed_state = checksums(shop_db, {})
    assert checksums(shop_db, ids) == before
    domain = "column/shop/shop_db.customer/email"  # the column's own domain
    for p, request in zip(people, requests, strict=True):  # hashed exactly once
        value = request.identities[0][1]
        assert email_of(shop_db, p) == text_hash(HASH_KEY, domain, value)
    again = run(shop_programme, connector, store, requests)  # a new batch: nobody found
    assert again.batch_id != resumed.batch_id and checksums(shop_db, {}) == resumed_state
    assert not any(answer.found for answer in again.results)


def test_ER_1_shop_dry_run_changes_nothing(
    shop_programme: Programme, connector: SqlConnector, store: SqlDsrStore, shop_db: str
) -> None:
    before = checksums(shop_db, {})
    result = run(
        shop_programme, connector, store, [req("erasure", "customer_id", "5")], dry_run=True
    )
    assert result.counts["shop_db.customer"] == 1
    assert result.counts["shop_db.payment_card"] == len(subject(shop_db, 5)["payment_card"])
    assert checksums(shop_db, {}) == before


def test_plan_shows_exactly_the_writes_an_erasure_sends(
    shop_programme: Programme, postgres_url: str, store: SqlDsrStore
) -> None:
    shopdb.build(postgres_url, customers=5, seed=7)
    connector = SqlConnector("shop", postgres_url)
    service = DsrService(shop_programme, {"shop": connector}, store, FixedClock(), HASH_KEY)
    (holder,) = query(postgres_url, "SELECT min(customer_id) AS c FROM payment_card")
    requests = [req("erasure", "email", email_of(postgres_url, holder["c"]))]
    plan, texts = service.plan(requests)
    shown = [text.rstrip(";") for step in plan.steps for text in texts[step.address][1:]]
    sent: list[str] = []

    def record(_c: Any, _cursor: Any, statement: str, *_: Any) -> None:
        store = ("tutela_dsr", "tutela_restriction")
        if statement.startswith(("UPDATE", "DELETE")) and not any(t in statement for t in store):
            sent.append(statement)

    sa.event.listen(sa.Engine, "before_cursor_execute", record)
    try:
        service.run(requests)
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", record)
    assert sorted(sent) == sorted(shown)
    assert any("login_event.customer_id = ANY" in text for text in sent)  # by the link
    assert sum(text.startswith("UPDATE customer") for text in sent) == 1  # one statement
    connector.close()


def test_service_plans_each_kind_of_batch_once(
    shop_programme: Programme, connector: SqlConnector, store: SqlDsrStore
) -> None:
    service = DsrService(shop_programme, {"shop": connector}, store, FixedClock(), HASH_KEY)
    first, _ = service.plan([req("access", "email", "a@example.test")])
    again, _ = service.plan([req("access", "email", "b@example.test")])
    other, _ = service.plan([req("access", "customer_id", "3")])
    assert again is first and other is not first
