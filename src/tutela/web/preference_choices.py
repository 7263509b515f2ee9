"""What a subject chooses on the preferences page: the purposes, their state, each action.

The page lists every direct-marketing purpose, on consent or on another basis such as the
soft opt-in of customers (MK-1), and every other purpose whose legal basis is consent,
except those behind a cookie: they are chosen per browser in the cookie banner (CK-1).
The state of each is read from the subject's recorded events, latest first:

- a consent purpose is ``given``, ``withdrawn`` or ``not_given`` (never inferred, CO-1);
  one click gives it, one click withdraws it (Art. 7(3), CO-3);
- a direct-marketing purpose on another basis is ``receiving`` until one click on
  *Unsubscribe* records an absolute objection (Art. 21(2)-(3), OB-2, MK-2): ``objected``.

Each choice is an ordinary consent event recorded through
:class:`~tutela.consent.service.ConsentService` (method ``web_form``, the notice version
of the purpose, the page's language), so the ledger, receipts, the decision point and the
console's statistics see it like any other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from tutela.consent.decisions import is_direct_marketing
from tutela.consent.records import ChoiceEvent, Kind, Method
from tutela.consent.service import ConsentService, Context
from tutela.errors import RequestError
from tutela.programme.models import Programme
from tutela.programme.purposes import LegalBasis, Purpose
from tutela.programme.types import in_language

ACTOR = "subject:preferences-page"
"""Who the ledger says acted: the subject, on the preferences page."""


class Action(StrEnum):
    """What a button on the page does."""

    GIVE = "give"
    WITHDRAW = "withdraw"
    UNSUBSCRIBE = "unsubscribe"


_TARGET = {Action.GIVE: "given", Action.WITHDRAW: "withdrawn", Action.UNSUBSCRIBE: "objected"}
"""The state each action leads to; an action already in effect records nothing."""
_ACTIONS = {
    "given": (Action.WITHDRAW,),
    "withdrawn": (Action.GIVE,),
    "not_given": (Action.GIVE,),
    "receiving": (Action.UNSUBSCRIBE,),
    "objected": (),
}


@dataclass(frozen=True)
class PurposeChoice:
    """One purpose as the page shows it: its key, name, notice, state and buttons."""

    key: str
    name: str
    notice: str
    consent: bool
    state: str

    @property
    def actions(self) -> tuple[Action, ...]:
        """The buttons offered in this state (one each way: CO-3)."""
        return _ACTIONS[self.state]


def managed(programme: Programme) -> list[Purpose]:
    """The purposes the page offers, in the programme's order (see the module's docstring)."""
    behind_cookies = {cookie.purpose for cookie in programme.cookies if cookie.purpose}
    return [
        purpose
        for purpose in programme.purposes
        if is_direct_marketing(purpose)
        or (purpose.legal_basis is LegalBasis.CONSENT and purpose.key not in behind_cookies)
    ]


def state_of(purpose: Purpose, history: Sequence[ChoiceEvent]) -> str:
    """The subject's state for ``purpose`` from its ``history`` (events in the order stored)."""
    if purpose.legal_basis is LegalBasis.CONSENT:
        latest = _latest(history, purpose.key, (Kind.CONSENT_GIVEN, Kind.CONSENT_WITHDRAWN))
        if latest is None:
            return "not_given"
        return "given" if latest is Kind.CONSENT_GIVEN else "withdrawn"
    latest = _latest(history, purpose.key, (Kind.OBJECTION, Kind.OBJECTION_LIFTED))
    return "objected" if latest is Kind.OBJECTION else "receiving"


def _latest(history: Sequence[ChoiceEvent], purpose: str, kinds: tuple[Kind, ...]) -> Kind | None:
    found = [event.kind for event in history if event.purpose == purpose and event.kind in kinds]
    return found[-1] if found else None


def choices(programme: Programme, history: Sequence[ChoiceEvent], lang: str) -> list[PurposeChoice]:
    """Every purpose the page offers with the subject's state, texts in ``lang``."""
    return [_choice(purpose, history, lang) for purpose in managed(programme)]


def _choice(purpose: Purpose, history: Sequence[ChoiceEvent], lang: str) -> PurposeChoice:
    consent = purpose.legal_basis is LegalBasis.CONSENT
    notice = purpose.consent.notice if consent and purpose.consent else purpose.description
    return PurposeChoice(
        key=purpose.key,
        name=in_language(purpose.name, lang),
        notice=in_language(notice, lang),
        consent=consent,
        state=state_of(purpose, history),
    )


def offered(programme: Programme, key: str) -> Purpose:
    """The purpose ``key`` when the page offers it; RequestError (naming no value) if not."""
    found = next((p for p in managed(programme) if p.key == key), None)
    if found is None:
        raise RequestError("this choice is not one the page offers")
    return found


def choose(
    consent: ConsentService,
    identity: Mapping[str, str],
    purpose: Purpose,
    action: Action,
    *,
    lang: str,
    evidence: str,
) -> ChoiceEvent | None:
    """Record ``action`` on ``purpose`` for the subject; None when it is already in effect.

    Giving and withdrawing are offered for a consent purpose, unsubscribing for a
    direct-marketing purpose on another basis; another pairing is a RequestError.
    """
    if (action is Action.UNSUBSCRIBE) == (purpose.legal_basis is LegalBasis.CONSENT):
        raise RequestError("this action does not apply to this purpose")
    state = state_of(purpose, consent.history(identity))
    if state == _TARGET[action] or (action is Action.WITHDRAW and state == "not_given"):
        return None
    context = Context(Method.WEB_FORM, language=lang, evidence=evidence)
    record = {
        Action.GIVE: consent.give,
        Action.WITHDRAW: consent.withdraw,
        Action.UNSUBSCRIBE: consent.object,
    }[action]
    return record(identity, purpose.key, context, actor=ACTOR)
