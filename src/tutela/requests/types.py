"""Request types and regimes as data (GDPR.md §1, §2), and which regime reaches a subject.

Each type has a regime, a legal source, an identity check proportionate to it (ID-1, ID-2;
CCR §§7060-7062), and says whether it is answered with a data package and needs staff
approval. :func:`regime_for` picks the regime from the subject's residence and the
programme's ``rights.regimes``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum
from types import MappingProxyType as Frozen
from urllib.parse import urlsplit

from tutela.errors import RequestError
from tutela.jurisdictions import packaged_jurisdictions


class RegimeError(RequestError):
    """A request type or regime that does not reach this subject or this programme."""


class Regime(StrEnum):
    """A regime of rights; the values are those of ``rights.regimes`` in the programme."""

    GDPR = "gdpr"
    CCPA = "ccpa"

    @property
    def rights(self) -> tuple[RequestType, ...]:
        """The request types of this regime (GDPR.md §2 "Other rights")."""
        return tuple(t for t, spec in TYPES.items() if spec.regime is self)


class Verification(IntEnum):
    """How strongly identity is checked, weakest first (proportionate effort, ID-2)."""

    NONE = 0  # no identity step: CCPA opt-out, limit (CCR §§7026, 7027); a complaint
    CHANNEL = 1  # the channel is the proof: unsubscribe link, account (Art. 7(3), 21(3))
    PROPORTIONATE = 2  # on reasonable doubt, with data held (Art. 12(6), Rec. 64; ID-1, ID-2)
    REASONABLE = 3  # CCPA reasonable degree of certainty: two data points (CCR §7062)
    REASONABLY_HIGH = 4  # CCPA: three data points and a signed declaration (CCR §7062)


class RequestType(StrEnum):
    """Every request a subject can make; GDPR values are those of ``rights`` intake."""

    ACCESS = "access"
    ERASURE = "erasure"
    RECTIFICATION = "rectification"
    RESTRICTION = "restriction"
    OBJECTION = "objection"
    OBJECTION_DIRECT_MARKETING = "objection_direct_marketing"
    PORTABILITY = "portability"
    CONSENT_WITHDRAWAL = "consent_withdrawal"
    COMPLAINT = "complaint"
    KNOW = "know"
    DELETE = "delete"
    CORRECT = "correct"
    OPT_OUT_SALE_SHARING = "opt_out_sale_sharing"
    LIMIT_SENSITIVE = "limit_sensitive"


@dataclass(frozen=True)
class TypeSpec:
    """What the law says about one request type."""

    regime: Regime
    source: str
    verification: Verification
    data_package: bool = False
    needs_approval: bool = False
    refusable: bool = True  # False: Art. 7(3) "at any time"; a complaint is always answered

    @property
    def identity_step(self) -> bool:
        """True when the lifecycle has an identity step (more than the channel's own proof)."""
        return self.verification > Verification.CHANNEL


_G, _C, _N, _CH = Regime.GDPR, Regime.CCPA, Verification.NONE, Verification.CHANNEL
_P, _R, _RH = Verification.PROPORTIONATE, Verification.REASONABLE, Verification.REASONABLY_HIGH
_TYPES = {
    RequestType.ACCESS: TypeSpec(_G, "GDPR Art. 15; AC-1..AC-9", _P, data_package=True),
    RequestType.ERASURE: TypeSpec(_G, "GDPR Art. 17; ER-1..ER-3", _P),
    RequestType.RECTIFICATION: TypeSpec(_G, "GDPR Art. 16; RE-1", _P),
    RequestType.RESTRICTION: TypeSpec(_G, "GDPR Art. 18; RS-1..RS-3", _P),
    RequestType.OBJECTION: TypeSpec(_G, "GDPR Art. 21(1); OB-1", _P, needs_approval=True),
    RequestType.OBJECTION_DIRECT_MARKETING: TypeSpec(_G, "GDPR Art. 21(2)-(3); OB-2, MK-2", _CH),
    RequestType.PORTABILITY: TypeSpec(_G, "GDPR Art. 20; PO-1..PO-4", _P, data_package=True),
    RequestType.CONSENT_WITHDRAWAL: TypeSpec(_G, "GDPR Art. 7(3); CO-3", _CH, refusable=False),
    RequestType.COMPLAINT: TypeSpec(_G, "seed §14; GDPR Art. 77; CP-1", _N, refusable=False),
    RequestType.KNOW: TypeSpec(_C, "Civ. §§1798.100-.115; CCR §7062", _RH, data_package=True),
    RequestType.DELETE: TypeSpec(_C, "Civ. §1798.105; CCR §7062", _R),
    RequestType.CORRECT: TypeSpec(_C, "Civ. §1798.106; CCR §§7023, 7062", _R),
    RequestType.OPT_OUT_SALE_SHARING: TypeSpec(_C, "Civ. §§1798.120, .135; CCR §7026", _N),
    RequestType.LIMIT_SENSITIVE: TypeSpec(_C, "Civ. §1798.121; CCR §7027", _N),
}
TYPES: Mapping[RequestType, TypeSpec] = Frozen(_TYPES)


def request_type(value: object) -> RequestType:
    """``value`` as a request type; RequestError naming the known types otherwise."""
    if isinstance(value, str) and value in RequestType.__members__.values():
        return RequestType(value)
    raise RequestError(f"unknown request type {value!r}; use one of {', '.join(RequestType)}")


# --- the details some types carry ---------------------------------------------------------


class RectificationMode(StrEnum):
    """What a rectification asks (Art. 16; RE-1)."""

    CORRECT = "correct"  # inaccurate data rectified (first sentence)
    COMPLETE = "complete"  # incomplete data completed (second sentence)
    SUPPLEMENTARY_STATEMENT = "supplementary_statement"  # completed by the subject's statement


class RestrictionGround(StrEnum):
    """The grounds of Art. 18(1) (RS-1); :data:`RESTRICTION_ENDS` says what ends each."""

    ACCURACY_CONTESTED = "18(1)(a)"
    UNLAWFUL_PROCESSING = "18(1)(b)"
    LEGAL_CLAIMS = "18(1)(c)"
    OBJECTION_PENDING = "18(1)(d)"


_ENDS = {
    RestrictionGround.ACCURACY_CONTESTED: "the controller has verified the accuracy",
    RestrictionGround.UNLAWFUL_PROCESSING: "the subject asks for erasure or ends it",
    RestrictionGround.LEGAL_CLAIMS: "the subject's legal claims are settled",
    RestrictionGround.OBJECTION_PENDING: "the Art. 21(1) weighing is decided",
}
RESTRICTION_ENDS: Mapping[RestrictionGround, str] = Frozen(_ENDS)


@dataclass(frozen=True)
class RestrictionLift:
    """A restriction lifted: the subject is told strictly before (Art. 18(3), RS-3)."""

    ground: RestrictionGround
    notified_at: datetime | None
    lifts_at: datetime

    def __post_init__(self) -> None:  # both times aware (DL-4), the notice strictly first
        told, lifts = self.notified_at, self.lifts_at
        if told is None or told.tzinfo is None or lifts.tzinfo is None or told >= lifts:
            raise RequestError(
                f"the subject must be told before a restriction is lifted (Art. 18(3), RS-3): "
                f"notice at {told and told.isoformat()}, lift at {lifts.isoformat()}, both aware"
            )


class ObjectionGround(StrEnum):
    """What an objection is against (Art. 21); it decides the request type."""

    DIRECT_MARKETING = "direct_marketing"  # 21(2)-(3): absolute, stops at once (OB-2)
    LEGITIMATE_INTERESTS = "legitimate_interests"  # 21(1), 6(1)(f): weighed by staff (OB-1)
    PUBLIC_TASK = "public_task"  # 21(1), 6(1)(e): weighed by staff, outcome sent (OB-1)


def objection_type(ground: ObjectionGround | str) -> RequestType:
    """The request type of an objection on ``ground``; RequestError for any other basis."""
    if isinstance(ground, str) and ground in ObjectionGround.__members__.values():
        if ObjectionGround(ground) is ObjectionGround.DIRECT_MARKETING:
            return RequestType.OBJECTION_DIRECT_MARKETING
        return RequestType.OBJECTION
    raise RequestError(
        f"no right to object on {ground!r}: Art. 21 covers direct marketing and processing "
        "on legitimate interests or a public task; consent is withdrawn instead (Art. 7(3))"
    )


@dataclass(frozen=True)
class PortabilityDestination:
    """Where a portability package goes (PO-3): ``None`` the subject, else a controller (20(2))."""

    endpoint: str | None = None

    def __post_init__(self) -> None:
        """Refuse an endpoint that is not a public HTTPS URL."""
        if self.endpoint is None:
            return
        host = _https_host(self.endpoint)
        if not host:
            raise RequestError(f"portability endpoint {self.endpoint!r} is not https://host/...")
        try:  # a name resolving to a private address is the sending adapter's to refuse
            local = not ipaddress.ip_address(host).is_global
        except ValueError:
            local = host == "localhost" or host.endswith(".localhost")
        if local:
            raise RequestError(f"portability endpoint {self.endpoint!r} is a local address")


def _https_host(url: object) -> str:
    """The host of ``url`` if it is ``https://host...`` without credentials or spaces, else ""."""
    if not isinstance(url, str) or not 0 < len(url) <= 2048 or not url.isascii():
        return ""
    try:
        parts = urlsplit(url)
        host, _ = parts.hostname or "", parts.port  # a bad port raises ValueError
    except ValueError:
        return ""
    plain = url.isprintable() and not any(c.isspace() for c in url)
    no_login = parts.username is None and parts.password is None
    return host if plain and no_login and parts.scheme.lower() == "https" else ""


# --- which regime reaches a subject -------------------------------------------------------
_STATE_CODES = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC AS GU MP PR UM VI"
)
_US_STATES = frozenset(_STATE_CODES.split())


def _code(value: object, what: str) -> str:
    text = value.strip().upper() if isinstance(value, str) else ""
    if len(text) != 2 or not text.isascii() or not text.isalpha():
        raise RegimeError(f"{what} {value!r} is not a two-letter code (ISO 3166)")
    return text


def residence(country: object, state: object = None) -> tuple[str, str | None]:
    """``(country, US state or None)`` from ``be``, ``US`` + ``CA`` or ``US-CA``; RegimeError."""
    if isinstance(country, str) and "-" in country and state is None:
        country, _, state = country.partition("-")
    code = _code(country, "country")
    if state is None:
        return code, None
    region = _code(state.removeprefix("US-") if isinstance(state, str) else state, "US state")
    if code != "US" or region not in _US_STATES:
        raise RegimeError(f"{state!r} is not a US state of a subject in {code}")
    return code, region


def offered_regimes(offered: object) -> frozenset[Regime]:
    """The programme's ``rights.regimes`` as regimes; RegimeError if empty or unknown."""
    names = list(offered) if isinstance(offered, list | tuple | set | frozenset) else [offered]
    if not names or any(n not in Regime.__members__.values() for n in names):
        raise RegimeError(f"rights.regimes {offered!r} must name some of {', '.join(Regime)}")
    return frozenset(Regime(n) for n in names if isinstance(n, str))


def reaching(
    country: object, state: object = None, *, controller_in_eea: bool = True
) -> frozenset[Regime]:
    """The regimes the law extends to a subject living in ``country`` (and US ``state``).

    GDPR: the EEA, and anywhere for a controller established there (Art. 3; see
    ``programme.establishments.established_in_eea``). CCPA: California residents only
    (Civ. §1798.140(i)). Both may apply (GDPR.md §2).
    """
    code, region = residence(country, state)
    found = {Regime.GDPR} if controller_in_eea or packaged_jurisdictions().in_eea(code) else set()
    return frozenset(found | ({Regime.CCPA} if (code, region) == ("US", "CA") else set()))


def applicable_regimes(
    offered: object, country: object, state: object = None, *, controller_in_eea: bool = True
) -> frozenset[Regime]:
    """The programme's regimes that reach the subject (:func:`reaching`); RegimeError if none."""
    regimes = offered_regimes(offered)
    found = reaching(country, state, controller_in_eea=controller_in_eea) & regimes
    if not found:
        offers = ", ".join(sorted(regimes))
        place = "-".join(filter(None, residence(country, state)))
        raise RegimeError(f"no regime the programme offers ({offers}) reaches a subject in {place}")
    return found


def regime_for(
    kind: object,
    offered: object,
    country: object,
    state: object = None,
    *,
    controller_in_eea: bool = True,
) -> Regime:
    """The regime a request of type ``kind`` is handled under; RegimeError saying why not."""
    known = request_type(kind)
    regime = TYPES[known].regime
    if regime not in offered_regimes(offered):
        raise RegimeError(f"{known} is a {regime.name} request; the programme offers no {regime}")
    if regime not in reaching(country, state, controller_in_eea=controller_in_eea):
        place = "-".join(filter(None, residence(country, state)))
        raise RegimeError(f"{known} is a {regime.name} request; {_WHO[regime]}, not {place}")
    return regime


_WHO = {
    Regime.GDPR: "GDPR reaches the EEA, and anywhere for a controller established there (Art. 3)",
    Regime.CCPA: "CCPA covers California residents only (Civ. §1798.140(i))",
}
