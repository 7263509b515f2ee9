"""The lifecycle's steps at the service level: details, codes, fees, refusals, forwarding, purge.

Each test runs on tutela's real store (SQLite, or PostgreSQL where marked) with a clock
the test moves, and a real SMTP server (aiosmtpd) where mail is sent.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tutela.errors import ConfigurationError, RequestError
from tutela.programme.loader import load_programme
from tutela.requests.answering import Answering
from tutela.requests.keeping import AnswerKind, AnswerRecord, Keeping
from tutela.requests.mail import SmtpSender
from tutela.requests.records import LedgerStep
from tutela.requests.sealing import LinkError, StoreKey, Use, seal, sign_link
from tutela.requests.service import RequestService
from tutela.requests.staff import StaffSteps
from tutela.requests.verification import RateLimited, Verification
from tutela.store.ledger import open_ledger
from tutela.store.lifecycle import SqlLifecycleStore
from tutela.store.requests import SqlRequestStore
from tutela.testing import shopdb
from tutela.testing.smtp import Inbox

CLOUDOCKIT = Path(__file__).resolve().parents[2] / "examples" / "cloudockit"
EMAIL = "ann.peeters@example.test"
SENDER = "privacy@shop.example.test"
KEY = StoreKey.parse(StoreKey.generate())
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Clock:
    moment: datetime = START

    def now(self) -> datetime:
        return self.moment


@dataclass
class World:
    service: RequestService
    keeping: Keeping
    clock: Clock
    inbox: Inbox
    engine: sa.Engine

    def verification(self) -> Verification:
        return Verification(self.service, self.keeping)

    def staff(self) -> StaffSteps:
        return StaffSteps(self.service, self.keeping, self.service.programme)

    def answering(self) -> Answering:
        return Answering(self.service, self.keeping, self.service.programme)


def _world(url: str, inbox: tuple[Inbox, int], programme_path: Any) -> World:
    ledger = open_ledger(url)
    clock = Clock()
    mail = SmtpSender("127.0.0.1", inbox[1], starttls=False)
    keeping = Keeping(
        SqlLifecycleStore(ledger.engine, ledger), KEY, timedelta(days=7), mail, SENDER
    )
    programme = load_programme(programme_path)
    service = RequestService(
        SqlRequestStore(ledger.engine, ledger), programme, b"k" * 32, clock, keeping
    )
    return World(service, keeping, clock, inbox[0], ledger.engine)


@pytest.fixture
def world(sqlite_url: str, inbox: tuple[Inbox, int]) -> World:
    return _world(sqlite_url, inbox, shopdb.shop_programme_path())


@pytest.fixture
def cloudockit(sqlite_url: str, inbox: tuple[Inbox, int]) -> World:
    return _world(sqlite_url, inbox, CLOUDOCKIT)


def _code(inbox: Inbox) -> str:
    body = inbox.messages[-1].get_payload(decode=True).decode()
    (code,) = re.findall(r"\b(\d{6})\b", body)
    return code


# --- details (Arts. 16, 18, 20, 21) --------------------------------------------------------


def test_rs_1_a_restriction_names_its_ground(world: World) -> None:
    with pytest.raises(RequestError, match=r"ground \(Art. 18\(1\)\)"):
        world.service.submit("restriction", {"email": EMAIL})
    record = world.service.submit("restriction", {"email": EMAIL}, details={"ground": "18(1)(a)"})
    assert json.loads(record.details or "{}") == {"ground": "18(1)(a)"}


@pytest.mark.parametrize(
    ("kind", "details", "message"),
    [
        ("access", {"ground": "18(1)(a)"}, "does not take ground"),
        ("restriction", {"ground": "18(9)"}, "use one of"),
        ("rectification", {"mode": "rewrite"}, "use one of"),
        ("objection", {"purpose": "tax_records"}, "legitimate"),
        ("consent_withdrawal", {"purpose": "shop"}, "not consent"),
        ("portability", {"transmit_to": "http://10.0.0.1/x"}, "not https"),
        ("access", {"customer": "nobody"}, "dpa_register"),
        ("access", {"nonsense": "1"}, "unknown detail"),
        ("access", {"agent": "x" * 3000}, "at most 2048"),
    ],
)
def test_hostile_details_are_refused_with_what_to_fix(
    world: World, kind: str, details: dict[str, str], message: str
) -> None:
    with pytest.raises(RequestError, match=message):
        world.service.submit(kind, {"email": EMAIL}, details=details)
    assert world.service.list() == []


def test_regime_from_residence_ccpa_for_a_californian_only(world: World) -> None:
    record = world.service.submit("access", {"email": EMAIL}, residence="BE")
    assert record.regime == "gdpr" and record.residence == "BE"
    with pytest.raises(RequestError, match="CCPA"):
        world.service.submit("know", {"email": EMAIL}, residence="US-CA")


def test_id_2_the_identity_is_kept_sealed_and_purged_when_the_request_ends(world: World) -> None:
    record = world.service.submit("erasure", {"email": EMAIL})
    raw = world.keeping.store.secret(record.id)
    assert raw is not None and EMAIL.encode() not in raw
    assert world.service.identity(record)[0] == {"email": EMAIL}
    world.service.withdraw(record.id)
    assert world.keeping.store.secret(record.id) is None
    with pytest.raises(RequestError, match="no longer holds"):
        world.service.identity(record)


def test_id_2_without_a_store_key_the_identity_is_not_sealed(world: World) -> None:
    world.service.keeping = Keeping(world.keeping.store, None)
    with pytest.raises(ConfigurationError, match="TUTELA_STORE_KEY"):
        world.service.submit("erasure", {"email": EMAIL})


# --- identity codes (ID-1, ID-2) -----------------------------------------------------------


def test_id_1_code_by_mail_verifies_and_a_wrong_one_counts(world: World) -> None:
    record = world.service.submit("access", {"email": EMAIL})
    sent = world.verification().send_code(record.id, source="192.0.2.1")
    assert sent.request.state == "awaiting_identity"
    assert world.inbox.messages[-1]["To"] == EMAIL
    code = _code(world.inbox)
    wrong = world.verification().check_code(record.id, "000000" if code != "000000" else "1" * 6)
    assert wrong.outcome == "wrong" and wrong.attempts_left == 4
    right = world.verification().check_code(record.id, code)
    assert right.outcome == "verified" and right.request.state == "verified"
    with pytest.raises(RequestError, match="not awaiting a code"):
        world.verification().check_code(record.id, code)


def test_id_2_an_expired_code_does_not_verify(world: World) -> None:
    record = world.service.submit("access", {"email": EMAIL})
    world.verification().send_code(record.id)
    code = _code(world.inbox)
    world.clock.moment += timedelta(minutes=16)
    checked = world.verification().check_code(record.id, code)
    assert checked.outcome == "expired" and checked.request.state == "awaiting_identity"


def test_id_2_a_code_locks_after_five_wrong_attempts(world: World) -> None:
    record = world.service.submit("access", {"email": EMAIL})
    world.verification().send_code(record.id)
    code = _code(world.inbox)
    wrong = "000000" if code != "000000" else "111111"
    outcomes = [world.verification().check_code(record.id, wrong).outcome for _ in range(5)]
    assert outcomes[-1] == "locked"
    assert world.verification().check_code(record.id, code).outcome == "locked"


@pytest.mark.parametrize("typed", ["", "12345", "1" * 70, "'; DROP TABLE x; --", "１２３４５６"])
def test_id_2_hostile_codes_count_as_wrong_and_change_nothing_else(
    world: World, typed: str
) -> None:
    record = world.service.submit("access", {"email": EMAIL})
    world.verification().send_code(record.id)
    checked = world.verification().check_code(record.id, typed)
    assert checked.outcome == "wrong" and checked.request.state == "awaiting_identity"


def test_id_2_codes_are_rate_limited_per_identity_with_the_wait_named(world: World) -> None:
    record = world.service.submit("access", {"email": EMAIL})
    for _ in range(5):
        world.verification().send_code(record.id)
    with pytest.raises(RateLimited) as refused:
        world.verification().send_code(record.id)
    assert 0 < refused.value.retry_after <= 3600 and "stays open" in str(refused.value)
    world.clock.moment += timedelta(hours=1, seconds=1)
    assert world.verification().send_code(record.id).request.state == "awaiting_identity"


def test_id_4_an_agents_request_is_verified_by_staff_not_by_code(world: World) -> None:
    record = world.service.submit("access", {"email": EMAIL}, details={"agent": "yes"})
    with pytest.raises(RequestError, match="ID-4"):
        world.verification().send_code(record.id)
    accepted = world.verification().accept(record.id, "signed mandate seen, ref M-12")
    assert accepted.state == "verified" and accepted.reason == "signed mandate seen, ref M-12"


# --- fees and refusals (FEE-1, FEE-2, DL-7) -------------------------------------------------


def test_fee_1_a_first_request_is_free(world: World) -> None:
    record = world.service.submit("access", {"email": EMAIL})
    with pytest.raises(RequestError, match="FEE-1"):
        world.staff().fee(record.id, "10", "EUR", "copying costs")


def test_fee_2_a_repeated_request_may_cost_a_fee_with_the_dl_7_notice(world: World) -> None:
    world.service.submit("access", {"email": EMAIL})
    world.clock.moment += timedelta(days=3)
    again = world.service.submit("access", {"email": EMAIL})
    assert world.staff().flag(again.id) is not None
    decided = world.staff().fee(again.id, "12.50", "eur", "staff time to copy 200 pages")
    assert any("12.50 EUR" in line for line in decided.notice)
    assert any("supervisory authority" in line for line in decided.notice)
    world.verification().accept(again.id, "known customer")
    with pytest.raises(RequestError, match="waits for its fee"):
        world.service.approve(again.id)
    paid = world.staff().fee_paid(again.id)
    assert json.loads(paid.details or "{}")["fee"]["paid"] is True
    assert world.service.approve(again.id).state == "in_progress"


def test_fee_2_refusal_needs_an_excessive_or_unfounded_request(world: World) -> None:
    record = world.service.submit("erasure", {"email": EMAIL})
    with pytest.raises(RequestError, match="no lawful ground to refuse"):
        world.staff().refuse(record.id, "we do not feel like it")
    decided = world.staff().refuse(record.id, "the same request daily", unfounded=True)
    assert decided.request.state == "denied"
    assert decided.request.reason and decided.request.reason.startswith("Art. 12(5)(b)")
    assert any("Art. 77" in line for line in decided.notice)


def test_co_3_a_consent_withdrawal_is_never_refused(cloudockit: World) -> None:
    purpose = next(
        p.key
        for p in cloudockit.service.programme.purposes  # type: ignore[union-attr]
        if p.legal_basis == "consent"
    )
    record = cloudockit.service.submit(
        "consent_withdrawal", {"email": EMAIL}, details={"purpose": purpose}
    )
    with pytest.raises(RequestError, match="may not be refused"):
        cloudockit.staff().refuse(record.id, "abusive", unfounded=True)


# --- forwarding (PR-2) ---------------------------------------------------------------------


def test_pr_2_processor_data_is_forwarded_to_the_named_customer(cloudockit: World) -> None:
    programme = cloudockit.service.programme
    assert programme is not None
    customer = programme.dpa_register[0]
    record = cloudockit.service.submit("access", {"email": EMAIL})
    decided = cloudockit.staff().forward(record.id, customer.key)
    assert decided.request.state == "forwarded_to_controller"
    assert any(customer.name in line for line in decided.notice)
    message = cloudockit.inbox.messages[-1]
    assert customer.dpa_reference in message["Subject"]
    assert EMAIL in message.get_payload(decode=True).decode()  # the controller must find them
    assert cloudockit.keeping.store.secret(record.id) is None  # purged: the request ended


# --- answers: links and purge (AC-5) --------------------------------------------------------


def _answered(world: World) -> str:
    record = world.service.submit("access", {"email": EMAIL})
    body = b"PK fake answer"
    answer = AnswerRecord(
        record.id, AnswerKind.PACKAGE, "application/zip", "a.zip", "0" * 64, len(body),
        START, START + timedelta(days=7),
    )  # fmt: skip
    sealed = seal(KEY, Use.ANSWER, record.id, body)
    step = LedgerStep(START, "system", "answer_kept", None, "0" * 64)
    world.keeping.store.save_answer(answer, sealed, step)
    return record.id


def test_ac_5_a_link_downloads_until_it_expires_and_each_download_is_counted(
    world: World,
) -> None:
    request = _answered(world)
    url, until = world.answering().link(request)
    token = url.split("token=")[1]
    assert world.answering().download(token)[1] == b"PK fake answer"
    assert world.keeping.store.answer(request)[0].downloads == 1  # type: ignore[index]
    world.clock.moment = until + timedelta(seconds=1)
    with pytest.raises(LinkError, match="expired"):
        world.answering().download(token)


def test_ac_5_a_link_for_another_request_is_refused(world: World) -> None:
    mine, other = _answered(world), _answered(world)
    token = sign_link(KEY, other, START + timedelta(days=1))
    with pytest.raises(LinkError, match="another request"):
        world.answering().download(token, request_id=mine)


def test_ac_5_the_answer_is_purged_after_the_delivery_window(world: World) -> None:
    request = _answered(world)
    assert world.answering().purge() == []
    world.clock.moment = START + timedelta(days=7, seconds=1)
    assert world.answering().purge() == [request]
    answer, sealed = world.keeping.store.answer(request)  # type: ignore[misc]
    assert sealed is None and answer.purged_at is not None
    with pytest.raises(RequestError, match="purged"):
        world.answering().export(request)
