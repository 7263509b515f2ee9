"""The executor on real SQLite, PostgreSQL and MariaDB databases (minishop schema)."""

from __future__ import annotations

import gc
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from minishop import (
    CUSTOMERS,
    HASH_KEY,
    FixedClock,
    checksums,
    email,
    rows_of,
    subject_keys,
    text_hash,
)

from tutela.connectors.sql import SqlConnector
from tutela.errors import ConnectorError, RequestError, StoreError
from tutela.programme.models import Programme
from tutela.rights.executor import Options, execute_batch
from tutela.rights.models import BatchResult, RequestType, SubjectRequest
from tutela.rights.restrictions import subject_ref
from tutela.store.dsr import SqlDsrStore


def request(kind: RequestType, *identities: tuple[str, str], **changes: str) -> SubjectRequest:
    sets = tuple((target.replace("__", "."), value) for target, value in changes.items())
    return SubjectRequest(kind, identities, sets)


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


def by_collection(result: BatchResult, index: int = 0) -> dict[str, Any]:
    return {c.collection: c for c in result.results[index].collections}


# --- access --------------------------------------------------------------------------------


def test_AC_1_access_returns_exactly_the_subjects_rows(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore, shop_url: str
) -> None:
    result = run(programme, shop, store, [request("access", ("email", email(2)))])
    answer = result.results[0]
    found = by_collection(result)
    assert answer.found is True
    customer = rows_of(shop_url, "customer", "email = :e", e=email(2))[0]
    assert found["shop.customer"].rows == (customer,)  # every column (AC-1)
    orders = rows_of(shop_url, "orders", "customer_id = 2")
    assert sorted(r["id"] for r in found["shop.orders"].rows) == sorted(r["id"] for r in orders)
    assert {r["order_id"] for r in found["shop.order_item"].rows} == {21, 22}
    assert len(found["shop.login_event"].rows) == 2
    assert [r["id"] for r in found["shop.address"].rows] == [2]
    assert "shop.warehouse" not in found


def test_AC_2_access_labels_fields_with_categories_and_purposes(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore
) -> None:
    result = run(programme, shop, store, [request("access", ("customer_id", "1"))])
    labels = by_collection(result)["shop.customer"].labels
    assert labels["email"]["categories"] == ["user.contact.email"]
    assert {"account", "marketing"} <= set(labels["email"]["purposes"])
    assert "tax_records" in by_collection(result)["shop.orders"].labels["total"]["purposes"]
    assert labels["processing_restricted"]["categories"] == []  # shown, not personal-labelled


def test_AC_1_batch_groups_results_per_request(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore
) -> None:
    requests = [request("access", ("email", email(i))) for i in (1, 3, 5)]
    result = run(programme, shop, store, requests)
    for answer in result.results:
        wanted = int(dict(answer.request.identities)["email"].split("@")[0][-1])
        found = {c.collection: c for c in answer.collections}
        assert [r["id"] for r in found["shop.customer"].rows] == [wanted]
        assert {r["customer_id"] for r in found["shop.orders"].rows} == {wanted}
        assert {r["order_id"] // 10 for r in found["shop.order_item"].rows} == {wanted}


def test_AC_1_unknown_identity_is_an_empty_answer(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore
) -> None:
    result = run(programme, shop, store, [request("access", ("email", "nobody@example.test"))])
    assert result.results[0].found is False
    assert result.results[0].collections == ()


@pytest.mark.parametrize(
    "identity",
    [
        ("email", "' OR '1'='1"),
        ("email", "%"),
        ("email", "user1@example.test' --"),
        ("email", "*"),
        ("customer_id", "1 OR 1=1"),
        ("customer_id", "1; DROP TABLE customer"),
        ("email", "\x00"),
    ],
)
def test_AC_1_sql_metacharacter_identities_are_inert(
    programme: Programme,
    shop: SqlConnector,
    store: SqlDsrStore,
    shop_url: str,
    identity: tuple[str, str],
) -> None:
    before = checksums(shop_url)
    for kind in ("access", "erasure"):
        result = run(programme, shop, store, [request(kind, identity)])  # type: ignore[arg-type]
        assert result.results[0].found is False
    assert checksums(shop_url) == before


def test_AC_1_identity_with_a_quote_is_found_exactly(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore
) -> None:
    result = run(programme, shop, store, [request("access", ("email", "o'hara3@example.test"))])
    assert [r["id"] for r in by_collection(result)["shop.customer"].rows] == [3]


# --- erasure -------------------------------------------------------------------------------


def expected_hash(value: str, length: int = 120) -> str:
    """The hash of customer.email in its own domain (derived from HASH_KEY)."""
    return text_hash(HASH_KEY, "column/shop/shop.customer/email", value, length)


def assert_erased(url: str, i: int) -> None:
    """The state an uninterrupted erasure of customer ``i`` leaves (random phone aside)."""
    customer = rows_of(url, "customer", f"id = {i}")[0]
    assert customer["email"] == expected_hash(email(i))
    assert customer["name"] == "REDACTED"
    assert customer["segment"] is None
    assert customer["phone"] != f"+3247000{i:04d}" and len(customer["phone"]) == 12
    assert customer["address_id"] == i
    assert rows_of(url, "address", f"id = {i}")[0]["street"] is None
    assert rows_of(url, "login_event", f"customer_id = {i}") == []
    orders = rows_of(url, "orders", f"customer_id = {i}")
    assert [o["note"] for o in orders] == [None, None]
    assert sorted(Decimal(str(o["total"])) for o in orders) == [
        Decimal(f"{i}1.50"),
        Decimal(f"{i}2.50"),
    ]
    items = rows_of(url, "order_item", f"order_id IN ({i}1, {i}2)")
    assert [item["gift_message"] for item in items] == [None] * 4


def test_ER_1_erasure_changes_only_the_subjects_personal_fields(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore, shop_url: str
) -> None:
    before = checksums(shop_url, excluding=subject_keys(2))
    result = run(programme, shop, store, [request("erasure", ("email", email(2)))])
    assert result.results[0].found is True
    assert checksums(shop_url, excluding=subject_keys(2)) == before
    assert_erased(shop_url, 2)


def test_ER_2_tax_fields_retained_with_end_date(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore, shop_url: str
) -> None:
    result = run(programme, shop, store, [request("erasure", ("customer_id", "4"))])
    retained = {(r.collection, r.field): r for r in result.results[0].retained}
    total = retained[("shop.orders", "total")]
    assert total.purpose == "tax_records" and total.basis == "legal_obligation"
    assert total.until == datetime(2036, 3, 2, 9, 0, tzinfo=UTC)
    assert ("shop.orders", "created_at") in retained
    kept = store.restrictions("customer_id", subject_ref("customer_id", "4", HASH_KEY))
    assert {(r.collection, r.field) for r in kept} == {
        ("shop.orders", "total"),
        ("shop.orders", "created_at"),
    }
    assert all(r.allowed == ("storage", "tax_records") for r in kept)
    assert len(rows_of(shop_url, "orders", "customer_id = 4")) == 2


def test_ER_1_a_rerun_is_a_new_batch_that_replays_nothing_and_never_hashes_a_hash(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore, shop_url: str
) -> None:
    requests = [request("erasure", ("email", email(1)), ("customer_id", "1"))]
    first = run(programme, shop, store, requests)
    after_first = checksums(shop_url, excluding={"customer": {1}})
    erased = rows_of(shop_url, "customer", "id = 1")[0]
    second = run(programme, shop, store, requests)
    assert second.batch_id != first.batch_id
    assert second.resumed == () and second.resumed_from is None
    again = rows_of(shop_url, "customer", "id = 1")[0]
    assert again["email"] == erased["email"]  # found by id, yet the hash is not hashed again
    assert again["name"] == erased["name"]
    assert checksums(shop_url, excluding={"customer": {1}}) == after_first
    assert_erased(shop_url, 1)


def test_ER_1_a_finished_batch_cannot_be_resumed(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore
) -> None:
    requests = [request("erasure", ("email", email(1)))]
    first = run(programme, shop, store, requests)
    with pytest.raises(RequestError, match="is finished; nothing to resume"):
        run(programme, shop, store, requests, resume=first.batch_id)
    with pytest.raises(RequestError, match="no batch nope"):
        run(programme, shop, store, requests, resume="nope")


class FailingConnector:
    """The real connector, raising inside the transaction of the Nth collection it writes."""

    def __init__(self, inner: SqlConnector, fail_on: int) -> None:
        self.inner, self.fail_on, self.name = inner, fail_on, inner.name
        self.written: list[str] = []

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.inner, attribute)

    def _after_write(self, collection: str) -> None:
        if collection not in self.written:
            self.written.append(collection)
        if len(self.written) == self.fail_on:
            raise ConnectorError("injected failure", system=self.name, retryable=True)

    def update(self, collection: str, match: Mapping[str, Any], values: Mapping[str, Any]) -> int:
        changed = self.inner.update(collection, match, values)
        self._after_write(collection)
        return changed

    def update_rows(self, collection: str, key: str, rows: Sequence[Mapping[str, Any]]) -> int:
        changed = self.inner.update_rows(collection, key, rows)
        self._after_write(collection)
        return changed

    def delete(self, collection: str, match: Mapping[str, Any]) -> int:
        deleted = self.inner.delete(collection, match)
        self._after_write(collection)
        return deleted


@pytest.mark.parametrize("fail_on", [1, 3, 5])
def test_ER_1_killed_batch_resumes_to_the_uninterrupted_state(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore, shop_url: str, fail_on: int
) -> None:
    subjects = (2, 5)
    requests = [request("erasure", ("email", email(i))) for i in subjects]
    others = {
        name: set().union(*(subject_keys(i)[name] for i in subjects)) for name in subject_keys(2)
    }
    before = checksums(shop_url, excluding=others)
    untouched = checksums(shop_url)
    with pytest.raises(ConnectorError, match="injected") as raised:
        run(programme, FailingConnector(shop, fail_on), store, requests)
    assert checksums(shop_url) == untouched  # one transaction per system: all or nothing
    assert raised.value.batch is not None
    with pytest.raises(RequestError, match="not batch"):
        run(programme, shop, store, requests[:1], resume=raised.value.batch)
    resumed = run(programme, shop, store, requests, resume=raised.value.batch)
    assert resumed.batch_id == raised.value.batch and resumed.resumed == ()
    assert resumed.resumed_from is not None
    for i in subjects:
        assert_erased(shop_url, i)
    assert checksums(shop_url, excluding=others) == before


class CrashBeforeCheckpoint:
    """The real store, killed after a system's transaction committed, before its checkpoints."""

    def __init__(self, inner: SqlDsrStore) -> None:
        self.inner = inner

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.inner, attribute)

    def save_checkpoints(
        self, batch_id: str, steps: Mapping[str, Any], *args: Any, **kw: Any
    ) -> None:
        if any(name.startswith("act:") for name in steps):
            raise StoreError("killed between the commit and its checkpoints")
        self.inner.save_checkpoints(batch_id, steps, *args, **kw)


def test_ER_1_batch_killed_after_commit_reapplies_stored_values_once(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore, shop_url: str
) -> None:
    subjects = (3, 6)
    requests = [request("erasure", ("email", email(i))) for i in subjects]
    others = {
        name: set().union(*(subject_keys(i)[name] for i in subjects)) for name in subject_keys(3)
    }
    before = checksums(shop_url, excluding=others)
    with pytest.raises(StoreError, match="killed") as raised:
        run(programme, shop, CrashBeforeCheckpoint(store), requests)  # type: ignore[arg-type]
    committed = checksums(shop_url)
    assert raised.value.batch is not None
    resumed = run(programme, shop, store, requests, resume=raised.value.batch)
    assert resumed.resumed  # found as written: nothing applied twice
    assert resumed.counts == {  # counted as the lost run changed them (not 0)
        "shop.order_item": 8,
        "shop.orders": 4,
        "shop.login_event": 4,
        "shop.address": 2,
        "shop.customer": 2,
    }
    assert checksums(shop_url) == committed  # no double masking
    for i in subjects:
        assert_erased(shop_url, i)  # e-mail hashed exactly once
        kept = store.restrictions("email", subject_ref("email", email(i), HASH_KEY))
        assert sorted(r.field for r in kept) == ["created_at", "total"]  # recorded once
    assert checksums(shop_url, excluding=others) == before
    assert store.batch(resumed.batch_id).status == "done"  # type: ignore[union-attr]


def test_ER_1_dry_run_changes_nothing(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore, shop_url: str
) -> None:
    before = checksums(shop_url)
    result = run(programme, shop, store, [request("erasure", ("email", email(6)))], dry_run=True)
    assert result.dry_run is True
    assert result.counts == {
        "shop.customer": 1,
        "shop.address": 1,
        "shop.login_event": 2,
        "shop.orders": 2,
        "shop.order_item": 4,
    }
    assert checksums(shop_url) == before
    assert store.checkpoints(result.batch_id) == {}


# --- rectification, restriction, portability ---------------------------------------------


def test_RE_1_rectification_sets_the_given_fields(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore, shop_url: str
) -> None:
    before = checksums(shop_url, excluding={"customer": {3}})
    rectify = request("rectification", ("customer_id", "3"), customer__name="Ann O'Hara")
    run(programme, shop, store, [rectify])
    assert rows_of(shop_url, "customer", "id = 3")[0]["name"] == "Ann O'Hara"
    assert checksums(shop_url, excluding={"customer": {3}}) == before


@pytest.mark.parametrize(
    "change",
    [{"customer__phone": "x" * 31}, {"orders__note": "x" * 201}, {"address__city": "x" * 61}],
)
def test_RE_1_invalid_values_are_rejected_before_anything_is_written(
    programme: Programme,
    shop: SqlConnector,
    store: SqlDsrStore,
    shop_url: str,
    change: dict[str, str],
) -> None:
    before = checksums(shop_url)
    good = request("rectification", ("customer_id", "2"), customer__name="Fine")
    bad = request("rectification", ("customer_id", "3"), customer__name="Fine", **change)
    with pytest.raises(RequestError):
        run(programme, shop, store, [good, bad])
    assert checksums(shop_url) == before


def test_RS_1_restriction_flags_rows_and_records_the_subject(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore, shop_url: str
) -> None:
    before = checksums(shop_url, excluding={"customer": {4}})
    result = run(programme, shop, store, [request("restriction", ("email", email(4)))])
    assert bool(rows_of(shop_url, "customer", "id = 4")[0]["processing_restricted"]) is True
    assert checksums(shop_url, excluding={"customer": {4}}) == before
    recorded = store.restrictions("email", subject_ref("email", email(4), HASH_KEY))
    assert len(recorded) == 1 and recorded[0].field == ""
    assert "legal_claims" in recorded[0].allowed and "marketing" not in recorded[0].allowed
    assert "storage" in result.results[0].restricted_purposes


def test_PO_2_portability_has_only_provided_and_observed_data(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore, shop_url: str
) -> None:
    before = checksums(shop_url)
    result = run(programme, shop, store, [request("portability", ("customer_id", "2"))])
    found = by_collection(result)
    assert "segment" not in found["shop.customer"].rows[0]
    assert found["shop.customer"].rows[0]["email"] == email(2)
    assert "shop.login_event" not in found
    assert checksums(shop_url) == before


def test_batch_sends_one_fetch_per_collection_for_many_requests(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore
) -> None:
    calls: list[str] = []

    class Counting(FailingConnector):
        def fetch(self, collection: str, match: Any, columns: Any) -> Any:
            calls.append(collection)
            return self.inner.fetch(collection, match, columns)

    requests = [request("erasure", ("email", email(i))) for i in range(1, CUSTOMERS + 1)]
    run(programme, Counting(shop, fail_on=0), store, requests)
    assert sorted(calls) == sorted(["customer", "address", "orders", "order_item", "login_event"])


def test_AC_1_an_access_after_an_erasure_answers_from_the_data_never_from_the_store(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore, shop_url: str
) -> None:
    class FailingFetch(FailingConnector):
        def fetch(self, collection: str, match: Any, columns: Any) -> Any:
            if collection == "orders":
                raise ConnectorError("injected failure", system=self.name, retryable=True)
            return self.inner.fetch(collection, match, columns)

    requests = [request("access", ("email", email(6)))]
    with pytest.raises(ConnectorError):
        run(programme, FailingFetch(shop, fail_on=0), store, requests)
    first = run(programme, shop, store, requests)
    assert by_collection(first)["shop.customer"].rows[0]["name"] == "Name 6"
    run(programme, shop, store, [request("erasure", ("email", email(6)))])
    again = run(programme, shop, store, requests)
    assert again.batch_id != first.batch_id
    assert [answer.found for answer in again.results] == [False]  # the e-mail is erased
    assert store.checkpoints(first.batch_id) == {}  # answers were not kept


def test_a_batch_leaves_the_garbage_collector_on_even_when_it_fails(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore
) -> None:
    assert gc.isenabled()
    run(programme, shop, store, [request("access", ("email", email(1)))])
    assert gc.isenabled()
    with pytest.raises(ConnectorError):
        run(programme, FailingConnector(shop, 1), store, [request("erasure", ("email", email(1)))])
    assert gc.isenabled()
