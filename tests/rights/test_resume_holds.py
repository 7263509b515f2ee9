"""A legal hold placed while an erasure batch is stopped protects its rows on resume (ER-2, RT-3).

Art. 17(3)(e) GDPR: held data is never erased. A batch that stopped after storing its
resolution (computed without the hold) and before its writes must not write the rows a
hold placed since then keeps: the resume either leaves a whole held collection alone or
refuses, writing nothing, and the same requests run as a new batch observe the hold.
The crash is a real connector failing inside its transaction, on SQLite, PostgreSQL
and MariaDB.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from minishop import HASH_KEY, FailOnSecondWrite, FixedClock, email, rows_of

from tutela.connectors.sql import SqlConnector
from tutela.errors import ConnectorError, RequestError
from tutela.programme.models import Programme
from tutela.rights.holds import LegalHold, RowTest
from tutela.rights.models import SubjectRequest
from tutela.rights.service import DsrService
from tutela.store.dsr import SqlDsrStore

REASON = "Court case 2026/114 is pending."
HELD, OTHER = 1, 2
REQUESTS = [SubjectRequest("erasure", (("email", email(i)),)) for i in (HELD, OTHER)]


def snapshot(url: str, customer: int) -> dict[str, list[dict[str, Any]]]:
    """Every row of the customer's data, table by table, in a stable order."""
    orders = f"SELECT id FROM orders WHERE customer_id = {customer}"
    where = {
        "customer": f"id = {customer}",
        "address": f"id = (SELECT address_id FROM customer WHERE id = {customer})",
        "orders": f"customer_id = {customer}",
        "order_item": f"order_id IN ({orders})",
        "login_event": f"customer_id = {customer}",
    }
    found = {table: rows_of(url, table, condition) for table, condition in where.items()}
    return {table: sorted(rows, key=repr) for table, rows in found.items()}


def service(
    programme: Programme,
    shop: Any,
    store: SqlDsrStore,
    holds: Sequence[LegalHold] = (),
    subject: str | None = None,
    where: str | None = None,
) -> DsrService:
    """The engine observing ``holds`` and a subject hold on ``subject`` (in ``where`` only)."""
    kept = LegalHold("hold-subject", "subject", REASON, where)

    def subject_holds(identities: Mapping[str, str]) -> list[LegalHold]:
        return [kept] if subject and identities.get("email") == subject else []

    return DsrService(
        programme,
        {"shop": shop},
        store,
        FixedClock(),
        HASH_KEY,
        holds=lambda: [h for h in holds if h.scope != "subject"],
        subject_holds=subject_holds,
    )


def stopped(
    programme: Programme,
    shop: SqlConnector,
    store: SqlDsrStore,
    url: str,
    holds: Sequence[LegalHold] = (),
) -> str:
    """An erasure batch stopped after storing its resolution, before any write committed."""
    before = {i: snapshot(url, i) for i in (HELD, OTHER)}
    with pytest.raises(ConnectorError) as raised:
        service(programme, FailOnSecondWrite(shop), store, holds).run(REQUESTS)
    batch = raised.value.batch
    assert batch is not None and "resolve" in store.checkpoints(batch)
    assert {i: snapshot(url, i) for i in (HELD, OTHER)} == before  # rolled back
    return batch


def erased(url: str, customer: int) -> None:
    (row,) = rows_of(url, "customer", f"id = {customer}")
    assert row["name"] == "REDACTED" and row["email"] != email(customer)
    assert rows_of(url, "login_event", f"customer_id = {customer}") == []


@pytest.mark.parametrize("where", [None, "shop.customer"])
def test_ER_2_RT_3_a_subject_hold_placed_before_a_resume_keeps_the_subjects_rows(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore, shop_url: str, where: str | None
) -> None:
    batch = stopped(programme, shop, store, shop_url)
    before = {i: snapshot(shop_url, i) for i in (HELD, OTHER)}
    dsr = service(programme, shop, store, subject=email(HELD), where=where)
    with pytest.raises(RequestError, match=r"legal hold .*run the requests again as a new batch"):
        dsr.resume(batch, REQUESTS)
    assert {i: snapshot(shop_url, i) for i in (HELD, OTHER)} == before  # nothing written
    result = dsr.run(REQUESTS)  # a new batch observes the hold
    assert result.batch_id != batch
    if where is None:
        assert snapshot(shop_url, HELD) == before[HELD]
    else:  # held in one collection: the rest of the subject's data is erased
        assert snapshot(shop_url, HELD)["customer"] == before[HELD]["customer"]
        assert snapshot(shop_url, HELD)["orders"] != before[HELD]["orders"]
    erased(shop_url, OTHER)
    held = next(r for r in result.results if r.request == REQUESTS[0])
    assert any(f.hold == "hold-subject" for f in held.retained)


def test_ER_2_RT_3_a_filter_hold_placed_before_a_resume_keeps_the_rows_it_matches(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore, shop_url: str
) -> None:
    batch = stopped(programme, shop, store, shop_url)
    before = {i: snapshot(shop_url, i) for i in (HELD, OTHER)}
    test = RowTest("customer_id", "=", HELD)  # a column the step reads anyway
    dsr = service(
        programme, shop, store, [LegalHold("hold-f", "filter", REASON, "shop.orders", (test,))]
    )
    with pytest.raises(RequestError, match=r"legal hold .*run the requests again as a new batch"):
        dsr.resume(batch, REQUESTS)
    assert {i: snapshot(shop_url, i) for i in (HELD, OTHER)} == before  # nothing written
    dsr.run(REQUESTS)
    assert snapshot(shop_url, HELD)["orders"] == before[HELD]["orders"]  # held rows unchanged
    assert snapshot(shop_url, OTHER)["orders"] != before[OTHER]["orders"]  # the others erased
    erased(shop_url, HELD)
    erased(shop_url, OTHER)


def test_ER_2_RT_3_a_collection_hold_placed_before_a_resume_keeps_the_collection(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore, shop_url: str
) -> None:
    batch = stopped(programme, shop, store, shop_url)
    before = {i: snapshot(shop_url, i) for i in (HELD, OTHER)}
    dsr = service(
        programme, shop, store, [LegalHold("hold-c", "collection", REASON, "shop.orders")]
    )
    result = dsr.resume(batch, REQUESTS)  # the held collection is simply not written
    assert result.batch_id == batch and "shop.orders" not in result.counts
    for customer in (HELD, OTHER):
        assert snapshot(shop_url, customer)["orders"] == before[customer]["orders"]
        erased(shop_url, customer)


def test_ER_2_a_hold_the_stopped_batch_already_observed_lets_it_resume_and_keeps_its_rows(
    programme: Programme, shop: SqlConnector, store: SqlDsrStore, shop_url: str
) -> None:
    hold = LegalHold(
        "hold-f", "filter", REASON, "shop.orders", (RowTest("customer_id", "=", HELD),)
    )
    before = {i: snapshot(shop_url, i) for i in (HELD, OTHER)}
    batch = stopped(programme, shop, store, shop_url, [hold])
    assert store.checkpoints(batch)["holds"] == ["hold-f"]  # ids only, no personal data
    result = service(programme, shop, store, [hold]).resume(batch, REQUESTS)
    assert result.batch_id == batch and result.resumed_from is not None
    assert snapshot(shop_url, HELD)["orders"] == before[HELD]["orders"]
    assert snapshot(shop_url, OTHER)["orders"] != before[OTHER]["orders"]
    erased(shop_url, HELD)
    erased(shop_url, OTHER)
