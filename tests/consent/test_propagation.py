"""Consent and objection changes pushed to the programme's systems by signed webhook.

Real loopback HTTP servers verify each signature; the store is a real SQLite (and one
PostgreSQL) database; time is driven by a fake clock so retries can be followed to the end.
Rules: CO-3 (a withdrawal reaches the systems), OB-2 (an objection to direct marketing
reaches them), GPC-1 (an opt-out of every purpose reaches every system).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tutela.bootstrap import Application
from tutela.consent.propagation import DeliveryState, Propagation, consent_payload, targets
from tutela.consent.records import ALL_PURPOSES, ChoiceEvent, Kind, Method
from tutela.consent.service import ConsentService, Context
from tutela.errors import ConfigurationError
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.programme.references import check_references
from tutela.programme.systems import ConsentWebhook
from tutela.requests.notices import (
    RETRY_DELAYS,
    SIGNATURE_HEADER,
    SignatureError,
    verify_signature,
)
from tutela.requests.sealing import StoreKey
from tutela.settings import Settings
from tutela.store.consent import SqlChoiceStore
from tutela.store.ledger import open_ledger
from tutela.store.propagation import SqlPropagationStore

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cloudockit"
START = datetime(2026, 12, 30, 9, 0, tzinfo=UTC)
SECRET = "whsec-propagation-" + "s" * 24
EMAIL = "ann.subject@example.test"
ANN = {"email": EMAIL, "customer_id": "cust-48213"}
CHECKBOX = Context(Method.CHECKBOX, language="en", jurisdiction="BE", evidence="form-17")
MARKETING_PURPOSES = ["direct_marketing", "direct_marketing_customers"]


# --- a clock, local webhooks, a programme whose systems ask for changes -----------------------


@dataclass
class Clock:
    """A clock the test moves by hand."""

    at: datetime = START

    def now(self) -> datetime:
        return self.at


@dataclass
class Hooks:
    """What the local webhook server received, by path; each signature checked at the clock."""

    clock: Clock | None
    bodies: dict[str, list[bytes]] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def documents(self, path: str) -> list[dict[str, Any]]:
        return [json.loads(body) for body in self.bodies.get(path, [])]


def _handler(hooks: Hooks) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            now = hooks.clock.now() if hooks.clock else datetime.now(UTC)
            try:
                verify_signature(body, self.headers.get(SIGNATURE_HEADER), SECRET.encode(), now)
            except SignatureError as error:
                hooks.refused.append(str(error))
                return self._reply(401)
            hooks.bodies.setdefault(self.path, []).append(body)
            hooks.events.append(str(self.headers.get("Tutela-Event")))
            self._reply({"/broken": 500, "/gone": 410}.get(self.path, 204))

        def _reply(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return None

    return Handler


def serve(clock: Clock | None) -> Iterator[tuple[Hooks, str]]:
    """A loopback webhook server recording what it is sent, and its base URL."""
    hooks = Hooks(clock)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(hooks))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield hooks, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def hooks(clock: Clock) -> Iterator[tuple[Hooks, str]]:
    yield from serve(clock)


def with_webhooks(programme: Programme, base: str, marketing: str = "/marketing") -> Programme:
    """The programme with webhooks on ``marketing`` (its two marketing purposes) and ``crm``."""
    hooks = {
        "marketing": ConsentWebhook(
            url=base + marketing, secret_env="MARKETING_HOOK_SECRET", purposes=MARKETING_PURPOSES
        ),
        "crm": ConsentWebhook(url=base + "/crm", secret_env="CRM_HOOK_SECRET"),
    }
    systems = [
        s.model_copy(update={"consent_webhook": hooks[s.key]}) if s.key in hooks else s
        for s in programme.systems
    ]
    return programme.model_copy(update={"systems": systems})


def application(url: str, clock: Clock, store_key: bool = True) -> Application:
    """An application on the store at ``url`` (upgraded), its clock ``clock``."""
    open_ledger(url).close()
    environ = {
        "TUTELA_DATABASE_URL": url,
        "TUTELA_HASH_KEY": "propagation-hash-key",
        "MARKETING_HOOK_SECRET": SECRET,
        "CRM_HOOK_SECRET": SECRET,
    }
    if store_key:
        environ["TUTELA_STORE_KEY"] = StoreKey.generate()
    return Application(Settings.from_environ(environ), environ, clock)


@pytest.fixture
def example() -> Programme:
    return load_programme(EXAMPLE)


def deliveries(app: Application, state: DeliveryState | None = None) -> list[Any]:
    ledger = app.ledger()
    return SqlPropagationStore(ledger.engine, ledger).deliveries(state=state)


def actions(app: Application) -> list[tuple[str, str]]:
    return [(e.action, e.request) for e in app.ledger().entries()]


# --- which systems get a change, and what they get --------------------------------------------


def test_co3_consent_given_reaches_the_marketing_webhook_signed_in_the_ketch_shape(
    example: Programme, clock: Clock, hooks: tuple[Hooks, str], sqlite_url: str
) -> None:
    received, base = hooks
    programme = with_webhooks(example, base)
    app = application(sqlite_url, clock)
    event = app.consent_service(programme).give(ANN, "direct_marketing", CHECKBOX, actor="system")
    [pending] = deliveries(app)
    assert (pending.event_id, pending.system, pending.state) == (event.id, "marketing", "pending")

    report = app.deliver_propagations(programme)
    assert (report.delivered, report.retrying, report.failed) == (1, 0, 0)
    assert received.refused == [] and set(received.bodies) == {"/marketing"}
    [document] = received.documents("/marketing")
    assert document["apiVersion"] == "consent/v1" and document["kind"] == "ConsentRequest"
    assert document["metadata"]["uid"] == event.id
    request = document["request"]
    assert request["identities"] == [
        {"identitySpace": "email", "identityFormat": "raw", "identityValue": EMAIL},
        {"identitySpace": "customer_id", "identityFormat": "raw", "identityValue": "cust-48213"},
    ]
    assert request["purposes"] == {"direct_marketing": "granted"}
    assert request["legalBasis"] == {"direct_marketing": "consent_optin"}
    assert request["collectedAt"] == int(START.timestamp())
    assert request["controller"] == example.organisation.known_as  # type: ignore[union-attr]
    assert (request["jurisdiction"], request["regulation"]) == ("BE", "gdpr")
    assert request["context"]["source"] == "tutela"
    assert received.events == ["tutela.consent.consent_given"]

    [done] = deliveries(app)
    assert (done.state, done.attempts, done.delivered_at, done.next_at) == (
        DeliveryState.DELIVERED,
        1,
        START,
        None,
    )
    ledger = app.ledger()
    assert SqlPropagationStore(ledger.engine, ledger).message(done.id) is None
    assert ("consent_propagated", done.id) in actions(app)
    assert app.deliver_propagations(programme).attempted == 0  # never sent twice


def test_co3_a_withdrawal_reaches_the_system_as_denied(
    example: Programme, clock: Clock, hooks: tuple[Hooks, str], sqlite_url: str
) -> None:
    received, base = hooks
    programme = with_webhooks(example, base)
    app = application(sqlite_url, clock)
    service = app.consent_service(programme)
    service.give(ANN, "direct_marketing", CHECKBOX, actor="system")
    clock.at += timedelta(hours=1)
    service.withdraw(ANN, "direct_marketing", CHECKBOX, actor="system")
    assert app.deliver_propagations(programme).delivered == 2
    statuses = [d["request"]["purposes"] for d in received.documents("/marketing")]
    assert statuses == [{"direct_marketing": "granted"}, {"direct_marketing": "denied"}]


def test_ob2_an_objection_reaches_every_system_whose_webhook_covers_the_purpose(
    example: Programme, clock: Clock, hooks: tuple[Hooks, str], sqlite_url: str
) -> None:
    received, base = hooks
    programme = with_webhooks(example, base)
    app = application(sqlite_url, clock)
    service = app.consent_service(programme)
    service.object(ANN, "direct_marketing_customers", CHECKBOX, actor="system")
    service.object(ANN, "relationship_management", CHECKBOX, actor="system")  # crm's own only
    assert app.deliver_propagations(programme).delivered == 3
    assert [d["request"]["purposes"] for d in received.documents("/marketing")] == [
        {"direct_marketing_customers": "denied"}
    ]
    crm = {tuple(d["request"]["purposes"]): d["request"] for d in received.documents("/crm")}
    assert sorted(crm) == [("direct_marketing_customers",), ("relationship_management",)]
    assert crm[("relationship_management",)]["legalBasis"] == {"relationship_management": "other"}
    assert crm[("relationship_management",)]["purposes"] == {"relationship_management": "denied"}


def test_co3_a_system_whose_purposes_do_not_include_the_event_gets_nothing(
    example: Programme, clock: Clock, hooks: tuple[Hooks, str], sqlite_url: str
) -> None:
    received, base = hooks
    programme = with_webhooks(example, base)
    app = application(sqlite_url, clock)
    service = app.consent_service(programme)
    service.give(ANN, "direct_marketing", CHECKBOX, actor="system")  # marketing only
    service.give(ANN, "website_statistics", CHECKBOX, actor="system")  # no webhook asks
    assert [d.system for d in deliveries(app)] == ["marketing"]
    app.deliver_propagations(programme)
    assert "/crm" not in received.bodies and len(received.bodies["/marketing"]) == 1


def test_gpc1_an_opt_out_of_every_purpose_goes_to_every_system_with_a_webhook(
    example: Programme,
) -> None:
    programme = with_webhooks(example, "https://hooks.example.test")
    event = ChoiceEvent(
        id="6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f",
        subject="h:" + "0" * 64,
        purpose=ALL_PURPOSES,
        kind=Kind.OPT_OUT,
        at=START,
        method=Method.GPC,
        jurisdiction="US-CA",
    )
    assert sorted(s.key for s in targets(programme, event)) == ["crm", "marketing"]
    request = consent_payload(programme, event, {"email": EMAIL})["request"]
    assert request["purposes"] == {"*": "denied"}
    assert request["legalBasis"] == {"*": "consent_optout"}
    assert request["regulation"] == "ccpa"
    restriction = ChoiceEvent(
        event.id, event.subject, ALL_PURPOSES, Kind.RESTRICTION, START, Method.REQUEST
    )
    assert targets(programme, restriction) == []  # restrictions go to recipients (Art. 19)


def test_a_webhook_purpose_the_programme_does_not_declare_is_a_check_error(
    example: Programme,
) -> None:
    programme = with_webhooks(example, "https://hooks.example.test")
    mistyped = ConsentWebhook(
        url="https://hooks.example.test/m", secret_env="X", purposes=["direct_marketng"]
    )
    systems = [
        s.model_copy(update={"consent_webhook": mistyped}) if s.key == "marketing" else s
        for s in programme.systems
    ]
    errors = check_references(programme.model_copy(update={"systems": systems}))
    [error] = [e for e in errors if "consent_webhook" in str(e.path)]
    assert "direct_marketng" in str(error) and error.hint == "did you mean `direct_marketing`?"


# --- retries, failures, isolation -------------------------------------------------------------


def test_co3_a_failing_endpoint_is_retried_on_schedule_then_failed_and_ledgered(
    example: Programme, clock: Clock, hooks: tuple[Hooks, str], sqlite_url: str
) -> None:
    received, base = hooks
    programme = with_webhooks(example, base, marketing="/broken")
    app = application(sqlite_url, clock)
    app.consent_service(programme).give(ANN, "direct_marketing", CHECKBOX, actor="system")
    for attempt, delay in enumerate(RETRY_DELAYS, start=1):
        report = app.deliver_propagations(programme)
        assert (report.retrying, report.failed) == (1, 0)
        [waiting] = deliveries(app)
        assert (waiting.state, waiting.attempts) == (DeliveryState.RETRY, attempt)
        assert waiting.next_at == clock.at + delay
        assert "HTTP 500" in (waiting.last_error or "")
        clock.at += delay - timedelta(seconds=1)
        assert app.deliver_propagations(programme).attempted == 0  # not before it is due
        clock.at += timedelta(seconds=1)
    report = app.deliver_propagations(programme)
    assert (report.delivered, report.retrying, report.failed) == (0, 0, 1)
    [failed] = deliveries(app, DeliveryState.FAILED)
    assert failed.attempts == len(RETRY_DELAYS) + 1 and failed.next_at is None
    assert len(received.bodies["/broken"]) == len(RETRY_DELAYS) + 1
    ledger = app.ledger()
    assert SqlPropagationStore(ledger.engine, ledger).message(failed.id) is None
    steps = [a for a, request in actions(app) if request == failed.id]
    assert steps == ["propagation_retry"] * len(RETRY_DELAYS) + ["propagation_failed"]
    assert app.deliver_propagations(programme).attempted == 0


def test_a_4xx_answer_is_not_retried(
    example: Programme, clock: Clock, hooks: tuple[Hooks, str], sqlite_url: str
) -> None:
    _, base = hooks
    programme = with_webhooks(example, base, marketing="/gone")
    app = application(sqlite_url, clock)
    app.consent_service(programme).give(ANN, "direct_marketing", CHECKBOX, actor="system")
    assert app.deliver_propagations(programme).failed == 1
    [failed] = deliveries(app)
    assert failed.state == DeliveryState.FAILED and failed.attempts == 1
    assert "HTTP 410" in (failed.last_error or "")


def test_ob2_one_failing_system_does_not_stop_another(
    example: Programme, clock: Clock, hooks: tuple[Hooks, str], sqlite_url: str
) -> None:
    received, base = hooks
    programme = with_webhooks(example, base, marketing="/broken")
    app = application(sqlite_url, clock)
    app.consent_service(programme).object(
        ANN, "direct_marketing_customers", CHECKBOX, actor="system"
    )
    report = app.deliver_propagations(programme)
    assert (report.delivered, report.retrying) == (1, 1)
    assert len(received.bodies["/crm"]) == 1
    states = {d.system: d.state for d in deliveries(app)}
    assert states == {"crm": DeliveryState.DELIVERED, "marketing": DeliveryState.RETRY}


def test_a_missing_signing_secret_is_retried_and_never_sent_unsigned(
    example: Programme, clock: Clock, hooks: tuple[Hooks, str], sqlite_url: str
) -> None:
    received, base = hooks
    programme = with_webhooks(example, base)
    app = application(sqlite_url, clock)
    environ = {k: v for k, v in app.environ.items() if k != "MARKETING_HOOK_SECRET"}
    app = Application(Settings.from_environ(environ), environ, clock)
    app.consent_service(programme).give(ANN, "direct_marketing", CHECKBOX, actor="system")
    assert app.deliver_propagations(programme).retrying == 1
    [waiting] = deliveries(app)
    assert "MARKETING_HOOK_SECRET" not in (waiting.last_error or "")
    assert "secret_env" in (waiting.last_error or "") and received.bodies == {}


def test_a_delivery_claimed_by_another_run_is_not_sent_again(
    example: Programme, clock: Clock, hooks: tuple[Hooks, str], sqlite_url: str
) -> None:
    received, base = hooks
    programme = with_webhooks(example, base)
    app = application(sqlite_url, clock)
    app.consent_service(programme).give(ANN, "direct_marketing", CHECKBOX, actor="system")
    ledger = app.ledger()
    store = SqlPropagationStore(ledger.engine, ledger)
    [(delivery, _)] = store.due(clock.at, 10)
    assert store.claim(delivery, clock.at, clock.at + timedelta(minutes=10)) is True
    assert store.claim(delivery, clock.at, clock.at + timedelta(minutes=10)) is False
    assert app.deliver_propagations(programme).attempted == 0 and received.bodies == {}
    clock.at += timedelta(minutes=10)  # the run that claimed it died: free again
    assert app.deliver_propagations(programme).delivered == 1


# --- what is kept ----------------------------------------------------------------------------


def test_no_identity_in_clear_in_the_store_or_the_ledger(
    example: Programme, clock: Clock, hooks: tuple[Hooks, str], sqlite_url: str
) -> None:
    _, base = hooks
    programme = with_webhooks(example, base, marketing="/broken")
    app = application(sqlite_url, clock)
    app.consent_service(programme).give(ANN, "direct_marketing", CHECKBOX, actor="system")
    app.deliver_propagations(programme)  # a retry keeps the sealed message
    engine = app.ledger().engine
    with engine.connect() as connection:
        for table in sa.inspect(engine).get_table_names():
            for row in connection.execute(sa.text(f"SELECT * FROM {table}")):
                text = " ".join(str(v) for v in row).lower()
                raw = b"".join(v for v in row if isinstance(v, bytes))
                assert EMAIL not in text and "cust-48213" not in text, table
                assert EMAIL.encode() not in raw and SECRET.encode() not in raw, table
    assert all(EMAIL not in str(e) for e in app.ledger().entries())


def test_without_a_store_key_a_change_a_system_asks_for_is_refused_and_nothing_stored(
    example: Programme, clock: Clock, sqlite_url: str
) -> None:
    programme = with_webhooks(example, "https://hooks.example.test")
    app = application(sqlite_url, clock)
    store = SqlChoiceStore(app.ledger().engine, app.ledger())
    unsealed = Propagation(store, programme, None, clock)
    service = ConsentService(store, programme, b"propagation-hash-key", clock, unsealed)
    with pytest.raises(ConfigurationError, match="TUTELA_STORE_KEY") as refused:
        service.give(ANN, "direct_marketing", CHECKBOX, actor="system")
    assert EMAIL not in str(refused.value)
    assert service.history(ANN) == [] and deliveries(app) == []
    service.give(ANN, "website_statistics", CHECKBOX, actor="system")  # no system asks
    assert len(service.history(ANN)) == 1


@pytest.mark.postgres
def test_co3_consent_reaches_the_webhook_on_postgresql(
    example: Programme, clock: Clock, hooks: tuple[Hooks, str], postgres_url: str
) -> None:
    received, base = hooks
    programme = with_webhooks(example, base, marketing="/broken")
    app = application(postgres_url, clock)
    app.consent_service(programme).object(
        ANN, "direct_marketing_customers", CHECKBOX, actor="staff:alice"
    )
    report = app.deliver_propagations(programme)
    assert (report.delivered, report.retrying) == (1, 1)
    [crm] = received.documents("/crm")
    assert crm["request"]["purposes"] == {"direct_marketing_customers": "denied"}
    [waiting] = deliveries(app, DeliveryState.RETRY)
    assert waiting.next_at == START + RETRY_DELAYS[0]
    app.ledger().close()
