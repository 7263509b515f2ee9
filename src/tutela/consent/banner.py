"""The cookie banner's configuration, compiled from the programme (GDPR.md CK-1, CK-2, GPC-1).

:func:`banner_config` folds ``programme.cookies`` into the categories a visitor chooses
among (necessary, always on; preferences, statistics and marketing, off until chosen),
each with its cookies and the consent purposes behind them, the statement's version as
the notice version (the banner asks again when it changes), and the identity the
choices are recorded under (``cookie_id`` by default: the banner's random visitor id).
Texts the programme holds (purpose names, consent notices, cookie descriptions) come in
the language asked when the programme translates them; the banner's own few labels are
here in English, French, Dutch and German, English otherwise.

:func:`plan_choices` turns a visitor's choice into what is recorded: consent given or
withdrawn per consent purpose, and with Global Privacy Control one opt-out of sale and
sharing (GPC-1). Marketing is never granted while the signal is on, and an absent or
false signal is never read as anything (never an opt-in). :func:`gpc_opt_out` builds
that opt-out event, which covers every purpose (:data:`~tutela.consent.records.ALL_PURPOSES`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from tutela.consent.banner_texts import TEXTS
from tutela.consent.records import ALL_PURPOSES, ChoiceEvent, Kind, Method
from tutela.consent.service import Choice, ConsentService, Context
from tutela.errors import RequestError
from tutela.programme.durations import Duration
from tutela.programme.models import Cookie, Programme
from tutela.programme.purposes import LegalBasis
from tutela.programme.types import in_language

IDENTITY = "cookie_id"
"""The programme identity the banner records choices under (its random visitor id)."""
CONSENT_COOKIE = "cookie_consent"
"""The programme's necessary cookie that keeps the visitor's choice in the browser."""
ACTOR = "subject:banner"
"""The ledger's actor for choices made in the banner (the visitor, not staff)."""
CategoryKey = Literal["necessary", "preferences", "statistics", "marketing"]
CATEGORIES: tuple[CategoryKey, ...] = ("necessary", "preferences", "statistics", "marketing")
GPC_BLOCKED: tuple[CategoryKey, ...] = ("marketing",)
"""The categories Global Privacy Control keeps off, whatever the visitor presses (GPC-1)."""
DEFAULT_DAYS = 365


@dataclass(frozen=True)
class BannerPurpose:
    """A consent purpose behind a category: its key, name and consent notice."""

    key: str
    name: str
    notice: str | None


@dataclass(frozen=True)
class BannerCookie:
    """A cookie as the banner lists it."""

    name: str
    provider: str
    duration: str
    description: str | None
    third_party: bool


@dataclass(frozen=True)
class BannerCategory:
    """A category a visitor chooses (``required``: necessary, always on)."""

    key: CategoryKey
    label: str
    description: str
    required: bool
    purposes: tuple[BannerPurpose, ...]
    cookies: tuple[BannerCookie, ...]


@dataclass(frozen=True)
class BannerConfig:
    """What the banner shows and records, in one language."""

    identity: str
    cookie: str
    cookie_days: int
    notice_version: str | None
    language: str
    languages: tuple[str, ...]
    statement_url: str | None
    texts: Mapping[str, str]
    categories: tuple[BannerCategory, ...]
    gpc_blocked: tuple[CategoryKey, ...] = GPC_BLOCKED

    def category(self, key: str) -> BannerCategory | None:
        """The category ``key``, or None when the programme has no cookie in it."""
        return next((c for c in self.categories if c.key == key), None)


@dataclass(frozen=True)
class BannerPlan:
    """What a visitor's choice records: purposes given, withdrawn, and a GPC opt-out."""

    give: tuple[str, ...] = ()
    withdraw: tuple[str, ...] = ()
    opt_out: bool = False
    granted: tuple[str, ...] = ()


def banner_config(
    programme: Programme,
    language: str | None = None,
    *,
    identity: str = IDENTITY,
    cookie: str = CONSENT_COOKIE,
) -> BannerConfig:
    """The banner of ``programme`` in ``language`` (else the statement's first language).

    A category appears when the programme declares a cookie in it (necessary always).
    """
    languages = tuple(programme.statement.languages) if programme.statement else ("en",)
    chosen = _language(language, languages)
    texts = TEXTS.get(chosen, TEXTS["en"])
    categories = tuple(
        _category(programme, key, chosen, texts)
        for key in CATEGORIES
        if key == "necessary" or any(c.category == key for c in programme.cookies)
    )
    statement = programme.statement
    return BannerConfig(
        identity=identity,
        cookie=cookie,
        cookie_days=_days(programme, cookie),
        notice_version=str(statement.version) if statement and statement.version else None,
        language=chosen,
        languages=languages,
        statement_url=statement.url if statement else None,
        texts={k: v for k, v in texts.items() if "." not in k},
        categories=categories,
    )


def plan_choices(
    config: BannerConfig,
    granted: Iterable[str],
    denied: Iterable[str],
    *,
    gpc: bool,
    opted_out: bool,
) -> BannerPlan:
    """What to record for a visitor who granted and denied these categories.

    RequestError for a category the banner does not offer, for one both granted and
    denied, or for necessary refused. With ``gpc`` (GPC-1) the categories of
    :data:`GPC_BLOCKED` count as denied, and one opt-out is planned unless the visitor
    ``opted_out`` already. A purpose in a granted and a denied category is withdrawn.
    """
    given, refused = _known(config, granted), _known(config, denied)
    if "necessary" in refused:
        raise RequestError("necessary cookies cannot be refused: they are always on")
    both = sorted(set(given) & set(refused))
    if both:
        raise RequestError(f"categories both granted and denied: {', '.join(both)}")
    if gpc:
        refused += [c for c in given if c in config.gpc_blocked]
        given = [c for c in given if c not in config.gpc_blocked]
    withdraw = _purposes(config, refused)
    give = tuple(p for p in _purposes(config, given) if p not in withdraw)
    return BannerPlan(give, withdraw, gpc and not opted_out, tuple(given))


def gpc_opt_out(
    service: ConsentService,
    identity: Mapping[str, str],
    *,
    language: str | None = None,
    evidence: str | None = None,
) -> ChoiceEvent:
    """The opt-out of sale and sharing a Global Privacy Control signal records (GPC-1).

    It covers every purpose (``*``) with the method ``gpc`` and the statement's version
    as the notice; the subject is the keyed reference of ``identity``.
    """
    statement = service.programme.statement
    return ChoiceEvent(
        id=str(uuid.uuid4()),
        subject=service.subject(identity),
        purpose=ALL_PURPOSES,
        kind=Kind.OPT_OUT,
        at=service.clock.now(),
        method=Method.GPC,
        notice_version=str(statement.version) if statement and statement.version else None,
        language=language,
        evidence=evidence,
    )


def record_banner_choice(
    service: ConsentService,
    config: BannerConfig,
    visitor: str,
    granted: Iterable[str],
    denied: Iterable[str],
    *,
    gpc: bool,
    language: str | None = None,
) -> list[ChoiceEvent]:
    """Record a visitor's banner choice, all events in one transaction; the events.

    Consent given or withdrawn (method ``banner``) per consent purpose of the categories
    (CO-1, CO-3), under the identity ``config.identity`` = ``visitor``; with ``gpc`` one
    opt-out (GPC-1) unless the visitor opted out before. Nothing is recorded for no choice.
    """
    identity = {config.identity: visitor}
    opted_out = gpc and has_opted_out(service.history(identity))
    plan = plan_choices(config, granted, denied, gpc=gpc, opted_out=opted_out)
    context = Context(Method.BANNER, language=language)
    events = [service.prepare(Kind.CONSENT_GIVEN, identity, p, context) for p in plan.give]
    events += [service.prepare(Kind.CONSENT_WITHDRAWN, identity, p, context) for p in plan.withdraw]
    if plan.opt_out:
        events.append(gpc_opt_out(service, identity, language=language))
    if events:
        service.record([Choice(event, identity) for event in events], ACTOR)
    return events


def record_gpc_signal(
    service: ConsentService, identity: Mapping[str, str], *, actor: str, signal: bool
) -> list[ChoiceEvent]:
    """Record a forwarded Global Privacy Control ``signal`` for ``identity`` (GPC-1).

    One opt-out the first time; nothing when the subject opted out already, and nothing
    for an absent or false signal (it is never read as an opt-in).
    """
    if not signal or has_opted_out(service.history(identity)):
        return []
    event = gpc_opt_out(service, identity)
    service.record([Choice(event, identity)], actor)
    return [event]


def has_opted_out(history: Sequence[ChoiceEvent]) -> bool:
    """Whether ``history`` holds an opt-out of every purpose (nothing undoes one)."""
    return any(e.kind is Kind.OPT_OUT and e.purpose == ALL_PURPOSES for e in history)


def _language(asked: str | None, languages: Sequence[str]) -> str:
    first = languages[0] if languages else "en"
    if not asked:
        return first
    for candidate in (asked, asked.split("-")[0].lower()):
        if candidate in languages:
            return candidate
    return first


def _category(
    programme: Programme, key: CategoryKey, language: str, texts: Mapping[str, str]
) -> BannerCategory:
    cookies = [c for c in programme.cookies if c.category == key]
    purposes: dict[str, BannerPurpose] = {}
    for cookie in cookies:
        found = _consent_purpose(programme, cookie, language)
        if found is not None and key != "necessary":
            purposes.setdefault(found.key, found)
    label = texts.get(f"{key}.label", key)
    return BannerCategory(
        key=key,
        label=label,
        description=texts.get(f"{key}.description", ""),
        required=key == "necessary",
        purposes=tuple(purposes.values()),
        cookies=tuple(_cookie(c, language) for c in cookies),
    )


def _consent_purpose(programme: Programme, cookie: Cookie, language: str) -> BannerPurpose | None:
    if cookie.purpose is None:
        return None
    try:
        purpose = programme.purpose(cookie.purpose)
    except KeyError:
        return None
    if purpose.legal_basis is not LegalBasis.CONSENT:
        return None
    notice = purpose.consent.notice if purpose.consent is not None else None
    return BannerPurpose(
        key=purpose.key,
        name=in_language(purpose.name, language),
        notice=in_language(notice, language) if notice else None,
    )


def _cookie(cookie: Cookie, language: str) -> BannerCookie:
    description = cookie.description
    return BannerCookie(
        name=cookie.name,
        provider=in_language(cookie.provider, language),
        duration=in_language(cookie.duration, language),
        description=in_language(description, language) if description else None,
        third_party=cookie.third_party,
    )


def _days(programme: Programme, name: str) -> int:
    """How long the consent cookie lives: its declared duration, else a year."""
    for cookie in programme.cookies:
        if cookie.name == name:
            try:
                return max(1, Duration.parse(str(cookie.duration)).shortest.days)
            except (ValueError, TypeError):
                return DEFAULT_DAYS
    return DEFAULT_DAYS


def _known(config: BannerConfig, keys: Iterable[str]) -> list[str]:
    found: list[str] = []
    for key in keys:
        if config.category(key) is None:
            raise RequestError(f"category {key[:32]!r}: the banner offers no such category")
        if key not in found:
            found.append(key)
    return found


def _purposes(config: BannerConfig, keys: Iterable[str]) -> tuple[str, ...]:
    found: list[str] = []
    for key in keys:
        category = config.category(key)
        for purpose in category.purposes if category else ():
            if purpose.key not in found:
                found.append(purpose.key)
    return tuple(found)
