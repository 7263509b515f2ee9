"""What tutela records about a subject's choices, as data (GDPR.md CO-1..CO-4, OB-2, RS-2, GPC-1).

A :class:`ChoiceEvent` is one change: consent given or withdrawn for a purpose (with the
notice version and language shown, the method, evidence and jurisdiction, CO-2), an
objection to a purpose (absolute for direct marketing, OB-2), a restriction with its
ground, start and end (RS-1, RS-2), or a CCPA opt-out of sale or sharing (also what a
Global Privacy Control signal records, GPC-1). Subjects are known by a keyed reference:
``subject`` is the keyed digest of one identity (``h:`` HMAC-SHA256 of ``name=value``
under the programme's hash key, see :func:`subject_ref`), never the identity in clear.
Events are appended, never edited: the current state is the latest event per subject,
purpose and kind.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Kind(StrEnum):
    """What an event records."""

    CONSENT_GIVEN = "consent_given"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    OBJECTION = "objection"  # to the purpose; direct marketing: absolute (OB-2)
    OBJECTION_LIFTED = "objection_lifted"  # staff found compelling grounds (21(1) only)
    RESTRICTION = "restriction"  # of all processing but storage and legal claims (RS-2)
    RESTRICTION_LIFTED = "restriction_lifted"
    OPT_OUT = "opt_out"  # CCPA sale or sharing, or a GPC signal (GPC-1)
    RETENTION_ENDED = "retention_ended"  # the purpose's retention period is over (RT-1)
    LEGAL_HOLD = "legal_hold"  # data kept for legal claims: storage and claims only
    LEGAL_HOLD_LIFTED = "legal_hold_lifted"


class Method(StrEnum):
    """How a choice was made (CO-2 ``method``)."""

    WEB_FORM = "web_form"
    CHECKBOX = "checkbox"
    EMAIL = "email"
    API = "api"
    IMPORT = "import"
    GPC = "gpc"
    UNSUBSCRIBE = "unsubscribe"
    BANNER = "banner"  # the cookie banner
    RETENTION = "retention"  # a retention sweep or hold (issue 18)
    REQUEST = "request"  # from the request lifecycle (a restriction, an objection)


ALL_PURPOSES = "*"
"""The purpose of a restriction or opt-out that covers every purpose it applies to."""


@dataclass(frozen=True)
class ChoiceEvent:
    """One recorded choice of one subject (CO-2's record, minus anything in clear)."""

    id: str
    subject: str  # keyed reference of one identity: "h:" + 64 hex
    purpose: str  # a programme purpose key, or ALL_PURPOSES
    kind: Kind
    at: datetime
    method: Method
    notice_version: str | None = None  # the statement version shown
    language: str | None = None
    jurisdiction: str | None = None  # ISO 3166 country or US-CA
    evidence: str | None = None  # a reference (form id, message id), never personal data
    ends_at: datetime | None = None  # a restriction's end, when known


def subject_ref(name: str, value: str, key: bytes) -> str:
    """The keyed reference of the subject known by identity ``name`` = ``value``.

    ``value`` is written as the programme declares it before this is called (e-mail in
    lower case); the same identity always gives the same reference under one key.
    """
    return "h:" + hmac.digest(key, f"{name}={value}".encode(), "sha256").hex()


def referencer(key: bytes) -> Callable[[str, str], str]:
    """:func:`subject_ref` under ``key``, faster for many calls.

    HMAC-SHA256 (RFC 2104) with the key's inner and outer hash states computed once: each
    reference then costs two copies of a SHA-256 state and two short updates.
    """
    block = (hashlib.sha256(key).digest() if len(key) > _BLOCK else key).ljust(_BLOCK, b"\0")
    inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in block))
    outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in block))

    def reference(name: str, value: str) -> str:
        first = inner.copy()
        first.update(f"{name}={value}".encode())
        second = outer.copy()
        second.update(first.digest())
        return "h:" + second.hexdigest()

    return reference


_BLOCK = 64
"""SHA-256's block size in bytes: HMAC pads (or first hashes) its key to it."""


def event_digest(event: ChoiceEvent) -> str:
    """SHA-256 (hex) of ``event``'s canonical JSON: sorted keys, times in ISO 8601.

    The ledger entry of the event holds this digest as ``after``; a receipt repeats it.
    """
    document = {
        name: value.isoformat() if isinstance(value, datetime) else value
        for name, value in ((f, getattr(event, f)) for f in ChoiceEvent.__dataclass_fields__)
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Renewal:
    """Consent to ``purpose`` must be given again under ``notice_version`` (seed §13).

    Announced with a material change of the statement: from ``effective_at``, consent
    given under another notice version no longer counts (``consent:renewal``).
    """

    purpose: str
    notice_version: str
    effective_at: datetime
