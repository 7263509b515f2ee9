"""Consent receipts: every choice event as a JSON record the subject can keep (CO-2).

:func:`receipt` builds, from the programme and one
:class:`~tutela.consent.records.ChoiceEvent`, a document with the fields of ISO/IEC TS
27560:2023 (consent record information structure) under ``iso27560`` and those of the
Kantara Consent Receipt Specification v1.1 under ``kantara``, plus the event's ledger
digest (:func:`~tutela.consent.records.event_digest`, the entry's ``after``) so an auditor
can match the receipt to the ledger. The subject is the keyed reference only: no identity
in clear. The same event always gives the same receipt.

:class:`Receipts` finds an event by id and makes the subject's download link, signed
and expiring like an unsubscribe link (:func:`~tutela.consent.unsubscribe.link_key`).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, Protocol

from tutela.consent.records import ALL_PURPOSES, ChoiceEvent, Kind, event_digest
from tutela.consent.unsubscribe import LINK_LIFE, link_key, needed
from tutela.errors import RequestError
from tutela.ports import Clock
from tutela.programme.models import Programme
from tutela.programme.purposes import LegalBasis, Purpose
from tutela.requests.sealing import StoreKey, check_link, sign_link
from tutela.taxonomy.vocabulary import Vocabulary

SCHEMA = "tutela-consent-receipt/1"
ISO_SCHEMA = "ISO/IEC TS 27560:2023"
KANTARA_VERSION = "KI-CR-v1.1.0"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
STATES = {
    Kind.CONSENT_GIVEN: "given",
    Kind.CONSENT_WITHDRAWN: "withdrawn",
    Kind.OBJECTION: "objected",
    Kind.OBJECTION_LIFTED: "objection_lifted",
    Kind.RESTRICTION: "restricted",
    Kind.RESTRICTION_LIFTED: "restriction_lifted",
    Kind.OPT_OUT: "opted_out",
    Kind.RETENTION_ENDED: "expired",
    Kind.LEGAL_HOLD: "held",
    Kind.LEGAL_HOLD_LIFTED: "hold_lifted",
}
"""The ISO 27560 event state of each kind of event."""

Document = dict[str, Any]


class UnknownEvent(RequestError):
    """No choice event has the id asked (HTTP 404)."""


class EventLookup(Protocol):
    """Finds one stored event (:meth:`tutela.store.consent.SqlChoiceStore.event`)."""

    def event(self, event_id: str) -> ChoiceEvent | None:
        """The event whose id is ``event_id``, or None."""
        ...


def receipt(programme: Programme, event: ChoiceEvent) -> Document:
    """The receipt of ``event`` under ``programme``: ISO 27560 and Kantara v1.1 fields."""
    purposes = _purposes(programme, event.purpose)
    return {
        "schema": SCHEMA,
        "receipt_id": event.id,
        "ledger": {
            "algorithm": "sha256",
            "digest": event_digest(event),
            "action": event.kind.value,
            "request": event.id,
        },
        "iso27560": _iso(programme, event, purposes),
        "kantara": _kantara(programme, event, purposes),
    }


def _purposes(programme: Programme, key: str) -> list[Purpose]:
    if key == ALL_PURPOSES:
        return list(programme.purposes)
    return [p for p in programme.purposes if p.key == key]


def _iso(programme: Programme, event: ChoiceEvent, purposes: list[Purpose]) -> Document:
    return {
        "schema_version": ISO_SCHEMA,
        "record_id": event.id,
        "pii_principal_id": event.subject,
        "controllers": _controllers(programme),
        "notice": {
            "version": event.notice_version,
            "language": _language(programme, event),
            "url": _policy_url(programme),
        },
        "purposes": [_iso_purpose(programme, p) for p in purposes],
        "purpose_ref": event.purpose,
        "event": {
            "event_type": event.kind.value,
            "event_state": STATES.get(event.kind, event.kind.value),
            "event_time": event.at.isoformat(),
            "method": event.method.value,
            "evidence": event.evidence,
            "ends_at": None if event.ends_at is None else event.ends_at.isoformat(),
        },
        "jurisdiction": _jurisdiction(programme, event),
    }


def _iso_purpose(programme: Programme, purpose: Purpose) -> Document:
    return {
        "purpose_id": purpose.key,
        "purpose": purpose.name,
        "description": purpose.description,
        "lawful_basis": None if purpose.legal_basis is None else purpose.legal_basis.value,
        "data_uses": list(purpose.data_uses),
        "pii_categories": list(purpose.categories),
        "recipients": [
            {"name": r.name, "kind": r.kind, "countries": list(r.countries)}
            for r in programme.recipients
            if purpose.key in r.purposes
        ],
        "retention": _retention(programme, purpose),
        "withdrawal_method": _withdrawal(programme, purpose),
    }


def _kantara(programme: Programme, event: ChoiceEvent, purposes: list[Purpose]) -> Document:
    vocabulary = Vocabulary.with_extensions(
        (c.key, c.name, c.parent, c.special, c.criminal) for c in programme.categories
    )
    special = sorted({c for p in purposes for c in p.categories if vocabulary.is_special(c)})
    organisation = programme.organisation
    return {
        "version": KANTARA_VERSION,
        "jurisdiction": _jurisdiction(programme, event),
        "consentTimestamp": int(event.at.timestamp()),
        "collectionMethod": event.method.value,
        "consentReceiptID": event.id,
        "language": _language(programme, event),
        "piiPrincipalId": event.subject,
        "piiControllers": [
            {
                "piiController": c["name"],
                "onBehalf": False,
                "contact": c["contact"],
                "address": c["address"],
                "email": c["contact"],
                "piiControllerUrl": c["url"],
            }
            for c in _controllers(programme)
        ],
        "policyUrl": _policy_url(programme),
        "services": [
            {
                "service": organisation.known_as if organisation else "",
                "purposes": [_kantara_purpose(programme, p) for p in purposes],
            }
        ],
        "sensitive": bool(special),
        "spiCat": special,
    }


def _kantara_purpose(programme: Programme, purpose: Purpose) -> Document:
    third = sorted(
        {r.name for r in programme.recipients if purpose.key in r.purposes}
        - {r.name for r in programme.recipients if r.kind == "processor"}
    )
    consent = purpose.legal_basis is LegalBasis.CONSENT
    return {
        "purpose": f"{purpose.name}: {purpose.description}",
        "purposeCategory": list(purpose.data_uses),
        "consentType": "EXPLICIT" if consent else "NOT_APPLICABLE",
        "piiCategory": list(purpose.categories),
        "primaryPurpose": True,
        "termination": _retention(programme, purpose) or _withdrawal(programme, purpose),
        "thirdPartyDisclosure": bool(third),
        "thirdPartyName": ", ".join(third),
    }


def _controllers(programme: Programme) -> list[Document]:
    organisation = programme.organisation
    if organisation is None:
        return []
    address = organisation.registered_address
    parts = (address.street, address.city, address.postal_code, address.country)
    return [
        {
            "name": organisation.legal_name,
            "trading_name": organisation.trading_name,
            "contact": organisation.privacy_email,
            "address": ", ".join(str(p) for p in parts if p),
            "url": organisation.website,
        }
    ]


def _retention(programme: Programme, purpose: Purpose) -> str | None:
    if purpose.retention is None:
        return None
    try:
        rule = programme.retention_rule(purpose.retention)
    except KeyError:
        return None
    period = f"{rule.period} from {rule.trigger}, then {rule.action}" if rule.period else None
    return "; ".join(str(t) for t in (rule.name, period, rule.criterion) if t)


def _withdrawal(programme: Programme, purpose: Purpose) -> str:
    if purpose.consent is not None:
        return str(purpose.consent.withdrawal)
    if purpose.direct_marketing is not None and purpose.direct_marketing.unsubscribe:
        return str(purpose.direct_marketing.unsubscribe)
    organisation = programme.organisation
    return f"write to {organisation.privacy_email}" if organisation else "write to us"


def _language(programme: Programme, event: ChoiceEvent) -> str:
    statement = programme.statement
    default = statement.languages[0] if statement and statement.languages else "en"
    return event.language or str(default)


def _jurisdiction(programme: Programme, event: ChoiceEvent) -> str | None:
    organisation = programme.organisation
    fallback = None if organisation is None else str(organisation.establishment_country)
    return event.jurisdiction or fallback


def _policy_url(programme: Programme) -> str | None:
    statement = programme.statement
    return None if statement is None or not statement.url else str(statement.url)


class Receipts:
    """The receipts of ``store``'s events under ``programme``, and their download links.

    ``key`` is the store key (links are refused without one, ConfigurationError); links
    start with ``public_url`` and work for ``lifetime``.
    """

    def __init__(
        self,
        store: EventLookup,
        programme: Programme,
        key: StoreKey | None,
        public_url: str,
        clock: Clock,
        lifetime: timedelta = LINK_LIFE,
    ) -> None:
        self.store, self.programme, self.key, self.clock = store, programme, key, clock
        self.public_url, self.lifetime = public_url.rstrip("/"), lifetime

    def event(self, event_id: str) -> ChoiceEvent:
        """The stored event ``event_id``; :class:`UnknownEvent` when there is none."""
        found = self.store.event(event_id) if _UUID.fullmatch(event_id) else None
        if found is None:
            raise UnknownEvent(f"no consent event {event_id[:64]!r}")
        return found

    def receipt(self, event_id: str) -> Document:
        """The receipt of the stored event ``event_id`` (for staff, or after a link check)."""
        return receipt(self.programme, self.event(event_id))

    def receipt_link(self, event: ChoiceEvent, expires_at: datetime | None = None) -> str:
        """The subject's download link of ``event``'s receipt, valid for ``lifetime``."""
        until = expires_at or self.clock.now() + self.lifetime
        token = sign_link(self._key(), event.id, until)
        return f"{self.public_url}/api/v1/consent/receipts/{event.id}?token={token}"

    def download(self, event_id: str, token: object) -> Document:
        """The receipt the signed ``token`` gives access to; LinkError (403) saying why not."""
        check_link(self._key(), token, self.clock.now(), event_id)
        return self.receipt(event_id)

    def _key(self) -> StoreKey:
        return link_key(needed(self.key), "receipt")
