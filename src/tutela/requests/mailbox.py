"""The privacy@ mailbox: each inbound message becomes a request, a reply, or staff's work.

:meth:`Mailbox.ingest` takes one message as the IMAP reader, the SMTP listener and
``tutela mail ingest`` all hand it over, and never fails on the message itself:

1. it is read without trust (:func:`tutela.requests.inbound.parse`) and found again by the
   keyed digest of its Message-ID (of its bytes when it has none): a message read twice
   gives the same result and never a second request;
2. a reply threading to a request (``In-Reply-To`` a Message-ID tutela wrote, or
   ``[REQ-xxxxxxxx]`` in the subject) from the request's own address is attached to it;
3. a message from one plain address whose words name a right (:func:`classify`) becomes
   a request of that type with the sender as the identity to verify, received when the
   message arrived (DL-1); the subject gets an acknowledgement with the due date (DL-10)
   and the request's status link (its status token, to follow, verify and withdraw it
   through the API) and, when the type has an identity step, a code (ID-1);
4. anything else (automatic replies, unclassified text, spoofed or several senders,
   too large, unreadable) goes to the staff queue, the message sealed under the store key.

Each outcome is ledgered with ids and keyed digests only. A message is claimed (its row
inserted) before a request is made, so a crash between the two leaves a row staff see,
never a duplicate request; a message whose acknowledgement could not be sent is retried
when it is read again.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from tutela.errors import ConfigurationError, ConnectorError, RequestError
from tutela.requests.acknowledgement import acknowledgement
from tutela.requests.codes import email_code_suffices
from tutela.requests.inbound import MAX_SIZE, Inbound, classify, parse, thread_of
from tutela.requests.lexicon import Classification
from tutela.requests.mail_records import (
    IN_FLIGHT,
    PENDING,
    IngestResult,
    MailRecord,
    MailState,
    MailStore,
)
from tutela.requests.records import LedgerStep, identity_values, subject_digest
from tutela.requests.sealing import STATUS_TOKEN_LIFE, Use, seal, sign_link, status_key
from tutela.requests.types import TYPES, RequestType

__all__ = ["IngestResult", "MailRecord", "MailState", "MailStore", "Mailbox"]

if TYPE_CHECKING:
    from tutela.programme.models import Programme
    from tutela.requests.keeping import Keeping
    from tutela.requests.service import RequestService
    from tutela.requests.verification import Verification


class Mailbox:
    """Turns inbound mail into requests, replies or staff's queue (see the module doc)."""

    def __init__(
        self,
        requests: RequestService,
        verification: Verification,
        keeping: Keeping,
        store: MailStore,
        programme: Programme | None,
        *,
        max_size: int = MAX_SIZE,
        actor: str = "system",
    ) -> None:
        self.requests, self.verification, self.keeping = requests, verification, keeping
        self.store, self.programme, self.max_size, self.actor = store, programme, max_size, actor

    def ingest(self, raw: bytes, *, received_at: datetime | None = None) -> IngestResult:
        """Handle one message received now (or at ``received_at``); the same result when re-read.

        Raises only for what an operator must fix (no store key, no hash key, the store
        down): never because of the message.
        """
        key = self._configured()
        now = self.requests.clock.now()
        inbound = parse(raw, max_size=self.max_size)
        record = MailRecord(
            id=str(uuid.uuid4()),
            message=_digest(key, inbound, raw),
            received_at=received_at or now,
            state=MailState.RECEIVED.value,
            size=len(raw),
        )
        existing = self.store.claim(record)
        if existing is not None:
            return self._again(existing, raw, now)
        return self._handle(record, inbound, raw)

    def _configured(self) -> bytes:
        """The key of the message digests; ConfigurationError before anything is claimed."""
        if self.programme is None or self.requests.programme is None:
            raise ConfigurationError("reading mail needs the programme: --programme PATH")
        if not self.requests.hash_key:
            raise ConfigurationError(
                "no hash key: set TUTELA_HASH_KEY (a request's subject is a keyed digest)"
            )
        return self.keeping.sealing_key().subkey(Use.MAIL)

    def _handle(self, record: MailRecord, inbound: Inbound, raw: bytes) -> IngestResult:
        if inbound.problem is not None:
            return self._queue(record, raw, inbound.problem)
        if inbound.automatic:
            return self._queue(record, raw, "automatic reply")
        if inbound.sender is not None and inbound.sender == self.keeping.mail_from.lower():
            return self._queue(record, raw, "sent by tutela itself")
        thread = thread_of(inbound)
        if thread is not None:
            return self._reply(record, raw, inbound, thread)
        if inbound.sender is None:
            return self._queue(record, raw, "the sender is not one plain address")
        found = classify(inbound.subject + "\n" + inbound.text)
        if found.type is None:
            return self._queue(record, raw, "not recognised as a request", found)
        return self._submit(record, raw, inbound.sender, found, inbound.message_id)

    def _again(self, row: MailRecord, raw: bytes, now: datetime) -> IngestResult:
        """A message read before: its result, an acknowledgement retried, or staff told."""
        if row.state == MailState.REQUEST and row.reason == PENDING:
            return self._acknowledge(row, parse(raw, max_size=self.max_size).message_id)
        if row.state == MailState.RECEIVED and now - row.received_at < IN_FLIGHT:
            return replace(_result(row), reason="being handled", repeated=True)
        if row.state == MailState.RECEIVED:
            return self._queue(row, raw, "interrupted while handled: check for a request")
        return replace(_result(row), repeated=True)

    def _queue(
        self,
        row: MailRecord,
        raw: bytes,
        reason: str,
        found: Classification | None = None,
    ) -> IngestResult:
        after = replace(
            row,
            state=MailState.QUEUED.value,
            reason=reason[:300],
            type=found.type if found else None,
            confidence=found.confidence if found else None,
            language=found.language if found else None,
        )
        sealed = None
        if len(raw) <= self.max_size:  # a larger one stays at its source (the mailbox)
            sealed = seal(self.keeping.sealing_key(), Use.MAIL, row.id, raw)
        step = self._step("mail_queued", row)
        self.store.update(row, after, sealed=sealed, step=step, subject=f"mail:{row.id}")
        return _result(after)

    def _reply(self, row: MailRecord, raw: bytes, inbound: Inbound, thread: str) -> IngestResult:
        """Attach a reply to its request when it comes from the request's own address."""
        request_id = thread if len(thread) > 8 else self.store.resolve(thread)
        request = None if request_id is None else self.requests.store.get(request_id)
        if request is None:
            return self._queue(row, raw, "a reply to an unknown request")
        if not self._same_subject(inbound.sender, request.subject):
            return self._queue(row, raw, "a reply from another address than the request's")
        after = replace(
            row, state=MailState.ATTACHED.value, request_id=request.id, reason="a reply"
        )
        sealed = seal(self.keeping.sealing_key(), Use.MAIL, row.id, raw)
        step = self._step("mail_received", row)
        self.store.update(row, after, sealed=sealed, step=step, subject=request.id)
        return _result(after)

    def _same_subject(self, sender: str | None, subject: str) -> bool:
        key = self.requests.hash_key
        if sender is None or not key:
            return False
        mine = subject_digest(identity_values({"email": sender}), key)
        return hmac.compare_digest(mine, subject)

    def _submit(
        self,
        row: MailRecord,
        raw: bytes,
        sender: str,
        found: Classification,
        message_id: str | None,
    ) -> IngestResult:
        try:
            made = self.requests.submit(
                str(found.type), {"email": sender}, row.received_at, actor=self.actor
            )
        except RequestError as error:  # a type the programme does not offer, say
            return self._queue(row, raw, f"cannot become a request: {error}", found)
        after = replace(
            row,
            state=MailState.REQUEST.value,
            request_id=made.id,
            type=made.type,
            confidence=found.confidence,
            language=found.language,
            reason=PENDING,
        )
        self.store.update(row, after, step=self._step("mail_received", row), subject=made.id)
        return self._acknowledge(after, message_id)

    def _acknowledge(self, row: MailRecord, message_id: str | None) -> IngestResult:
        """Send the acknowledgement (and the code when one is needed); ledgered once sent."""
        record = self.requests.show(str(row.request_id))
        kind = RequestType(record.type)
        code = TYPES[kind].identity_step and email_code_suffices(kind)
        lang = row.language or "en"
        try:
            address = self.requests.identity(record)[0]["email"]
            self.keeping.mailer().send(
                acknowledgement(
                    sender=self.keeping.mail_from,
                    to=address,
                    request_id=record.id,
                    kind=record.type,
                    received_at=record.received_at,
                    due=record.due_date,
                    code_follows=code,
                    lang=lang,
                    in_reply_to=message_id,
                    status_link=self._status_link(record.id),
                )
            )
            if code:
                self.verification.send_code(record.id, source="mail", lang=lang, actor=self.actor)
        except (ConnectorError, RequestError, ConfigurationError, KeyError) as error:
            why = f"{PENDING}: {error}" if not isinstance(error, KeyError) else PENDING
            return replace(_result(row), reason=why[:300])
        after = replace(row, reason=None)
        self.store.update(row, after, step=self._step("acknowledged", row), subject=record.id)
        return _result(after)

    def _status_link(self, request_id: str) -> str:
        """The request's status page with a status token, as the API takes it."""
        until = self.requests.clock.now() + STATUS_TOKEN_LIFE
        token = sign_link(status_key(self.keeping.sealing_key()), request_id, until)
        base = self.keeping.public_url.rstrip("/")
        return f"{base}/requests/{request_id}/status?token={token}"

    def _step(self, action: str, row: MailRecord) -> LedgerStep:
        return LedgerStep(self.requests.clock.now(), self.actor, action, None, "h:" + row.message)

    def queue(self, limit: int = 100) -> list[MailRecord]:
        """The messages waiting for staff, oldest first (no content: ids, times, reasons)."""
        return self.store.queued(limit)


def _digest(key: bytes, inbound: Inbound, raw: bytes) -> str:
    """The keyed digest (hex) finding a message again: of its Message-ID, else its bytes."""
    if inbound.message_id is not None:
        data = b"message-id:" + inbound.message_id.encode("ascii", "replace")
    else:
        data = b"raw:" + hashlib.sha256(raw).digest()
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def _result(row: MailRecord) -> IngestResult:
    return IngestResult(
        request=row.state == MailState.REQUEST,
        type=row.type,
        confidence=row.confidence,
        request_id=row.request_id,
        queue_id=row.id if row.state == MailState.QUEUED else None,
        reason=row.reason,
        state=row.state,
        mail_id=row.id,
    )
