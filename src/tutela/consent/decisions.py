"""The decision point: may this subject's data be used for this purpose now? (issue 17).

Pure and in memory. :meth:`DecisionTable.compile` folds a programme and its choice events
into plain dicts: each subject maps to its state at the end of its history, one byte per
purpose (eight flags), and each purpose maps to its index and the 256 immutable
:class:`Decision` objects its byte can give. :meth:`DecisionTable.decide` is then two
dict lookups and two indexings; only a time before a subject's last change (or a change
still to come: a restriction's end, a renewal's effective date) replays that subject's
few events.

Rules (GDPR.md CO-1, CO-3, OB-1, OB-2, MK-2, RS-2, GPC-1, RT-1), every deny reason reported:

- ``retention:ended``: the purpose's (or every purpose's) retention period ended for the
  subject; only storage and legal claims go on, and only under a legal hold, which an
  allowed decision then names (``legal_hold``).
- ``restriction``: a restriction of the purpose or of all purposes, active at the time,
  denies every purpose but storage and legal claims (RS-2). Storage is a purpose whose
  data uses all fall under ``functional.storage``; legal claims is a purpose with the
  Art. 9(2)(f) condition ``legal_claims``.
- ``objection:direct_marketing``: any objection to a direct-marketing purpose (one with a
  ``direct_marketing`` section, or a data use under ``marketing.communications``) denies
  it, absolutely, even with consent (OB-2, MK-2).
- ``objection``: an objection to any other purpose denies it until it is lifted (OB-1,
  pending the check: RS-1(d)).
- ``opt_out:sale_sharing``: an opt-out (CCPA or GPC) of the purpose or of all purposes
  denies purposes that sell or share data or do cross-party targeted advertising: a data
  use under ``third_party_sharing`` (but ``third_party_sharing.legal_obligation``),
  ``marketing.advertising.third_party`` or ``marketing.advertising.profiling`` (GPC-1).
- ``consent:missing`` / ``consent:withdrawn``: a consent-based purpose needs the latest
  consent event to be ``consent_given`` (CO-1, CO-3); ``consent:renewal``: the terms of
  the purpose changed (an announced :class:`~tutela.consent.records.Renewal`) and the
  consent was given under another notice version, from the renewal's effective date.
- ``basis:missing``: a purpose with no legal basis; ``purpose:unknown``: no such purpose.

An allowed decision says why: ``consent:given`` or ``basis:<legal basis>`` (and
``legal_hold`` when a hold applies).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from tutela.consent.records import ALL_PURPOSES, ChoiceEvent, Kind, Renewal
from tutela.programme.models import Programme
from tutela.programme.purposes import Art9Condition, LegalBasis, Purpose

GIVEN, WITHDRAWN, OBJECTED, RESTRICTED, OPTED_OUT, ENDED, HELD, STALE = (1 << i for i in range(8))
STATES = 256

_SHARING = ("third_party_sharing", "marketing.advertising.third_party")
_SHARING_EXACT = ("marketing.advertising.profiling",)
_NOT_SHARING = ("third_party_sharing.legal_obligation",)
_OBJECTABLE = (LegalBasis.CONSENT, LegalBasis.LEGITIMATE_INTERESTS, LegalBasis.PUBLIC_TASK)


@dataclass(frozen=True)
class Decision:
    """The answer for one subject and purpose: allowed or not, why, and on which basis."""

    allow: bool
    reasons: tuple[str, ...]
    basis: str


UNKNOWN = Decision(False, ("purpose:unknown",), "")


def _under(use: str, prefix: str) -> bool:
    return use == prefix or use.startswith(prefix + ".")


def is_direct_marketing(purpose: Purpose) -> bool:
    """Whether the programme marks ``purpose`` as direct marketing (OB-2, MK-2)."""
    uses = purpose.data_uses
    return purpose.direct_marketing is not None or any(
        _under(u, "marketing.communications") for u in uses
    )


def sells_or_shares(purpose: Purpose) -> bool:
    """Whether ``purpose`` sells or shares data or does cross-party targeted advertising."""
    for use in purpose.data_uses:
        if any(_under(use, p) for p in _NOT_SHARING):
            continue
        if use in _SHARING_EXACT or any(_under(use, p) for p in _SHARING):
            return True
    return False


def survives_restriction(purpose: Purpose) -> bool:
    """Whether ``purpose`` is storage or legal claims, which a restriction allows (RS-2)."""
    if purpose.special_category_condition is Art9Condition.LEGAL_CLAIMS:
        return True
    uses = purpose.data_uses
    return bool(uses) and all(_under(u, "functional.storage") for u in uses)


def _deny_reasons(purpose: Purpose, bits: int) -> list[str]:
    reasons: list[str] = []
    basis, kept = purpose.legal_basis, survives_restriction(purpose)
    if bits & ENDED and not (bits & HELD and kept):
        reasons.append("retention:ended")
    if bits & RESTRICTED and not kept:
        reasons.append("restriction")
    if bits & OBJECTED:
        if is_direct_marketing(purpose):
            reasons.append("objection:direct_marketing")
        elif basis in _OBJECTABLE:
            reasons.append("objection")
    if bits & OPTED_OUT and sells_or_shares(purpose):
        reasons.append("opt_out:sale_sharing")
    if basis is LegalBasis.CONSENT and not bits & GIVEN:
        reasons.append("consent:withdrawn" if bits & WITHDRAWN else "consent:missing")
    elif basis is LegalBasis.CONSENT and bits & STALE:
        reasons.append("consent:renewal")
    if basis is None:
        reasons.append("basis:missing")
    return reasons


def _outcome(purpose: Purpose, bits: int) -> Decision:
    basis = purpose.legal_basis.value if purpose.legal_basis else ""
    reasons = _deny_reasons(purpose, bits)
    if reasons:
        return Decision(False, tuple(reasons), basis)
    why = "consent:given" if purpose.legal_basis is LegalBasis.CONSENT else f"basis:{basis}"
    held = ("legal_hold",) if bits & HELD and survives_restriction(purpose) else ()
    return Decision(True, (why, *held), basis)


def _outcomes(purpose: Purpose) -> tuple[Decision, ...]:
    cache: dict[Decision, Decision] = {}
    return tuple(cache.setdefault(d, d) for d in (_outcome(purpose, b) for b in range(STATES)))


_Step = tuple[datetime, str, Kind, datetime | None, str | None]
"""One event, compact: when, purpose, kind, a restriction's end, the notice version."""


class DecisionTable:
    """Decisions for every subject and purpose of one programme, compiled in memory.

    ``current`` holds the state of the subjects none of whose changes is later than
    ``settled`` (the time of the latest event); ``pending`` holds the others with the
    time of their last change; ``history`` every subject's steps, for times in the past.
    :meth:`apply` folds new events in place: each subject's state is replaced by one
    assignment, so a decision made meanwhile sees its state just before or just after.
    """

    __slots__ = ("current", "history", "pending", "purposes", "renewals", "settled")

    def __init__(self, programme: Programme, renewals: Iterable[Renewal] = ()) -> None:
        """An empty table for ``programme`` (see :meth:`compile`)."""
        self.purposes: dict[str, tuple[int, tuple[Decision, ...]]] = {
            p.key: (i, _outcomes(p)) for i, p in enumerate(programme.purposes)
        }
        self.renewals: dict[str, Renewal] = {r.purpose: r for r in renewals}
        self.current: dict[str, bytes] = {}
        self.pending: dict[str, tuple[datetime, bytes]] = {}
        self.history: dict[str, tuple[_Step, ...]] = {}
        self.settled: datetime | None = None

    @classmethod
    def compile(
        cls,
        programme: Programme,
        events: Iterable[ChoiceEvent],
        renewals: Iterable[Renewal] = (),
        now: datetime | None = None,
    ) -> DecisionTable:
        """Fold ``programme``'s purposes, the subjects' ``events`` and ``renewals`` in.

        ``now`` (default: the system clock) is when the table is made: a subject none of
        whose changes is later is answered for any time from then on without replaying.
        """
        table = cls(programme, renewals).apply(events, now or datetime.now(UTC))
        table._compact()
        return table

    @property
    def subjects(self) -> Mapping[str, tuple[_Step, ...]]:
        """Every subject with events, and its steps in time order."""
        return self.history

    def apply(self, events: Iterable[ChoiceEvent], now: datetime | None = None) -> DecisionTable:
        """Fold ``events`` in, in place, and return the table (as compiling them all again).

        ``now``, when given, is when this is done: ``settled`` moves up to it.
        """
        purposes = self.purposes
        added: dict[str, list[_Step]] = {}
        latest = self.settled if now is None or (self.settled and self.settled > now) else now
        for event in events:
            if event.purpose == ALL_PURPOSES or event.purpose in purposes:
                added.setdefault(event.subject, []).append(_step(event))
                latest = event.at if latest is None or event.at > latest else latest
        if not added:
            self.settled = latest
            return self
        assert latest is not None
        for subject, steps in added.items():
            ordered = tuple(sorted([*self.history.get(subject, ()), *steps], key=_when))
            self._place(subject, ordered, latest)
        self.settled = latest
        return self

    def _compact(self) -> None:
        """Lay the subjects' keys and states out anew, one after another, once compiled.

        Keys read from the store lie scattered among the events; fresh copies side by side
        make random lookups touch fewer memory pages.
        """
        current: dict[str, bytes] = {}
        pending: dict[str, tuple[datetime, bytes]] = {}
        history: dict[str, tuple[_Step, ...]] = {}
        for subject, steps in self.history.items():
            key = subject.encode().decode()
            state = self.current.get(subject)
            if state is None:
                pending[key] = self.pending[subject]
            else:
                current[key] = bytes(bytearray(state))
            history[key] = steps
        self.current, self.pending, self.history = current, pending, history

    def _place(self, subject: str, ordered: tuple[_Step, ...], settled: datetime) -> None:
        """Store ``subject``'s state; readers find it in ``current`` or ``pending``."""
        self.history[subject] = ordered
        last, state = self._last_change(ordered), self._state(ordered, None)
        if last <= settled:
            self.current[subject] = state
            self.pending.pop(subject, None)
        else:
            self.pending[subject] = (last, state)
            self.current.pop(subject, None)

    def decide(self, subject: str, purpose: str, at: datetime | None = None) -> Decision:
        """The decision for ``subject`` and ``purpose`` at ``at`` (timezone-aware; now).

        Events after ``at`` are ignored; a restriction counts until its ``ends_at``. Now
        (``at`` None, by the system clock) is after every event recorded, so a subject
        with no change to come is answered without comparing times.
        """
        rule = self.purposes.get(purpose)
        if rule is None:
            return UNKNOWN
        state = self.current.get(subject)
        if state is not None and (at is None or at >= self.settled):  # type: ignore[operator]
            return rule[1][state[rule[0]]]
        return self._slow(subject, rule, datetime.now(UTC) if at is None else at)

    def decide_many(self, items: Iterable[tuple[str, str]], at: datetime) -> list[Decision]:
        """The decisions for ``(subject, purpose)`` items at ``at``, in order."""
        get_rule, get_state, slow = self.purposes.get, self.current.get, self._slow
        settled = self.settled is not None and at >= self.settled
        found: list[Decision] = []
        add = found.append
        for subject, purpose in items:
            rule = get_rule(purpose)
            if rule is None:
                add(UNKNOWN)
                continue
            state = get_state(subject)
            add(
                rule[1][state[rule[0]]]
                if state is not None and settled
                else slow(subject, rule, at)
            )
        return found

    def _slow(self, subject: str, rule: tuple[int, tuple[Decision, ...]], at: datetime) -> Decision:
        index, outcomes = rule
        waiting = self.pending.get(subject)
        if waiting is not None and at >= waiting[0]:
            return outcomes[waiting[1][index]]
        steps = self.history.get(subject)
        if steps is None:
            return outcomes[0]
        return outcomes[self._state(steps, at)[index]]

    def _last_change(self, ordered: tuple[_Step, ...]) -> datetime:
        """The last time the subject's state changes: an event, an end, a renewal."""
        changes = [s[0] for s in ordered] + [s[3] for s in ordered if s[3] is not None]
        for step in ordered:
            renewal = self.renewals.get(step[1])
            if renewal is not None and step[2] is Kind.CONSENT_GIVEN:
                changes.append(renewal.effective_at)
        return max(changes)

    def _state(self, ordered: tuple[_Step, ...], at: datetime | None) -> bytes:
        """Each purpose's flags after the steps up to ``at`` (all when None), one byte each."""
        count = len(ordered) if at is None else bisect_right([s[0] for s in ordered], at)
        own: dict[str, int] = {}
        notices: dict[str, str | None] = {}
        every = 0
        for step in ordered[:count]:
            if step[1] == ALL_PURPOSES:
                every = _apply(every, step, at)
            else:
                own[step[1]] = _apply(own.get(step[1], 0), step, at)
                if step[2] is Kind.CONSENT_GIVEN:
                    notices[step[1]] = step[4]
        state = bytearray([every]) * len(self.purposes)
        for key, bits in own.items():
            state[self.purposes[key][0]] |= bits | self._stale(key, bits, notices.get(key), at)
        return bytes(state)

    def _stale(self, purpose: str, bits: int, notice: str | None, at: datetime | None) -> int:
        renewal = self.renewals.get(purpose)
        if renewal is None or not bits & GIVEN or notice == renewal.notice_version:
            return 0
        return STALE if at is None or at >= renewal.effective_at else 0


def _step(event: ChoiceEvent) -> _Step:
    return event.at, event.purpose, event.kind, event.ends_at, event.notice_version


def _when(step: _Step) -> datetime:
    return step[0]


def _apply(bits: int, step: _Step, at: datetime | None) -> int:
    kind, ends_at = step[2], step[3]
    if kind is Kind.CONSENT_GIVEN:
        return (bits & ~WITHDRAWN) | GIVEN
    if kind is Kind.CONSENT_WITHDRAWN:
        return (bits & ~GIVEN) | WITHDRAWN
    if kind is Kind.RESTRICTION:
        ended = ends_at is not None and (at is None or ends_at <= at)
        return bits & ~RESTRICTED if ended else bits | RESTRICTED
    return (bits | _SETS.get(kind, 0)) & ~_CLEARS.get(kind, 0)


_SETS = {
    Kind.OBJECTION: OBJECTED,
    Kind.OPT_OUT: OPTED_OUT,
    Kind.RETENTION_ENDED: ENDED,
    Kind.LEGAL_HOLD: HELD,
}
_CLEARS = {
    Kind.OBJECTION_LIFTED: OBJECTED,
    Kind.RESTRICTION_LIFTED: RESTRICTED,
    Kind.LEGAL_HOLD_LIFTED: HELD,
}
