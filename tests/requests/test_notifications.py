"""Art. 19 notifications to recipients against GDPR.md NR-1: real local webhook and SMTP servers."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast

import pytest
from aiosmtpd.controller import Controller
from pydantic import ValidationError

from tutela.errors import ConfigurationError, ConnectorError, RequestError
from tutela.notify import WebhookError, WebhookSender
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme, Recipient
from tutela.requests.delivery import DeliveryReport, Senders, deliver_due, seal_messages
from tutela.requests.keeping import Channel, LifecycleStore, NotificationRecord, NotificationState
from tutela.requests.mail import SmtpSender
from tutela.requests.notices import (
    RETRY_DELAYS,
    SIGNATURE_HEADER,
    SignatureError,
    digest,
    email_for,
    next_attempt,
    recipient_message,
    verify_signature,
    webhook_request,
)
from tutela.requests.recipients import (
    categories_changed,
    notifications_for,
    recipients_of,
    unreachable,
)
from tutela.requests.records import LedgerStep
from tutela.requests.sealing import StoreKey
from tutela.rights.models import (
    CollectionResult,
    FieldPlan,
    Plan,
    RequestResult,
    Step,
    SubjectRequest,
)

NOW = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
REQUEST = "0b7e2c1a-5d4f-4a3b-9c8d-7e6f5a4b3c2d"
SECRET = b"whsec-" + b"s" * 32
IDENTITY = {"email": "jane.doe@subject.example"}
KEY = StoreKey(b"k" * 32)
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cloudockit"


# --- local servers ---------------------------------------------------------------------------


@dataclass
class Hooks:
    """What the local webhook server received, by path; checks each signature at ``now``."""

    now: datetime = NOW
    bodies: dict[str, list[bytes]] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)


def _handler(hooks: Hooks) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:
                verify_signature(body, self.headers.get(SIGNATURE_HEADER), SECRET, hooks.now)
            except SignatureError as error:
                hooks.refused.append(str(error))
                return self._reply(401)
            hooks.bodies.setdefault(self.path, []).append(body)
            if self.path == "/slow":
                time.sleep(1.0)
            if self.path == "/moved":
                self.send_response(302)
                self.send_header("Location", "/good")
                self.send_header("Content-Length", "0")
                return self.end_headers()
            self._reply(500 if self.path == "/broken" else 204, echo=body)

        def _reply(self, status: int, echo: bytes = b"") -> None:
            payload = echo if status == 500 else b""  # a server echoing what it got
            self.send_response(status)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    return Handler


@pytest.fixture
def hooks() -> Iterator[tuple[Hooks, str]]:
    state = Hooks()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class Inbox:
    """An aiosmtpd handler keeping what it received."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(message)
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler, port = Inbox(), _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


# --- an in-memory store (the notification part of the port) --------------------------------


@dataclass
class FakeStore:
    """The notification methods of :class:`LifecycleStore`, in memory, with a ledger list."""

    records: dict[str, NotificationRecord] = field(default_factory=dict)
    sealed: dict[str, bytes | None] = field(default_factory=dict)
    ledger: list[tuple[str, LedgerStep]] = field(default_factory=list)

    def add_notifications(
        self, records: Sequence[NotificationRecord], sealed: Mapping[str, bytes]
    ) -> None:
        taken = {(r.request_id, r.recipient) for r in self.records.values()}
        for record in records:
            if (record.request_id, record.recipient) not in taken:
                self.records[record.id], self.sealed[record.id] = record, sealed.get(record.id)

    def due_notifications(
        self, now: datetime, limit: int
    ) -> list[tuple[NotificationRecord, bytes | None]]:
        due = [
            r
            for r in self.records.values()
            if r.state == NotificationState.PENDING and r.next_at and r.next_at <= now
        ]
        return [(r, self.sealed[r.id]) for r in sorted(due, key=lambda r: r.next_at or now)][:limit]

    def update_notification(self, record: NotificationRecord, step: LedgerStep) -> None:
        assert record.id in self.records
        self.records[record.id] = record
        if record.state != NotificationState.PENDING:
            self.sealed[record.id] = None
        self.ledger.append((record.recipient, step))

    def by_recipient(self) -> dict[str, NotificationRecord]:
        return {r.recipient: r for r in self.records.values()}


# --- helpers ---------------------------------------------------------------------------------


def _recipient(key: str, categories: list[str], named: bool = True, **notify: str) -> Recipient:
    data: dict[str, Any] = {"key": key, "name": key.title(), "kind": "controller"}
    data |= {"categories": categories, "named": named}
    return Recipient.model_validate(data | ({"notify": notify} if notify else {}))


def _programme(base: str) -> Programme:
    secret = "TUTELA_HOOK"
    return Programme(
        recipients=[
            _recipient("good", ["user.contact"], webhook=f"{base}/good", secret_env=secret),
            _recipient(
                "broken", ["user.contact.email"], webhook=f"{base}/broken", secret_env=secret
            ),
            _recipient("mailer", ["user.name"], email="dpo@mailer.test"),
            _recipient("unknown", ["user.contact.email"], named=False),
            _recipient("analytics", ["user.device"], email="dpo@analytics.test"),
        ]
    )


def _queue(store: FakeStore, programme: Programme, kind: str = "erasure") -> None:
    categories = ["user.contact.email", "user.name"]
    records = notifications_for(programme, REQUEST, categories, NOW)
    documents = {
        r.key: recipient_message(kind, REQUEST, "Shop BV", IDENTITY, categories)
        for r in recipients_of(programme, categories)
    }
    store.add_notifications(records, seal_messages(KEY, records, documents))


def _run(store: FakeStore, now: datetime, senders: Senders, **kw: Any) -> DeliveryReport:
    secrets = kw.pop("secrets", {"good": SECRET, "broken": SECRET})
    return deliver_due(
        cast(LifecycleStore, store), key=KEY, senders=senders, secrets=secrets, now=now, **kw
    )


def _senders(port: int | None = None) -> Senders:
    mail = SmtpSender("127.0.0.1", port, starttls=False) if port else None
    return Senders(mail=mail, webhook=WebhookSender(timeout=5), mail_from="privacy@shop.test")


# --- delivery ---------------------------------------------------------------------------------


def test_nr1_good_recipient_told_once_failing_one_retried_with_the_delays_then_failed(
    hooks: tuple[Hooks, str], inbox: tuple[Inbox, int]
) -> None:
    (server, base), (mailbox, port) = hooks, inbox
    store = FakeStore()
    _queue(store, _programme(base))
    assert set(store.by_recipient()) == {"good", "broken", "mailer"}
    assert _run(store, NOW, _senders(port)) == DeliveryReport(delivered=2, retrying=1)
    assert len(server.bodies["/good"]) == 1 and len(mailbox.received) == 1
    good = store.by_recipient()["good"]
    assert good.state == NotificationState.DELIVERED and good.delivered_at == NOW
    moment = NOW
    for number, delay in enumerate(RETRY_DELAYS, start=1):
        broken = store.by_recipient()["broken"]
        assert broken.attempts == number and broken.next_at == moment + delay
        server.now = moment + delay - timedelta(seconds=1)
        assert _run(store, server.now, _senders(port)).attempted == 0  # not yet due
        moment = server.now = moment + delay
        report = _run(store, moment, _senders(port))
        last = number == len(RETRY_DELAYS)
        assert report == DeliveryReport(retrying=0 if last else 1, failed=1 if last else 0)
    broken = store.by_recipient()["broken"]
    assert broken.state == NotificationState.FAILED and broken.attempts == len(RETRY_DELAYS) + 1
    assert broken.next_at is None and "HTTP 500" in (broken.last_error or "")
    assert len(server.bodies["/broken"]) == len(RETRY_DELAYS) + 1 and server.refused == []
    assert _run(store, moment + timedelta(days=30), _senders(port)).attempted == 0  # idempotent
    assert len(server.bodies["/good"]) == 1 and len(mailbox.received) == 1
    actions = [step.action for who, step in store.ledger if who == "broken"]
    assert actions == ["recipient_retry"] * len(RETRY_DELAYS) + ["recipient_failed"]
    assert [s.action for who, s in store.ledger if who != "broken"] == ["recipient_notified"] * 2


def test_nr1_webhook_body_is_the_signed_document_and_the_ledger_names_its_digest(
    hooks: tuple[Hooks, str],
) -> None:
    server, base = hooks
    store = FakeStore()
    _queue(store, _programme(base))
    _run(store, NOW, _senders())
    document = json.loads(server.bodies["/good"][0])
    assert document["event"] == "tutela.request.erasure" and document["reference"] == REQUEST
    assert document["action"] == "erase" and document["subject"] == IDENTITY
    assert document["categories"] == ["user.contact.email", "user.name"]
    step = next(s for who, s in store.ledger if who == "good")
    assert step.after == digest(document) and step.before is None and step.actor == "system"
    mailer = store.by_recipient()["mailer"]  # no mail server set up: retried, not crashed
    assert mailer.state == NotificationState.PENDING and "no mail server" in str(mailer.last_error)


def test_nr1_email_recipient_receives_a_message_naming_the_request(
    inbox: tuple[Inbox, int],
) -> None:
    mailbox, port = inbox
    store = FakeStore()
    programme = Programme(recipients=[_recipient("mailer", ["user"], email="DPO@Mailer.test")])
    _queue(store, programme, kind="restriction")
    assert _run(store, NOW, _senders(port)) == DeliveryReport(delivered=1)
    (message,) = mailbox.received
    assert REQUEST in message["Subject"] and "restrict" in message["Subject"]
    assert IDENTITY["email"] not in message["Subject"]
    assert message["To"] == "dpo@mailer.test" and message["From"] == "privacy@shop.test"
    body = message.get_content()
    assert REQUEST in body and IDENTITY["email"] in body and "Art. 18" in body
    assert "user.contact.email" in body and "Shop BV" in body


def test_nr1_missing_secret_fails_that_notification_only_and_no_secret_or_identity_in_last_error(
    hooks: tuple[Hooks, str],
) -> None:
    server, base = hooks
    store = FakeStore()
    _queue(store, _programme(base))
    report = _run(store, NOW, _senders(), secrets={"broken": SECRET})
    assert report == DeliveryReport(retrying=3)
    records = store.by_recipient()
    assert "no signing secret for recipient good" in str(records["good"].last_error)
    assert "secret_env" in str(records["good"].last_error) and "/good" not in server.bodies
    for record in records.values():
        text = str(record.last_error)
        assert SECRET.decode() not in text and IDENTITY["email"] not in text
        assert "jane" not in text and "/broken" not in text  # the 500 reply echoed the body


class Leaky:
    """A sender whose errors repeat what it was given."""

    def __init__(self, error: type[Exception]) -> None:
        self.error = error

    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> None:
        who = json.loads(body)["subject"]["email"]
        raise self.error(f"refused {who}: {body.decode()} signed {headers[SIGNATURE_HEADER]}")


@pytest.mark.parametrize("error", [ConnectorError, ValueError])
def test_nr1_a_leaky_sender_error_is_cleaned_before_it_is_kept(error: type[Exception]) -> None:
    store = FakeStore()
    programme = Programme(
        recipients=[_recipient("good", ["user"], webhook="https://h.test/x", secret_env="TUTELA_W")]
    )
    _queue(store, programme)
    senders = Senders(mail=None, webhook=Leaky(error), mail_from="privacy@shop.test")
    if error is ValueError:
        with pytest.raises(ValueError):  # not a sending failure: a bug, not swallowed
            _run(store, NOW, senders)
        return
    assert _run(store, NOW, senders) == DeliveryReport(retrying=1)
    text = str(store.by_recipient()["good"].last_error)
    assert IDENTITY["email"] not in text and SECRET.decode() not in text
    assert len(text) <= 200 and "[hidden]" in text


def test_nr1_a_message_that_does_not_open_is_failed_for_staff() -> None:
    store = FakeStore()
    programme = Programme(recipients=[_recipient("mailer", ["user"], email="dpo@mailer.test")])
    _queue(store, programme)
    other = StoreKey(b"o" * 32)
    report = deliver_due(
        cast(LifecycleStore, store), key=other, senders=_senders(), secrets={}, now=NOW
    )
    assert report == DeliveryReport(failed=1)
    assert "does not open" in str(store.by_recipient()["mailer"].last_error)
    assert store.ledger[0][1].action == "recipient_failed"


# --- who is told -------------------------------------------------------------------------------


def test_nr1_recipients_of_covering_categories_named_first_webhook_preferred() -> None:
    programme = Programme(
        recipients=[
            _recipient("category", ["user.contact"], named=False, email="a@cat.test"),
            _recipient("both", ["user.contact.email"], email="b@both.test",
                       webhook="https://hooks.both.test/t", secret_env="TUTELA_BOTH"),
            _recipient("silent", ["user"]),
            _recipient("devices", ["user.device"], email="d@devices.test"),
        ]
    )  # fmt: skip
    keys = [r.key for r in recipients_of(programme, ["user.contact.email"])]
    assert keys == ["both", "silent", "category"]
    assert [r.key for r in unreachable(programme, ["user.contact.email"])] == ["silent"]
    records = notifications_for(programme, REQUEST, ["user.contact"], NOW)
    assert [(r.recipient, r.channel, r.target) for r in records] == [
        ("both", Channel.WEBHOOK, "https://hooks.both.test/t"),
        ("category", Channel.EMAIL, "a@cat.test"),
    ]
    first = records[0]
    assert first.state == NotificationState.PENDING and first.attempts == 0
    assert (
        first.next_at == NOW and first.request_id == REQUEST and len({r.id for r in records}) == 2
    )


def test_nr1_the_example_programme_tells_stripe_by_webhook_and_cleverbridge_by_email() -> None:
    programme = load_programme(EXAMPLE)
    records = {r.recipient: r for r in notifications_for(programme, REQUEST, ["user.name"], NOW)}
    assert records["stripe"].channel == Channel.WEBHOOK
    assert records["stripe"].target == "https://hooks.stripe.test/tutela"
    assert records["cleverbridge"].channel == Channel.EMAIL
    assert "linkedin" in {r.key for r in unreachable(programme, ["user.name"])}


def test_nr1_categories_changed_are_those_of_written_deleted_or_restricted_fields() -> None:
    email_field = FieldPlan("email", "mask", categories=("user.contact.email",))
    name_field = FieldPlan("name", "read", categories=("user.name",))
    kept = FieldPlan("invoice", "retain", categories=("user.financial",))
    steps = (
        Step("shop.customer", "shop", "customer", (), "id", (), (email_field, name_field, kept)),
        Step("shop.cart", "shop", "cart", (), "id", (), (name_field,), delete_rows=True),
        Step("crm.lead", "crm", "lead", (), "id", (), (email_field,)),
    )
    plan = Plan("erasure", ("email",), steps, ("shop.customer", "shop.cart", "crm.lead"))
    request = SubjectRequest("erasure", (("email", IDENTITY["email"]),))
    result = RequestResult(
        request,
        "batch",
        True,
        (
            CollectionResult("shop.customer", "shop", changed=1),
            CollectionResult("shop.cart", "shop", deleted=2),
            CollectionResult("crm.lead", "crm"),
        ),
    )
    assert categories_changed(plan, result) == ("user.contact.email", "user.name")
    restricted = replace(plan, steps=(replace(steps[0], restriction_flag="restricted"),))
    assert categories_changed(restricted, result) == (
        "user.contact.email", "user.name", "user.financial",
    )  # fmt: skip


# --- the message, its signature and the retry policy ------------------------------------------


def test_nr1_message_per_kind_says_what_to_do() -> None:
    rectify = recipient_message(
        "rectification", REQUEST, "Shop BV", IDENTITY, ["user.name"], {"name": "Jane Roe"}
    )
    assert rectify["event"] == "tutela.request.rectification" and rectify["action"] == "rectify"
    assert rectify["changes"] == {"name": "Jane Roe"} and "GDPR Art. 19" in rectify["articles"]
    with pytest.raises(RequestError, match="new values"):
        recipient_message("rectification", REQUEST, "Shop BV", IDENTITY, ["user.name"])
    with pytest.raises(RequestError, match="new values are for a rectification"):
        recipient_message("restriction", REQUEST, "Shop BV", IDENTITY, [], {"name": "x"})
    with pytest.raises(RequestError, match="not 'access'"):
        recipient_message("access", REQUEST, "Shop BV", IDENTITY, [])
    with pytest.raises(RequestError) as refused:
        recipient_message("erasure", REQUEST, "Shop BV", {"email": "not-an-address"}, [])
    assert "not-an-address" not in str(refused.value)


def test_nr1_email_refuses_header_injection() -> None:
    document = recipient_message("erasure", REQUEST, "Shop BV", IDENTITY, ["user.name"])
    with pytest.raises(RequestError):
        email_for(document, "privacy@shop.test", "dpo@r.test\r\nBcc: all@evil.test")
    with pytest.raises(RequestError):
        email_for(document, "privacy@shop.test", "a@r.test, b@r.test")
    assert email_for(document, "privacy@shop.test", "DPO@R.test", date=NOW)["To"] == "dpo@r.test"


def test_nr1_signature_tampering_is_detected() -> None:
    document = recipient_message("erasure", REQUEST, "Shop BV", IDENTITY, ["user.name"])
    body, headers = webhook_request(document, SECRET, NOW)
    assert headers["Content-Type"] == "application/json"
    header = headers[SIGNATURE_HEADER]
    assert header.startswith(f"t={int(NOW.timestamp())},v1=")
    verify_signature(body, header, SECRET, NOW + timedelta(seconds=299))
    cases = [
        (body.replace(b"erase", b"keep!"), header, SECRET, NOW, "does not match"),
        (body, header, SECRET + b"x", NOW, "does not match"),
        (body, header.replace("t=", "t=1"), SECRET, NOW, "too old"),
        (body, header, SECRET, NOW + timedelta(seconds=301), "too old"),
        (body, "v1=" + header.split("v1=")[1], SECRET, NOW, "no Tutela-Signature"),
        (body, None, SECRET, NOW, "no Tutela-Signature"),
    ]
    for given, sig, secret, now, reason in cases:
        with pytest.raises(SignatureError, match=reason):
            verify_signature(given, sig, secret, now)
    with pytest.raises(ConfigurationError, match="secret_env"):
        webhook_request(document, b"short", NOW)


def test_nr1_retry_delays_then_failed_with_a_short_reason() -> None:
    record = NotificationRecord(
        "n1", REQUEST, "r", Channel.EMAIL, "a@r.test", NotificationState.PENDING, 0, NOW, NOW
    )
    moment = NOW
    for delay in RETRY_DELAYS:
        record = next_attempt(record, moment, "x\n" * 300)
        assert record.next_at == moment + delay and record.state == NotificationState.PENDING
        assert record.last_error is not None and len(record.last_error) <= 200
        assert "\n" not in record.last_error
        moment += delay
    record = next_attempt(record, moment, OSError("secret stuff"))
    assert record.state == NotificationState.FAILED and record.next_at is None
    assert record.last_error == "unexpected OSError" and record.attempts == 6
    with pytest.raises(RequestError, match="not pending"):
        next_attempt(record, moment, "again")


# --- the programme model and the webhook sender ------------------------------------------------


@pytest.mark.parametrize(
    ("notify", "reason"),
    [
        ({"webhook": "http://hooks.example.com/t", "secret_env": "S"}, "https://"),
        ({"webhook": "https://user:pw@hooks.example.com/t", "secret_env": "S"}, "credentials"),
        ({"webhook": "https://hooks.example.com/t"}, "secret_env` is required"),
        ({"email": "a@r.test", "secret_env": "S"}, "secret_env` signs webhooks"),
        ({"email": "a@r.test, b@r.test"}, "one e-mail address"),
        ({}, "needs an `email`, a `webhook`"),
    ],
)
def test_nr1_model_refuses_a_contact_that_cannot_be_used(
    notify: dict[str, str], reason: str
) -> None:
    with pytest.raises(ValidationError, match=reason):
        Recipient.model_validate({"key": "r", "name": "R", "kind": "controller", "notify": notify})


def test_nr1_model_allows_http_to_localhost_only() -> None:
    local = _recipient("r", ["user"], webhook="http://127.0.0.1:8080/t", secret_env="TUTELA_S")
    assert local.notify is not None and local.notify.secret_env == "TUTELA_S"
    assert _recipient("r", ["user"], webhook="http://localhost/t", secret_env="S").notify


def test_nr1_webhook_sender_refuses_plain_http_redirects_and_slow_servers(
    hooks: tuple[Hooks, str],
) -> None:
    server, base = hooks
    body, headers = webhook_request({"event": "tutela.request.erasure"}, SECRET, NOW)
    with pytest.raises(WebhookError, match="https://"):
        WebhookSender().send("http://hooks.example.com/token-123", body, headers)
    with pytest.raises(WebhookError, match="HTTP 302") as moved:
        WebhookSender().send(f"{base}/moved", body, headers)
    assert "/good" not in server.bodies and "moved" not in str(moved.value)
    with pytest.raises(WebhookError, match=r"did not answer within 0\.2 s") as slow:
        WebhookSender(timeout=0.2).send(f"{base}/slow", body, headers)
    assert slow.value.retryable
    with pytest.raises(WebhookError, match="cannot reach") as closed:
        WebhookSender(timeout=2).send(f"http://127.0.0.1:{_free_port()}/x", body, headers)
    assert SECRET.decode() not in str(closed.value) and "tutela.request" not in str(closed.value)
    WebhookSender().send(f"{base}/good", body, headers)
    assert server.bodies["/good"] == [body]


# --- with the SQL store -------------------------------------------------------------------------


def test_nr1_delivery_through_the_sql_lifecycle_store(
    database_url: str, hooks: tuple[Hooks, str]
) -> None:
    from tutela.store.ledger import open_ledger
    from tutela.store.lifecycle import SqlLifecycleStore

    server, base = hooks
    ledger = open_ledger(database_url)
    try:
        store = SqlLifecycleStore(ledger.engine, ledger)
        programme = _programme(base)
        records = notifications_for(programme, REQUEST, ["user.contact.email"], NOW)
        document = recipient_message("erasure", REQUEST, "Shop BV", IDENTITY, ["user.contact"])
        store.add_notifications(records, seal_messages(KEY, records, dict.fromkeys(
            ("good", "broken"), document)))  # fmt: skip
        secrets = {"good": SECRET, "broken": SECRET}
        first = deliver_due(store, key=KEY, senders=_senders(), secrets=secrets, now=NOW)
        again = deliver_due(store, key=KEY, senders=_senders(), secrets=secrets, now=NOW)
        assert first == DeliveryReport(delivered=1, retrying=1) and again.attempted == 0
        states = {n.recipient: n.state for n in store.notifications(REQUEST)}
        assert states == {"good": NotificationState.DELIVERED, "broken": NotificationState.PENDING}
        assert len(server.bodies["/good"]) == 1
        entries = [(e.action, e.after) for e in ledger.entries()]
        assert sorted(entries) == [
            ("recipient_notified", digest(document)), ("recipient_retry", digest(document)),
        ]  # fmt: skip
    finally:
        ledger.close()
