"""Lifting a restriction with the subject told first (Art. 18(3), RS-3), end to end.

A restriction is submitted, verified, approved and completed on the SQLite shop database
(tutela.testing.shopdb); a real SMTP server (aiosmtpd) receives the notice; the clock is
moved by the test. Then the same through the CLI, in-process.
"""

from __future__ import annotations

import email
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from tutela import bootstrap
from tutela.cli.main import app
from tutela.connectors.sql import SqlConnector
from tutela.errors import ConnectorError, RequestError
from tutela.ledger.checkpoint import generate_key
from tutela.programme.loader import load_programme
from tutela.requests.answering import Answering
from tutela.requests.details import details_of
from tutela.requests.keeping import Keeping
from tutela.requests.lifting import Lifting
from tutela.requests.mail import SmtpSender
from tutela.requests.records import RequestRecord
from tutela.requests.sealing import StoreKey
from tutela.requests.service import RequestService
from tutela.requests.types import RESTRICTION_ENDS, RestrictionGround
from tutela.requests.verification import Verification
from tutela.rights.service import DsrService
from tutela.store.dsr import SqlDsrStore
from tutela.store.ledger import SqlLedger, open_ledger
from tutela.store.lifecycle import SqlLifecycleStore
from tutela.store.requests import SqlRequestStore
from tutela.testing import shopdb
from tutela.testing.smtp import Inbox, free_port

KEY = StoreKey.parse(StoreKey.generate())
HASH_KEY = b"lifting-hash-key-never-printed!!"
SENDER = "privacy@shop.example.test"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LIFTS_AT = START + timedelta(days=14)


@dataclass
class Clock:
    moment: datetime = START

    def now(self) -> datetime:
        return self.moment


@pytest.fixture
def shop(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    shopdb.build(url, customers=12, seed=5)
    return url


def query(url: str, sql: str, **params: Any) -> list[dict[str, Any]]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = [dict(r) for r in connection.execute(sa.text(sql), params).mappings()]
    engine.dispose()
    return rows


def flags(url: str) -> dict[int, bool]:
    rows = query(url, "SELECT id, processing_restricted FROM customer")
    return {int(r["id"]): bool(r["processing_restricted"]) for r in rows}


def text_of(message: email.message.Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def address_of(url: str, customer_id: int) -> str:
    return str(query(url, "SELECT email FROM customer WHERE id = :c", c=customer_id)[0]["email"])


@dataclass
class World:
    service: RequestService
    keeping: Keeping
    clock: Clock
    inbox: Inbox
    ledger: SqlLedger
    dsr: DsrService
    shop: str

    def lifting(self) -> Lifting:
        return Lifting(self.service, self.keeping, self.service.programme)

    def restricted(self, customer_id: int, ground: str = "18(1)(a)") -> RequestRecord:
        """A restriction of the customer, completed on the shop database."""
        address = address_of(self.shop, customer_id)
        details = {"ground": ground}
        record = self.service.submit("restriction", {"email": address}, details=details)
        Verification(self.service, self.keeping).accept(record.id, "seen at the desk")
        self.service.approve(record.id)
        answering = Answering(self.service, self.keeping, self.service.programme)
        return answering.complete(record.id, self.dsr).request

    def actions(self, request_id: str) -> list[str]:
        return [e.action for e in self.ledger.entries() if e.request == request_id]


@pytest.fixture
def world(sqlite_url: str, shop: str, inbox: tuple[Inbox, int], tmp_path: Path) -> Iterator[World]:
    ledger = open_ledger(sqlite_url)
    clock = Clock()
    mail = SmtpSender("127.0.0.1", inbox[1], starttls=False)
    keeping = Keeping(
        SqlLifecycleStore(ledger.engine, ledger), KEY, timedelta(days=7), mail, SENDER
    )
    programme = load_programme(shopdb.shop_programme_path())
    service = RequestService(
        SqlRequestStore(ledger.engine, ledger), programme, HASH_KEY, clock, keeping
    )
    connector = SqlConnector("shop", shop)
    store = SqlDsrStore(f"sqlite:///{tmp_path / 'dsr.sqlite'}", clock)
    dsr = DsrService(
        programme, {"shop": connector}, store, clock, HASH_KEY, restriction_store=store
    )
    yield World(service, keeping, clock, inbox[0], ledger, dsr, shop)
    dsr.close()
    store.close()


def test_RS_3_the_subject_is_told_then_the_restriction_lifts_when_due(world: World) -> None:
    record = world.restricted(4)
    address = address_of(world.shop, 4)
    assert flags(world.shop)[4] is True and world.keeping.store.secret(record.id) is not None
    before = len(world.inbox.messages)
    told = world.lifting().notify(record.id, LIFTS_AT, actor="staff:alice")
    (notice,) = world.inbox.messages[before:]
    body = text_of(notice)
    assert notice["To"] == address and notice["From"] == SENDER
    assert record.id in notice["Subject"] and record.id in body
    assert "16 Mar 2026 10:00 Europe/Brussels" in body  # the controller's clocks
    assert RESTRICTION_ENDS[RestrictionGround.ACCURACY_CONTESTED] in body
    lift = details_of(told.details)["lift"]
    assert lift == {"notified_at": START.isoformat(), "lifts_at": LIFTS_AT.isoformat()}
    assert world.actions(record.id)[-1] == "lift_notified"

    world.clock.moment = LIFTS_AT - timedelta(seconds=1)
    assert world.lifting().lift_due(world.dsr) == []  # not before the date told
    assert flags(world.shop)[4] is True and world.keeping.store.secret(record.id) is not None

    world.clock.moment = LIFTS_AT
    assert world.lifting().lift_due(world.dsr, actor="staff:bob") == [record.id]
    assert flags(world.shop)[4] is False
    assert world.dsr.restrictions("email", address) == []
    assert world.keeping.store.secret(record.id) is None  # the identity is purged
    lifted = world.service.show(record.id)
    assert details_of(lifted.details)["lift"]["lifted_at"] == LIFTS_AT.isoformat()
    assert lifted.state == "completed" and world.actions(record.id)[-1] == "restriction_lifted"
    assert world.lifting().lift_due(world.dsr) == []  # once


def test_RS_3_only_the_due_restrictions_lift_other_subjects_stay_restricted(world: World) -> None:
    due, later, silent = world.restricted(2), world.restricted(3), world.restricted(5)
    world.lifting().notify(due.id, START + timedelta(days=1))
    world.lifting().notify(later.id, START + timedelta(days=30))
    world.clock.moment = START + timedelta(days=2)
    assert world.lifting().lift_due(world.dsr) == [due.id]
    found = flags(world.shop)
    assert (found[2], found[3], found[5]) == (False, True, True)
    assert sum(found.values()) == 2  # nobody else was ever flagged
    assert world.keeping.store.secret(silent.id) is not None  # never told: never lifted


@pytest.mark.parametrize(
    ("lifts_at", "message"),
    [
        (START, "told before"),  # the notice would not be strictly first
        (START - timedelta(days=1), "told before"),
        (datetime(2026, 4, 1, 9, 0), "both aware"),  # naive
    ],
)
def test_RS_3_a_lift_not_strictly_after_the_notice_is_refused(
    world: World, lifts_at: datetime, message: str
) -> None:
    record = world.restricted(4)
    before = len(world.inbox.messages)
    with pytest.raises(RequestError, match=message):
        world.lifting().notify(record.id, lifts_at)
    assert len(world.inbox.messages) == before  # nothing mailed
    assert "lift" not in details_of(world.service.show(record.id).details)


def test_RS_3_only_a_completed_restriction_is_lifted(world: World) -> None:
    open_one = world.service.submit(
        "restriction", {"email": address_of(world.shop, 6)}, details={"ground": "18(1)(c)"}
    )
    erasure = world.service.submit("erasure", {"email": address_of(world.shop, 7)})
    for record in (open_one, erasure):
        with pytest.raises(RequestError, match="only a completed restriction"):
            world.lifting().notify(record.id, LIFTS_AT)
        with pytest.raises(RequestError, match="only a completed restriction"):
            world.lifting().lift(record.id, world.dsr)
    with pytest.raises(RequestError, match="no request"):
        world.lifting().notify("00000000-0000-0000-0000-000000000000", LIFTS_AT)


def test_RS_3_a_second_notice_and_an_early_or_unnotified_lift_are_refused(world: World) -> None:
    record = world.restricted(4)
    with pytest.raises(RequestError, match="not told yet"):
        world.lifting().lift(record.id, world.dsr)
    world.lifting().notify(record.id, LIFTS_AT)
    with pytest.raises(RequestError, match="one notice"):
        world.lifting().notify(record.id, LIFTS_AT + timedelta(days=1))
    world.clock.moment = LIFTS_AT - timedelta(hours=1)
    with pytest.raises(RequestError, match="not lifted before"):
        world.lifting().lift(record.id, world.dsr)
    with pytest.raises(RequestError, match="in the future"):
        world.lifting().lift_due(world.dsr, now=LIFTS_AT + timedelta(days=1))
    assert flags(world.shop)[4] is True
    world.clock.moment = LIFTS_AT
    assert world.lifting().lift(record.id, world.dsr).id == record.id
    with pytest.raises(RequestError, match="lifted already"):
        world.lifting().lift(record.id, world.dsr)
    with pytest.raises(RequestError, match="told already"):
        world.lifting().notify(record.id, LIFTS_AT + timedelta(days=9))


def test_RS_3_an_unsent_notice_records_nothing(world: World) -> None:
    record = world.restricted(4)
    closed = SmtpSender("127.0.0.1", free_port(), starttls=False, timeout=2)
    keeping = Keeping(world.keeping.store, KEY, timedelta(days=7), closed, SENDER)
    with pytest.raises(ConnectorError, match="cannot reach the mail server"):
        Lifting(world.service, keeping, world.service.programme).notify(record.id, LIFTS_AT)
    assert "lift" not in details_of(world.service.show(record.id).details)
    assert world.lifting().lift_due(world.dsr, now=START) == []


# --- the same through the CLI ------------------------------------------------------------


@pytest.fixture
def env(
    tmp_path: Path, shop: str, inbox: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)
    environ = {
        "TUTELA_DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite'}",
        "TUTELA_SHOP_URL": shop,
        "TUTELA_HASH_KEY": HASH_KEY.decode(),
        "TUTELA_STORE_KEY": KEY_TEXT,
        "TUTELA_SMTP_URL": f"smtp://127.0.0.1:{inbox[1]}?starttls=false",
        "TUTELA_MAIL_FROM": SENDER,
        "TUTELA_PROGRAMME": str(shopdb.shop_programme_path()),
        "TUTELA_LEDGER_KEY": generate_key("shop.example.test/ledger").private_text(),
    }
    cli(environ, Clock(), "db", "upgrade")
    return environ


KEY_TEXT = StoreKey.generate()


def cli(env: dict[str, str], clock: Clock, *args: str, code: int = 0) -> Result:
    application = bootstrap.build(env)
    application.clock = clock
    result = CliRunner().invoke(app, list(args), env=env, obj=application)
    assert "Traceback" not in result.output
    assert HASH_KEY.decode() not in result.output and KEY_TEXT not in result.output
    assert result.exit_code == code, result.output
    return result


def test_RS_3_cli_lift_then_lift_due_round_trip(
    env: dict[str, str], shop: str, inbox: tuple[Inbox, int]
) -> None:
    clock = Clock()
    address = address_of(shop, 8)
    submitted = cli(
        env, clock, "requests", "submit", env["TUTELA_PROGRAMME"], "--type", "restriction",
        "--identity", f"email={address}", "--detail", "ground=18(1)(d)", "--format", "json",
    )  # fmt: skip
    request = str(json.loads(submitted.output)["id"])
    cli(env, clock, "requests", "verify", request, "--accept", "--evidence", "seen at the desk")
    cli(env, clock, "requests", "approve", request)
    cli(env, clock, "requests", "complete", request)
    assert flags(shop)[8] is True
    when = "2026-03-20T09:00+01:00"
    refused = cli(env, clock, "requests", "lift", request, "--lifts-at", "2026-03-20", code=4)
    assert "UTC offset" in refused.output
    shown = cli(
        env, clock, "requests", "lift", request, "--lifts-at", when,
        "--actor", "staff:alice", "--format", "json",
    )  # fmt: skip
    assert json.loads(shown.output)["details"]["lift"]["lifts_at"] == "2026-03-20T09:00:00+01:00"
    notice = inbox[0].messages[-1]
    assert notice["To"] == address and "20 Mar 2026 09:00" in text_of(notice)
    again = cli(env, clock, "requests", "lift", request, "--lifts-at", when, code=4)
    assert "one notice" in again.output
    assert "0 restriction(s) lifted" in cli(env, clock, "requests", "lift-due").output
    clock.moment = datetime(2026, 3, 20, 8, 0, tzinfo=UTC)
    done = cli(env, clock, "requests", "lift-due", "--format", "json")
    assert json.loads(done.output) == {"lifted": [request]}
    assert flags(shop)[8] is False
