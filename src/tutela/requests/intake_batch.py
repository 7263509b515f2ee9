"""Staff batch intake: submit, verify and approve many requests in one transaction.

Staff who received requests by other means (post, phone, a support desk) and checked the
subjects' identity record them in one call. Each item gets the checks and values a
single submit gives it (type, regime, deadline, sealed identity, details), then the steps
staff's verification (:meth:`~tutela.requests.verification.Verification.accept`, ID-4)
and approval (:meth:`~tutela.requests.service.RequestService.approve`) would take, each
with the ledger step it would get alone (same actions and state digests). Pure until the
end: a bad item refuses the whole batch (:class:`BatchRefused`, naming the item's index
and field) before anything is stored; then one ``insert_many`` stores them all.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from tutela.errors import RequestError
from tutela.requests.details import require_fee_paid
from tutela.requests.records import LedgerStep, RequestRecord, reason_text, state_digest
from tutela.requests.states import State, transition
from tutela.requests.types import TYPES, request_type

if TYPE_CHECKING:
    from tutela.requests.service import RequestService

MAX_BATCH = 1000
"""The most requests one batch carries."""


@dataclass(frozen=True)
class BatchItem:
    """One request of a batch: what a submit takes, staff's ``evidence`` and ``approve``.

    ``evidence`` (what staff accepted as proof of identity, no personal data) verifies the
    request as ``Verification.accept`` does; ``approve`` then moves it to in progress.
    """

    type: str
    identity: Mapping[str, str]
    residence: str | None = None
    details: Mapping[str, str] | None = None
    evidence: str | None = None
    approve: bool = False


@dataclass(frozen=True)
class Admitted:
    """A request ready to store: its record as it ends, its ledger steps, its sealed identity."""

    record: RequestRecord
    steps: tuple[LedgerStep, ...]
    secret: bytes | None


class FieldRefused(RequestError):
    """A value of a new request was refused; ``field`` names it (the message says why)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


class BatchRefused(RequestError):
    """An item of a batch was refused: nothing of the batch was stored."""

    def __init__(self, index: int, field: str, message: str) -> None:
        self.index, self.field = index, field
        super().__init__(f"item {index}, {field}: {message}; nothing of the batch was stored")


@contextmanager
def about(field: str) -> Iterator[None]:
    """Re-raise a RequestError in the block as :class:`FieldRefused` naming ``field``."""
    try:
        yield
    except FieldRefused:
        raise
    except RequestError as error:
        raise FieldRefused(field, str(error)) from None


def submit_many(
    service: RequestService, items: Sequence[BatchItem], actor: str
) -> list[RequestRecord]:
    """Check every item, then store them all in one transaction; the records as stored.

    The workers are woken once when any request is in progress.
    """
    if not 1 <= len(items) <= MAX_BATCH:
        raise RequestError(f"a batch holds 1 to {MAX_BATCH} requests, not {len(items)}")
    now = service.clock.now()
    admitted = [_admitted(service, item, index, actor, now) for index, item in enumerate(items)]
    service.store.insert_many(admitted)
    if service.wake is not None and any(a.record.state == State.IN_PROGRESS for a in admitted):
        service.wake()
    return [a.record for a in admitted]


def _admitted(
    service: RequestService, item: BatchItem, index: int, actor: str, now: datetime
) -> Admitted:
    """``item`` checked and taken through its steps; BatchRefused naming ``index``."""
    try:
        record, secret = service.received(
            item.type, item.identity, residence=item.residence, details=item.details, now=now
        )
        steps = [LedgerStep(now, actor, "submitted", None, state_digest(record))]
        if item.evidence is not None:
            record = _verified(record, item.evidence, actor, now, steps)
        if item.approve:
            with about("approve"):
                require_fee_paid(record)
                record = _step(record, State.IN_PROGRESS, actor, now, steps)
    except FieldRefused as error:
        raise BatchRefused(index, error.field, str(error)) from None
    return Admitted(record, tuple(steps), secret)


def _verified(
    record: RequestRecord, evidence: str, actor: str, now: datetime, steps: list[LedgerStep]
) -> RequestRecord:
    """As ``Verification.accept``: awaiting identity, verified, awaiting approval if needed."""
    with about("evidence"):
        why = reason_text(evidence, "a verification by staff")
        record = _step(record, State.AWAITING_IDENTITY, actor, now, steps)
        record = _step(record, State.VERIFIED, actor, now, steps, why)
        if TYPES[request_type(record.type)].needs_approval:  # staff weigh the grounds (OB-1)
            record = _step(record, State.AWAITING_APPROVAL, actor, now, steps)
    return record


def _step(
    before: RequestRecord,
    target: State,
    actor: str,
    now: datetime,
    steps: list[LedgerStep],
    reason: str | None = None,
) -> RequestRecord:
    """``before`` moved to ``target`` as ``RequestService.move`` does; its step added.

    The last step's ``after`` is ``before``'s state digest (computed once).
    """
    goal = transition(before.state, target, before.type)
    after = replace(before, state=goal.value, reason=reason or before.reason, updated_at=now)
    steps.append(LedgerStep(now, actor, goal.value, steps[-1].after, state_digest(after)))
    return after
