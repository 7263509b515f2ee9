"""Giving and withdrawing consent, objecting and opting out: checked, then recorded.

:class:`ConsentService` turns a subject's choice into a
:class:`~tutela.consent.records.ChoiceEvent` and records it with its ledger entry
(CO-2: the notice version and language shown, the method, evidence and jurisdiction).
Consent is given and withdrawn only for a purpose whose legal basis is consent; withdrawing
takes the same arguments as giving (CO-3: as easy). The subject is kept as the keyed
reference of the first identity given (:func:`~tutela.consent.records.subject_ref`),
never in clear.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from tutela.consent.propagation import Propagation
from tutela.consent.records import ALL_PURPOSES, ChoiceEvent, Kind, Method, subject_ref
from tutela.errors import ConfigurationError, RequestError
from tutela.ports import Clock
from tutela.programme.models import Programme
from tutela.programme.purposes import LegalBasis, Purpose
from tutela.requests.records import identity_values

_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")
_JURISDICTION = re.compile(r"[A-Z]{2}(-[A-Z0-9]{1,3})?")
MAX_EVIDENCE = 200
WIDE = frozenset(
    {
        Kind.RESTRICTION,
        Kind.RESTRICTION_LIFTED,
        Kind.OPT_OUT,
        Kind.RETENTION_ENDED,
        Kind.LEGAL_HOLD,
        Kind.LEGAL_HOLD_LIFTED,
    }
)
"""The kinds of event that may cover every purpose at once (:data:`ALL_PURPOSES`)."""


class ChoiceStore(Protocol):
    """Where choice events are kept (:class:`tutela.store.consent.SqlChoiceStore`)."""

    def record(self, events: Sequence[ChoiceEvent], actor: str) -> None:
        """Store ``events`` with their ledger entries, all or none."""
        ...

    def events(self, subject: str | None = None, since_id: int | None = None) -> list[ChoiceEvent]:
        """The events in the order stored."""
        ...


@dataclass(frozen=True)
class Choice:
    """A prepared event and the identity the subject made the choice with."""

    event: ChoiceEvent
    identity: Mapping[str, str]


@dataclass(frozen=True)
class Context:
    """What is recorded beside the choice itself (CO-2)."""

    method: Method | str
    notice_version: str | None = None
    language: str | None = None
    jurisdiction: str | None = None
    evidence: str | None = None


class ConsentService:
    """Subjects' choices for ``programme``'s purposes, kept in ``store``."""

    def __init__(
        self,
        store: ChoiceStore,
        programme: Programme,
        hash_key: bytes | None,
        clock: Clock,
        propagation: Propagation | None = None,
    ) -> None:
        self.store, self.programme, self.hash_key, self.clock = store, programme, hash_key, clock
        self.propagation = propagation  # records the events with their deliveries to systems

    def give(
        self, identity: Mapping[str, str], purpose: str, context: Context, *, actor: str
    ) -> ChoiceEvent:
        """Record consent given to ``purpose`` (a consent purpose) by the subject."""
        return self._choose(Kind.CONSENT_GIVEN, identity, self._consent(purpose), context, actor)

    def withdraw(
        self, identity: Mapping[str, str], purpose: str, context: Context, *, actor: str
    ) -> ChoiceEvent:
        """Record consent withdrawn from ``purpose``: the same arguments as giving (CO-3)."""
        chosen = self._consent(purpose)
        return self._choose(Kind.CONSENT_WITHDRAWN, identity, chosen, context, actor)

    def object(
        self, identity: Mapping[str, str], purpose: str, context: Context, *, actor: str
    ) -> ChoiceEvent:
        """Record an objection to ``purpose`` (any purpose the programme declares)."""
        return self._choose(Kind.OBJECTION, identity, self._purpose(purpose), context, actor)

    def opt_out(
        self, identity: Mapping[str, str], purpose: str, context: Context, *, actor: str
    ) -> ChoiceEvent:
        """Record an opt-out of sale or sharing for ``purpose``."""
        return self._choose(Kind.OPT_OUT, identity, self._purpose(purpose), context, actor)

    def history(self, identity: Mapping[str, str]) -> list[ChoiceEvent]:
        """The subject's events, in the order stored."""
        return self.store.events(subject=self.subject(identity))

    def subject(self, identity: Mapping[str, str]) -> str:
        """The keyed reference of the first identity given (e-mail in lower case)."""
        if not self.hash_key:
            raise ConfigurationError(
                f"no hash key: set {self.programme.masking.hash_key_env} or TUTELA_HASH_KEY "
                "(the subject is kept only as a keyed reference)"
            )
        name, value = next(iter(identity_values(identity).items()))
        return subject_ref(name, value, self.hash_key)

    def prepare(
        self,
        kind: Kind,
        identity: Mapping[str, str],
        purpose: str,
        context: Context,
        at: datetime | None = None,
    ) -> ChoiceEvent:
        """The event of a choice of ``kind``, checked but not recorded (see :meth:`record`).

        Consent is given or withdrawn only for a consent purpose; restrictions, opt-outs,
        retention ends and legal holds may cover every purpose (:data:`ALL_PURPOSES`, the
        kinds in :data:`WIDE`); ``at`` defaults to now.
        """
        consent = kind in (Kind.CONSENT_GIVEN, Kind.CONSENT_WITHDRAWN)
        if purpose == ALL_PURPOSES and kind in WIDE:
            chosen, key = None, ALL_PURPOSES
        else:
            chosen = self._consent(purpose) if consent else self._purpose(purpose)
            key = chosen.key
        return ChoiceEvent(
            id=str(uuid.uuid4()),
            subject=self.subject(identity),
            purpose=key,
            kind=kind,
            at=at or self.clock.now(),
            method=_method(context.method),
            notice_version=self._notice(chosen, context.notice_version),
            language=_checked(context.language, _LANGUAGE, "language", "a tag like en or fr-BE"),
            jurisdiction=_checked(
                context.jurisdiction, _JURISDICTION, "jurisdiction", "a code like BE or US-CA"
            ),
            evidence=_evidence(context.evidence),
        )

    def record(self, choices: Sequence[Choice], actor: str) -> None:
        """Store the prepared events with their ledger entries, all or none.

        Each choice comes with the identity it was made with (used to push the change to
        the systems that ask for it; the store keeps the keyed reference only).
        """
        if self.propagation is not None:
            self.propagation.record(choices, actor)
            return
        self.store.record([choice.event for choice in choices], actor)

    def _choose(
        self,
        kind: Kind,
        identity: Mapping[str, str],
        purpose: Purpose,
        context: Context,
        actor: str,
    ) -> ChoiceEvent:
        event = self.prepare(kind, identity, purpose.key, context)
        self.record([Choice(event, identity)], actor)
        return event

    def _purpose(self, key: str) -> Purpose:
        try:
            return self.programme.purpose(key)
        except KeyError:
            known = ", ".join(p.key for p in self.programme.purposes) or "none"
            raise RequestError(
                f"purpose {key[:64]!r} is not in the programme (its purposes: {known})"
            ) from None

    def _consent(self, key: str) -> Purpose:
        purpose = self._purpose(key)
        if purpose.legal_basis is not LegalBasis.CONSENT:
            basis = purpose.legal_basis.value if purpose.legal_basis else "no legal basis"
            raise RequestError(
                f"purpose {purpose.key} rests on {basis}, not consent: consent cannot be "
                "given or withdrawn for it (an objection or opt-out may apply)"
            )
        return purpose

    def _notice(self, purpose: Purpose | None, given: str | None) -> str | None:
        """The notice version given, else the purpose's consent notice, else the statement's."""
        if given is not None:
            return _checked(given.strip(), re.compile(r"[\w.:-]{1,64}"), "notice version", "")
        if purpose is not None and purpose.consent is not None and purpose.consent.notice_version:
            return str(purpose.consent.notice_version)
        statement = self.programme.statement
        return None if statement is None or not statement.version else str(statement.version)


def _method(value: Method | str) -> Method:
    try:
        return Method(value)
    except ValueError:
        known = ", ".join(m.value for m in Method)
        raise RequestError(f"method: one of {known}") from None


def _checked(value: str | None, pattern: re.Pattern[str], what: str, example: str) -> str | None:
    if value is None:
        return None
    if not pattern.fullmatch(value):
        raise RequestError(f"{what}: not valid{', ' + example if example else ''}")
    return value


def _evidence(value: str | None) -> str | None:
    """A reference (form id, message id): printable and short."""
    if value is None:
        return None
    text = value.strip()
    if not text or len(text) > MAX_EVIDENCE or not text.isprintable():
        raise RequestError(
            f"evidence: a reference such as a form or message id, at most {MAX_EVIDENCE} "
            "printable characters"
        )
    return text
