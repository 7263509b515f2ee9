"""Manifestly unfounded or excessive requests: the flag, the staff decision and its notice.

GDPR Art. 12(5) (seed §7; GDPR.md FEE-1..FEE-3): answering is free; for a manifestly
unfounded or excessive request, in particular a repetitive one, the controller may charge a
reasonable fee based on its administrative costs, or refuse to act, and bears the burden of
proof. Further copies of an access answer may cost such a fee (Art. 15(3)); the first copy is
always free. An :class:`ExcessRule` only *flags* a request with its evidence (a number of
requests alone shows no abuse, C-416/23): staff decide with :func:`decide`, and a fee or a
refusal is told to the subject with :func:`notice`: the reason, the right to complain to a
supervisory authority and the right to a judicial remedy (Art. 12(4), DL-7; CP-1).
Subjects are keyed digests (``codes.identity_digest``), never addresses; ``now`` is passed in.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from tutela.errors import RequestError
from tutela.jurisdictions import Jurisdictions, packaged_jurisdictions
from tutela.programme.models import Complaints
from tutela.requests.types import TYPES, RequestType, request_type

ART_12_5 = "GDPR Art. 12(5)"


def _aware(moment: datetime, what: str) -> datetime:
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise RequestError(f"{what} must be an aware datetime (DL-4), got {moment!r}")
    return moment


def _digest(value: object) -> str:
    """A keyed subject digest (hex, at least 32 digits): never a raw identity."""
    text = value if isinstance(value, str) else ""
    if len(text) < 32 or len(text) > 128 or any(c not in string.hexdigits for c in text):
        raise RequestError(
            "a subject is a keyed hex digest (codes.identity_digest), not an identity"
        )
    return text.lower()


@dataclass(frozen=True)
class PastRequest:
    """A request already received: who (keyed digest), what and when."""

    subject: str
    kind: RequestType
    received_at: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "subject", _digest(self.subject))
        object.__setattr__(self, "kind", request_type(self.kind))
        _aware(self.received_at, "received_at")


class ExcessReason(StrEnum):
    """Why a request was flagged (Art. 12(5): "in particular because of their repetitive ...")."""

    REPEATED = "repeated"  # same subject and type again within the interval
    TOO_MANY = "too_many"  # more requests from the subject than the window allows


@dataclass(frozen=True)
class ExcessFlag:
    """A request flagged for staff, with the reason and the evidence (FEE-2: burden of proof)."""

    reason: ExcessReason
    detail: str
    evidence: tuple[PastRequest, ...]
    article: str = ART_12_5


@dataclass(frozen=True)
class ExcessRule:
    """When to flag a request for staff (Art. 12(5); Recital 63).

    The same type again within ``repeat_days``, or more than ``max_requests`` of any type
    within ``window_days``; after a reasonable interval a request is not excessive.
    """

    repeat_days: int = 30
    max_requests: int = 5
    window_days: int = 365

    def __post_init__(self) -> None:
        for name in ("repeat_days", "max_requests", "window_days"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise RequestError(f"excessive-request rule: {name} must be a positive integer")

    def assess(
        self, subject: str, kind: RequestType | str, history: Iterable[PastRequest], now: datetime
    ) -> ExcessFlag | None:
        """The flag for a request of ``kind`` by ``subject`` received ``now``, or None."""
        who, what, at = _digest(subject), request_type(kind), _aware(now, "now")
        past = sorted(
            (p for p in history if p.subject == who and p.received_at <= at),
            key=lambda p: p.received_at,
        )
        repeat_from = at - timedelta(days=self.repeat_days)
        repeated = tuple(p for p in past if p.kind is what and p.received_at > repeat_from)
        if repeated:
            detail = (
                f"{len(repeated)} earlier {what} request(s) by the same subject within "
                f"{self.repeat_days} days, the last on {repeated[-1].received_at.date()}"
            )
            return ExcessFlag(ExcessReason.REPEATED, detail, repeated)
        window_from = at - timedelta(days=self.window_days)
        recent = tuple(p for p in past if p.received_at > window_from)
        if len(recent) + 1 > self.max_requests:
            detail = (
                f"{len(recent) + 1} requests by the same subject within {self.window_days} days "
                f"(more than {self.max_requests})"
            )
            return ExcessFlag(ExcessReason.TOO_MANY, detail, recent)
        return None


class Outcome(StrEnum):
    """What staff decide about a request (Art. 12(5))."""

    ANSWER = "answer"
    FEE = "fee"
    REFUSE = "refuse"


@dataclass(frozen=True)
class Fee:
    """A reasonable fee based on administrative costs (Art. 12(5)(a), 15(3)); ``basis`` says how."""

    amount: Decimal
    currency: str
    basis: str

    def __post_init__(self) -> None:
        amount = self.amount
        if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
            raise RequestError(f"a fee is a positive Decimal amount, got {amount!r}")
        code = self.currency if isinstance(self.currency, str) else ""
        if len(code) != 3 or not code.isascii() or not code.isalpha():
            raise RequestError(f"a fee's currency is an ISO 4217 code (EUR), got {self.currency!r}")
        object.__setattr__(self, "currency", code.upper())
        if not isinstance(self.basis, str) or not self.basis.strip():
            raise RequestError(
                "a fee must state the administrative costs it is based on (Art. 12(5))"
            )


@dataclass(frozen=True)
class Decision:
    """Staff's decision, with its reason and lawful ground (the controller's proof, FEE-2)."""

    kind: RequestType
    outcome: Outcome
    reason: str
    decided_at: datetime
    ground: str
    flag: ExcessFlag | None = None
    fee: Fee | None = None


def decide(
    kind: RequestType | str,
    outcome: Outcome | str,
    *,
    reason: str,
    now: datetime,
    flag: ExcessFlag | None = None,
    manifestly_unfounded: bool = False,
    further_copy: bool = False,
    fee: Fee | None = None,
) -> Decision:
    """Record staff's decision; RequestError for a fee or refusal without a lawful ground.

    A fee needs an excessive (``flag``) or manifestly unfounded request (Art. 12(5)(a)), or a
    further copy of an access answer (Art. 15(3)); a refusal needs the former (Art. 12(5)(b))
    and a refusable type (not a consent withdrawal, Art. 7(3)). Both need a reason.
    """
    what, chosen, at = request_type(kind), Outcome(outcome), _aware(now, "now")
    text = reason.strip() if isinstance(reason, str) else ""
    if chosen is Outcome.ANSWER:
        if fee is not None:
            raise RequestError("answering is free (Art. 12(5), FEE-1): an answer carries no fee")
        return Decision(what, chosen, text, at, "Art. 12(3)", flag)
    if not text:
        raise RequestError(f"a {chosen} decision must record its reason (Art. 12(4), FEE-2)")
    abusive = flag is not None or manifestly_unfounded
    ground = _ground(what, chosen, abusive=abusive, further_copy=further_copy, fee=fee)
    return Decision(what, chosen, text, at, ground, flag, fee)


def _ground(
    what: RequestType, chosen: Outcome, *, abusive: bool, further_copy: bool, fee: Fee | None
) -> str:
    if chosen is Outcome.REFUSE:
        if fee is not None:
            raise RequestError("a refusal carries no fee; decide 'fee' to charge one")
        if not TYPES[what].refusable:
            raise RequestError(f"a {what} request may not be refused ({TYPES[what].source})")
        if not abusive:
            raise RequestError(
                "no lawful ground to refuse: only a manifestly unfounded or excessive request "
                "may be refused (Art. 12(5)(b), FEE-2); flag it or state that it is unfounded"
            )
        return "Art. 12(5)(b)"
    if fee is None:
        raise RequestError("a fee decision needs the fee: amount, currency and its cost basis")
    if abusive:
        return "Art. 12(5)(a)"
    if further_copy and what is RequestType.ACCESS:
        return "Art. 15(3)"
    raise RequestError(
        "no lawful ground for a fee: answering and the first copy are free (Art. 12(5), "
        "C-307/22, FEE-1); a fee is allowed only for a manifestly unfounded or excessive "
        "request or a further copy of an access answer (Art. 15(3))"
    )


@dataclass(frozen=True)
class AuthorityContact:
    """A supervisory authority the subject may complain to (Art. 77; CP-1)."""

    country: str
    name: str
    websites: tuple[str, ...]


@dataclass(frozen=True)
class Notice:
    """What the subject is told of a fee or refusal (Art. 12(4), DL-7), as data and lines."""

    decision: Decision
    authorities: tuple[AuthorityContact, ...]
    controller_contact: str
    lines: tuple[str, ...]
    articles: tuple[str, ...] = ("Art. 12(4)", "Art. 77", "Art. 79")

    @property
    def text(self) -> str:
        """The notice as plain text, one paragraph per line."""
        return "\n".join(self.lines)


def authorities(
    complaints: Complaints | None, places: Jurisdictions
) -> tuple[AuthorityContact, ...]:
    """The authorities the programme names (``complaints.authorities``), from the jurisdictions."""
    if complaints is None or not complaints.authorities:
        raise RequestError(
            "the programme names no supervisory authority (complaints.authorities, CP-1)"
        )
    found = []
    for code in complaints.authorities:
        authority = places.authority(code)
        found.append(AuthorityContact(places.code(code), authority.name, authority.websites))
    return tuple(found)


def notice(
    decision: Decision, complaints: Complaints | None, places: Jurisdictions | None = None
) -> Notice:
    """The DL-7 notice of a fee or refusal: the reason, the complaint route, judicial remedy."""
    if decision.outcome is Outcome.ANSWER:
        raise RequestError("an answered request needs no Art. 12(4) notice")
    named = authorities(complaints, places or packaged_jurisdictions())
    contact = complaints.contact_email if complaints else ""
    lines = [_first_line(decision), f"Reason: {decision.reason.rstrip('.')}."]
    for authority in named:
        site = f" ({', '.join(authority.websites)})" if authority.websites else ""
        lines.append(
            f"You have the right to lodge a complaint with a supervisory authority (Art. 77): "
            f"{authority.name}{site}, or the authority where you live or work or where the "
            "alleged infringement took place."
        )
    lines.append(
        "You also have the right to an effective judicial remedy before a court (Art. 79)."
    )
    if contact:
        lines.append(f"You can also write to us first at {contact}.")
    return Notice(decision, named, contact, tuple(lines))


def _first_line(decision: Decision) -> str:
    if decision.outcome is Outcome.REFUSE:
        return f"We will not act on your {decision.kind} request ({decision.ground})."
    fee = decision.fee
    assert fee is not None  # decide() guarantees it
    return (
        f"We will act on your {decision.kind} request once a fee of {fee.amount:.2f} "
        f"{fee.currency} is paid ({decision.ground}), based on our administrative costs: "
        f"{fee.basis.rstrip('.')}."
    )
