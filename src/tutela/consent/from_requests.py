"""The choices the request lifecycle makes, recorded for the decision point (issue 17).

A completed request changes what may be done with the subject's data, and the decision
point must know it (RS-2, OB-1, OB-2, CO-3, GPC-1):

- a restriction (Art. 18) restricts every purpose, with its ground in the evidence, until
  lifted (Art. 18(3)): ``restriction`` then ``restriction_lifted``;
- an objection (Art. 21(1), after the staff's weighing) or an objection to direct
  marketing (Art. 21(2), absolute) objects to the purpose the request names, or to every
  purpose on legitimate interests or public task (every direct-marketing purpose);
- a consent withdrawal withdraws consent to the purpose it names, or to every one;
- a CCPA opt-out of sale or sharing opts out of every purpose that sells or shares.

:class:`RequestChoices` turns completed requests (with the identity they were made with)
into choice events, method ``request``, evidence ``request <id>``, and records them with
their ledger entries. Other request types change no choice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tutela.consent.decisions import is_direct_marketing
from tutela.consent.records import ALL_PURPOSES, ChoiceEvent, Kind, Method
from tutela.consent.service import Choice, ConsentService, Context
from tutela.programme.purposes import LegalBasis
from tutela.requests.details import details_of
from tutela.requests.records import RequestRecord
from tutela.requests.types import RequestType

_T = RequestType
KINDS: Mapping[RequestType, Kind] = {
    _T.RESTRICTION: Kind.RESTRICTION,
    _T.OBJECTION: Kind.OBJECTION,
    _T.OBJECTION_DIRECT_MARKETING: Kind.OBJECTION,
    _T.CONSENT_WITHDRAWAL: Kind.CONSENT_WITHDRAWN,
    _T.OPT_OUT_SALE_SHARING: Kind.OPT_OUT,
}
"""What a completed request of each type records."""


class RequestChoices:
    """Records, through ``consent``, the choices completed requests make."""

    def __init__(self, consent: ConsentService) -> None:
        self.consent = consent

    def completed(
        self, done: Sequence[tuple[RequestRecord, Mapping[str, str]]], actor: str = "system"
    ) -> list[ChoiceEvent]:
        """Record the choices completed requests make (none for other types), all at once."""
        choices = [c for record, identity in done for c in self._choices(record, identity)]
        self.consent.record(choices, actor)
        return [choice.event for choice in choices]

    def lifted(
        self, record: RequestRecord, identity: Mapping[str, str], actor: str = "system"
    ) -> ChoiceEvent:
        """Record that the restriction of ``record`` was lifted (Art. 18(3))."""
        event = self.consent.prepare(
            Kind.RESTRICTION_LIFTED, identity, ALL_PURPOSES, _context(record, {})
        )
        self.consent.record([Choice(event, identity)], actor)
        return event

    def _choices(self, record: RequestRecord, identity: Mapping[str, str]) -> list[Choice]:
        kind = KINDS.get(RequestType(record.type))
        if kind is None:
            return []
        details = details_of(record.details)
        context = _context(record, details)
        purposes = self._purposes(RequestType(record.type), details.get("purpose"))
        return [
            Choice(self.consent.prepare(kind, identity, p, context), identity) for p in purposes
        ]

    def _purposes(self, kind: RequestType, named: object) -> list[str]:
        """The purpose the request names; else every purpose of its kind (or all at once)."""
        if named:
            return [str(named)]
        if kind in (_T.RESTRICTION, _T.OPT_OUT_SALE_SHARING):
            return [ALL_PURPOSES]
        purposes = self.consent.programme.purposes
        if kind is _T.OBJECTION_DIRECT_MARKETING:
            return [p.key for p in purposes if is_direct_marketing(p)]
        if kind is _T.CONSENT_WITHDRAWAL:
            return [p.key for p in purposes if p.legal_basis is LegalBasis.CONSENT]
        objectable = (LegalBasis.LEGITIMATE_INTERESTS, LegalBasis.PUBLIC_TASK)
        return [p.key for p in purposes if p.legal_basis in objectable]


def _context(record: RequestRecord, details: Mapping[str, Any]) -> Context:
    ground = details.get("ground")
    evidence = f"request {record.id}" + (f", ground {ground}" if ground else "")
    return Context(Method.REQUEST, evidence=evidence, jurisdiction=None)
