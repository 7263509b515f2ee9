"""Staff routes: list, show and decide requests with an API key whose role grants the scope.

Every change is ledgered with the actor ``staff:<key name>``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from tutela.access.keys import Scope
from tutela.access.service import Staff
from tutela.api.auth import needs
from tutela.api.models import (
    UUID_PATTERN,
    AcceptBody,
    Body,
    DenyBody,
    Detail,
    DueDocument,
    ExtendBody,
    FeeBody,
    ForwardBody,
    Name,
    Reason,
    Residence,
    StaffDocument,
    SubmitBody,
    Value,
)
from tutela.api.problems import responses
from tutela.api.services import Services, services
from tutela.errors import RequestError
from tutela.requests.intake_batch import MAX_BATCH, BatchItem
from tutela.requests.states import State
from tutela.requests.types import RequestType

router = APIRouter(prefix="/api/v1/staff", tags=["staff"], responses=responses())
Given = Annotated[Services, Depends(services)]
RequestId = Annotated[str, Path(pattern=UUID_PATTERN, description="The request's id.")]
Reader = Annotated[Staff, Depends(needs(Scope.REQUESTS_READ))]
Writer = Annotated[Staff, Depends(needs(Scope.REQUESTS_WRITE))]
Decider = Annotated[Staff, Depends(needs(Scope.REQUESTS_DECIDE))]


class IntakeItem(Body):
    """One request of a batch: a submit's fields, staff's evidence, and whether to approve."""

    type: RequestType
    identity: dict[Name, Value] = Field(min_length=1, max_length=8)
    residence: Residence | None = None
    details: dict[Name, Detail] = Field(default_factory=dict, max_length=16)
    evidence: Reason = Field(description="What staff accepted as proof of identity (ID-4).")
    approve: bool


class IntakeBody(Body):
    """A batch of requests staff received, verified and (each as it says) approve."""

    items: list[IntakeItem] = Field(min_length=1, max_length=MAX_BATCH)


class IntakeDocument(BaseModel):
    """A request of the batch as stored: its id, state and due date."""

    id: str
    state: str
    due: date


@router.get("/requests")
def list_requests(
    staff: Reader,
    given: Given,
    state: State | None = None,
    type: RequestType | None = None,
    due_before: date | None = None,
) -> list[StaffDocument]:
    """The requests in a state, of a type, due before a date; earliest due first."""
    kind = None if type is None else type.value
    found = given.requests.list(
        state=None if state is None else state.value, kind=kind, due_before=due_before
    )
    return [StaffDocument.staff(record) for record in found]


@router.post("/requests", status_code=201)
def submit(body: SubmitBody, staff: Writer, given: Given) -> StaffDocument:
    """Record a request received by other means (post, phone), on the subject's behalf."""
    record = given.requests.submit(
        body.type.value,
        body.identity,
        residence=body.residence,
        details=body.details,
        actor=staff.actor,
    )
    return StaffDocument.staff(record)


@router.post("/requests/batch", status_code=201)
def intake(body: IntakeBody, staff: Decider, given: Given) -> list[IntakeDocument]:
    """Submit, verify and approve up to 1,000 requests in one transaction (ID-4, OB-1).

    A bad item refuses the whole batch (422 naming the item's index and field).
    """
    items = [
        BatchItem(i.type.value, i.identity, i.residence, i.details or None, i.evidence, i.approve)
        for i in body.items
    ]
    found = given.desk.intake(items, staff.actor)
    return [IntakeDocument(id=r.id, state=r.state, due=r.due_date) for r in found]


@router.get("/requests/{id}")
def show(id: RequestId, staff: Reader, given: Given) -> StaffDocument:
    """One request with its details, deadline and the rules applied."""
    return StaffDocument.staff(given.requests.show(id))


@router.post("/requests/{id}/approve")
def approve(id: RequestId, staff: Decider, given: Given) -> StaffDocument:
    """Move the request to in progress: the worker completes it."""
    return StaffDocument.staff(given.requests.approve(id, actor=staff.actor))


@router.post("/requests/{id}/deny")
def deny(id: RequestId, body: DenyBody, staff: Decider, given: Given) -> StaffDocument:
    """Deny, or refuse as excessive or unfounded (Art. 12(5)(b)); the subject's letter kept."""
    decided = given.desk.deny(
        id, body.reason, excessive=body.excessive, unfounded=body.unfounded, actor=staff.actor
    )
    return StaffDocument.staff(decided.request, decided.notice)


@router.post("/requests/{id}/extend")
def extend(id: RequestId, body: ExtendBody, staff: Decider, given: Given) -> StaffDocument:
    """Extend the deadline once (DL-5, DL-6), with the reason told to the subject."""
    record = given.desk.extend(id, body.reason, body.notice_at, actor=staff.actor)
    return StaffDocument.staff(record)


@router.post("/requests/{id}/fee")
def fee(id: RequestId, body: FeeBody, staff: Decider, given: Given) -> StaffDocument:
    """Ask a reasonable fee with the notice owed (FEE-1, DL-7), or record that it was paid."""
    if body.paid:
        return StaffDocument.staff(given.steps.fee_paid(id, actor=staff.actor))
    if body.amount is None or body.basis is None:
        raise RequestError("a fee needs amount and basis (or paid: true to record payment)")
    decided = given.steps.fee(
        id,
        body.amount,
        body.currency,
        body.basis,
        unfounded=body.unfounded,
        further_copy=body.further_copy,
        actor=staff.actor,
    )
    return StaffDocument.staff(decided.request, decided.notice)


@router.post("/requests/{id}/forward")
def forward(id: RequestId, body: ForwardBody, staff: Decider, given: Given) -> StaffDocument:
    """Forward a request about processor data to the customer (PR-2); the subject told."""
    decided = given.desk.forward(id, body.customer, actor=staff.actor)
    return StaffDocument.staff(decided.request, decided.notice)


@router.post("/requests/{id}/verify")
def verify(id: RequestId, body: AcceptBody, staff: Writer, given: Given) -> StaffDocument:
    """Record that staff verified the subject or agent by other means (ID-4)."""
    return StaffDocument.staff(given.verification.accept(id, body.evidence, actor=staff.actor))


@router.get("/due")
def due(
    staff: Reader, given: Given, soon_days: Annotated[int, Query(ge=0, le=366)] = 7
) -> list[DueDocument]:
    """The open requests overdue or due within ``soon_days``, earliest due first."""
    return [DueDocument.urgent(r, s) for r, s in given.requests.due(soon_days=soon_days)]


@router.get("/complaints")
def complaints(staff: Reader, given: Given, state: State | None = None) -> list[StaffDocument]:
    """The complaints subjects made (CP-1), earliest due first."""
    found = given.desk.complaints(None if state is None else state.value)
    return [StaffDocument.staff(record) for record in found]
