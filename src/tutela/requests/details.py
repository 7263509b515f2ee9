"""What a request carries besides its type and identity, checked against the programme.

A restriction names its ground (Art. 18(1); RS-1), a rectification whether it corrects,
completes or adds a supplementary statement (Art. 16; RE-1), an objection or a consent
withdrawal the purpose it is about (Arts. 7(3), 21), a portability request the other
controller's HTTPS endpoint (Art. 20(2); PO-3); any request may name the customer whose
processor data it concerns (PR-2), or come from an authorised agent (ID-4). Staff add a
fee (FEE-2) later. Kept as canonical JSON in the request row: no personal data goes here
(the identity and new values stay sealed).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tutela.errors import RequestError
from tutela.programme.models import LegalBasis, Programme
from tutela.requests.records import RequestRecord
from tutela.requests.types import (
    PortabilityDestination,
    RectificationMode,
    RequestType,
    RestrictionGround,
)

_T = RequestType
_PURPOSE_TYPES = {_T.OBJECTION, _T.OBJECTION_DIRECT_MARKETING, _T.CONSENT_WITHDRAWAL}
ALLOWED: Mapping[str, frozenset[RequestType]] = {
    "ground": frozenset({_T.RESTRICTION}),
    "mode": frozenset({_T.RECTIFICATION, _T.CORRECT}),
    "purpose": frozenset(_PURPOSE_TYPES),
    "transmit_to": frozenset({_T.PORTABILITY}),
    "customer": frozenset(_T),
    "agent": frozenset(_T),
}
"""Each detail and the request types that may carry it."""


def details_text(
    programme: Programme, kind: RequestType, given: Mapping[str, str] | None
) -> str | None:
    """``given`` checked for ``kind`` and written as canonical JSON (None when empty)."""
    found = dict(given or {})
    for name, value in found.items():
        if name not in ALLOWED:
            raise RequestError(f"unknown detail {name[:40]!r}; use one of {', '.join(ALLOWED)}")
        if kind not in ALLOWED[name]:
            raise RequestError(f"a {kind} request does not take {name}")
        if not isinstance(value, str) or not value.strip() or len(value) > 2048:
            raise RequestError(f"{name}: give a value of at most 2048 characters")
        found[name] = _checked(programme, kind, name, value.strip())
    if kind is _T.RESTRICTION and "ground" not in found:
        raise RequestError(
            "a restriction names its ground (Art. 18(1)): "
            + ", ".join(g.value for g in RestrictionGround)
        )
    if kind is _T.OBJECTION and "purpose" not in found:
        raise RequestError("an objection under Art. 21(1) names the purpose objected to")
    return json.dumps(found, sort_keys=True, separators=(",", ":")) if found else None


def details_of(text: str | None) -> dict[str, Any]:
    """The details stored as ``text`` (empty when there are none)."""
    return {} if not text else dict(json.loads(text))


def with_detail(text: str | None, name: str, value: object) -> str:
    """``text`` with ``name`` set to ``value`` (staff additions such as a fee)."""
    found: dict[str, object] = dict(details_of(text))
    found[name] = value
    return json.dumps(found, sort_keys=True, separators=(",", ":"))


def _checked(programme: Programme, kind: RequestType, name: str, value: str) -> str:
    if name == "ground":
        grounds = [g.value for g in RestrictionGround]
        if value not in grounds:
            raise RequestError(f"ground {value[:20]!r}: use one of {', '.join(grounds)}")
    elif name == "mode":
        modes = [m.value for m in RectificationMode]
        if value not in modes:
            raise RequestError(f"mode {value[:30]!r}: use one of {', '.join(modes)}")
    elif name == "purpose":
        _purpose(programme, kind, value)
    elif name == "transmit_to":
        PortabilityDestination(value)
    elif name == "customer":
        if value not in {c.key for c in programme.dpa_register}:
            raise RequestError(f"customer {value[:40]!r} is not in the programme's dpa_register")
    elif name == "agent" and value not in ("yes", "no"):
        raise RequestError("agent: yes or no")
    return value


def _purpose(programme: Programme, kind: RequestType, key: str) -> None:
    purposes = {p.key: p for p in programme.purposes}
    purpose = purposes.get(key)
    if purpose is None:
        raise RequestError(f"purpose {key[:40]!r} is not one of the programme's purposes")
    basis = purpose.legal_basis
    if kind is _T.OBJECTION and basis not in (
        LegalBasis.LEGITIMATE_INTERESTS,
        LegalBasis.PUBLIC_TASK,
    ):
        raise RequestError(
            f"purpose {key} rests on {basis}: Art. 21(1) objects only to legitimate "
            "interests or a public task"
        )
    if kind is _T.CONSENT_WITHDRAWAL and basis is not LegalBasis.CONSENT:
        raise RequestError(f"purpose {key} rests on {basis}, not consent: nothing to withdraw")


def require_fee_paid(record: RequestRecord) -> None:
    """Refuse to act on a request whose fee (FEE-2) is asked and not yet paid."""
    fee = details_of(record.details).get("fee")
    if isinstance(fee, dict) and not fee.get("paid"):
        raise RequestError(
            f"request {record.id} waits for its fee ({fee.get('amount')} {fee.get('currency')}): "
            "record the payment with `tutela requests fee ID --paid`, or deny it"
        )
