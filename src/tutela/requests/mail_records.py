"""What the privacy@ mailbox keeps of a message, and what became of it (pure data).

A :class:`MailRecord` is one row of ``tutela_mail``: ids, times, the keyed digest that
finds the message again, its state and the type classified, never an address or text.
:class:`MailStore` is the port :class:`tutela.store.mail.SqlMailStore` implements;
:class:`IngestResult` is what ``Mailbox.ingest`` and ``tutela mail ingest`` report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from tutela.requests.records import LedgerStep

PENDING = "acknowledgement not sent yet"
"""The reason a request made from mail carries until its acknowledgement is sent."""
IN_FLIGHT = timedelta(minutes=10)
"""How long a claimed message is taken to be in the hands of another reader."""


class MailState(StrEnum):
    """What became of one inbound message."""

    RECEIVED = "received"  # claimed: being handled (or interrupted: then queued on re-read)
    REQUEST = "request"  # became a request
    ATTACHED = "attached"  # a reply attached to its request
    QUEUED = "queued"  # waits for staff


@dataclass(frozen=True)
class MailRecord:
    """One inbound message as the store keeps it: no address, no text, only what it became."""

    id: str
    message: str  # the keyed digest (hex) that finds it again
    received_at: datetime
    state: str
    size: int
    request_id: str | None = None
    type: str | None = None
    confidence: float | None = None
    language: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class IngestResult:
    """What became of a message: a request (its id), a reply attached, or a queue entry."""

    request: bool
    type: str | None
    confidence: float | None
    request_id: str | None
    queue_id: str | None
    reason: str | None
    state: str
    mail_id: str
    repeated: bool = False

    @property
    def acknowledged(self) -> bool:
        """False while a request made from this message still owes its acknowledgement."""
        return not (self.request and (self.reason or "").startswith(PENDING))


class MailStore(Protocol):
    """Where inbound messages are kept (``tutela_mail``), each change with its ledger entry."""

    def claim(self, record: MailRecord) -> MailRecord | None:
        """Insert ``record``; None when claimed, else the row of the same message already there."""

    def update(
        self,
        before: MailRecord,
        after: MailRecord,
        *,
        sealed: bytes | None = None,
        step: LedgerStep | None = None,
        subject: str | None = None,
    ) -> None:
        """Store ``after`` over ``before`` (RequestError when it changed meanwhile).

        ``sealed`` keeps the sealed message; ``step`` is ledgered under ``subject`` (a request
        id, or ``mail:<id>``) in the same transaction.
        """

    def queued(self, limit: int = 100) -> list[MailRecord]:
        """The messages waiting for staff, oldest first."""

    def resolve(self, reference: str) -> str | None:
        """The one request whose id starts with ``reference`` (8 hex digits), or None."""
