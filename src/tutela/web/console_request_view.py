"""What the console's request page shows, read from tutela's services without changing anything.

:func:`request_view` gathers one request for staff: the record (type, state, deadline and
the rules applied, extension, fee, verification, residence), the identity as the store
holds it but masked (:func:`masked`: ``j***@example.com``, never more than staff need),
the plan of the DSR engine (which collections the request will touch and how, computed
from the programme and the systems' catalogs without reading any subject's data), the
timeline (every ledger entry of the request, each with its inclusion-proof status
against the latest signed checkpoint) and the actions the state machine allows now.
Nothing here writes, and nothing personal leaves unmasked.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import Request

from tutela.errors import TutelaError
from tutela.ledger.entries import Entry
from tutela.requests.details import details_of
from tutela.requests.states import State, allowed_targets
from tutela.requests.types import TYPES, RequestType
from tutela.web.console_kit import programme, services

if TYPE_CHECKING:
    from tutela.programme.purposes import Purpose
    from tutela.requests.records import RequestRecord
    from tutela.rights.models import Plan
    from tutela.rights.service import DsrService
    from tutela.store.ledger_proofs import LedgerProofs

PROVED, PENDING, FAILED, UNCHECKED = "proved", "pending", "failed", "unchecked"
"""An entry's proof status: in the latest signed checkpoint and its proof verifies; not yet
in a signed checkpoint; its proof does not verify (the ledger changed); cannot be checked
(no ledger key configured)."""
_PLANNING = threading.Lock()


@dataclass(frozen=True)
class TimelineRow:
    """One ledger entry of the request and its proof status (``checkpoint``: its size)."""

    entry: Entry
    proof: str
    checkpoint: int | None = None


@dataclass(frozen=True)
class PlanField:
    """What a plan step does to one field: the action and how (strategy, what keeps it)."""

    name: str
    action: str
    strategy: str | None
    kept_by: str | None
    categories: tuple[str, ...]


@dataclass(frozen=True)
class PlanStep:
    """One collection the request touches: where, how its rows are found, what is done."""

    address: str
    system: str
    found_by: tuple[str, ...]
    fields: tuple[PlanField, ...]
    delete_rows: bool
    flag: str | None


@dataclass(frozen=True)
class PlanView:
    """The plan for the page: its steps, or why there is none (``reason``, ``error``)."""

    engine: str | None
    steps: tuple[PlanStep, ...] = ()
    unreachable: tuple[str, ...] = ()
    forwarded: tuple[str, ...] = ()
    reason: str = ""
    error: str = ""


@dataclass(frozen=True)
class Actions:
    """Which forms the page offers now (the state machine and the fee decide)."""

    approve: bool
    deny: bool
    extend: bool
    fee: bool
    fee_paid: bool
    weigh: bool


@dataclass(frozen=True)
class Weighing:
    """An objection under Art. 21(1) awaiting staff (OB-1): the purpose and its assessment."""

    purpose_key: str
    purpose: Purpose | None


@dataclass(frozen=True)
class RequestView:
    """Everything the request page shows about one request."""

    record: RequestRecord
    source: str
    details: dict[str, Any]
    fee: dict[str, Any] | None
    verification: str
    identity: tuple[tuple[str, str], ...] | None
    words: tuple[tuple[str, str], ...]
    plan: PlanView
    timeline: tuple[TimelineRow, ...]
    checkpoint: int | None
    actions: Actions
    weighing: Weighing | None


def request_view(request: Request, record: RequestRecord) -> RequestView:
    """The page's view of ``record`` (blocking: reads the store, the ledger and catalogs)."""
    given = services(request)
    details = details_of(record.details)
    fee = details.get("fee") if isinstance(details.get("fee"), dict) else None
    identity, changes = _identity(request, record)
    timeline, checkpoint = timeline_of(given.ledger, record.id, _verifier(request))
    weighing = _weighing(request, record, details)
    return RequestView(
        record=record,
        source=TYPES[RequestType(record.type)].source,
        details={k: v for k, v in details.items() if k != "fee"},
        fee=fee,
        verification=verification_status(record, timeline),
        identity=None if identity is None else _masked_all(identity),
        words=tuple(changes.items()),
        plan=_plan(request, record, identity, changes),
        timeline=timeline,
        checkpoint=checkpoint,
        actions=actions_for(record, fee, weighing is not None),
        weighing=weighing,
    )


def _masked_all(identity: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """Each identity's name and its :func:`masked` value, in the order kept."""
    return tuple((name, masked(name, value)) for name, value in identity.items())


def masked(name: str, value: str) -> str:
    """``value`` masked for staff: an e-mail keeps its first letter and domain, others one letter.

    ``jane@example.com`` gives ``j***@example.com``; ``C-1042`` gives ``C***``.
    """
    local, at, domain = value.rpartition("@")
    if name == "email" or (at and local):
        return f"{local[:1]}***@{domain}" if local else "***"
    return f"{value[:1]}***" if len(value) > 3 else "***"


def actions_for(record: RequestRecord, fee: dict[str, Any] | None, weigh: bool) -> Actions:
    """The actions the lifecycle allows on ``record`` now (asked of the state machine).

    An objection awaiting approval is decided by the weighing form instead of approve and
    deny (OB-1); a request whose fee is asked and not paid waits for the payment.
    """
    current = State(record.state)
    targets = allowed_targets(current, record.type)
    unpaid = fee is not None and not fee.get("paid")
    open_ = not current.is_final
    return Actions(
        approve=State.IN_PROGRESS in targets and not weigh and not unpaid,
        deny=State.DENIED in targets and not weigh,
        extend=open_ and not record.extended,
        fee=open_ and fee is None,
        fee_paid=open_ and unpaid,
        weigh=weigh,
    )


def verification_status(record: RequestRecord, timeline: tuple[TimelineRow, ...]) -> str:
    """How far identity was checked: not_needed, verified, awaiting, not_verified, not_started."""
    if not TYPES[RequestType(record.type)].identity_step:
        return "not_needed"
    if any(row.entry.action == State.VERIFIED.value for row in timeline):
        return "verified"
    if record.state == State.AWAITING_IDENTITY:
        return "awaiting"
    return "not_verified" if State(record.state).is_final else "not_started"


def timeline_of(
    proofs: LedgerProofs, request_id: str, verifier: Any
) -> tuple[tuple[TimelineRow, ...], int | None]:
    """Every ledger entry of ``request_id`` with its proof status, and the checkpoint's size.

    The entries are found through the request index and proven from the tiles of the
    checkpoint's tree (:meth:`LedgerProofs.request_evidence`), never by reading the whole
    ledger. Proofs are checked against the latest signed checkpoint as an evidence bundle
    would be (:func:`tutela.ledger.verifier.verify_bundle`): entries past it are pending,
    and all the entries it covers fail when one of them, or the recorded leaf hashes they
    are proven with, no longer match it.
    """
    mine = proofs.request_entries(request_id)
    latest = proofs.latest()
    if latest is None:
        return tuple(TimelineRow(entry, PENDING) for entry in mine), None
    covered = [entry for entry in mine if entry.seq < latest.size]
    proved = _proved(proofs, request_id, verifier) if covered and verifier is not None else set()
    rows = []
    for entry in mine:
        if entry.seq >= latest.size:
            rows.append(TimelineRow(entry, PENDING))
        elif verifier is None:
            rows.append(TimelineRow(entry, UNCHECKED))
        elif entry.seq in proved:
            rows.append(TimelineRow(entry, PROVED, latest.size))
        else:
            rows.append(TimelineRow(entry, FAILED))
    return tuple(rows), latest.size


def _proved(proofs: LedgerProofs, request_id: str, verifier: Any) -> set[int]:
    """The sequence numbers of the request whose inclusion proofs verify (empty on failure)."""
    from tutela.ledger.verifier import verify_bundle

    try:
        verified = verify_bundle(proofs.request_evidence(request_id, verifier), verifier)
    except (TutelaError, ValueError):
        return set()
    return {int(fields["seq"]) for fields in verified.entries}


def _verifier(request: Request) -> Any:
    """The ledger's verifier key (from ``TUTELA_LEDGER_KEY``), or None when it is not set."""
    try:
        return services(request).application.ledger_key().verifier
    except TutelaError:
        return None


def _identity(
    request: Request, record: RequestRecord
) -> tuple[dict[str, str] | None, dict[str, str]]:
    """The sealed identity and changes, or (None, {}) once purged or not kept."""
    try:
        return services(request).requests.identity(record)
    except TutelaError:
        return None, {}


def _weighing(request: Request, record: RequestRecord, details: dict[str, Any]) -> Weighing | None:
    """The weighing of an objection on legitimate interests or a public task (OB-1), if due."""
    if record.type != RequestType.OBJECTION or record.state != State.AWAITING_APPROVAL:
        return None
    targets = allowed_targets(record.state, record.type)
    if State.IN_PROGRESS not in targets or State.DENIED not in targets:
        return None
    key = str(details.get("purpose", ""))
    found = next((p for p in programme(request).purposes if p.key == key), None)
    return Weighing(key, found)


def _plan(
    request: Request,
    record: RequestRecord,
    identity: dict[str, str] | None,
    changes: dict[str, str],
) -> PlanView:
    """The DSR engine's plan for the request, or why there is none (no data is read)."""
    from tutela.requests.answering import ENGINE
    from tutela.rights.models import SubjectRequest

    engine = ENGINE.get(RequestType(record.type))
    if engine is None:
        return PlanView(None, reason="recorded")
    if identity is None:
        return PlanView(engine, reason="purged")
    asked = SubjectRequest(engine, tuple(identity.items()), tuple(changes.items()))  # type: ignore[arg-type]
    try:
        with _PLANNING:
            plan = _engine(request).plan_only([asked])
    except TutelaError as error:
        return PlanView(engine, error=str(error))
    return _plan_view(engine, plan)


def _engine(request: Request) -> DsrService:
    """The app's DSR service for plans, built on first use (its catalogs read once)."""
    state = request.app.state
    found = getattr(state, "console_request_dsr", None)
    if found is None:
        found = services(request).application.dsr_service(programme(request))
        state.console_request_dsr = found
    return found


def _plan_view(engine: str, plan: Plan) -> PlanView:
    steps = tuple(
        PlanStep(
            step.address,
            step.system,
            tuple(selector.describe() for selector in step.selectors),
            tuple(
                PlanField(
                    f.name,
                    "retain" if f.reason else f.action,
                    f.strategy,
                    f.reason or (f.retention.purpose if f.retention else None),
                    f.categories,
                )
                for f in step.fields
            ),
            step.delete_rows,
            step.restriction_flag,
        )
        for step in plan.steps
    )
    forwarded = tuple(f"{f.name} ({f.controller})" for f in plan.forwarded)
    return PlanView(engine, steps, plan.unreachable, forwarded)
