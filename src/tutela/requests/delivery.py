"""Sending the Art. 19 notifications that are due, and recording each attempt (NR-1).

:func:`deliver_due` takes the pending notifications due now from the
:class:`~tutela.requests.keeping.LifecycleStore`, opens each sealed message, sends it
by e-mail or signed webhook and stores the outcome with its ledger step:
``recipient_notified`` (its sealed message then dropped, so it is never sent again),
``recipient_retry`` (due again after the next of
:data:`~tutela.requests.notices.RETRY_DELAYS`) or ``recipient_failed`` (staff follow
up). One recipient failing, or a missing webhook secret, never stops the others.
The senders are ports: :class:`tutela.requests.mail.SmtpSender` and
:class:`tutela.notify.webhook.WebhookSender` fit them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from email.message import EmailMessage
from typing import Any, Protocol

from tutela.errors import TutelaError
from tutela.requests.keeping import Channel, LifecycleStore, NotificationRecord, NotificationState
from tutela.requests.notices import delivered, email_for, encode, next_attempt, webhook_request
from tutela.requests.records import LedgerStep
from tutela.requests.sealing import SealError, StoreKey, Use, seal, unseal


class MailPort(Protocol):
    """Sends one e-mail (:class:`tutela.requests.mail.SmtpSender` is one)."""

    def send(self, message: EmailMessage) -> None:
        """Send ``message``; a :class:`tutela.errors.ConnectorError` when it cannot."""


class WebhookPort(Protocol):
    """Posts one webhook (:class:`tutela.notify.webhook.WebhookSender` is one)."""

    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> None:
        """POST ``body``; a :class:`tutela.errors.ConnectorError` unless accepted."""


@dataclass(frozen=True)
class Senders:
    """How notifications leave: a mail sender, a webhook sender, and the From address."""

    mail: MailPort | None
    webhook: WebhookPort | None
    mail_from: str


@dataclass(frozen=True)
class DeliveryReport:
    """What one run of :func:`deliver_due` did: notifications delivered, retrying, failed."""

    delivered: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def attempted(self) -> int:
        """How many notifications were tried."""
        return self.delivered + self.retrying + self.failed


_ACTIONS = {
    NotificationState.DELIVERED: "recipient_notified",
    NotificationState.PENDING: "recipient_retry",
    NotificationState.FAILED: "recipient_failed",
}


class _Undeliverable(Exception):
    """A notification that cannot be sent now; the text is its ``last_error``."""


def seal_messages(
    key: StoreKey, records: Iterable[NotificationRecord], documents: Mapping[str, Mapping[str, Any]]
) -> dict[str, bytes]:
    """Each record's message sealed for keeping, by notification id.

    ``documents`` holds each recipient's document by recipient key (see
    :func:`tutela.requests.notices.recipient_message`); it is bound to the request.
    """
    return {
        r.id: seal(key, Use.NOTIFICATION, r.request_id, encode(documents[r.recipient]))
        for r in records
    }


def deliver_due(
    store: LifecycleStore,
    *,
    key: StoreKey,
    senders: Senders,
    secrets: Mapping[str, bytes],
    now: datetime,
    actor: str = "system",
    limit: int = 100,
) -> DeliveryReport:
    """Send up to ``limit`` notifications due at ``now``, each stored with its ledger step.

    ``secrets`` holds each webhook recipient's signing secret by recipient key (the
    service reads the variables their ``secret_env`` names).
    """
    counts = {state: 0 for state in NotificationState}
    for record, sealed in store.due_notifications(now, limit):
        outcome, digest = _attempt(record, sealed, key, senders, secrets, now)
        action = _ACTIONS[outcome.state]
        store.update_notification(outcome, LedgerStep(now, actor, action, None, digest))
        counts[outcome.state] += 1
    return DeliveryReport(
        delivered=counts[NotificationState.DELIVERED],
        retrying=counts[NotificationState.PENDING],
        failed=counts[NotificationState.FAILED],
    )


def _attempt(
    record: NotificationRecord,
    sealed: bytes | None,
    key: StoreKey,
    senders: Senders,
    secrets: Mapping[str, bytes],
    now: datetime,
) -> tuple[NotificationRecord, str]:
    """The record after one attempt, and the digest of the message the ledger names."""
    if sealed is None:
        failed = NotificationState.FAILED
        reason = "the sealed message is gone: tell the recipient by hand"
        return replace(record, state=failed, next_at=None, last_error=reason), _sha(b"")
    try:
        clear = unseal(key, Use.NOTIFICATION, record.request_id, sealed)
    except SealError:
        reason = "the sealed message does not open (TUTELA_STORE_KEY changed?): tell by hand"
        failed = NotificationState.FAILED
        return replace(record, state=failed, next_at=None, last_error=reason), _sha(sealed)
    document = json.loads(clear)
    secret = secrets.get(record.recipient, b"")
    try:
        _send(record, document, senders, secret, now)
    except (_Undeliverable, TutelaError, OSError) as error:
        hide = [*_values(document), secret.decode("utf-8", "replace")]
        cause = str(error) if isinstance(error, _Undeliverable) else error
        return next_attempt(record, now, cause, hide), _sha(clear)
    return delivered(record, now), _sha(clear)


def _send(
    record: NotificationRecord,
    document: dict[str, Any],
    senders: Senders,
    secret: bytes,
    now: datetime,
) -> None:
    if record.channel == Channel.EMAIL:
        if senders.mail is None:
            raise _Undeliverable("no mail server is set up to send Art. 19 notices by e-mail")
        senders.mail.send(email_for(document, senders.mail_from, record.target, date=now))
        return
    if senders.webhook is None:
        raise _Undeliverable("no webhook sender is set up to send Art. 19 notices")
    if not secret:
        raise _Undeliverable(
            f"no signing secret for recipient {record.recipient}: set the variable its "
            "`notify.secret_env` names"
        )
    body, headers = webhook_request(document, secret, now)
    senders.webhook.send(record.target, body, headers)


def _values(document: Mapping[str, Any]) -> Sequence[str]:
    """The personal values of ``document`` (identity and new values), to keep out of errors."""
    found = [*dict(document.get("subject") or {}).values()]
    found += [*dict(document.get("changes") or {}).values()]
    return [str(v) for v in found if v]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
