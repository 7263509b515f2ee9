"""What a ledger entry is: ids and digests of one step of a request, never personal data.

An entry is one leaf of the transparency log (RFC 9162 §2.1.1: its leaf hash is
``SHA-256(0x00 || entry)``, :func:`tutela.ledger.merkle.leaf_hash` of
:meth:`Entry.encode`). It holds:

=========  ==================================================================
``seq``    the sequence number, 0-based: the entry's leaf index in the tree
``time``   when, timezone-aware, kept in UTC to the second (``...T...Z``)
``actor``  who: ``system``, or ``<kind>:<id>`` such as ``staff:ann``
``action`` what: one short lower-case word (``received``, ``erased``)
``request`` the request's id (``3f2a...``, ``req-12``)
``before`` a digest of the data before the step, or none
``after``  a digest after it, or none
=========  ==================================================================

Digests are hex SHA-256 (64 lower-case hex digits) or tutela's keyed digests
(``h:`` and 64 hex digits, HMAC-SHA256 as :mod:`tutela.rights.fingerprint` writes them).
Every field is checked by its format, so no field can hold an e-mail address, a name
with spaces, free text, control characters or a large value: the log never holds
personal data in clear and an erasure never conflicts with its immutability (GDPR.md
AN-1: a pseudonymised value is still personal data, so only ids and keyed digests go
in). Error messages say what is wrong without repeating the refused value.

The encoding is canonical JSON: the seven keys sorted, no spaces, ASCII only, so an
entry has exactly one byte form and :meth:`Entry.decode` refuses any other.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tutela.errors import TutelaError
from tutela.ledger.merkle import leaf_hash

MAX_SEQ = 2**63 - 1
FIELDS = ("action", "actor", "after", "before", "request", "seq", "time")
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_ACTOR = re.compile(r"system|[a-z][a-z0-9_-]{0,31}:[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_ACTION = re.compile(r"[a-z][a-z_]{0,31}")
_REQUEST = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_DIGEST = re.compile(r"(h:)?[0-9a-f]{64}")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_FORMATS = {
    "actor": (_ACTOR, "'system' or '<kind>:<id>' like 'staff:ann'", 96),
    "action": (_ACTION, "one lower-case word like 'received'", 32),
    "request": (_REQUEST, "an id of letters, digits and . _ : -", 64),
    "before": (_DIGEST, "64 hex digits of SHA-256, or 'h:' and 64 of a keyed digest", 66),
    "after": (_DIGEST, "64 hex digits of SHA-256, or 'h:' and 64 of a keyed digest", 66),
}


class EntryError(TutelaError, ValueError):
    """A ledger entry with a field that is not an id or digest of the expected form."""


@dataclass(frozen=True)
class Entry:
    """One step of a request as the ledger records it: ids and digests only.

    ``time`` must be timezone-aware; it is kept in UTC without fractions of a second,
    the precision of the encoding. Raises :class:`EntryError` naming the bad field.
    """

    seq: int
    time: datetime
    actor: str
    action: str
    request: str
    before: str | None = None
    after: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.seq, bool) or not isinstance(self.seq, int):
            raise EntryError("seq: the sequence number must be an integer")
        if not 0 <= self.seq <= MAX_SEQ:
            raise EntryError(f"seq: the sequence number {self.seq} is outside 0..2^63-1")
        object.__setattr__(self, "time", _utc_seconds(self.time))
        for name in ("actor", "action", "request", "before", "after"):
            value = getattr(self, name)
            if value is not None or name in ("actor", "action", "request"):
                _check_field(name, value)

    def to_json(self) -> dict[str, Any]:
        """The entry as a JSON object (time as ISO 8601 UTC text, ``...Z``)."""
        return {
            "action": self.action,
            "actor": self.actor,
            "after": self.after,
            "before": self.before,
            "request": self.request,
            "seq": self.seq,
            "time": self.time.strftime(_TIME_FORMAT),
        }

    def encode(self) -> bytes:
        """The canonical bytes: JSON with sorted keys, no spaces, ASCII (the leaf data)."""
        return canonical_json(self.to_json())

    def leaf_hash(self) -> bytes:
        """The RFC 9162 leaf hash of :meth:`encode`: ``SHA-256(0x00 || entry)``."""
        return leaf_hash(self.encode())

    @classmethod
    def from_json(cls, data: Any) -> Entry:
        """The entry of a JSON object with exactly the seven fields; :class:`EntryError`."""
        if not isinstance(data, dict) or sorted(data) != list(FIELDS):
            raise EntryError(f"an entry is a JSON object with exactly the fields {FIELDS}")
        time = data["time"]
        if not isinstance(time, str) or not _TIME.fullmatch(time):
            raise EntryError("time: not ISO 8601 UTC to the second, 'YYYY-MM-DDTHH:MM:SSZ'")
        try:
            when = datetime.strptime(time, _TIME_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            raise EntryError("time: not a valid date and time") from None
        fields = {name: data[name] for name in FIELDS if name != "time"}
        return cls(time=when, **fields)

    @classmethod
    def decode(cls, encoded: bytes) -> Entry:
        """The entry of its canonical bytes; any other byte form is refused."""
        try:
            entry = cls.from_json(json.loads(encoded))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise EntryError("an entry must be canonical JSON text") from None
        if entry.encode() != encoded:
            raise EntryError(f"entry {entry.seq} is not in canonical form (sorted, no spaces)")
        return entry


def canonical_json(value: Any) -> bytes:
    """JSON with sorted keys, no spaces, ASCII only: one byte form per value."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return text.encode("ascii")


def _utc_seconds(time: Any) -> datetime:
    if not isinstance(time, datetime):
        raise EntryError("time: must be a datetime")
    if time.tzinfo is None or time.utcoffset() is None:
        raise EntryError("time: must be timezone-aware (UTC), not a naive datetime")
    return time.astimezone(UTC).replace(microsecond=0)


def _check_field(name: str, value: Any) -> None:
    """Refuse a value not of the field's format, saying why without repeating it."""
    pattern, expected, limit = _FORMATS[name]
    if not isinstance(value, str):
        raise EntryError(f"{name}: must be text ({expected})")
    if pattern.fullmatch(value):
        return
    raise EntryError(f"{name}: {_why(value, limit)}; expected {expected}")


def _why(value: str, limit: int) -> str:
    """Why a value is refused, in words that do not repeat it (it may be personal data)."""
    if len(value) > limit:
        return f"{len(value)} characters, more than the {limit} an id or digest has"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "a control character"
    if "@" in value:
        return "an '@': an e-mail address is personal data and never goes in the ledger"
    if any(c.isspace() for c in value):
        return "a space: names and free text are personal data or notes, not ids"
    if not value:
        return "empty"
    return "characters or a form an id or digest does not have"
