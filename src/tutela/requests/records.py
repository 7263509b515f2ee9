"""A stored request as data, the ledger step a change records, and the digests both carry.

Pure. :class:`RequestRecord` is one row of the request store: ids, dates, the state and
a keyed digest of the subject's identity (:func:`subject_digest`, HMAC-SHA256 with the
programme's hash key), never the identity in clear. :func:`state_digest` is the SHA-256
of a record's state, the before/after digests of the ledger entry a change appends
(:class:`LedgerStep`). :func:`identity_values` checks and writes an identity given as
``NAME=VALUE`` pairs without repeating a refused value (it is personal data).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from tutela.errors import RequestError

MAX_IDENTITIES = 8
MAX_VALUE = 320
"""The most identities one request carries, and the longest value (an e-mail address's)."""
MAX_REASON = 1000
_SPACE = re.compile(r"\s")
_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class RequestRecord:
    """One request as the store keeps it: ids, dates, state, the subject's keyed digest.

    ``due_date`` is a local date in ``zone`` (the controller's); ``due_rule`` the
    deadline's explanation, one line per rule applied; ``reason`` that of a denial or
    extension (no personal data, by contract).
    """

    id: str
    type: str
    regime: str
    state: str
    received_at: datetime
    due_date: date
    due_rule: str
    extended: bool
    subject: str
    zone: str
    country: str
    created_at: datetime
    updated_at: datetime
    reason: str | None = None
    details: str | None = None
    """What the type carries, as canonical JSON (ground, mode, fee, forwarding...); no
    personal data: the identity and the subject's own words stay out of it."""
    residence: str | None = None
    """The subject's country (``BE``) or US state (``US-CA``) the regime was chosen from."""


@dataclass(frozen=True)
class LedgerStep:
    """The ledger entry recording a change: who, what, and digests before and after it."""

    time: datetime
    actor: str
    action: str
    before: str | None
    after: str


def state_digest(record: RequestRecord) -> str:
    """SHA-256 (hex) of the record's state: ids, dates, state, subject digest, reason."""
    state = {
        "due_date": record.due_date.isoformat(),
        "extended": record.extended,
        "details": record.details,
        "id": record.id,
        "reason": record.reason,
        "residence": record.residence,
        "regime": record.regime,
        "state": record.state,
        "subject": record.subject,
        "type": record.type,
    }
    text = json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def subject_digest(identity: Mapping[str, str], key: bytes) -> str:
    """The keyed digest (``h:``, HMAC-SHA256 hex) of an identity from :func:`identity_values`."""
    text = json.dumps(dict(identity), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "h:" + hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def identity_values(identity: object) -> dict[str, str]:
    """The identity as ``{name: value}``, trimmed, e-mail in lower case; RequestError if malformed.

    Names are lower-case words (``email``, ``customer_id``); values are non-empty text
    of at most :data:`MAX_VALUE` characters without control characters. The errors
    name the identity, never its value.
    """
    if not isinstance(identity, Mapping) or not identity:
        raise RequestError("a request needs an identity, NAME=VALUE (e.g. email=...)")
    if len(identity) > MAX_IDENTITIES:
        raise RequestError(
            f"{len(identity)} identities: a request carries at most {MAX_IDENTITIES}"
        )
    return {name: identity_value(name, value) for name, value in identity.items()}


def identity_value(name: object, value: object) -> str:
    """One identity's value as :func:`identity_values` writes it; RequestError if malformed."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise RequestError("an identity's name is a lower-case word like email or customer_id")
    if not isinstance(value, str) or not value.strip():
        raise RequestError(f"identity {name}: the value is empty")
    text = value.strip()
    if len(text) > MAX_VALUE:
        raise RequestError(f"identity {name}: {len(text)} characters, at most {MAX_VALUE}")
    if not text.isprintable():
        raise RequestError(f"identity {name}: the value holds a control character")
    if name == "email" and ("@" not in text or _SPACE.search(text)):
        raise RequestError("identity email: not an e-mail address")
    return text.lower() if name == "email" else text


def request_id(value: object) -> str:
    """``value`` as a request id (a lower-case UUID); RequestError otherwise."""
    text = value.strip().lower() if isinstance(value, str) else ""
    if not _ID.fullmatch(text):
        raise RequestError("the request id given is not a request id (a UUID)")
    return text


def reason_text(value: object, what: str) -> str:
    """A denial's or extension's reason: non-empty, short, printable; RequestError otherwise."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise RequestError(f"{what} needs a reason (Art. 12(4), DL-5, DL-7)")
    if len(text) > MAX_REASON or not text.isprintable():
        raise RequestError(f"the reason must be one line of at most {MAX_REASON} characters")
    return text
