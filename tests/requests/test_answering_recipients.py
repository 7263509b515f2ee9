"""Completing an erasure tells each recipient of the data (Art. 19, NR-1), for real.

The shop programme gains two recipients of its customers' data: one told by e-mail (a
real aiosmtpd server), one by a signed webhook (a real HTTP server on loopback) that
fails first. Completing the erasure queues both, delivers what it can at once, retries
the failing one on its schedule, and the subject's letter names who was told.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
import sqlalchemy as sa

from tutela.bootstrap import Application, build
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.programme.recipients import Recipient
from tutela.requests.notices import SIGNATURE_HEADER, verify_signature
from tutela.requests.sealing import StoreKey
from tutela.testing import shopdb
from tutela.testing.smtp import Inbox

SECRET = "webhook-secret-for-the-courier"


class Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[bytes, str | None]]] = []
    failures_left: ClassVar[int] = 1

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if Hook.failures_left > 0:
            Hook.failures_left -= 1
            self.send_response(503)
        else:
            Hook.received.append((body, self.headers.get(SIGNATURE_HEADER)))
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def hook() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    Hook.received, Hook.failures_left = [], 1
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()


def _programme(hook_port: int) -> Programme:
    base = load_programme(shopdb.shop_programme_path())
    courier = Recipient.model_validate(
        {
            "key": "courier",
            "name": "Parcel Courier NV",
            "kind": "processor",
            "purposes": ["shop"],
            "categories": ["user.contact.address", "user.name"],
            "countries": ["BE"],
            "notify": {
                "webhook": f"http://127.0.0.1:{hook_port}/tutela",
                "secret_env": "COURIER_SECRET",
            },
        }
    )
    newsletter = Recipient.model_validate(
        {
            "key": "mailer",
            "name": "Mailing House BV",
            "kind": "processor",
            "purposes": ["shop"],
            "categories": ["user.contact.email"],
            "countries": ["NL"],
            "notify": {"email": "privacy@mailing-house.test"},
        }
    )
    return base.model_copy(update={"recipients": [*base.recipients, courier, newsletter]})


@pytest.fixture
def app(tmp_path: Any, inbox: tuple[Inbox, int]) -> Application:
    shop = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    shopdb.build(shop, customers=6, seed=3)
    store = f"sqlite:///{tmp_path / 'store.sqlite'}"
    from tutela.store import migrate
    from tutela.store.engine import open_engine

    engine = open_engine(store)
    migrate.upgrade(engine)
    engine.dispose()
    return build(
        {
            "TUTELA_DATABASE_URL": store,
            "TUTELA_SHOP_URL": shop,
            "TUTELA_HASH_KEY": "recipients-test-hash-key",
            "TUTELA_STORE_KEY": StoreKey.generate(),
            "TUTELA_SMTP_URL": f"smtp://127.0.0.1:{inbox[1]}?starttls=false",
            "TUTELA_MAIL_FROM": "privacy@shop.example.test",
            "COURIER_SECRET": SECRET,
        }
    )


def test_nr_1_erasure_tells_each_recipient_and_retries_the_failing_one(
    app: Application, hook: int, inbox: tuple[Inbox, int]
) -> None:
    programme = _programme(hook)
    shop = app.environ["TUTELA_SHOP_URL"]
    engine = sa.create_engine(shop)
    with engine.connect() as connection:
        address = connection.execute(sa.text("SELECT email FROM customer LIMIT 1")).scalar_one()
    engine.dispose()
    service = app.request_service(programme)
    record = service.submit("erasure", {"email": address})
    app.verification().accept(record.id, "known session")
    service.approve(record.id)
    dsr = app.dsr_service(programme)
    try:
        done = app.answering(programme).complete(record.id, dsr)
    finally:
        dsr.close()
    assert {n.recipient for n in done.notifications} == {"courier", "mailer"}
    first = app.deliver_notifications(programme)
    assert (first.delivered, first.retrying) == (1, 1)  # the webhook answered 503
    (message,) = [m for m in inbox[0].messages if m["To"] == "privacy@mailing-house.test"]
    assert record.id[:8] in message["Subject"]
    assert app.deliver_notifications(programme).attempted == 0  # not due before its delay
    later = _Later(app, timedelta(minutes=1, seconds=1))
    assert later.deliver(programme).delivered == 1
    ((body, signature),) = Hook.received
    verify_signature(body, signature, SECRET.encode(), later.clock.now())
    document = json.loads(body)
    assert address in json.dumps(document)  # the recipient must find the subject
    states = {n.recipient: n.state for n in app.answering().recipients(record.id)}
    assert states == {"courier": "delivered", "mailer": "delivered"}
    letter = app.answering().export(record.id)[1].decode()
    assert "Parcel Courier NV" in letter and "Mailing House BV" in letter


class _Later:
    """The same application seen from a later moment (the retry's delay has passed)."""

    def __init__(self, app: Application, delay: timedelta) -> None:
        moment = app.clock.now() + delay
        self.clock = type("Clock", (), {"now": staticmethod(lambda: moment)})()
        self.app = build(dict(app.environ))
        self.app.clock = self.clock

    def deliver(self, programme: Programme) -> Any:
        return self.app.deliver_notifications(programme)


def test_po_3_portability_is_transmitted_to_the_other_controller(
    app: Application, hook: int
) -> None:
    from dataclasses import replace

    from tutela.requests.details import with_detail
    from tutela.requests.package import read_package

    Hook.failures_left = 0
    programme = load_programme(shopdb.shop_programme_path())
    engine = sa.create_engine(app.environ["TUTELA_SHOP_URL"])
    with engine.connect() as connection:
        address = connection.execute(sa.text("SELECT email FROM customer LIMIT 1")).scalar_one()
    engine.dispose()
    service = app.request_service(programme)
    details = {"transmit_to": "https://new-controller.example/import"}
    record = service.submit("portability", {"email": address}, details=details)
    # the loopback server stands in for the other controller (a public host in real use)
    local = with_detail(record.details, "transmit_to", f"http://127.0.0.1:{hook}/import")
    service.record_change(
        record, replace(record, details=local), "test_endpoint", "system", record.updated_at
    )
    app.verification().accept(record.id, "known session")
    service.approve(record.id)
    dsr = app.dsr_service(programme)
    try:
        done = app.answering(programme).complete(record.id, dsr)
    finally:
        dsr.close()
    ((body, _signature),) = Hook.received
    files = read_package(body)
    assert address in files["data.json"].decode()
    answer, _ = app.keeping().store.answer(record.id)  # type: ignore[misc]
    assert answer.digest == done.answer.digest and answer.downloads == 1
