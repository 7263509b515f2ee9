"""The API's request and response bodies: pydantic models with bounded fields.

Every text field has a length bound and every body forbids unknown keys, so hostile
input is refused with 422 naming the field before any service runs. Values that only
the lifecycle can judge (an identity's form, a reason's characters, a fee's amount)
are checked by the services, refused with 422 too.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tutela.requests.types import RequestType

if TYPE_CHECKING:
    from tutela.requests.deadlines import DueStatus
    from tutela.requests.keeping import NotificationRecord
    from tutela.requests.records import RequestRecord

Name = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Value = Annotated[str, StringConstraints(min_length=1, max_length=320)]
Detail = Annotated[str, StringConstraints(max_length=2048)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=1000)]
Residence = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$")]
Lang = Literal["en", "fr", "nl", "de"]
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


class Body(BaseModel):
    """A request body: unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")


class SubmitBody(Body):
    """A new request: its type, the subject's identity, residence and details."""

    type: RequestType
    identity: dict[Name, Value] = Field(min_length=1, max_length=8)
    residence: Residence | None = None
    details: dict[Name, Detail] = Field(default_factory=dict, max_length=16)
    lang: Lang = "en"


class CodeBody(Body):
    """Ask a new code, in the subject's language."""

    lang: Lang = "en"


class VerifyBody(Body):
    """The code the subject received by e-mail."""

    code: Annotated[str, StringConstraints(min_length=1, max_length=16)]


class DenyBody(Body):
    """A denial's reason (no personal data); a refusal as excessive or unfounded."""

    reason: Reason
    excessive: bool = False
    unfounded: bool = False


class ExtendBody(Body):
    """An extension's reason and when the subject was told (default: now)."""

    reason: Reason
    notice_at: datetime | None = None


class FeeBody(Body):
    """A fee asked (amount, currency, basis), or ``paid: true`` to record its payment."""

    amount: Annotated[str, StringConstraints(max_length=20)] | None = None
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "EUR"
    basis: Reason | None = None
    unfounded: bool = False
    further_copy: bool = False
    paid: bool = False


class ForwardBody(Body):
    """The DPA register's customer the request is forwarded to (PR-2)."""

    customer: Name


class AcceptBody(Body):
    """What staff accepted as proof of identity or of an agent's mandate (ID-4)."""

    evidence: Reason


class RequestDocument(BaseModel):
    """A request as its subject sees it."""

    id: str
    type: str
    regime: str
    state: str
    received_at: datetime
    due: date
    due_rule: str
    extended: bool
    reason: str | None = None
    residence: str | None = None

    @classmethod
    def of(cls, record: RequestRecord, **more: Any) -> Self:
        """The document of ``record`` (with the fields of a subclass in ``more``)."""
        return cls(
            id=record.id,
            type=record.type,
            regime=record.regime,
            state=record.state,
            received_at=record.received_at,
            due=record.due_date,
            due_rule=record.due_rule,
            extended=record.extended,
            reason=record.reason,
            residence=record.residence,
            **more,
        )


class SubmittedDocument(RequestDocument):
    """A request just submitted, with the token its subject presents from now on."""

    status_token: str
    code_sent: bool


class StatusDocument(RequestDocument):
    """A request's status, with its answer's signed download link once there is one."""

    download_url: str | None = None
    download_expires_at: datetime | None = None


class StaffDocument(RequestDocument):
    """A request as staff see it: also its details, time zone and subject digest."""

    details: dict[str, Any]
    zone: str
    subject: str
    updated_at: datetime
    notice: list[str] | None = None

    @classmethod
    def staff(cls, record: RequestRecord, notice: tuple[str, ...] | None = None) -> Self:
        """The staff document of ``record`` with the notice owed to the subject, if any."""
        return cls.of(
            record,
            details=json.loads(record.details) if record.details else {},
            zone=record.zone,
            subject=record.subject,
            updated_at=record.updated_at,
            notice=None if notice is None else list(notice),
        )


class DueDocument(StaffDocument):
    """An open request overdue or due soon."""

    urgency: str
    days_left: int
    summary: str

    @classmethod
    def urgent(cls, record: RequestRecord, status: DueStatus) -> Self:
        """The document of ``record`` with its urgency."""
        base = StaffDocument.staff(record).model_dump()
        return cls(
            **base,
            urgency=str(status.urgency),
            days_left=status.days_left,
            summary=status.summary,
        )


class RecipientDocument(BaseModel):
    """A recipient told of the request (Art. 19)."""

    recipient: str
    channel: str
    state: str
    attempts: int
    delivered_at: datetime | None = None

    @classmethod
    def of(cls, n: NotificationRecord) -> RecipientDocument:
        """The document of one notification."""
        return cls(
            recipient=n.recipient,
            channel=str(n.channel),
            state=str(n.state),
            attempts=n.attempts,
            delivered_at=n.delivered_at,
        )


class CheckpointDocument(BaseModel):
    """A signed checkpoint: the tree size and the note (C2SP tlog-checkpoint)."""

    size: int
    note: str


class InclusionDocument(BaseModel):
    """An entry's inclusion proof against the latest checkpoint (RFC 9162 §2.1.3)."""

    seq: int
    entry: str
    leaf_hash: str
    tree_size: int
    root: str
    proof: list[str]
    checkpoint: str
    verifier_key: str


class ConsistencyDocument(BaseModel):
    """A consistency proof between two tree sizes (RFC 9162 §2.1.4)."""

    first: int
    second: int
    first_root: str
    second_root: str
    proof: list[str]
    checkpoint: str
    verifier_key: str


class EvidenceEntry(BaseModel):
    """One entry of a request in an evidence bundle, with its inclusion proof."""

    index: int
    entry: str
    proof: list[str]


class EvidenceDocument(BaseModel):
    """A request's evidence bundle (``python -m tutela.ledger.verifier`` checks it)."""

    format: str
    origin: str
    request: str
    checkpoint: str
    verifier_key: str
    entries: list[EvidenceEntry]
