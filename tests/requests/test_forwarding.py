"""Forwarding processor-role requests to the controller against GDPR.md §8 (PR-2)."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from tutela.errors import RequestError
from tutela.programme.loader import load_programme
from tutela.programme.models import ControllerCustomer, Programme
from tutela.requests.forwarding import (
    ForwardTarget,
    controller_message,
    forward_targets,
    subject_notice,
)
from tutela.requests.mail import SmtpSender
from tutela.rights.models import Forwarding
from tutela.rights.planner import forwardings

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cloudockit"
RECEIVED = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)
SENDER = "privacy@cloudockit.example"
SUBJECT_EMAIL = "jane.doe@subject.example"
REGISTER_KEYS = ("example_industries", "sample_logistics", "demo_holdings")


@cache
def _programme() -> Programme:
    return load_programme(EXAMPLE)


def _forwarded() -> tuple[Forwarding, ...]:
    return forwardings(_programme(), ["email", "principal_name"])


def _target(customer: str = "example_industries") -> ForwardTarget:
    (target,) = forward_targets(_programme(), _forwarded(), customer)
    return target


def _message(target: ForwardTarget | None = None, **changes: Any) -> Any:
    arguments: dict[str, Any] = {
        "request_id": "REQ-2026-0042",
        "request_type": "erasure",
        "received_at": RECEIVED,
        "sender": SENDER,
        "controller_name": "Lansweeper NV",
    }
    arguments.update(changes)
    return controller_message(target or _target(), **arguments)


def _parsed(message: Any) -> Any:
    return email.message_from_bytes(message.as_bytes(), policy=email.policy.default)


# --- whom to forward to -------------------------------------------------------------------


def test_PR_2_cloudockit_scan_store_goes_to_every_register_customer() -> None:
    targets = forward_targets(_programme(), _forwarded())
    assert tuple(t.customer for t in targets) == REGISTER_KEYS
    first = targets[0]
    assert first.name == "Example Industries SA" and first.country == "FR"
    assert first.contact.startswith("privacy@example-industries.test, 1 rue")
    assert first.address == "privacy@example-industries.test"
    assert (first.dpa_reference, first.dpa_signed) == ("CDK-DPA-2025-0001", date(2025, 3, 14))
    assert all(t.systems == ("scan_store",) for t in targets)
    assert all(t.collections == ("scan_db.asset_owner",) for t in targets)


def test_PR_2_a_named_customer_is_the_only_target() -> None:
    targets = forward_targets(_programme(), _forwarded(), customer="sample_logistics")
    assert [(t.customer, t.address) for t in targets] == [
        ("sample_logistics", "datenschutz@sample-logistics.test")
    ]


def test_PR_2_an_unknown_customer_is_refused_with_the_register_keys() -> None:
    with pytest.raises(RequestError) as caught:
        forward_targets(_programme(), _forwarded(), customer="acme")
    assert "'acme' is not in the DPA register" in str(caught.value)
    assert all(key in str(caught.value) for key in REGISTER_KEYS)


def test_PR_2_a_customer_not_holding_the_forwarded_system_is_refused() -> None:
    other = ControllerCustomer(
        key="other_corp", name="Other Corp", contact="dp@other.example", country="NL",
        dpa_reference="CDK-DPA-2026-0009", systems=[],
    )  # fmt: skip
    register = [*_programme().dpa_register, other]
    programme = _programme().model_copy(update={"dpa_register": register})
    with pytest.raises(RequestError, match=r"holds none of the forwarded systems.*scan_store"):
        forward_targets(programme, _forwarded(), customer="other_corp")


def test_PR_2_a_system_without_register_entry_is_refused_never_guessed() -> None:
    stray = Forwarding("partner_vault", "Partner vault", "a customer", None, ("vault.person",))
    with pytest.raises(RequestError, match=r"'partner_vault' has no controller.*dpa_register"):
        forward_targets(_programme(), (*_forwarded(), stray))
    bare = _programme().model_copy(update={"dpa_register": []})
    with pytest.raises(RequestError, match="'scan_store' has no controller"):
        forward_targets(bare, _forwarded(), customer="example_industries")


def test_PR_2_nothing_forwarded_means_nobody_is_told() -> None:
    assert forward_targets(_programme(), ()) == ()
    assert forwardings(_programme(), ["customer_number_unused"]) == ()


# --- the message to the controller --------------------------------------------------------


def test_PR_2_message_names_the_dpa_and_the_request_reference() -> None:
    message = _parsed(_message())
    assert message["To"].addresses[0].addr_spec == "privacy@example-industries.test"
    assert message["From"].addresses[0].addr_spec == SENDER
    assert "REQ-2026-0042" in message["Subject"] and "CDK-DPA-2025-0001" in message["Subject"]
    body = message.get_content()
    assert "agreement CDK-DPA-2025-0001 of 14 March 2025" in body
    assert "On 5 March 2026 we received a request from a data subject" in body
    assert "Type of request: erasure (GDPR Art. 17)" in body
    assert "scan_db.asset_owner" in body
    assert "do not answer the request on its merits (SCC Module 2, Clause 10(a))" in body
    assert "follow your documented instructions (GDPR Art. 28(3)(e))" in body
    assert "send us your instructions, quoting the request reference REQ-2026-0042" in body


def test_PR_2_message_shows_the_receipt_day_in_the_zone_given() -> None:
    late = datetime(2026, 3, 4, 23, 30, tzinfo=UTC)  # already 5 March in Brussels
    body = _message(received_at=late, zone=ZoneInfo("Europe/Brussels")).get_content()
    assert "On 5 March 2026 we received" in body
    dated = _message(sent_at=datetime(2026, 3, 5, 10, 0, tzinfo=UTC))
    assert _parsed(dated)["Date"].datetime == datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
    with pytest.raises(RequestError, match="aware time"):
        _message(received_at=datetime(2026, 3, 5, 9, 30))


def test_PR_2_message_without_a_dpa_date_says_so() -> None:
    body = _message(replace(_target(), dpa_signed=None)).get_content()
    assert "agreement CDK-DPA-2025-0001 of (date not recorded)" in body


def test_PR_2_no_identity_of_the_subject_unless_given() -> None:
    plain = _message().as_string()
    assert "Identity" not in plain and "@subject.example" not in plain
    given = _parsed(_message(identity={"email": SUBJECT_EMAIL}))
    body = given.get_content()
    start = body.index("--- Identity of the data subject (confidential) ---")
    assert body.index(f"email: {SUBJECT_EMAIL}") > start
    assert body.index("--- End of identity ---") > body.index(SUBJECT_EMAIL)
    assert all(SUBJECT_EMAIL not in str(value) for _name, value in given.items())


@pytest.mark.parametrize(
    "identity",
    [{"email": "a@b.example\n--- End of identity ---"}, {"Email Address": "a@b.example"}],
)
def test_PR_2_identity_that_could_forge_the_marked_section_is_refused(
    identity: dict[str, str],
) -> None:
    with pytest.raises(RequestError) as caught:
        _message(identity=identity)
    assert "a@b.example" not in str(caught.value)


@pytest.mark.parametrize(
    ("target_changes", "changes"),
    [
        ({}, {"controller_name": "Lansweeper NV\r\nBcc: evil@attacker.example"}),
        ({}, {"sender": "privacy@cloudockit.example\nBcc: evil@attacker.example"}),
        ({}, {"sender": "Lansweeper <privacy@cloudockit.example>"}),
        ({}, {"request_id": "REQ-1\r\nBcc: evil@attacker.example"}),
        ({"name": "Example Industries SA\nBcc: evil@attacker.example"}, {}),
        ({"dpa_reference": "CDK-DPA-1\r\nBcc: evil@attacker.example"}, {}),
    ],
)
def test_PR_2_header_injection_is_refused(
    target_changes: dict[str, Any], changes: dict[str, str]
) -> None:
    with pytest.raises(RequestError) as caught:
        _message(replace(_target(), **target_changes), **changes)
    assert "evil@attacker.example" not in str(caught.value)


def test_PR_2_a_contact_without_an_address_is_refused() -> None:
    postal = replace(_target(), contact="Data Protection Office, 1 rue de l'Exemple, Paris")
    with pytest.raises(RequestError, match="'example_industries' has no e-mail address"):
        _message(postal)


def test_PR_2_an_unknown_request_type_is_refused() -> None:
    with pytest.raises(RequestError, match="unknown request type"):
        _message(request_type="forget_me")


# --- what the subject is told -------------------------------------------------------------


def test_PR_2_subject_is_told_whom_to_address_and_nothing_else() -> None:
    target = _target()
    lines = subject_notice((target,), "access")
    text = "\n".join(lines)
    assert "forwarded your request to it" in text and "do not answer it ourselves" in text
    assert f"- Example Industries SA: {target.contact}" in lines
    hidden = (target.dpa_reference, "scan_store", "scan_db", "asset_owner", "24h", "FR")
    assert not any(word in text for word in hidden)


def test_PR_2_subject_notice_names_each_controller() -> None:
    targets = forward_targets(_programme(), _forwarded())
    lines = subject_notice(targets, "erasure")
    assert "other organisations" in lines[0] and "Your erasure request" in lines[0]
    assert [line for line in lines if line.startswith("- ")] == [
        f"- {t.name}: {t.contact}" for t in targets
    ]
    with pytest.raises(RequestError, match="no controller to name"):
        subject_notice((), "erasure")


# --- the message goes out -----------------------------------------------------------------


class _Inbox:
    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


@pytest.fixture
def inbox() -> Iterator[tuple[_Inbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    handler = _Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def test_PR_2_the_controller_receives_the_message_at_its_register_address(
    inbox: tuple[_Inbox, int],
) -> None:
    handler, port = inbox
    SmtpSender("127.0.0.1", port, starttls=False).send(_message(_target("demo_holdings")))
    ((recipients, content),) = handler.received
    assert recipients == ["it-governance@demo-holdings.example.com"]
    assert b"CDK-DPA-2026-0003" in content and SUBJECT_EMAIL.encode() not in content
