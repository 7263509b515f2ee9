"""Pushing consent and objection changes to the systems that ask for them (CO-3, OB-2, GPC-1).

A system with a ``consent_webhook`` is told of every change to a purpose its webhook
covers (``purposes``, default the system's own; an event for every purpose, ``*``, covers
all): consent given or withdrawn, an objection or its lifting, an opt-out. For each such
system, :class:`Propagation` stores one :class:`Delivery` in the same transaction as the
events and their ledger entries, its message sealed under the store key because it names
the subject's identities in clear. The message has the shape of a Ketch forwarder
``ConsentRequest`` (:func:`consent_payload`).
:func:`tutela.consent.propagating.deliver_due` sends what is due; see docs/propagation.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol
from urllib.parse import urlsplit

from tutela.consent.records import ALL_PURPOSES, ChoiceEvent, Kind
from tutela.errors import ConfigurationError
from tutela.ports import Clock
from tutela.programme.models import Programme, System
from tutela.programme.purposes import LegalBasis
from tutela.requests.notices import encode
from tutela.requests.records import identity_values
from tutela.requests.sealing import StoreKey, Use, seal

STATUS = {
    Kind.CONSENT_GIVEN: "granted",
    Kind.CONSENT_WITHDRAWN: "denied",
    Kind.OBJECTION: "denied",
    Kind.OBJECTION_LIFTED: "granted",
    Kind.OPT_OUT: "denied",
}
"""The kinds of event pushed to systems, and the Ketch ``ConsentStatus`` each means."""


class DeliveryState(StrEnum):
    """Where one delivery stands."""

    PENDING = "pending"  # not tried yet
    RETRY = "retry"  # tried and failed; due again at ``next_at``
    DELIVERED = "delivered"  # the system answered 2xx
    FAILED = "failed"  # given up; staff follow up


@dataclass(frozen=True)
class Delivery:
    """One change to push to one system; no identity, no secret."""

    id: str
    event_id: str
    system: str
    state: DeliveryState
    attempts: int
    next_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None = None
    last_error: str | None = None  # the host and status, never the message or a secret


@dataclass(frozen=True)
class Outgoing:
    """A new delivery, stored with its message sealed under the store key."""

    delivery: Delivery
    sealed: bytes


class Chosen(Protocol):
    """A choice as :class:`tutela.consent.service.Choice` holds it."""

    @property
    def event(self) -> ChoiceEvent:
        """The event recorded."""
        ...

    @property
    def identity(self) -> Mapping[str, str]:
        """The identity the subject made the choice with."""
        ...


class PropagatingStore(Protocol):
    """Stores events with their deliveries (:class:`tutela.store.consent.SqlChoiceStore`)."""

    def record(
        self, events: Sequence[ChoiceEvent], actor: str, deliveries: Sequence[Outgoing] = ()
    ) -> None:
        """Store ``events``, their ledger entries and ``deliveries``, all or none."""
        ...


def webhook_purposes(system: System) -> list[str]:
    """The purposes whose changes ``system`` is told of (its own when the webhook names none)."""
    if system.consent_webhook is None:
        return []
    return list(system.consent_webhook.purposes or system.purposes)


def targets(programme: Programme, event: ChoiceEvent) -> list[System]:
    """The systems told of ``event``: a pushed kind, for a purpose their webhook covers."""
    if event.kind not in STATUS:
        return []
    return [
        system
        for system in programme.systems
        if system.consent_webhook is not None
        and (event.purpose == ALL_PURPOSES or event.purpose in webhook_purposes(system))
    ]


def consent_payload(
    programme: Programme, event: ChoiceEvent, identity: Mapping[str, str]
) -> dict[str, Any]:
    """The Ketch forwarder ``ConsentRequest`` telling a system of ``event`` (docs/propagation.md).

    It names the subject by the identities given with the choice, in clear.
    """
    organisation = programme.organisation
    controller = organisation.known_as if organisation else ""
    website = organisation.website if organisation and organisation.website else ""
    spaces = identity_values(identity)
    return {
        "apiVersion": "consent/v1",
        "kind": "ConsentRequest",
        "metadata": {"uid": event.id, "tenant": controller},
        "request": {
            "controller": controller,
            "property": urlsplit(website).hostname or website if website else "",
            "environment": "production",
            "regulation": _regulation(event.jurisdiction),
            "jurisdiction": event.jurisdiction or "",
            "identities": [
                {"identitySpace": name, "identityFormat": "raw", "identityValue": value}
                for name, value in spaces.items()
            ],
            "purposes": {event.purpose: STATUS[event.kind]},
            "legalBasis": {event.purpose: _legal_basis(programme, event)},
            "context": _context(event),
            "collectedAt": int(event.at.timestamp()),
        },
    }


def _regulation(jurisdiction: str | None) -> str:
    if jurisdiction == "US-CA":
        return "ccpa"
    return "us" if jurisdiction and jurisdiction.startswith("US") else "gdpr"


def _legal_basis(programme: Programme, event: ChoiceEvent) -> str:
    """The Ketch ``LegalBasis``: consent_optin, consent_optout (an opt-out) or other."""
    if event.kind is Kind.OPT_OUT:
        return "consent_optout"
    basis = next((p.legal_basis for p in programme.purposes if p.key == event.purpose), None)
    return "consent_optin" if basis is LegalBasis.CONSENT else "other"


def _context(event: ChoiceEvent) -> dict[str, str]:
    found = {
        "source": "tutela",
        "event": event.kind.value,
        "method": event.method.value,
        "noticeVersion": event.notice_version,
        "language": event.language,
    }
    return {name: value for name, value in found.items() if value}


class Propagation:
    """Records choices with the deliveries they cause, in one transaction (see module doc).

    ``key`` seals the messages; without it, a choice some system must be told of is
    refused with a :class:`~tutela.errors.ConfigurationError` (and nothing is stored).
    """

    def __init__(
        self, store: PropagatingStore, programme: Programme, key: StoreKey | None, clock: Clock
    ) -> None:
        self.store, self.programme, self.key, self.clock = store, programme, key, clock

    def record(self, choices: Sequence[Chosen], actor: str) -> None:
        """Store the choices' events, their ledger entries and their deliveries, all or none."""
        deliveries = self.outgoing(choices)
        self.store.record([choice.event for choice in choices], actor, deliveries)

    def outgoing(self, choices: Sequence[Chosen]) -> list[Outgoing]:
        """The deliveries ``choices`` cause, each with its sealed message."""
        now = self.clock.now()
        found = []
        for choice in choices:
            systems = targets(self.programme, choice.event)
            if not systems:
                continue
            message = encode(consent_payload(self.programme, choice.event, choice.identity))
            for system in systems:
                delivery = Delivery(
                    str(uuid.uuid4()),
                    choice.event.id,
                    system.key,
                    DeliveryState.PENDING,
                    0,
                    now,
                    now,
                )
                found.append(
                    Outgoing(delivery, seal(self._key(), Use.PROPAGATION, delivery.id, message))
                )
        return found

    def _key(self) -> StoreKey:
        if self.key is None:
            raise ConfigurationError(
                "no store key: set TUTELA_STORE_KEY (`tutela db keygen`) so the consent "
                "changes pushed to the programme's systems can be kept sealed until sent"
            )
        return self.key
