"""A real SMTP server in-process (aiosmtpd) that keeps what it receives, for tests and demos.

Tests of codes, acknowledgements, answers and Art. 19 notices read the mail tutela sent
from it, as a subject or recipient would. :func:`smtp_inbox` starts one on a free
loopback port; ``TUTELA_SMTP_URL=smtp://127.0.0.1:PORT?starttls=false`` points tutela at it.
"""

from __future__ import annotations

import email
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from typing import Any


class Inbox:
    """An aiosmtpd handler keeping every message, parsed; refuses the recipients in ``refuse``."""

    def __init__(self, refuse: frozenset[str] = frozenset()) -> None:
        self.messages: list[Message] = []
        self.refuse = refuse

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        """Accept a recipient, or refuse one of :attr:`refuse` (a mailbox that is gone)."""
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Keep the message."""
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted"

    def to(self, address: str) -> list[Message]:
        """The messages sent to ``address``, oldest first."""
        return [m for m in self.messages if m["To"] == address]

    def code_for(self, address: str) -> str:
        """The one-time code in the last message to ``address``."""
        (code,) = re.findall(r"\b(\d{6})\b", body(self.to(address)[-1]))
        return str(code)


def body(message: Message) -> str:
    """The text of a single-part message."""
    payload = message.get_payload(decode=True)
    return payload.decode("utf-8") if isinstance(payload, bytes) else str(payload)


def free_port() -> int:
    """A TCP port free on the loopback interface just now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_inbox(refuse: frozenset[str] = frozenset()) -> Iterator[tuple[Inbox, int]]:
    """A running SMTP server on 127.0.0.1 and its port; stopped on exit."""
    from aiosmtpd.controller import Controller

    handler, port = Inbox(refuse), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()
