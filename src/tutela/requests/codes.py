"""One-time codes that verify a requester's identity by a round-trip to a channel (GDPR.md §1.2).

With *reasonable doubt*, Art. 12(6) and Recital 64 let a controller check identity with what
it holds, such as the e-mail address on file (ID-1), proportionately (ID-2). :func:`issue`
draws a code from ``secrets`` and keeps only a keyed digest (HMAC-SHA256 bound to request
and address: a stolen store cannot be brute-forced without the key), an expiry and an
attempt limit; :func:`check` compares in constant time. :class:`RateLimiter` bounds the
codes sent (Art. 32) and never refuses the right itself: it says how long to wait (ID-2).
Pure: the clock (``now``) and randomness (``draw``) are passed in; state is frozen dataclasses.
"""

from __future__ import annotations

import hmac
import ipaddress
import math
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from tutela.errors import RequestError
from tutela.i18n import N_, _
from tutela.requests.types import TYPES, Verification, request_type

CODE_TTL = timedelta(minutes=15)
"""How long a code stays valid by default."""

MAX_ATTEMPTS = 5
"""How many codes may be typed for one issued code before it locks."""

MIN_KEY_BYTES = 16
_DOMAIN = b"tutela/identity-code/v1"
_IDENTITY_DOMAIN = b"tutela/identity/v1"
_LONGEST_INPUT = 64  # anything longer is refused before it is read further
_ADDRESS = re.compile(r"[^@\s]{1,64}@[^@\s]{1,252}")


class CodeError(RequestError):
    """A code that cannot be issued as asked (a bad key, address or length)."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise CodeError(message)


def _keyed(key: bytes, domain: bytes, *parts: str) -> str:
    """Hex HMAC-SHA256 under ``key`` of ``domain`` and ``parts``, each framed by its length."""
    _require(isinstance(key, bytes) and len(key) >= MIN_KEY_BYTES, "the key is too short")
    framed = b"".join(len(f).to_bytes(4, "big") + f for f in (domain, *map(str.encode, parts)))
    return hmac.new(key, framed, "sha256").hexdigest()


def _require_aware(now: datetime) -> None:
    _require(now.tzinfo is not None and now.utcoffset() is not None, "the time must be aware")


@dataclass(frozen=True)
class CodeRecord:
    """What is stored for one issued code: never the code itself (ID-2, Art. 32)."""

    request_id: str
    digest: str  # hex HMAC-SHA256 of the code, bound to the request and the address
    issued_at: datetime
    expires_at: datetime
    attempts: int = 0
    max_attempts: int = MAX_ATTEMPTS
    used: bool = False

    @property
    def attempts_left(self) -> int:
        """How many more codes may be typed."""
        return max(self.max_attempts - self.attempts, 0)


@dataclass(frozen=True)
class IssuedCode:
    """A code just issued: the clear code goes into the message, the record into the store."""

    record: CodeRecord
    code: str = field(repr=False)


class Outcome(StrEnum):
    """What a submitted code gave; :attr:`message` is what the subject is told."""

    VERIFIED = "verified"
    WRONG = "wrong"
    EXPIRED = "expired"
    LOCKED = "locked"
    UNKNOWN = "unknown"

    @property
    def message(self) -> str:
        """Words for the subject, in the current language; never the code, never an address."""
        return _(_MESSAGES[self])


_MESSAGES: Mapping[Outcome, str] = {
    Outcome.VERIFIED: N_("Your identity is confirmed. We are handling your request."),
    Outcome.WRONG: N_("This code is not correct. Please check it and try again."),
    Outcome.EXPIRED: N_("This code has expired. Please ask for a new code."),
    Outcome.LOCKED: N_("Too many attempts with this code. Please ask for a new code."),
    Outcome.UNKNOWN: N_("This code cannot be used. Please ask for a new code."),
}


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one submitted code and the record to store in place of the old one."""

    outcome: Outcome
    record: CodeRecord | None
    attempts_left: int = 0

    @property
    def verified(self) -> bool:
        """True when the code was right, in time and not yet used."""
        return self.outcome is Outcome.VERIFIED


def channel_address(value: object) -> str:
    """``value`` as an e-mail address to send a code to, in lower case.

    Refuses anything that could inject a header (a line break, a control character), a
    display name, or more than one address; the message never names the value (ID-2).
    """
    single = isinstance(value, str) and len(value) <= 254 and value.isprintable()
    _require(single and bool(_ADDRESS.fullmatch(str(value))), "not a single e-mail address")
    return str(value).lower()


def issue(
    request_id: str,
    address: str,
    *,
    key: bytes,
    now: datetime,
    digits: int = 6,
    ttl: timedelta = CODE_TTL,
    max_attempts: int = MAX_ATTEMPTS,
    draw: Callable[[int], int] = secrets.randbelow,
) -> IssuedCode:
    """A new code of ``digits`` digits for ``request_id`` sent to ``address`` (ID-1, Rec. 64).

    ``draw(n)`` returns an integer in ``[0, n)``; the default is :func:`secrets.randbelow`.
    """
    _require(6 <= digits <= 8, "a code has 6 to 8 digits")
    _require(max_attempts >= 1 and ttl > timedelta(0), "a code needs attempts and a lifetime")
    _require_aware(now)
    _require(0 < len(request_id) <= 128 and request_id.isprintable(), "a bad request id")
    number = draw(10**digits)
    _require(0 <= number < 10**digits, "the random draw is out of range")
    code = f"{number:0{digits}d}"
    record = CodeRecord(
        request_id=request_id,
        digest=code_digest(key, request_id, channel_address(address), code),
        issued_at=now,
        expires_at=now + ttl,
        max_attempts=max_attempts,
    )
    return IssuedCode(record, code)


def code_digest(key: bytes, request_id: str, address: str, code: str) -> str:
    """The keyed digest of ``code`` for this request and address (hex HMAC-SHA256)."""
    return _keyed(key, _DOMAIN, request_id, address.lower(), code)


def check(
    record: CodeRecord | None,
    *,
    request_id: str,
    address: str,
    submitted: object,
    key: bytes,
    now: datetime,
) -> CheckResult:
    """Check ``submitted`` against ``record`` in constant time (Art. 12(6); ID-1, ID-2).

    A record of another request, or one already used, is :attr:`Outcome.UNKNOWN`; a wrong
    or malformed code counts as an attempt, and the last allowed wrong one locks the record.
    """
    _require_aware(now)
    if record is None or record.used or record.request_id != request_id:
        return CheckResult(Outcome.UNKNOWN, record)
    if record.attempts >= record.max_attempts:
        return CheckResult(Outcome.LOCKED, record)
    if now >= record.expires_at:
        return CheckResult(Outcome.EXPIRED, record)
    candidate = _normalised(submitted)
    expected = code_digest(key, request_id, address, candidate or "")
    right = hmac.compare_digest(expected, record.digest) and candidate is not None
    counted = replace(record, attempts=record.attempts + 1, used=right)
    if right:
        return CheckResult(Outcome.VERIFIED, counted)
    if counted.attempts_left == 0:
        return CheckResult(Outcome.LOCKED, counted)
    return CheckResult(Outcome.WRONG, counted, counted.attempts_left)


def _normalised(submitted: object) -> str | None:
    """The digits typed, spaces and dashes dropped; ``None`` for anything else."""
    if isinstance(submitted, str) and len(submitted) <= _LONGEST_INPUT:
        digits = submitted.strip().replace(" ", "").replace("-", "")
        if digits.isascii() and digits.isdigit() and 6 <= len(digits) <= 8:
            return digits
    return None


@dataclass(frozen=True)
class RateLimit:
    """At most ``events`` codes per sliding ``window``."""

    events: int
    window: timedelta

    def __post_init__(self) -> None:
        """Refuse a limit that could never allow a code."""
        _require(self.events >= 1 and self.window > timedelta(0), "a rate limit allows a code")


@dataclass(frozen=True)
class RateDecision:
    """Whether a code may be sent now; if not, the seconds to wait (an HTTP Retry-After)."""

    allowed: bool
    retry_after: int
    limiter: RateLimiter


@dataclass(frozen=True)
class RateLimiter:
    """Sliding windows per identity digest and per source address (Art. 32; ID-2).

    A refusal is never final: it names the seconds after which a code can be sent again.
    """

    per_identity: RateLimit = RateLimit(5, timedelta(hours=1))
    per_source: RateLimit = RateLimit(20, timedelta(hours=1))
    sent: Mapping[str, tuple[datetime, ...]] = field(default_factory=dict)

    def attempt(self, identity: str, source: str, now: datetime) -> RateDecision:
        """Record one code for ``identity`` (see :func:`identity_digest`) from ``source``."""
        _require_aware(now)
        windows = {
            f"identity:{identity}": self.per_identity,
            f"source:{_source(source)}": self.per_source,
        }
        recent = {k: _within(self.sent.get(k, ()), limit, now) for k, limit in windows.items()}
        wait = max(_wait(recent[k], limit, now) for k, limit in windows.items())
        sent = dict(self.sent) | recent
        if wait == 0:
            sent |= {k: (*times, now) for k, times in recent.items()}
        return RateDecision(wait == 0, wait, replace(self, sent=sent))


def identity_digest(key: bytes, address: str) -> str:
    """A keyed digest of ``address`` to rate-limit by, so the limiter holds no address."""
    return _keyed(key, _IDENTITY_DOMAIN, channel_address(address))


def _within(times: tuple[datetime, ...], limit: RateLimit, now: datetime) -> tuple[datetime, ...]:
    return tuple(t for t in times if now - t < limit.window)


def _wait(times: tuple[datetime, ...], limit: RateLimit, now: datetime) -> int:
    """Seconds until one more event fits in the window (0: now)."""
    if len(times) < limit.events:
        return 0
    frees_at = sorted(times)[len(times) - limit.events] + limit.window
    return max(math.ceil((frees_at - now).total_seconds()), 1)


def _source(value: str) -> str:
    """A source address in one spelling (``::ffff:1.2.3.4`` and ``1.2.3.4`` alike)."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return value.strip().lower()[:_LONGEST_INPUT]
    return str(getattr(address, "ipv4_mapped", None) or address)


def required_verification(value: object) -> Verification:
    """The identity check a request type needs (ID-1, ID-2; CCR §§7060-7062)."""
    return TYPES[request_type(value)].verification


def email_code_suffices(value: object) -> bool:
    """True when a code sent to the address on file is enough for this request type.

    It proves control of a channel the controller holds (Rec. 64), enough up to
    :attr:`Verification.PROPORTIONATE`; CCPA's reasonable degrees of certainty need two or
    three data points (CCR §7062), so a code alone is not enough for them.
    """
    return required_verification(value) <= Verification.PROPORTIONATE
