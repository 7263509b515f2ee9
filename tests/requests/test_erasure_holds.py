"""Legal holds stop erasure requests for the data they hold, and the answer says why (RT-3, ER-2).

Art. 17(3)(e) GDPR: data needed for legal claims is not erased. Holds are placed through
the real retention service and store; erasure requests are submitted, verified, approved
and completed through the request lifecycle; the shop runs on SQLite, PostgreSQL and
MariaDB. The DSR engine is given the holds as bootstrap gives them
(:func:`tutela.rights.holds.legal_holds` of the retention service's holds).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tutela.bootstrap import Application, build
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.requests.sealing import StoreKey
from tutela.retention.service import RetentionService
from tutela.retention.targets import Condition
from tutela.rights.holding import matches
from tutela.rights.holds import HOLD_BASIS, LegalHold, RowTest, legal_holds
from tutela.rights.service import DsrService
from tutela.testing import shopdb

REASON = "Court case 2026/114 about unpaid invoices is pending."
TABLES = ("customer", "address", "orders", "order_item", "payment_card", "login_event")


@pytest.fixture
def programme() -> Programme:
    return load_programme(shopdb.shop_programme_path())


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Application:
    shopdb.build(database_url, customers=8, seed=11)
    store = f"sqlite:///{tmp_path / 'store.sqlite'}"
    from tutela.store import migrate
    from tutela.store.engine import open_engine

    engine = open_engine(store)
    migrate.upgrade(engine)
    engine.dispose()
    return build(
        {
            "TUTELA_DATABASE_URL": store,
            "TUTELA_SHOP_URL": database_url,
            "TUTELA_HASH_KEY": "erasure-holds-test-hash-key",
            "TUTELA_STORE_KEY": StoreKey.generate(),
        }
    )


@pytest.fixture
def retention(app: Application, programme: Programme) -> RetentionService:
    return app.retention(programme)


@pytest.fixture
def dsr(
    app: Application, programme: Programme, retention: RetentionService
) -> Iterator[DsrService]:
    service = app.dsr_service(programme)  # bootstrap hands it the holds of ``retention``
    yield service
    service.close()


def rows(app: Application, sql: str, **params: Any) -> list[dict[str, Any]]:
    engine = sa.create_engine(app.environ["TUTELA_SHOP_URL"])
    with engine.connect() as connection:
        found = [dict(r) for r in connection.execute(sa.text(sql), params).mappings()]
    engine.dispose()
    return found


def person(app: Application, cards: int = 1, logins: int = 1) -> dict[str, Any]:
    """A customer with at least ``cards`` payment cards and ``logins`` login events."""
    for candidate in rows(app, "SELECT id, email, name FROM customer ORDER BY id"):
        mine = {"c": candidate["id"]}
        has_cards = rows(
            app, "SELECT COUNT(*) AS n FROM payment_card WHERE customer_id = :c", **mine
        )
        has_logins = rows(
            app, "SELECT COUNT(*) AS n FROM login_event WHERE customer_id = :c", **mine
        )
        if has_cards[0]["n"] >= cards and has_logins[0]["n"] >= logins:
            return candidate
    raise AssertionError("the seeded shop has no such customer")


def snapshot(app: Application, customer: int) -> dict[str, list[dict[str, Any]]]:
    """Every row of the customer's data, table by table, in key order."""
    orders = "SELECT id FROM orders WHERE customer_id = :c"
    where = {
        "customer": "id = :c",
        "address": "id = (SELECT address_id FROM customer WHERE id = :c)",
        "orders": "customer_id = :c",
        "order_item": f"order_id IN ({orders})",
        "payment_card": "customer_id = :c",
        "login_event": "customer_id = :c",
    }
    return {
        table: rows(app, f"SELECT * FROM {table} WHERE {where[table]} ORDER BY id", c=customer)
        for table in TABLES
    }


def erase(app: Application, programme: Programme, dsr: DsrService, *emails: str) -> list[str]:
    """Submit, verify and approve an erasure per address, complete them together; their ids."""
    service = app.request_service(programme)
    ids = []
    for address in emails:
        record = service.submit("erasure", {"email": address})
        app.verification().accept(record.id, "known session")
        service.approve(record.id)
        ids.append(record.id)
    outcomes = app.answering(programme).complete_many(ids, dsr)
    for identifier in ids:
        done = outcomes[identifier]
        assert not isinstance(done, Exception), done
        assert done.request.state == "completed"
    return ids


def letter(app: Application, request: str) -> str:
    return app.answering().export(request)[1].decode()


def test_er_2_rt_3_a_subject_hold_refuses_the_erasure_and_the_letter_gives_its_reason(
    app: Application, programme: Programme, retention: RetentionService, dsr: DsrService
) -> None:
    held, other = person(app), rows(app, "SELECT id, email FROM customer ORDER BY id DESC")[0]
    hold = retention.place_hold(
        scope="subject", reason=REASON, owner="legal", identity=("email", held["email"].upper())
    )
    before = snapshot(app, held["id"])
    held_request, other_request = erase(app, programme, dsr, held["email"], other["email"])
    assert snapshot(app, held["id"]) == before  # nothing of the held subject changed
    (erased,) = rows(app, "SELECT email, name FROM customer WHERE id = :c", c=other["id"])
    assert erased["name"] == "REDACTED" and erased["email"] != other["email"]  # same batch
    text = letter(app, held_request)
    assert "What we keep for legal claims" in text and "Art. 17(3)(e) GDPR" in text
    assert "Court case 2026/114" in text and "when the hold is lifted" in text
    assert "customer: email, name, phone" in text
    assert "Court case" not in letter(app, other_request)
    steps = [e.action for e in app.ledger().entries() if e.request == held_request]
    assert "completed" in steps  # answered like any request, and ledgered
    assert hold.id not in text  # the subject gets the reason, not staff's hold id


def test_er_2_rt_3_a_subject_hold_on_one_collection_keeps_only_that_collection(
    app: Application, programme: Programme, retention: RetentionService, dsr: DsrService
) -> None:
    held = person(app, cards=1)
    retention.place_hold(
        scope="subject",
        reason=REASON,
        owner="legal",
        identity=("email", held["email"]),
        collection="shop_db.payment_card",
    )
    before = snapshot(app, held["id"])
    (request,) = erase(app, programme, dsr, held["email"])
    after = snapshot(app, held["id"])
    assert after["payment_card"] == before["payment_card"]
    assert after["customer"][0]["name"] == "REDACTED"
    assert all(row["ip"] is None for row in after["login_event"])
    text = letter(app, request)
    assert "payment_card: last4, holder_name" in text and "Court case 2026/114" in text


def test_er_2_rt_3_a_collection_hold_keeps_that_collection_and_the_rest_is_erased(
    app: Application, programme: Programme, retention: RetentionService, dsr: DsrService
) -> None:
    held = person(app, cards=1, logins=2)
    retention.place_hold(
        scope="collection", reason=REASON, owner="legal", collection="shop_db.login_event"
    )
    plan = dsr.plan_only([_erasure(held["email"])])
    ip = next(f for f in plan.step("shop_db.login_event").fields if f.name == "ip")
    assert ip.action == "retain" and ip.retention is not None
    assert ip.retention.basis == HOLD_BASIS and ip.retention.period is None
    assert ip.retention.reason == REASON
    before = snapshot(app, held["id"])
    (request,) = erase(app, programme, dsr, held["email"])
    after = snapshot(app, held["id"])
    assert after["login_event"] == before["login_event"]
    assert after["payment_card"] == []  # erase: delete, not held
    assert after["customer"][0]["name"] == "REDACTED"
    text = letter(app, request)
    assert "login_event: ip" in text and "Court case 2026/114" in text


def test_rt_3_a_filter_hold_keeps_the_matching_rows_and_erases_the_others(
    app: Application, programme: Programme, retention: RetentionService, dsr: DsrService
) -> None:
    held = person(app, cards=2, logins=2)
    mine = snapshot(app, held["id"])
    kept_card, kept_login = mine["payment_card"][0], mine["login_event"][0]
    retention.place_hold(
        scope="filter",
        reason=REASON,
        owner="legal",
        collection="shop_db.payment_card",
        conditions=[Condition("id", "=", kept_card["id"])],
    )
    retention.place_hold(
        scope="filter",
        reason="Fraud report 77 names this login.",
        owner="security",
        collection="shop_db.login_event",
        conditions=[Condition("id", "in", (kept_login["id"], -1))],
    )
    (request,) = erase(app, programme, dsr, held["email"])
    after = snapshot(app, held["id"])
    assert after["payment_card"] == [kept_card]  # the others were deleted
    assert after["login_event"][0] == kept_login
    assert all(row["ip"] is None for row in after["login_event"][1:])
    text = letter(app, request)
    assert "Fraud report 77 names this login." in text and "Court case 2026/114" in text
    assert "login_event: ip" in text and "payment_card: last4, holder_name" in text


def test_rt_3_after_the_hold_is_lifted_a_new_erasure_erases(
    app: Application, programme: Programme, retention: RetentionService, dsr: DsrService
) -> None:
    held = person(app, cards=1)
    hold = retention.place_hold(
        scope="subject", reason=REASON, owner="legal", identity=("email", held["email"])
    )
    before = snapshot(app, held["id"])
    erase(app, programme, dsr, held["email"])
    assert snapshot(app, held["id"]) == before
    retention.lift_hold(hold.id, actor="staff:legal", reason="The case was settled.")
    (request,) = erase(app, programme, dsr, held["email"])
    after = snapshot(app, held["id"])
    assert after["customer"][0]["name"] == "REDACTED" and after["payment_card"] == []
    assert "What we keep for legal claims" not in letter(app, request)


def test_er_2_rt_3_lifting_the_hold_erases_what_it_kept_from_the_erasure(
    app: Application, programme: Programme, retention: RetentionService, dsr: DsrService
) -> None:
    held, other = person(app, cards=1), rows(app, "SELECT id, email FROM customer")[-1]
    hold = retention.place_hold(
        scope="subject", reason=REASON, owner="legal", identity=("email", held["email"])
    )
    before = snapshot(app, held["id"])
    (request,) = erase(app, programme, dsr, held["email"])
    erase(app, programme, dsr, other["email"])  # an erasure no hold touched owes nothing
    assert snapshot(app, held["id"]) == before
    (owed,) = retention.holds()
    assert owed.erasure_owed == request  # the letter promised erasure once the hold ends
    retention.lift_hold(hold.id, actor="staff:legal", reason="The case was settled.")
    after = snapshot(app, held["id"])
    assert after["customer"][0]["name"] == "REDACTED" and after["payment_card"] == []
    (lifted,) = retention.holds(include_lifted=True)
    assert lifted.sealed is None and lifted.erasure_owed is None  # nothing of her is kept
    actions = [e.action for e in app.ledger().entries() if e.request == hold.id]
    assert actions == ["hold_placed", "erasure_owed", "hold_lifted", "hold_settled"]
    assert retention.settle_lifted() == 0  # settled once: the duty finds nothing more


def test_rt_3_a_dry_run_counts_only_what_a_hold_leaves(
    app: Application, programme: Programme, retention: RetentionService, dsr: DsrService
) -> None:
    held = person(app, cards=1)
    retention.place_hold(
        scope="collection", reason=REASON, owner="legal", collection="shop_db.payment_card"
    )
    result = dsr.run([_erasure(held["email"])], dry_run=True)
    assert "shop_db.payment_card" not in result.counts or not result.counts["shop_db.payment_card"]
    assert result.counts["shop_db.customer"] == 1


def _erasure(address: str) -> Any:
    from tutela.rights.models import SubjectRequest

    return SubjectRequest("erasure", (("email", address),))


# --- hostile holds: the engine keeps the row when it cannot tell -----------------------------


class _Cond:
    def __init__(self, column: str, op: str, value: Any) -> None:
        self.column, self.op, self.value = column, op, value


class _Hold:
    def __init__(self, scope: str, conditions: tuple[_Cond, ...] = (), **more: Any) -> None:
        self.id, self.scope, self.reason, self.conditions = "h-1", scope, "r", conditions
        self.collection, self.customer = more.get("collection"), more.get("customer")


def test_rt_3_holds_of_unknown_scope_or_operator_are_skipped_not_guessed() -> None:
    weird = [
        _Hold("everything"),
        _Hold("filter", (_Cond("id", "LIKE", "%"),), collection="shop_db.orders"),
        _Hold("filter", (_Cond("id", "; DROP TABLE orders", 1),), collection="shop_db.orders"),
    ]
    assert legal_holds(weird) == ()  # type: ignore[arg-type]
    (kept,) = legal_holds([_Hold("filter", (_Cond("id", "=", [1]),), collection="a.b")])  # type: ignore[list-item]
    assert kept == LegalHold("h-1", "filter", "r", "a.b", (RowTest("id", "=", (1,)),))


@pytest.mark.parametrize(
    ("test", "value", "held"),
    [
        (RowTest("status", "=", "Disputed"), "disputed ", True),  # as a ci collation compares
        (RowTest("status", "!=", "disputed"), "Disputed", True),  # a doubt keeps the row
        (RowTest("status", "=", "disputed"), "paid", False),
        (RowTest("id", "=", "1 OR 1=1"), 5, True),  # not a number: cannot tell, kept
        (RowTest("id", "<", "9" * 400), 5, True),
        (RowTest("id", ">=", 10), 5, False),
        (RowTest("id", "in", ("4", "5")), 5, True),
        (RowTest("at", "<", "2026-01-01"), datetime(2025, 6, 1, tzinfo=UTC), True),
        (RowTest("at", "<", "2026-01-01"), datetime(2026, 6, 1), False),
        (RowTest("at", "<", "not a date"), datetime(2026, 6, 1), True),
        (RowTest("flag", "=", "x"), True, True),
        (RowTest("anything", "=", "x"), None, True),  # NULL: unknown, kept
    ],
)
def test_rt_3_a_filter_test_keeps_a_row_unless_it_surely_fails(
    test: RowTest, value: Any, held: bool
) -> None:
    assert matches(test, value) is held
