"""The ``hash`` strategy: keyed, per-column domains, collision-free on integers (ER-1).

Integers go through a keyed permutation of the column's range, so a unique column
stays unique; the old keyed hash cut to 31 bits collided by the birthday bound,
and the tests below first show it colliding on the very samples they use.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from minishop import HASH_KEY, FixedClock, build, checksums, rows_of, text_hash

from tutela.connectors.sql import SqlConnector
from tutela.errors import ConfigurationError, RequestError
from tutela.ports import CollectionInfo, ColumnInfo
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme, System
from tutela.rights.models import SubjectRequest
from tutela.rights.planner import plan_request
from tutela.rights.service import DsrService
from tutela.rights.strategies import ColumnSpec, integer_bits, masker
from tutela.rights.strategies.hash import (
    MIN_HASH_LENGTH,
    HmacSha256,
    KeyedPermutation,
    domain_key,
    keyed_hash,
)
from tutela.store.dsr import SqlDsrStore
from tutela.testing import shopdb

KEY = b"k" * 32


def truncated_hash(value: int, key: bytes) -> int:
    """The integer hash tutela used before: HMAC-SHA256 cut to 31 bits (it collides)."""
    digest = hmac.new(key, str(value).encode(), hashlib.sha256).hexdigest()
    return int(digest[:15], 16) % (2**31 - 1)


def collisions(values: list[Any]) -> int:
    return len(values) - len(set(values))


# --- the permutation -----------------------------------------------------------------------


@given(st.binary(min_size=1, max_size=200), st.binary(max_size=200))
def test_ER_1_the_precomputed_mac_is_hmac_sha256(key: bytes, message: bytes) -> None:
    mac = HmacSha256(key)
    assert mac.digest(message) == hmac.digest(key, message, "sha256")
    assert mac.hexdigest(message) == hmac.new(key, message, hashlib.sha256).hexdigest()


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 1500), st.binary(min_size=1, max_size=40))
def test_ER_1_permutation_is_a_bijection_of_every_small_range(size: int, key: bytes) -> None:
    permutation = KeyedPermutation(key, size)
    assert sorted(permutation.permute(x) for x in range(size)) == list(range(size))


def test_ER_1_permutation_of_range_1000_is_exhaustively_a_bijection_and_keyed() -> None:
    images = [KeyedPermutation(KEY, 1000).permute(x) for x in range(1000)]
    assert sorted(images) == list(range(1000))
    assert images != list(range(1000))
    assert images != [KeyedPermutation(b"other", 1000).permute(x) for x in range(1000)]


@pytest.mark.slow
def test_ER_1_integer_hashes_do_not_collide_on_200k_values_where_truncation_did() -> None:
    sample = random.Random(0).sample(range(2**31), 200_000)
    assert collisions([truncated_hash(v, KEY) for v in sample]) > 0  # the old way collides
    hashed = masker("hash").mask(sample, ColumnSpec("n", "integer", domain="d"), KEY)
    assert collisions(hashed) == 0
    assert all(0 <= v < 2**31 for v in hashed)


def test_ER_1_bigint_hashes_do_not_collide_and_stay_within_63_bits() -> None:
    draw = random.Random(1)
    sample = list({draw.getrandbits(63) for _ in range(200_000)})
    spec = ColumnSpec("n", "integer", domain="d", integer_bits=63)
    hashed = masker("hash").mask(sample, spec, KEY)
    assert collisions(hashed) == 0
    assert all(0 <= v < 2**63 for v in hashed)
    assert max(hashed) >= 2**31  # the whole range is used, not the 31-bit one


@given(
    st.sampled_from([7, 15, 31, 63]).flatmap(
        lambda bits: st.tuples(st.just(bits), st.integers(-(2**bits), 2**bits - 1))
    )
)
def test_ER_1_integer_hash_stays_in_the_columns_range_and_keeps_the_sign(
    case: tuple[int, int],
) -> None:
    bits, value = case
    hashed = keyed_hash(value, ColumnSpec("n", "integer", domain="d", integer_bits=bits), KEY)
    assert isinstance(hashed, int) and -(2**bits) <= hashed < 2**bits
    assert (hashed < 0) == (value < 0)


def test_ER_1_negative_and_positive_values_never_share_a_hash() -> None:
    values = list(range(-5000, 5000))
    hashed = masker("hash").mask(values, ColumnSpec("n", "integer", domain="d"), KEY)
    assert collisions(hashed) == 0


@pytest.mark.parametrize("value", [2**31, -(2**31) - 1, "12.5", "abc"])
def test_ER_1_integer_outside_the_range_or_not_whole_is_refused_without_naming_it(
    value: Any,
) -> None:
    with pytest.raises(RequestError, match="integer column 'loyalty'") as error:
        masker("hash").mask([1, value], ColumnSpec("loyalty", "integer"), KEY)
    assert str(value) not in str(error.value)


@pytest.mark.parametrize(
    ("type_name", "bits"),
    [
        ("bigint", 63),
        ("BIGINT", 63),
        ("int8", 63),
        ("integer", None),
        ("int", None),
        ("smallint", 15),
        ("tinyint(4)", 7),
        ("mediumint unsigned", 23),
        (None, None),
    ],
)
def test_ER_1_integer_size_comes_from_the_type_name(
    type_name: str | None, bits: int | None
) -> None:
    assert integer_bits(type_name) == bits


# --- domains, keys, text -------------------------------------------------------------------


@given(st.lists(st.text(max_size=30) | st.integers(0, 2**31 - 1), min_size=1, max_size=20))
def test_ER_1_hash_is_deterministic_per_key_and_domain(values: list[Any]) -> None:
    for kind in ("string", "integer"):
        column = [v for v in values if isinstance(v, int) == (kind == "integer")]
        spec = ColumnSpec("c", kind, domain="column/shop/shop.customer/c")
        once = masker("hash").mask(column, spec, KEY)
        assert once == masker("hash").mask(column, spec, KEY)


def test_ER_1_different_domains_or_keys_give_different_hashes_of_the_same_values() -> None:
    values = [f"user{i}@example.test" for i in range(50)] + list(range(50))
    for kind in ("string", "integer"):
        column = [v for v in values if isinstance(v, int) == (kind == "integer")]
        a = masker("hash").mask(column, ColumnSpec("c", kind, domain="column/a/x.t/c"), KEY)
        b = masker("hash").mask(column, ColumnSpec("c", kind, domain="column/b/x.t/c"), KEY)
        c = masker("hash").mask(column, ColumnSpec("c", kind, domain="column/a/x.t/c"), b"k2")
        assert sum(x == y for x, y in zip(a, b, strict=True)) <= 1
        assert sum(x == y for x, y in zip(a, c, strict=True)) <= 1


def test_ER_1_text_hash_is_hmac_under_the_domains_own_key() -> None:
    label = b"tutela/hash/v1/column/shop/shop.customer/email"
    own = hmac.new(KEY, label, hashlib.sha256).digest()
    assert domain_key(KEY, "column/shop/shop.customer/email") == own
    body = hmac.new(own, b"a@b.c", hashlib.sha256).hexdigest()[:60]
    spec = ColumnSpec("email", domain="column/shop/shop.customer/email")
    assert keyed_hash("a@b.c", spec, KEY)[:60] == body  # and four characters of keyed tag
    assert keyed_hash("a@b.c", spec, KEY) == text_hash(KEY, spec.domain, "a@b.c")
    assert keyed_hash("a@b.c", spec, KEY) != hmac.new(KEY, b"a@b.c", hashlib.sha256).hexdigest()


@given(st.text(max_size=100), st.integers(MIN_HASH_LENGTH, 200))
def test_ER_1_text_hash_fills_the_column_length(value: str, length: int) -> None:
    hashed = keyed_hash(value, ColumnSpec("c", "string", length, domain="d"), KEY)
    assert len(hashed) == min(length, 64) and set(hashed) <= set(string.hexdigits.lower())


@pytest.mark.parametrize("length", [1, 8, MIN_HASH_LENGTH - 1])
def test_ER_1_a_text_column_too_short_for_a_safe_hash_is_refused(length: int) -> None:
    with pytest.raises(RequestError, match=f"at least {MIN_HASH_LENGTH} characters"):
        masker("hash").mask(["a"], ColumnSpec("code", "string", length), KEY)


def test_ER_1_hash_without_a_key_names_the_settings() -> None:
    with pytest.raises(ConfigurationError) as error:
        masker("hash").mask(["a@b.c"], ColumnSpec("email"), None)
    assert "TUTELA_HASH_KEY" in str(error.value) and "masking.hash_key_env" in str(error.value)
    assert "a@b.c" not in str(error.value)


# --- through the planner and the executor (SQLite) -----------------------------------------


def with_fields(programme: Programme, collection: str, **fields: dict[str, Any]) -> Programme:
    """``programme`` with keys set on fields of ``collection`` (new fields are added)."""
    systems = []
    for system in programme.systems:
        data = system.model_dump(exclude_none=True)
        for dataset in data["datasets"]:
            for found in (c for c in dataset["collections"] if c["name"] == collection):
                known = {f["name"]: f for f in found["fields"]}
                for name, changes in fields.items():
                    known.setdefault(name, {"name": name}).update(changes)
                found["fields"] = list(known.values())
        systems.append(System.model_validate(data))
    return programme.model_copy(update={"systems": systems})


def erase(programme: Programme, url: str, store: SqlDsrStore, customers: list[int]) -> None:
    connector = SqlConnector("shop", url)
    try:
        service = DsrService(programme, {"shop": connector}, store, FixedClock(), HASH_KEY)
        requests = [SubjectRequest("erasure", (("customer_id", str(i)),)) for i in customers]
        service.run(requests)
    finally:
        connector.close()


@pytest.fixture
def sqlite_shop(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'minishop.sqlite'}"
    build(url)
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "UPDATE orders SET note = "
                "(SELECT email FROM customer WHERE customer.id = orders.customer_id)"
            )
        )
    engine.dispose()
    return url


@pytest.mark.parametrize("shared", [True, False])
def test_ER_1_a_shared_masking_domain_makes_two_columns_agree(
    programme: Programme, sqlite_shop: str, store: SqlDsrStore, shared: bool
) -> None:
    domain = {"masking_domain": "contact"} if shared else {}
    programme = with_fields(programme, "customer", email={"masking": "hash", **domain})
    programme = with_fields(programme, "orders", note={"masking": "hash", **domain})
    erase(programme, sqlite_shop, store, [2])
    [customer] = rows_of(sqlite_shop, "customer", "id = 2")
    notes = {o["note"] for o in rows_of(sqlite_shop, "orders", "customer_id = 2")}
    assert customer["email"] != "user2@example.test" and len(customer["email"]) == 64
    assert (notes == {customer["email"]}) is shared


def test_ER_1_each_column_gets_its_own_domain_unless_the_programme_names_one(
    programme: Programme,
) -> None:
    programme = with_fields(programme, "orders", note={"masking": "hash"})
    plan = plan_request(programme, "erasure", ["customer_id"])
    email = next(f for f in plan.step("shop.customer").fields if f.name == "email")
    note = next(f for f in plan.step("shop.orders").fields if f.name == "note")
    assert email.masking_domain == "column/shop/shop.customer/email"
    assert note.masking_domain == "column/shop/shop.orders/note"
    shared = with_fields(programme, "orders", note={"masking_domain": "contact"})
    note = next(
        f
        for f in plan_request(shared, "erasure", ["email"]).step("shop.orders").fields
        if f.name == "note"
    )
    assert note.masking_domain == "shared/contact"


@pytest.mark.parametrize(
    ("catalog_type", "declared", "bits"),
    [
        ("BIGINT", None, 63),
        ("integer", "bigint", 63),
        ("bigint", "integer", 63),
        (None, "int", None),
    ],
)
def test_ER_1_an_integer_columns_size_comes_from_the_programme_else_the_catalog(
    programme: Programme, catalog_type: str | None, declared: str | None, bits: int | None
) -> None:
    loyalty = {"data_categories": ["user.unique_id"], "masking": "hash", "type": declared}
    programme = with_fields(programme, "customer", loyalty_no=loyalty)
    columns = (ColumnInfo("loyalty_no", catalog_type),) if catalog_type else ()
    catalog = {"shop": {"customer": CollectionInfo("customer", columns)}}
    plan = plan_request(programme, "erasure", ["email"], catalog=catalog)
    [field] = [f for f in plan.step("shop.customer").fields if f.name == "loyalty_no"]
    assert (field.column_type, field.integer_bits) == ("integer", bits)  # None: 31 bits


def test_ER_1_a_text_column_too_short_for_a_hash_is_refused_when_planning_before_writes(
    programme: Programme, sqlite_shop: str, store: SqlDsrStore
) -> None:
    short = with_fields(programme, "customer", email={"length": 12})
    with pytest.raises(RequestError, match=r"at least 16 characters.*'shop\.customer\.email'"):
        plan_request(short, "erasure", ["email"])
    before = checksums(sqlite_shop)
    with pytest.raises(RequestError, match="at least 16 characters"):
        erase(short, sqlite_shop, store, [1])
    assert checksums(sqlite_shop) == before


def test_ER_1_an_erasure_that_hashes_without_a_key_is_refused_before_any_write(
    programme: Programme, sqlite_shop: str, store: SqlDsrStore
) -> None:
    before = checksums(sqlite_shop)
    connector = SqlConnector("shop", sqlite_shop)
    service = DsrService(programme, {"shop": connector}, store, FixedClock(), None)
    with pytest.raises(ConfigurationError) as error:
        service.run([SubjectRequest("erasure", (("customer_id", "1"),))])
    connector.close()
    message = str(error.value)
    assert "TUTELA_HASH_KEY" in message or "MINISHOP_HASH_KEY" in message
    assert checksums(sqlite_shop) == before


# --- the shop ------------------------------------------------------------------------------

COLLIDING = (27106, 63914)
"""Two loyalty numbers whose old 31-bit hashes under HASH_KEY were equal."""


@pytest.fixture
def shop_with_loyalty(tmp_path: Path) -> Iterator[str]:
    """The shop (tutela.testing.shopdb) on SQLite, with a unique integer ``loyalty_no``."""
    url = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    shopdb.build(url, customers=60, seed=5)
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("ALTER TABLE customer ADD COLUMN loyalty_no INTEGER"))
        connection.execute(sa.text("UPDATE customer SET loyalty_no = id * 7919 + 5"))
        connection.execute(
            sa.text("UPDATE customer SET loyalty_no = :n WHERE id = 1"), {"n": COLLIDING[0]}
        )
        connection.execute(
            sa.text("UPDATE customer SET loyalty_no = :n WHERE id = 2"), {"n": COLLIDING[1]}
        )
        connection.execute(sa.text("CREATE UNIQUE INDEX ux_loyalty ON customer (loyalty_no)"))
    engine.dispose()
    yield url


def test_ER_1_shop_erasure_keeps_unique_emails_and_ids_unique(
    shop_with_loyalty: str, store: SqlDsrStore
) -> None:
    assert truncated_hash(COLLIDING[0], HASH_KEY) == truncated_hash(COLLIDING[1], HASH_KEY)
    programme = load_programme(shopdb.shop_programme_path())
    loyalty = {"data_categories": ["user.unique_id"], "masking": "hash"}
    programme = with_fields(programme, "customer", loyalty_no=loyalty)
    before = rows_of(shop_with_loyalty, "customer", "id <= 40")
    erase(programme, shop_with_loyalty, store, list(range(1, 41)))
    after = rows_of(shop_with_loyalty, "customer", "id <= 40")
    emails = [row["email"] for row in after]
    numbers = [row["loyalty_no"] for row in after]
    assert collisions(emails) == 0 and collisions(numbers) == 0
    assert not {row["email"] for row in before} & set(emails)
    assert all(len(e) == 64 for e in emails) and all(0 <= n < 2**31 for n in numbers)
    assert not {row["loyalty_no"] for row in before} & set(numbers)
    everyone = [row["loyalty_no"] for row in rows_of(shop_with_loyalty, "customer", "1 = 1")]
    assert collisions(everyone) == 0
