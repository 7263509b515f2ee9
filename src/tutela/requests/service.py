"""The request lifecycle's use cases: submit, show, list, due, approve, deny, withdraw, extend.

:class:`RequestService` composes the pure building blocks: the type and its regime
(:mod:`tutela.requests.types`), the deadline (:mod:`tutela.requests.deadlines`, in the
controller's time zone with the establishment country's holidays), the state machine
(:mod:`tutela.requests.states`). Each change goes to a :class:`RequestStore` with the
ledger step recording it, which the store commits together. A refused change (an
illegal transition, a late extension) raises :class:`~tutela.errors.RequestError`
with the reason before anything is stored. The identity is kept only as a keyed digest.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, ParamSpec, Protocol, TypeVar

from tutela.errors import ConfigurationError, RequestError
from tutela.requests import deadlines, periods
from tutela.requests.records import (
    LedgerStep,
    RequestRecord,
    identity_values,
    reason_text,
    request_id,
    state_digest,
    subject_digest,
)
from tutela.requests.states import FINAL_STATES, State, transition
from tutela.requests.types import TYPES, offered_regimes, request_type

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tutela.ports import Clock
    from tutela.programme.models import Programme

OPEN_STATES = tuple(s.value for s in State if s not in FINAL_STATES)
CLOCK_SKEW = timedelta(minutes=5)
"""How far in the future a receipt time may be (clocks differ a little)."""
P = ParamSpec("P")
R = TypeVar("R")


class RequestStore(Protocol):
    """Where requests are kept; each change is committed with its ledger step."""

    def insert(self, record: RequestRecord, step: LedgerStep) -> None:
        """Insert ``record``, committed with ``step``."""

    def get(self, request_id: str) -> RequestRecord | None:
        """The request ``request_id``, or None."""

    def list(
        self,
        *,
        state: str | None = None,
        type: str | None = None,
        due_before: date | None = None,
        states: tuple[str, ...] | None = None,
    ) -> list[RequestRecord]:
        """The requests matching every filter given, earliest due first."""

    def update(self, before: RequestRecord, after: RequestRecord, step: LedgerStep) -> None:
        """Store ``after`` over ``before``, committed with ``step``."""


class RequestService:
    """The request lifecycle over ``store``; ``programme`` and ``hash_key`` only for submit."""

    def __init__(
        self,
        store: RequestStore,
        programme: Programme | None,
        hash_key: bytes | None,
        clock: Clock,
    ) -> None:
        self.store, self.programme, self.hash_key, self.clock = store, programme, hash_key, clock

    def submit(
        self,
        kind: str,
        identity: Mapping[str, str],
        received_at: datetime | None = None,
        *,
        actor: str = "system",
    ) -> RequestRecord:
        """Record a new request, received now or at ``received_at``, with its deadline."""
        programme = self.programme
        if programme is None:
            raise ConfigurationError("submitting a request needs the programme")
        organisation = programme.organisation
        if organisation is None:
            raise ConfigurationError("the programme has no organisation: its time zone is needed")
        known = request_type(kind)
        regime = TYPES[known].regime
        offered = ["gdpr"] if programme.rights is None else programme.rights.regimes
        if regime not in offered_regimes(offered):
            raise RequestError(
                f"{known} is a {regime.name} request; the programme offers no {regime}"
            )
        if not self.hash_key:
            raise ConfigurationError(
                f"no hash key: set {programme.masking.hash_key_env} or TUTELA_HASH_KEY "
                "(the subject is kept only as a keyed digest)"
            )
        subject = subject_digest(identity_values(identity), self.hash_key)
        now = self.clock.now()
        received = now if received_at is None else self._receipt(received_at, now)
        zone, country = organisation.timezone, organisation.establishment_country
        due = _deadline(received, regime.value, zone, country)
        record = RequestRecord(
            id=str(uuid.uuid4()),
            type=known.value,
            regime=regime.value,
            state=State.RECEIVED.value,
            received_at=received,
            due_date=due.due_date,
            due_rule=due.explanation,
            extended=False,
            subject=subject,
            zone=zone,
            country=country,
            created_at=now,
            updated_at=now,
        )
        self.store.insert(record, LedgerStep(now, actor, "submitted", None, state_digest(record)))
        return record

    def show(self, identifier: str) -> RequestRecord:
        """The request ``identifier``; RequestError when there is none."""
        found = self.store.get(request_id(identifier))
        if found is None:
            raise RequestError(f"no request {identifier.strip().lower()} in tutela's store")
        return found

    def list(
        self, *, state: str | None = None, kind: str | None = None, due_before: date | None = None
    ) -> list[RequestRecord]:
        """The requests in ``state``, of type ``kind``, due before a date; earliest due first."""
        from tutela.requests.states import state as known_state

        wanted = None if state is None else known_state(state).value
        of_type = None if kind is None else request_type(kind).value
        return self.store.list(state=wanted, type=of_type, due_before=due_before)

    def due(
        self, now: datetime | None = None, soon_days: int = 7
    ) -> builtins.list[tuple[RequestRecord, deadlines.DueStatus]]:
        """The open requests overdue or due within ``soon_days`` at ``now``, earliest first."""
        moment = self.clock.now() if now is None else now
        listed = []
        for record in self.store.list(states=OPEN_STATES):
            status = _checked(deadlines.classify, deadline_of(record), moment, soon_days=soon_days)
            if status.urgency is not deadlines.Urgency.OPEN:
                listed.append((record, status))
        return sorted(listed, key=lambda pair: (pair[0].due_date, pair[0].received_at))

    def approve(self, identifier: str, *, actor: str = "system") -> RequestRecord:
        """Move the request to in progress (approved by staff, or nothing left to check)."""
        return self._move(identifier, State.IN_PROGRESS, actor, None)

    def deny(self, identifier: str, reason: str, *, actor: str = "system") -> RequestRecord:
        """Deny the request with the reason owed to the subject (Art. 12(4), DL-7)."""
        return self._move(identifier, State.DENIED, actor, reason_text(reason, "a denial"))

    def withdraw(self, identifier: str, *, actor: str = "system") -> RequestRecord:
        """Record that the subject withdrew the request."""
        return self._move(identifier, State.WITHDRAWN, actor, None)

    def extend(
        self,
        identifier: str,
        reason: str,
        notice_at: datetime | None = None,
        *,
        actor: str = "system",
    ) -> RequestRecord:
        """Extend the deadline once (DL-5, DL-6), the subject told at ``notice_at`` (now)."""
        why = reason_text(reason, "an extension")
        before = self.show(identifier)
        if State(before.state).is_final:
            raise RequestError(
                f"request {before.id} is {before.state}: a final request is not extended"
            )
        if before.extended:
            raise RequestError(f"request {before.id} was extended already; one extension (DL-5)")
        now = self.clock.now()
        base = _deadline(before.received_at, before.regime, before.zone, before.country)
        longer = _checked(deadlines.extend, base, reason=why, notice_at=notice_at or now)
        after = replace(
            before,
            due_date=longer.due_date,
            due_rule=longer.explanation,
            extended=True,
            reason=why,
            updated_at=now,
        )
        self._store(before, after, "extended", actor, now)
        return after

    def _move(
        self, identifier: str, target: State, actor: str, reason: str | None
    ) -> RequestRecord:
        before = self.show(identifier)
        goal = transition(before.state, target, before.type, reason=reason)
        now = self.clock.now()
        after = replace(before, state=goal.value, reason=reason or before.reason, updated_at=now)
        self._store(before, after, goal.value, actor, now)
        return after

    def _store(
        self, before: RequestRecord, after: RequestRecord, action: str, actor: str, now: datetime
    ) -> None:
        step = LedgerStep(now, actor, action, state_digest(before), state_digest(after))
        self.store.update(before, after, step)

    def _receipt(self, received_at: datetime, now: datetime) -> datetime:
        if received_at.tzinfo is None or received_at.utcoffset() is None:
            raise RequestError(
                "the receipt time has no UTC offset: give e.g. 2025-03-05T10:00:00+01:00"
            )
        if received_at > now + CLOCK_SKEW:
            raise RequestError("the receipt time is in the future")
        return received_at


def deadline_of(record: RequestRecord) -> deadlines.Deadline:
    """The deadline of a stored request: recomputed from receipt, its stored due date in force."""
    base = _deadline(record.received_at, record.regime, record.zone, record.country)
    if base.due_date == record.due_date:
        return base
    due_at = periods.end_of_day(record.due_date, periods.zone_info(record.zone))
    return replace(base, due_date=record.due_date, due_at=due_at, explanation=record.due_rule)


def _deadline(received: datetime, regime: str, zone: str, country: str) -> deadlines.Deadline:
    return _checked(deadlines.compute_deadline, received, regime, zone, country)


def _checked(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """``function``'s result; its ValueError (a deadline refused, and why) as a RequestError."""
    try:
        return function(*args, **kwargs)
    except ValueError as error:
        raise RequestError(str(error)) from None
