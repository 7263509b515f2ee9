"""Lifting a restriction on the shop database (RS-3): the flag false again, the records gone.

Runs the engine's ``restriction_lift`` after a ``restriction`` on SQLite, PostgreSQL and
MariaDB (tutela.testing.shopdb), with tutela's own store on the same server.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from minishop import HASH_KEY, FixedClock

from tutela.connectors.sql import SqlConnector
from tutela.errors import RequestError
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.rights.answers import render_batch, render_plan
from tutela.rights.models import REQUEST_TYPES, SubjectRequest, request_type
from tutela.rights.service import DsrService
from tutela.store.dsr import SqlDsrStore
from tutela.testing import shopdb

SUBJECT = 4
OTHER = 5


@pytest.fixture
def shop_db(database_url: str) -> str:
    shopdb.build(database_url, customers=12, seed=7)
    return database_url


@pytest.fixture
def service(shop_db: str) -> Iterator[DsrService]:
    programme: Programme = load_programme(shopdb.shop_programme_path())
    connector = SqlConnector("shop", shop_db)
    store = SqlDsrStore(shop_db, FixedClock())  # tutela's tables beside the shop's
    yield DsrService(
        programme, {"shop": connector}, store, FixedClock(), HASH_KEY, restriction_store=store
    )
    connector.close()
    store.close()


def flags(url: str) -> dict[int, bool]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT id, processing_restricted FROM customer"))
        found = {int(row[0]): bool(row[1]) for row in rows}
    engine.dispose()
    return found


def email_of(url: str, customer_id: int) -> str:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        sql = sa.text("SELECT email FROM customer WHERE id = :c")
        value = connection.execute(sql, {"c": customer_id}).scalar_one()
    engine.dispose()
    return str(value)


def req(kind: Any, address: str) -> SubjectRequest:
    return SubjectRequest(kind, (("email", address),))


def restricted(service: DsrService, shop_db: str, *customers: int) -> None:
    service.run([req("restriction", email_of(shop_db, c)) for c in customers])


def test_RS_3_lift_sets_the_flag_false_on_exactly_the_subjects_rows(
    service: DsrService, shop_db: str
) -> None:
    restricted(service, shop_db, SUBJECT, OTHER)
    before = flags(shop_db)
    assert before[SUBJECT] and before[OTHER]
    result = service.run([req("restriction_lift", email_of(shop_db, SUBJECT))])
    after = flags(shop_db)
    assert after[SUBJECT] is False
    assert {k: v for k, v in after.items() if k != SUBJECT} == {
        k: v for k, v in before.items() if k != SUBJECT
    }
    assert result.counts == {"shop_db.customer": 1}
    assert "restriction lifted: flag set false (RS-3)" in render_batch(result)


def test_RS_3_lift_removes_the_restriction_records_rs_2_decisions_read(
    service: DsrService, shop_db: str
) -> None:
    restricted(service, shop_db, SUBJECT, OTHER)
    subject, other = email_of(shop_db, SUBJECT), email_of(shop_db, OTHER)
    assert len(service.restrictions("email", subject)) == 1
    service.run([req("restriction_lift", subject)])
    assert service.restrictions("email", subject) == []
    assert service.restrictions("email", subject.upper()) == []  # any spelling of it
    (kept,) = service.restrictions("email", other)
    assert "storage" in kept.allowed


def test_RS_3_lift_keeps_fields_retained_under_a_legal_obligation_ER_2(
    service: DsrService, shop_db: str
) -> None:
    address = email_of(shop_db, 9)
    service.run([req("erasure", address)])
    retained = service.restrictions("email", address)
    assert retained and all(r.field for r in retained)
    service.run([req("restriction_lift", address)])
    assert service.restrictions("email", address) == retained


def test_RS_3_lifting_twice_is_harmless(service: DsrService, shop_db: str) -> None:
    restricted(service, shop_db, SUBJECT)
    address = email_of(shop_db, SUBJECT)
    service.run([req("restriction_lift", address)])
    after = flags(shop_db)
    again = service.run([req("restriction_lift", address)])
    assert flags(shop_db) == after and after[SUBJECT] is False
    assert service.restrictions("email", address) == []
    assert again.results[0].found


def test_RS_3_lift_dry_run_changes_nothing(service: DsrService, shop_db: str) -> None:
    restricted(service, shop_db, SUBJECT)
    address = email_of(shop_db, SUBJECT)
    before = flags(shop_db)
    result = service.run([req("restriction_lift", address)], dry_run=True)
    assert result.dry_run and result.counts == {"shop_db.customer": 1}
    assert flags(shop_db) == before and before[SUBJECT] is True
    assert len(service.restrictions("email", address)) == 1


def test_RS_3_lift_plan_writes_only_the_flag_collections(service: DsrService) -> None:
    plan, _ = service.plan([req("restriction_lift", "a@example.test")])
    writing = [step for step in plan.steps if step.changes_data()]
    assert [step.address for step in writing] == ["shop_db.customer"]
    assert all(not step.fields for step in plan.steps)
    assert "processing_restricted: set false (RS-3)" in render_plan(plan, {})


def test_RS_3_a_lift_is_not_an_intake_request_type() -> None:
    assert "restriction_lift" not in REQUEST_TYPES  # only after the notice (lifecycle)
    with pytest.raises(RequestError, match="unknown request type"):
        request_type("restriction_lift")
