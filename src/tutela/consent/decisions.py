"""The decision point: may this subject's data be used for this purpose now? (issue 17).

Pure and in memory. :meth:`DecisionTable.compile` folds a programme and its choice events
into plain dicts: each subject maps to its state at the end of its history packed into one
integer (five bits per purpose), and each purpose maps to a precomputed tuple of the 32
immutable :class:`Decision` objects its bits can give. :meth:`DecisionTable.decide` is then
two dict lookups, a shift and a tuple index; only a time before a subject's last change
replays that subject's few events.

Rules (GDPR.md CO-1, CO-3, OB-1, OB-2, MK-2, RS-2, GPC-1), every deny reason reported:

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
  consent event to be ``consent_given`` (CO-1, CO-3).
- ``basis:missing``: a purpose with no legal basis; ``purpose:unknown``: no such purpose.

An allowed decision says why: ``consent:given`` or ``basis:<legal basis>``. The end of a
retention period and legal holds belong to the retention issue and are not decided here.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from tutela.consent.records import ALL_PURPOSES, ChoiceEvent, Kind
from tutela.programme.models import Programme
from tutela.programme.purposes import Art9Condition, LegalBasis, Purpose

GIVEN, WITHDRAWN, OBJECTED, RESTRICTED, OPTED_OUT = 1, 2, 4, 8, 16
WIDTH = 5
MASK = (1 << WIDTH) - 1

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
    basis = purpose.legal_basis
    if bits & RESTRICTED and not survives_restriction(purpose):
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
    if basis is None:
        reasons.append("basis:missing")
    return reasons


def _outcome(purpose: Purpose, bits: int) -> Decision:
    basis = purpose.legal_basis.value if purpose.legal_basis else ""
    reasons = _deny_reasons(purpose, bits)
    if reasons:
        return Decision(False, tuple(reasons), basis)
    why = "consent:given" if purpose.legal_basis is LegalBasis.CONSENT else f"basis:{basis}"
    return Decision(True, (why,), basis)


def _outcomes(purpose: Purpose) -> tuple[Decision, ...]:
    cache: dict[Decision, Decision] = {}
    return tuple(cache.setdefault(d, d) for d in (_outcome(purpose, b) for b in range(MASK + 1)))


_Entry = tuple[datetime, int, tuple["_Step", ...]]


@dataclass(frozen=True, slots=True)
class DecisionTable:
    """Decisions for every subject and purpose of one programme, compiled in memory."""

    purposes: Mapping[str, tuple[int, tuple[Decision, ...]]]
    subjects: Mapping[str, _Entry]

    @classmethod
    def compile(cls, programme: Programme, events: Iterable[ChoiceEvent]) -> DecisionTable:
        """Fold ``programme``'s purposes and the subjects' ``events`` into a table."""
        shifts = {p.key: i * WIDTH for i, p in enumerate(programme.purposes)}
        purposes = {p.key: (shifts[p.key], _outcomes(p)) for p in programme.purposes}
        by_subject: dict[str, list[ChoiceEvent]] = {}
        for event in events:
            if event.purpose == ALL_PURPOSES or event.purpose in shifts:
                by_subject.setdefault(event.subject, []).append(event)
        subjects = {s: _entry(evs, shifts) for s, evs in by_subject.items()}
        return cls(purposes, subjects)

    def apply(self, events: Iterable[ChoiceEvent]) -> DecisionTable:
        """A table with ``events`` (stored after those already folded in) folded in.

        The same table as compiling every event again, but only the subjects of
        ``events`` are recomputed; the subjects' mapping is copied, this table unchanged.
        """
        shifts = self._shifts()
        added: dict[str, list[_Step]] = {}
        for event in events:
            if event.purpose == ALL_PURPOSES or event.purpose in shifts:
                added.setdefault(event.subject, []).append(_step(event))
        if not added:
            return self
        subjects = dict(self.subjects)
        for subject, steps in added.items():
            known = subjects.get(subject)
            subjects[subject] = _steps_entry([*(known[2] if known else ()), *steps], shifts)
        return DecisionTable(self.purposes, subjects)

    def decide(self, subject: str, purpose: str, at: datetime) -> Decision:
        """The decision for ``subject`` and ``purpose`` at ``at`` (timezone-aware).

        Events after ``at`` are ignored; a restriction counts until its ``ends_at``.
        """
        rule = self.purposes.get(purpose)
        if rule is None:
            return UNKNOWN
        shift, outcomes = rule
        entry = self.subjects.get(subject)
        if entry is None:
            return outcomes[0]
        if at >= entry[0]:
            return outcomes[(entry[1] >> shift) & MASK]
        return outcomes[(_packed(entry[2], self._shifts(), at) >> shift) & MASK]

    def _shifts(self) -> dict[str, int]:
        return {key: shift for key, (shift, _) in self.purposes.items()}


_Step = tuple[datetime, str, Kind, datetime | None]
"""One event, compact: when, purpose, kind, a restriction's end."""


def _step(event: ChoiceEvent) -> _Step:
    return event.at, event.purpose, event.kind, event.ends_at


def _entry(events: list[ChoiceEvent], shifts: Mapping[str, int]) -> _Entry:
    return _steps_entry([_step(e) for e in events], shifts)


def _steps_entry(steps: list[_Step], shifts: Mapping[str, int]) -> _Entry:
    ordered = tuple(sorted(steps, key=_when))  # stable: ties keep the stored order
    changes = [s[0] for s in ordered] + [s[3] for s in ordered if s[3] is not None]
    return max(changes), _packed(ordered, shifts, None), ordered


def _when(step: _Step) -> datetime:
    return step[0]


def _packed(ordered: tuple[_Step, ...], shifts: Mapping[str, int], at: datetime | None) -> int:
    """Each purpose's bits after the steps up to ``at`` (all when None), packed."""
    count = len(ordered) if at is None else bisect_right([s[0] for s in ordered], at)
    own: dict[str, int] = {}
    every = 0
    for step in ordered[:count]:
        if step[1] == ALL_PURPOSES:
            every = _apply(every, step, at)
        else:
            own[step[1]] = _apply(own.get(step[1], 0), step, at)
    packed = every * sum(1 << shift for shift in shifts.values())  # in every slot, no carry
    for key, bits in own.items():
        packed |= bits << shifts[key]
    return packed


def _apply(bits: int, step: _Step, at: datetime | None) -> int:
    _, _, kind, ends_at = step
    if kind is Kind.CONSENT_GIVEN:
        return (bits & ~WITHDRAWN) | GIVEN
    if kind is Kind.CONSENT_WITHDRAWN:
        return (bits & ~GIVEN) | WITHDRAWN
    if kind is Kind.OBJECTION:
        return bits | OBJECTED
    if kind is Kind.OBJECTION_LIFTED:
        return bits & ~OBJECTED
    if kind is Kind.RESTRICTION:
        ended = ends_at is not None and (at is None or ends_at <= at)
        return bits & ~RESTRICTED if ended else bits | RESTRICTED
    if kind is Kind.RESTRICTION_LIFTED:
        return bits & ~RESTRICTED
    return bits | OPTED_OUT
