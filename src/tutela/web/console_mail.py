"""The console's mail queue: privacy@ messages tutela could not classify, for staff.

``GET /console/mail`` (``requests:read``) lists the newest :data:`SHOWN` queued
messages, newest first: when each arrived, its size, why it was queued, and, from the
message the mailbox sealed for staff under the store key, its subject line and the
sender's address masked to its first character and domain (``a…@example.com``). Only
the header block is opened: never the body. A message tutela could not keep (too large)
or cannot open (another store key) says so. The mailbox has no way yet to dismiss a
queued message or turn it into a request: staff submit the request themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response

from tutela.access.keys import Scope
from tutela.errors import StoreError
from tutela.requests.inbound import parse
from tutela.requests.sealing import SealError, Use, unseal
from tutela.store.operations import queued_mail, sealed_mail
from tutela.web.console_kit import page, programme, services, staff_session

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from tutela.requests.mail_records import MailRecord
    from tutela.requests.sealing import StoreKey

router = APIRouter(include_in_schema=False)

SHOWN = 100
"""The newest queued messages the page lists."""
LONGEST_SUBJECT = 200
"""Characters of a subject line shown."""
_HEAD_END = re.compile(rb"\r?\n\r?\n")
_HEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class QueuedMail:
    """One queued message as listed: what the store keeps, and what its headers say.

    ``opened`` is False when the sealed message is missing or does not open (then
    ``subject`` and ``sender`` are empty); ``sender`` is masked, "" when not one address.
    """

    id: str
    received_at: datetime
    size: int
    reason: str
    opened: bool
    subject: str = ""
    sender: str = ""


@router.get("/mail")
def mail(request: Request) -> Response:
    """The queued messages, newest first (no bodies)."""
    session = staff_session(request, Scope.REQUESTS_READ)
    if isinstance(session, Response):
        return session
    application = services(request).application
    key = application.store_key(programme(request))
    try:
        engine = application.ledger().engine
        records, waiting = queued_mail(engine, SHOWN)
        rows = [queued(engine, key, record) for record in records]
    except StoreError:
        return page(
            request, "console/mail.html", 503, session=session, rows=[], waiting=0, unavailable=True
        )
    return page(
        request, "console/mail.html", session=session, rows=rows, waiting=waiting, unavailable=False
    )


def queued(engine: Engine, key: StoreKey | None, record: MailRecord) -> QueuedMail:
    """``record`` with its subject line and masked sender, when its sealed copy opens."""
    reason = record.reason or ""
    sealed = sealed_mail(engine, record.id) if key is not None else None
    if key is None or sealed is None:
        return QueuedMail(record.id, record.received_at, record.size, reason, False)
    try:
        raw = unseal(key, Use.MAIL, record.id, sealed)
    except SealError:
        return QueuedMail(record.id, record.received_at, record.size, reason, False)
    inbound = parse(_header_block(raw))
    subject = inbound.subject[:LONGEST_SUBJECT]
    return QueuedMail(
        record.id, record.received_at, record.size, reason, True, subject, masked(inbound.sender)
    )


def _header_block(raw: bytes) -> bytes:
    """The message's header block only (the body is never read for this page)."""
    head = raw[:_HEAD_BYTES]
    found = _HEAD_END.search(head)
    return (head if found is None else head[: found.start()]) + b"\r\n\r\n"


def masked(address: str | None) -> str:
    """``a…@example.com`` for ``alice@example.com``; "" for no address."""
    if not address or "@" not in address:
        return ""
    local, _at, domain = address.rpartition("@")
    return f"{local[:1]}…@{domain}"
