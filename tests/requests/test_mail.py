"""The code message and SMTP sending against GDPR.md §1.2 (ID-1, ID-2), with a real local server."""

from __future__ import annotations

import email
import email.policy
import re
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from tutela.requests.codes import CodeError, Outcome, check, issue
from tutela.requests.mail import MailError, SmtpSender, code_message

KEY = b"m" * 32
NOW = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
SENDER = "privacy@shop.example"
TO = "subject@example.org"


class Inbox:
    """An aiosmtpd handler keeping what it received; refuses recipients in ``refuse``."""

    def __init__(self, refuse: frozenset[str] = frozenset()) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self.refuse = refuse

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable for " + address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox(refuse=frozenset({"gone@example.org"}))
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def _message(lang: str = "en", code: str = "123456", to: str = TO) -> Any:
    return code_message(
        sender=SENDER,
        to=to,
        code=code,
        reference="REQ-2026-0042",
        expires_at=datetime(2026, 3, 5, 10, 15, tzinfo=UTC),
        lang=lang,
        zone=ZoneInfo("Europe/Brussels"),
    )


def test_id1_message_carries_code_reference_and_expiry() -> None:
    message = _message()
    assert message["From"] == SENDER and message["To"] == TO
    assert "REQ-2026-0042" in message["Subject"] and "123456" not in message["Subject"]
    body = message.get_content()
    assert "123456" in body and "REQ-2026-0042" in body
    assert "5 March 2026 11:15 (CET)" in body
    assert message.get_content_type() == "text/plain"


@pytest.mark.parametrize(
    ("lang", "words"),
    [("fr", "Votre code de vérification"), ("nl", "verificatiecode"), ("de", "Bestätigungscode")],
)
def test_id1_message_in_the_language_asked(lang: str, words: str) -> None:
    message = _message(lang)
    assert words in message["Subject"] and words in message.get_content()
    assert "Your verification code" not in message.get_content()
    assert message["Content-Language"] == lang


@pytest.mark.parametrize(
    "to", ["a@b.c\nBcc: x@y.z", "a@b.c\r\nBcc: x@y.z", "a@b.c, x@y.z", "Name <a@b.c>", ""]
)
def test_id2_header_injection_in_address_is_refused(to: str) -> None:
    with pytest.raises(CodeError) as caught:
        _message(to=to)
    assert "x@y.z" not in str(caught.value)


@pytest.mark.parametrize("code", ["", "12a456", "123456\nBcc: x@y.z"])
def test_id2_message_refuses_a_code_that_is_not_digits(code: str) -> None:
    with pytest.raises(CodeError):
        _message(code=code)


def test_id1_end_to_end_code_sent_received_and_verified(inbox: tuple[Inbox, int]) -> None:
    handler, port = inbox
    issued = issue("req-42", TO, key=KEY, now=NOW)
    message = code_message(
        sender=SENDER, to=TO, code=issued.code, reference="req-42",
        expires_at=issued.record.expires_at, lang="de",
    )  # fmt: skip
    SmtpSender("127.0.0.1", port, starttls=False, timeout=5).send(message)
    assert len(handler.received) == 1
    mail_from, rcpt_tos, content = handler.received[0]
    assert mail_from == SENDER and rcpt_tos == [TO]
    parsed = email.message_from_bytes(content, policy=email.policy.default)
    assert "Bcc" not in parsed
    body = parsed.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = re.search(r"Bestätigungscode lautet: (\d{6,8})", body)
    assert found is not None
    result = check(
        issued.record, request_id="req-42", address=TO, submitted=found.group(1), key=KEY, now=NOW
    )
    assert result.outcome is Outcome.VERIFIED


def test_id2_unreachable_server_gives_a_clear_error() -> None:
    port = _free_port()  # nothing listens there
    sender = SmtpSender("127.0.0.1", port, starttls=False, username="u", password="s3cret!")
    with pytest.raises(MailError) as caught:
        sender.send(_message())
    text = str(caught.value)
    assert "cannot reach the mail server" in text and f"127.0.0.1:{port}" in text
    assert "s3cret!" not in text and "s3cret!" not in repr(sender)
    assert caught.value.retryable and caught.value.__cause__ is None


def test_id2_refused_recipient_and_missing_starttls_are_clear(inbox: tuple[Inbox, int]) -> None:
    handler, port = inbox
    with pytest.raises(MailError, match=r"refused the recipient \(reply 550\)") as caught:
        SmtpSender("127.0.0.1", port, starttls=False).send(_message(to="gone@example.org"))
    assert "gone@example.org" not in str(caught.value)
    with pytest.raises(MailError, match="does not offer STARTTLS"):
        SmtpSender("127.0.0.1", port, starttls=True).send(_message())
    assert handler.received == []


def test_id2_sender_settings_are_checked() -> None:
    with pytest.raises(MailError):
        SmtpSender("", 25)
    with pytest.raises(MailError):
        SmtpSender("mail.example", 0)
    with pytest.raises(MailError):
        SmtpSender("mail.example", 587, username="u")
