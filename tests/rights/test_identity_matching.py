"""Identities match as people write them, on SQLite, PostgreSQL and MariaDB (ID-3, AC-1, ER-1).

The shop stores e-mails in lower case; a subject writes theirs in capitals with
spaces around it, and is found for access and erasure. A phone written the
national way matches the E.164 number stored. Hostile values stay inert.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from minishop import HASH_KEY, MINISHOP, FixedClock

from tutela.connectors.sql import SqlConnector
from tutela.errors import RequestError
from tutela.programme.loader import load_programme
from tutela.rights.intake import request_from
from tutela.rights.models import RequestType, SubjectRequest
from tutela.rights.service import DsrService
from tutela.store.dsr import SqlDsrStore
from tutela.testing import shopdb


def query(url: str, sql: str, **params: Any) -> list[dict[str, Any]]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = [dict(r._mapping) for r in connection.execute(sa.text(sql), params)]
    engine.dispose()
    return rows


def digest(url: str) -> str:
    """Every row of every shop table: equal digests, nothing changed."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = [
            repr(tuple(row))
            for table in shopdb.TABLES
            for row in connection.execute(sa.select(table).order_by(table.c.id))
        ]
    engine.dispose()
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


@pytest.fixture
def shop_db(database_url: str) -> str:
    shopdb.build(database_url, customers=20, seed=7)
    return database_url


@pytest.fixture
def service(shop_db: str, store: SqlDsrStore) -> Iterator[DsrService]:
    connector = SqlConnector("shop", shop_db)
    programme = load_programme(shopdb.shop_programme_path())
    yield DsrService(
        programme, {"shop": connector}, store, FixedClock(), HASH_KEY, restriction_store=store
    )
    connector.close()


def shouted(url: str, customer_id: int) -> str:
    """Customer ``customer_id``'s e-mail as a subject might type it: capitals, spaces around."""
    (row,) = query(url, "SELECT email FROM customer WHERE id = :c", c=customer_id)
    assert row["email"] == row["email"].lower()  # the shop stores them in lower case
    return f"  {row['email'].upper()}  "


def one(kind: RequestType, name: str, value: str) -> SubjectRequest:
    return SubjectRequest(kind, ((name, value),))


def test_ID_3_email_in_capitals_with_spaces_finds_the_customer_for_access(
    service: DsrService, shop_db: str
) -> None:
    result = service.run([one("access", "email", shouted(shop_db, 4))])
    (answer,) = result.results
    assert answer.found
    customer = next(c for c in answer.collections if c.collection.endswith(".customer"))
    assert [row["id"] for row in customer.rows] == [4]
    orders = query(shop_db, "SELECT id FROM orders WHERE customer_id = 4")
    found = next((c for c in answer.collections if c.collection.endswith(".orders")), None)
    assert orders, "customer 4 has orders in this shop (seed 7)"
    assert found is not None and {row["id"] for row in found.rows} == {r["id"] for r in orders}


def test_ID_3_upper_case_identity_name_and_value_through_intake(
    service: DsrService, shop_db: str
) -> None:
    request = request_from("access", [f"EMAIL={shouted(shop_db, 2)}"])
    (answer,) = service.run([request]).results
    assert answer.found


def test_ID_3_email_in_capitals_finds_the_customer_for_erasure(
    service: DsrService, shop_db: str
) -> None:
    before = query(shop_db, "SELECT id, name FROM customer WHERE id <> 6 ORDER BY id")
    result = service.run([one("erasure", "email", shouted(shop_db, 6))])
    assert result.results[0].found
    (person,) = query(shop_db, "SELECT name, phone FROM customer WHERE id = 6")
    assert person == {"name": "REDACTED", "phone": None}
    assert query(shop_db, "SELECT id, name FROM customer WHERE id <> 6 ORDER BY id") == before


def test_ID_3_email_stored_in_mixed_case_is_found_by_any_case(
    service: DsrService, shop_db: str
) -> None:
    engine = sa.create_engine(shop_db)
    with engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE customer SET email = 'Alf.Peterson@Example.TEST' WHERE id = 3")
        )
    engine.dispose()
    (answer,) = service.run([one("access", "email", "alf.PETERSON@example.test")]).results
    customer = next(c for c in answer.collections if c.collection.endswith(".customer"))
    assert [(row["id"], row["email"]) for row in customer.rows] == [
        (3, "Alf.Peterson@Example.TEST")
    ]


def test_ID_3_restriction_is_found_however_the_email_is_written(
    service: DsrService, shop_db: str
) -> None:
    service.run([one("restriction", "email", shouted(shop_db, 5))])
    plain = shouted(shop_db, 5).strip().lower()
    assert service.restrictions("email", plain)
    assert service.restrictions("EMAIL", f" {plain.upper()} ")


HOSTILE = [
    "' OR 1=1 --",
    "x@example.test'; DROP TABLE customer; --",
    "%@example.test",
    "a" * 100_000 + "@example.test",
    "alf\x00@example.test",
    "💥@EXAMPLE.TEST",
]


@pytest.mark.parametrize("kind", ["access", "erasure"])
def test_ID_3_hostile_identity_values_are_inert(
    service: DsrService, shop_db: str, kind: RequestType
) -> None:
    before = digest(shop_db)
    result = service.run([one(kind, "email", value) for value in HOSTILE])
    assert not any(answer.found for answer in result.results)
    assert digest(shop_db) == before


@pytest.mark.parametrize(("given", "name"), [("Shoe_Size=42", "shoe_size"), ("PHONE=x", "phone")])
def test_ID_3_unknown_identity_is_a_clear_error(
    service: DsrService, shop_db: str, given: str, name: str
) -> None:
    """Even a name tutela knows how to normalise (phone) is unknown if no field declares it."""
    before = digest(shop_db)
    with pytest.raises(RequestError) as caught:
        service.run([request_from("erasure", [given])])
    assert str(caught.value) == (
        f"unknown identity '{name}'; the programme's identities are: customer_id, email"
    )
    assert digest(shop_db) == before


# --- phones: the minishop with its phone column declared as an identity ------------------------


@pytest.fixture
def phone_programme(tmp_path: Path) -> Path:
    """The minishop programme with ``customer.phone`` as identity ``phone`` (region BE)."""
    folder = tmp_path / "programme"
    shutil.copytree(MINISHOP, folder)
    systems = folder / "systems.yml"
    text = systems.read_text(encoding="utf-8")
    assert text.count("{name: phone, ") == 1
    systems.write_text(text.replace("{name: phone, ", "{name: phone, identity: phone, "), "utf-8")
    (folder / "identities.yml").write_text(
        "identities:\n"
        "  - {key: email, kind: email}\n"
        "  - {key: customer_id, kind: exact}\n"
        "  - {key: phone, kind: phone, region: BE}\n",
        encoding="utf-8",
    )
    return folder


@pytest.fixture
def phone_service(
    phone_programme: Path, shop: SqlConnector, store: SqlDsrStore
) -> Iterator[DsrService]:
    programme = load_programme(phone_programme)
    yield DsrService(programme, {"shop": shop}, store, FixedClock(), HASH_KEY)


def test_ID_3_phone_written_nationally_matches_the_e164_number(
    phone_service: DsrService, shop_url: str
) -> None:
    engine = sa.create_engine(shop_url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE customer SET phone = '+32470123456' WHERE id = 2"))
    engine.dispose()
    (answer,) = phone_service.run([one("access", "phone", "0470 12 34 56")]).results
    customer = next(c for c in answer.collections if c.collection.endswith(".customer"))
    assert [row["id"] for row in customer.rows] == [2]
    (other,) = phone_service.run([one("access", "phone", "0470 12 34 57")]).results
    assert not other.found


def test_ID_3_a_phone_that_is_no_number_is_refused_before_anything_runs(
    phone_service: DsrService,
) -> None:
    with pytest.raises(RequestError, match="identity phone: the value is not a phone number"):
        phone_service.run([one("erasure", "phone", "' OR 1=1 --")])


def test_ID_3_the_shop_has_the_index_its_email_lookups_use(shop_db: str) -> None:
    """docs/connectors.md's advice, followed by the shop the benchmarks build."""
    shopdb.ensure_lookup_indexes(shop_db)  # what a reused benchmark shop gets: a no-op here
    backend = sa.make_url(shop_db).get_backend_name()
    catalog = {
        "postgresql": "SELECT indexdef AS d FROM pg_indexes WHERE tablename = 'customer'",
        "sqlite": "SELECT sql AS d FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
        "mysql": "SELECT index_name AS d FROM information_schema.statistics"
        " WHERE table_schema = DATABASE() AND table_name = 'customer'",
    }[backend]
    found = " ".join(str(row["d"]) for row in query(shop_db, catalog)).lower()
    expression_index = "ix_customer_email_lower" in found and "lower(" in found
    assert expression_index == (backend != "mysql"), found  # MariaDB: the _ci collation serves
