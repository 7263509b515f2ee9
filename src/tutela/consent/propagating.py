"""Sending the consent changes that are due to the systems, each attempt ledgered.

:func:`deliver_due` takes the pending and retrying deliveries due now from the
:class:`DeliveryStore`, claims each (a delivery another run claimed is skipped), opens its
sealed message and POSTs it to the system's ``consent_webhook``, signed as the Art. 19
webhooks are (:func:`tutela.requests.notices.webhook_request`). The outcome is stored with
its ledger step: ``consent_propagated``, ``propagation_retry`` (due again after the next of
:data:`~tutela.requests.notices.RETRY_DELAYS`, :func:`~tutela.requests.notices.next_attempt`)
or ``propagation_failed`` (after the last delay, or a refusal that is not retryable).
One system failing never stops the others. See docs/propagation.md.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from tutela.consent.propagation import Delivery, DeliveryState
from tutela.errors import ConfigurationError, ConnectorError, TutelaError
from tutela.programme.models import Programme
from tutela.requests.delivery import DeliveryReport, WebhookPort
from tutela.requests.keeping import Channel, NotificationRecord, NotificationState
from tutela.requests.notices import next_attempt, webhook_request
from tutela.requests.records import LedgerStep
from tutela.requests.sealing import SealError, StoreKey, Use, unseal

LEASE = timedelta(minutes=10)
"""How long a run holds a delivery it claimed; a run killed meanwhile frees it after this."""
EVENT_HEADER = "Tutela-Event"


class DeliveryStore(Protocol):
    """The deliveries kept (:class:`tutela.store.propagation.SqlPropagationStore`)."""

    def due(self, now: datetime, limit: int) -> list[tuple[Delivery, bytes | None]]:
        """Up to ``limit`` pending or retrying deliveries due at ``now``, with their messages."""
        ...

    def claim(self, delivery: Delivery, now: datetime, until: datetime) -> bool:
        """Hold ``delivery`` until ``until`` if it is still due; False when another run has."""
        ...

    def update(self, delivery: Delivery, step: LedgerStep) -> None:
        """Store ``delivery`` (its message dropped once delivered or failed) with ``step``."""
        ...


_ACTIONS = {
    DeliveryState.DELIVERED: "consent_propagated",
    DeliveryState.RETRY: "propagation_retry",
    DeliveryState.FAILED: "propagation_failed",
}


def deliver_due(
    store: DeliveryStore,
    *,
    programme: Programme,
    key: StoreKey | None,
    sender: WebhookPort,
    secrets: Mapping[str, bytes],
    now: datetime,
    actor: str = "system",
    limit: int = 100,
) -> DeliveryReport:
    """Send up to ``limit`` deliveries due at ``now``, each outcome stored with its ledger step.

    ``secrets`` holds each system's signing secret by system key (read from the variable
    its ``consent_webhook.secret_env`` names). A delivery another run claimed is skipped;
    one system failing never stops the others.
    """
    counts = dict.fromkeys(DeliveryState, 0)
    for delivery, sealed in store.due(now, limit):
        if not store.claim(delivery, now, now + LEASE):
            continue
        outcome, digest = _attempt(programme, delivery, sealed, key, sender, secrets, now)
        store.update(outcome, LedgerStep(now, actor, _ACTIONS[outcome.state], None, digest))
        counts[outcome.state] += 1
    return DeliveryReport(
        delivered=counts[DeliveryState.DELIVERED],
        retrying=counts[DeliveryState.RETRY],
        failed=counts[DeliveryState.FAILED],
    )


def _attempt(
    programme: Programme,
    delivery: Delivery,
    sealed: bytes | None,
    key: StoreKey | None,
    sender: WebhookPort,
    secrets: Mapping[str, bytes],
    now: datetime,
) -> tuple[Delivery, str]:
    """The delivery after one attempt, and the digest of the message the ledger names."""
    if sealed is None or key is None:
        return _failed(delivery, "the sealed message is gone or no store key is set"), _sha(b"")
    try:
        clear = unseal(key, Use.PROPAGATION, delivery.id, sealed)
    except SealError:
        reason = "the sealed message does not open (TUTELA_STORE_KEY changed?): tell by hand"
        return _failed(delivery, reason), _sha(sealed)
    secret = secrets.get(delivery.system, b"")
    try:
        _send(programme, delivery, json.loads(clear), sender, secret, now)
    except (TutelaError, OSError) as error:
        hide = [*_identity_values(clear), secret.decode("utf-8", "replace")]
        return _after_failure(delivery, now, error, hide), _sha(clear)
    done = DeliveryState.DELIVERED
    attempts = delivery.attempts + 1
    return replace(
        delivery, state=done, attempts=attempts, next_at=None, delivered_at=now, last_error=None
    ), _sha(clear)


def _send(
    programme: Programme,
    delivery: Delivery,
    document: dict[str, Any],
    sender: WebhookPort,
    secret: bytes,
    now: datetime,
) -> None:
    system = next((s for s in programme.systems if s.key == delivery.system), None)
    if system is None or system.consent_webhook is None:
        raise ConnectorError(
            f"system {delivery.system} has no consent_webhook in the programme any more",
            retryable=False,
        )
    if not secret:
        raise ConfigurationError(
            f"no signing secret for system {delivery.system}: set the variable its "
            "`consent_webhook.secret_env` names"
        )
    body, headers = webhook_request(document, secret, now)
    kind = str(document.get("request", {}).get("context", {}).get("event", ""))
    headers[EVENT_HEADER] = f"tutela.consent.{kind}"
    sender.send(system.consent_webhook.url, body, headers)


def _after_failure(
    delivery: Delivery, now: datetime, error: BaseException, hide: Sequence[str]
) -> Delivery:
    """RETRY after the next of RETRY_DELAYS; FAILED after the last, or when not retryable."""
    pending = NotificationState.PENDING
    record = NotificationRecord(
        id=delivery.id,
        request_id=delivery.event_id,
        recipient=delivery.system,
        channel=Channel.WEBHOOK,
        target="",
        state=pending,
        attempts=delivery.attempts,
        next_at=delivery.next_at,
        created_at=delivery.created_at,
    )
    later = next_attempt(record, now, error, hide)
    retryable = not isinstance(error, ConnectorError) or error.retryable
    if later.state is NotificationState.FAILED or not retryable:
        return _failed(replace(delivery, attempts=later.attempts), later.last_error or "")
    return replace(
        delivery,
        state=DeliveryState.RETRY,
        attempts=later.attempts,
        next_at=later.next_at,
        last_error=later.last_error,
    )


def _failed(delivery: Delivery, reason: str) -> Delivery:
    return replace(delivery, state=DeliveryState.FAILED, next_at=None, last_error=reason[:200])


def _identity_values(clear: bytes) -> list[str]:
    """The identity values in a message, to keep out of errors."""
    request = json.loads(clear).get("request", {})
    return [str(i.get("identityValue", "")) for i in request.get("identities", [])]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
