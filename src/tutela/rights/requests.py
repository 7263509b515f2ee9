"""Data-subject requests: their types, the identities and changes they give.

Everything here is an immutable value, read by the planner, the executor and
the answers alike (re-exported by :mod:`tutela.rights.models`). Rule ids (ID-3,
RE-1, RS-2 ...) refer to GDPR.md.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from tutela.errors import RequestError

RequestType = Literal[
    "access", "erasure", "rectification", "restriction", "portability", "restriction_lift"
]
REQUEST_TYPES: tuple[RequestType, ...] = get_args(RequestType)[:5]
"""The types a request may be given as (intake, ``tutela dsr``).

``restriction_lift`` is not one of them: it sets the restriction flag back to false
and is run only by the request lifecycle, once the subject was told (RS-3, Art. 18(3)).
"""
RESTRICTING: tuple[RequestType, ...] = ("restriction", "restriction_lift")
"""Engine types that write the collections' restriction flag: true, then false (RS-1, RS-3)."""

RESTRICTION_ALLOWED_PURPOSES: tuple[str, ...] = (
    "storage",
    "consent",
    "legal_claims",
    "protection_of_others",
    "public_interest",
)
"""What a restricted subject's data may still be used for (RS-2, Art. 18(2))."""

_IDENTITY = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9_.\-]*)=(?P<value>.+)$", re.DOTALL)
_CHANGE = re.compile(
    r"^(?P<target>[a-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+){1,2})=(?P<value>.*)$", re.DOTALL
)


def request_type(text: str) -> RequestType:
    """``text`` as a request type; RequestError naming the valid types otherwise."""
    for known in REQUEST_TYPES:
        if text == known:
            return known
    raise RequestError(f"unknown request type {text!r}; use one of {', '.join(REQUEST_TYPES)}")


def parse_identity(text: str) -> tuple[str, str]:
    """Parse ``name=value`` (``email=a@b.c``, ``EMAIL= A@B.C ``): lower-case name, trimmed value.

    RequestError if it is not of that shape. Whether the name is one the
    programme declares is checked when the request is planned; how the value
    is written (case, phone format) is normalised then too (see
    :mod:`tutela.rights.identities`).
    """
    match = _IDENTITY.match(text.strip())
    if not match or not match["value"].strip():
        raise RequestError(f"identity {text!r} is not of the form name=value, e.g. email=a@b.c")
    return match["name"].lower(), match["value"].strip()


def parse_change(text: str) -> tuple[str, str]:
    """Parse ``collection.field=value`` for rectification (RE-1)."""
    match = _CHANGE.match(text.strip())
    if not match:
        raise RequestError(
            f"change {text!r} is not of the form collection.field=value, "
            'e.g. customer.name="New Name"'
        )
    return match["target"], match["value"]


@dataclass(frozen=True)
class SubjectRequest:
    """One data-subject request: its type, the identities given and (RE-1) the changes.

    ``reference`` distinguishes a repeated request of the same subject (a new
    access request a year later) from a rerun of the same one.
    """

    type: RequestType
    identities: tuple[tuple[str, str], ...]
    changes: tuple[tuple[str, str], ...] = ()
    reference: str = ""

    def __post_init__(self) -> None:
        """Reject requests without identities; keep identities and changes sorted."""
        if not self.identities:
            raise RequestError("a request needs at least one identity, e.g. email=a@b.c")
        object.__setattr__(self, "identities", tuple(sorted(set(self.identities))))
        object.__setattr__(self, "changes", tuple(sorted(dict(self.changes).items())))

    def canonical(self) -> str:
        """A stable text form: equal requests give equal text."""
        return json.dumps(
            [self.type, self.identities, self.changes, self.reference], separators=(",", ":")
        )

    def values(self, identity: str) -> tuple[str, ...]:
        """The values this request gives for ``identity``."""
        return tuple(value for name, value in self.identities if name == identity)


def new_batch_id() -> str:
    """A new batch id: every run is a new batch; only an explicit resume reuses one."""
    return uuid.uuid4().hex


def requests_digest(requests: Sequence[SubjectRequest], key: bytes) -> str:
    """A keyed hash of a batch's requests, so a resume can check it got the same input.

    HMAC-SHA256 with the masking key: the store never holds the identities, nor an
    unkeyed hash a list of e-mail addresses could reverse.
    """
    text = "\n".join(sorted({request.canonical() for request in requests}))
    return "h:" + hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()
