"""A subject's row keys per collection, found along the graph an access request walks.

What a retention sweep needs to spare a held subject (RT-3): the minishop on SQLite,
PostgreSQL and MariaDB, checked against the keys the fixture says each customer has,
with the keyless ``login_event`` and the unreachable ``warehouse`` left out; hostile
input is refused with a clear error and reads nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from minishop import FixedClock, checksums, email, subject_keys

from tutela.connectors.sql import SqlConnector
from tutela.errors import RequestError
from tutela.programme.models import Programme
from tutela.rights.service import DsrService
from tutela.store.dsr import SqlDsrStore

HASH_KEY = b"subject-keys-test-hash-key"


@pytest.fixture
def dsr(programme: Programme, shop: SqlConnector, store: SqlDsrStore) -> Iterator[DsrService]:
    yield DsrService(programme, {"shop": shop}, store, FixedClock(), HASH_KEY)


def _as_sets(found: dict[str, list[object]]) -> dict[str, set[Any]]:
    return {address.split(".", 1)[1]: set(keys) for address, keys in found.items()}


@pytest.mark.parametrize("number", [1, 3, 6])
def test_rt_3_subject_keys_are_the_rows_an_access_request_finds(
    dsr: DsrService, shop_url: str, number: int
) -> None:
    before = checksums(shop_url)
    found = dsr.subject_keys("email", email(number))
    assert _as_sets(found) == subject_keys(number)  # customer 3's address has a quote in it
    assert all(address.startswith("shop.") for address in found)
    assert "shop.login_event" not in found  # no declared primary key
    assert "shop.warehouse" not in found  # no reference reaches it
    assert checksums(shop_url) == before  # read only


def test_rt_3_subject_keys_by_another_identity_and_any_case(dsr: DsrService) -> None:
    assert _as_sets(dsr.subject_keys("customer_id", "2")) == subject_keys(2)
    shouted = dsr.subject_keys(" EMAIL ", "  " + email(2).upper() + " ")  # ID-3: as written
    assert _as_sets(shouted) == subject_keys(2)


def test_rt_3_subject_keys_of_nobody_are_empty(dsr: DsrService, shop_url: str) -> None:
    before = checksums(shop_url)
    assert dsr.subject_keys("email", "nobody@example.test") == {}
    assert dsr.subject_keys("email", "x' OR '1'='1") == {}  # bound, never spliced
    assert dsr.subject_keys("email", "user1@example.test'; DROP TABLE customer; --") == {}
    assert checksums(shop_url) == before


@pytest.mark.parametrize(
    ("identity", "value", "expected"),
    [
        ("shoe_size", "42", "unknown identity 'shoe_size'"),
        ("email", "", "give an identity and its value"),
        ("", "a@b.c", "give an identity and its value"),
        ("email", "a" * 5000 + "@b.c", "at most 1000 characters"),
        ("email", 42, "must be text"),
        (None, "a@b.c", "must be text"),
        ("email", ["a@b.c"], "must be text"),
    ],
)
def test_rt_3_subject_keys_refuse_hostile_input_clearly(
    dsr: DsrService, shop_url: str, identity: Any, value: Any, expected: str
) -> None:
    before = checksums(shop_url)
    with pytest.raises(RequestError) as refused:
        dsr.subject_keys(identity, value)
    assert expected in str(refused.value)
    assert "Traceback" not in str(refused.value)
    assert checksums(shop_url) == before


def test_rt_3_a_subject_hold_spares_a_keyless_collection_by_its_link_values(
    dsr: DsrService, shop_url: str
) -> None:
    """login_event has no key: a held subject's rows are spared by their customer_id."""
    from minishop import rows_of

    from tutela.rights.holds import LegalHold
    from tutela.rights.models import SubjectRequest

    hold = LegalHold("h-7", "subject", "A claim is pending.")
    dsr.subject_holds = lambda ids: [hold] if ids.get("email") == email(2) else []
    before = checksums(shop_url, excluding=subject_keys(4))
    requests = [SubjectRequest("erasure", (("email", email(n)),)) for n in (2, 4)]
    (result,) = dsr.run_all(requests)
    assert checksums(shop_url, excluding=subject_keys(4)) == before  # customer 2 untouched
    assert rows_of(shop_url, "login_event", "customer_id = :c", c=4) == []
    assert len(rows_of(shop_url, "login_event", "customer_id = :c", c=2)) == 2
    held = next(r for r in result.results if r.request.identities == (("email", email(2)),))
    assert {(k.collection, k.hold) for k in held.retained} >= {("shop.login_event", "h-7")}
    assert all(c.changed == 0 and c.deleted == 0 for c in held.collections)
