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
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, ParamSpec, Protocol, TypeVar

from tutela.errors import ConfigurationError, RequestError
from tutela.requests import deadlines, periods
from tutela.requests.details import details_text, require_fee_paid
from tutela.requests.intake_batch import about
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
from tutela.requests.types import (
    TYPES,
    Regime,
    RequestType,
    offered_regimes,
    regime_for,
    request_type,
)
from tutela.requests.types import (
    residence as _where,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tutela.ports import Clock
    from tutela.programme.legal import Organisation
    from tutela.programme.models import Programme
    from tutela.requests.intake_batch import Admitted
    from tutela.requests.keeping import Keeping

OPEN_STATES = tuple(s.value for s in State if s not in FINAL_STATES)
CLOCK_SKEW = timedelta(minutes=5)
"""How far in the future a receipt time may be (clocks differ a little)."""
P = ParamSpec("P")
R = TypeVar("R")


class RequestStore(Protocol):
    """Where requests are kept; each change is committed with its ledger step."""

    def insert(self, record: RequestRecord, step: LedgerStep, secret: bytes | None = None) -> None:
        """Insert ``record`` and its sealed identity, committed with ``step``."""

    def get(self, request_id: str) -> RequestRecord | None:
        """The request ``request_id``, or None."""

    def list(
        self,
        *,
        state: str | None = None,
        type: str | None = None,
        due_before: date | None = None,
        states: tuple[str, ...] | None = None,
        subject: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[RequestRecord]:
        """The requests matching every filter given, earliest due first (paged by ``limit``)."""

    def update(self, before: RequestRecord, after: RequestRecord, step: LedgerStep) -> None:
        """Store ``after`` over ``before``, committed with ``step``."""

    def insert_many(self, items: Sequence[Admitted]) -> None:
        """Insert every request, sealed identity and ledger step, in one transaction."""


class RequestService:
    """The request lifecycle over ``store``; ``programme`` and ``hash_key`` only for submit."""

    def __init__(
        self,
        store: RequestStore,
        programme: Programme | None,
        hash_key: bytes | None,
        clock: Clock,
        keeping: Keeping | None = None,
        wake: Callable[[], None] | None = None,
    ) -> None:
        self.store, self.programme, self.hash_key, self.clock = store, programme, hash_key, clock
        self.keeping = keeping
        self.wake = wake
        """Called when a request enters in progress: its step is ready for the workers."""

    def submit(
        self,
        kind: str,
        identity: Mapping[str, str],
        received_at: datetime | None = None,
        *,
        residence: str | None = None,
        details: Mapping[str, str] | None = None,
        changes: Mapping[str, str] | None = None,
        actor: str = "system",
    ) -> RequestRecord:
        """Record a new request, received now or at ``received_at``, with its deadline.

        ``residence`` (``BE``, ``US-CA``) chooses the regime with the programme's; the
        identity (and a rectification's ``changes``) is kept sealed until the request ends.
        """
        now = self.clock.now()
        record, sealed = self.received(
            kind,
            identity,
            received_at,
            residence=residence,
            details=details,
            changes=changes,
            now=now,
        )
        step = LedgerStep(now, actor, "submitted", None, state_digest(record))
        self.store.insert(record, step, sealed)
        return record

    def received(
        self,
        kind: str,
        identity: Mapping[str, str],
        received_at: datetime | None = None,
        *,
        residence: str | None = None,
        details: Mapping[str, str] | None = None,
        changes: Mapping[str, str] | None = None,
        now: datetime,
    ) -> tuple[RequestRecord, bytes | None]:
        """A new request (received) and its sealed identity, checked; nothing stored.

        A value refused raises :class:`~tutela.requests.intake_batch.FieldRefused` naming it.
        """
        programme = self._programme()
        organisation = programme.organisation
        if organisation is None:
            raise ConfigurationError("the programme has no organisation: its time zone is needed")
        with about("type"):
            known = request_type(kind)
        with about("residence" if residence else "type"):
            regime = _regime(programme, known, residence)
        if not self.hash_key:
            raise ConfigurationError(
                f"no hash key: set {programme.masking.hash_key_env} or TUTELA_HASH_KEY "
                "(the subject is kept only as a keyed digest)"
            )
        with about("identity"):
            values = identity_values(identity)
        zone, country = organisation.timezone, organisation.establishment_country
        with about("received_at"):
            received = now if received_at is None else self._receipt(received_at, now)
            due = _deadline(received, regime.value, zone, country)
        with about("details"):
            text = details_text(programme, known, details)
        record = RequestRecord(
            id=str(uuid.uuid4()),
            type=known.value,
            regime=regime.value,
            state=State.RECEIVED.value,
            received_at=received,
            due_date=due.due_date,
            due_rule=due.explanation,
            extended=False,
            subject=subject_digest(values, self.hash_key),
            zone=zone,
            country=country,
            created_at=now,
            updated_at=now,
            details=text,
            residence=None if residence is None else "-".join(filter(None, _where(residence))),
        )
        return record, self._seal(record.id, values, changes or {})

    def _programme(self) -> Programme:
        if self.programme is None:
            raise ConfigurationError("this step needs the programme (give PROGRAMME)")
        return self.programme

    def _seal(
        self, request_id: str, identity: Mapping[str, str], changes: Mapping[str, str]
    ) -> bytes | None:
        """The identity and changes sealed for the life of the request (None: not kept)."""
        if self.keeping is None:
            return None
        from tutela.requests.sealing import Use, seal

        document = {"identity": dict(identity), "changes": dict(changes)}
        clear = json.dumps(document, sort_keys=True, ensure_ascii=False).encode("utf-8")
        return seal(self.keeping.sealing_key(), Use.IDENTITY, request_id, clear)

    def identity(self, record: RequestRecord) -> tuple[dict[str, str], dict[str, str]]:
        """The identity and changes kept sealed for ``record``; RequestError once purged."""
        from tutela.requests.sealing import Use, unseal

        keeping = self.keeping
        sealed = None if keeping is None else keeping.store.secret(record.id)
        if keeping is None or sealed is None:
            raise RequestError(
                f"request {record.id} no longer holds the subject's identity (it is purged "
                "when a request ends, or was not kept): submit a new request"
            )
        document = json.loads(unseal(keeping.sealing_key(), Use.IDENTITY, record.id, sealed))
        return dict(document["identity"]), dict(document["changes"])

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

    def open_requests(self, limit: int, offset: int = 0) -> builtins.list[RequestRecord]:
        """At most ``limit`` open requests from ``offset``, earliest due first (one query)."""
        return self.store.list(states=OPEN_STATES, limit=limit, offset=offset)

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
        before = self.show(identifier)
        require_fee_paid(before)
        return self.move(before, State.IN_PROGRESS, actor, None)

    def deny(
        self, identifier: str, reason: str, *, actor: str = "system", purge: bool = True
    ) -> RequestRecord:
        """Deny the request with the reason owed to the subject (Art. 12(4), DL-7).

        ``purge=False`` keeps the identity until the subject is told (the caller purges).
        """
        why = reason_text(reason, "a denial")
        return self.move(self.show(identifier), State.DENIED, actor, why, purge=purge)

    def withdraw(
        self, identifier: str, *, actor: str = "system", purge: bool = True
    ) -> RequestRecord:
        """Record that the subject withdrew the request (``purge`` as for :meth:`deny`)."""
        return self.move(self.show(identifier), State.WITHDRAWN, actor, None, purge=purge)

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
        self.record_change(before, after, "extended", actor, now)
        return after

    def _move(
        self, identifier: str, target: State, actor: str, reason: str | None
    ) -> RequestRecord:
        return self.move(self.show(identifier), target, actor, reason)

    def move(
        self,
        before: RequestRecord,
        target: State,
        actor: str,
        reason: str | None,
        *,
        purge: bool = True,
    ) -> RequestRecord:
        """Move ``before`` (as just read) to ``target``, ledgered; the identity purged at the end.

        Refused with the reason when the lifecycle has no such step, or (RequestChanged) when
        another command moved the request since it was read.
        """
        goal = transition(before.state, target, before.type, reason=reason)
        now = self.clock.now()
        after = replace(before, state=goal.value, reason=reason or before.reason, updated_at=now)
        self.record_change(before, after, goal.value, actor, now)
        if purge and goal.is_final and self.keeping is not None and not _still_needed(after):
            self.keeping.store.purge_secret(before.id)  # the identity is no longer needed
        if goal is State.IN_PROGRESS and self.wake is not None:
            self.wake()
        return after

    def record_change(
        self, before: RequestRecord, after: RequestRecord, action: str, actor: str, now: datetime
    ) -> None:
        """Store ``after`` over ``before`` with the ledger entry of ``action`` by ``actor``."""
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


def _still_needed(record: RequestRecord) -> bool:
    """True for a completed restriction: its identity is needed to lift it (RS-3)."""
    return record.state == State.COMPLETED and record.type == RequestType.RESTRICTION


def _regime(programme: Programme, kind: RequestType, residence: str | None) -> Regime:
    """The regime of ``kind`` for a subject living at ``residence`` (BE, US-CA) (GDPR.md §2)."""
    offered = ["gdpr"] if programme.rights is None else programme.rights.regimes
    if residence is None:
        regime = TYPES[kind].regime
        if regime not in offered_regimes(offered):
            raise RequestError(
                f"{kind} is a {regime.name} request; the programme offers no {regime}"
            )
        return regime
    country, _, state = residence.strip().partition("-")
    organisation = programme.organisation
    in_eea = organisation is not None and _in_eea(organisation)
    return regime_for(kind, offered, country, state or None, controller_in_eea=in_eea)


def _in_eea(organisation: Organisation) -> bool:
    from tutela.jurisdictions import packaged_jurisdictions
    from tutela.programme.establishments import established_in_eea

    return established_in_eea(organisation, packaged_jurisdictions())


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
