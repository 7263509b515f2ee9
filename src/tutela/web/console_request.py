"""The console's request page, its actions and the weighing form, and the complaints list.

``GET /console/requests/{id}`` (``requests:read``) shows one request as
:mod:`tutela.web.console_request_view` gathers it. Its forms (``requests:decide``, each
with the session's CSRF token) approve, deny (or refuse as excessive or unfounded,
Art. 12(5)(b)), extend (DL-5), ask a fee or record its payment (FEE-1, FEE-2), and weigh
an objection under Art. 21(1) (OB-1): upholding it approves the request, compelling
legitimate grounds deny it with the balancing as the reason. Each goes through the
services the API calls, ledgered as ``staff:<login name>``, and answers 303 back to the
page with a confirmation (Post/Redirect/Get). A field that is not right, or a step the
services refuse, shows the page again with the reason in words (409 or 422) and nothing
changed. ``GET /console/complaints`` lists the complaints (CP-1), earliest due first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from tutela.access.keys import Scope
from tutela.errors import ConfigurationError, ConnectorError, RequestError, StoreError, TutelaError
from tutela.requests.records import MAX_REASON, RequestRecord
from tutela.requests.states import IllegalTransition, State
from tutela.requests.types import RequestType
from tutela.store.ledger_audit import LedgerError
from tutela.store.requests import RequestChanged
from tutela.web.console_auth import Session
from tutela.web.console_kit import guarded, page, redirect, services, session_form, staff_session
from tutela.web.console_request_view import request_view
from tutela.web.services import Services

router = APIRouter(prefix="/console", include_in_schema=False)
LONGEST_INTEREST = 400
LONGEST_BALANCING = 500
"""Characters of the weighing's two fields: together they fit in one reason (1,000)."""
DONE = frozenset({"approve", "deny", "extend", "fee", "fee_paid", "uphold", "override"})
"""The confirmations the page words after an action (``?done=``); anything else is ignored."""


@dataclass(frozen=True)
class Problem:
    """Why an action was not done: the form, the field at fault and what to fix.

    ``key`` names a message the template words (``reason``, ``amount``...); ``service``
    means ``text``, the services' own message, is shown as it is.
    """

    action: str
    key: str
    field: str = ""
    text: str = ""


class FieldProblem(Exception):
    """A form field that is not right: raised before any service is called."""

    def __init__(self, field: str, key: str) -> None:
        super().__init__(key)
        self.field, self.key = field, key


class NotNow(RequestError):
    """An action the request's type or state does not take (the page did not offer it)."""


Action = Callable[[Services, RequestRecord, dict[str, str], str], str]
"""Does one action on the request for the actor; returns the confirmation's key."""


@router.get("/requests/{identifier:path}")
def request_page(request: Request, identifier: str) -> Response:
    """One request: record, masked identity, plan, timeline with proofs, and its actions.

    The id may hold anything, even a slash: what is not a request id gets the 404 page.
    """
    session = staff_session(request, Scope.REQUESTS_READ)
    if isinstance(session, Response):
        return session
    found = _record(request, identifier, session)
    if isinstance(found, Response):
        return found
    done = request.query_params.get("done", "")
    return _page(request, session, found, done=done if done in DONE else "")


@router.get("/complaints")
def complaints(request: Request) -> Response:
    """The complaints subjects made (CP-1), earliest due first, linking to their pages."""
    session = staff_session(request, Scope.REQUESTS_READ)
    if isinstance(session, Response):
        return session
    found = services(request).desk.complaints()
    return page(request, "console/complaints.html", complaints=found, session=session)


@router.post("/requests/{identifier}/approve")
async def approve(request: Request, identifier: str) -> Response:
    """Approve: the request goes in progress and the workers answer it."""
    return await _act(request, identifier, "approve", _approve)


@router.post("/requests/{identifier}/deny")
async def deny(request: Request, identifier: str) -> Response:
    """Deny with the reason owed to the subject, or refuse as excessive or unfounded."""
    return await _act(request, identifier, "deny", _deny)


@router.post("/requests/{identifier}/extend")
async def extend(request: Request, identifier: str) -> Response:
    """Extend the deadline once (DL-5); the subject is told why (DL-6)."""
    return await _act(request, identifier, "extend", _extend)


@router.post("/requests/{identifier}/fee")
async def fee(request: Request, identifier: str) -> Response:
    """Ask a reasonable fee (FEE-1, FEE-2); refused by the services without a lawful ground."""
    return await _act(request, identifier, "fee", _fee)


@router.post("/requests/{identifier}/fee-paid")
async def fee_paid(request: Request, identifier: str) -> Response:
    """Record that the fee asked was paid: the request may go on."""
    return await _act(request, identifier, "fee_paid", _fee_paid)


@router.post("/requests/{identifier}/weigh")
async def weigh(request: Request, identifier: str) -> Response:
    """Decide an objection under Art. 21(1) (OB-1): uphold it, or compelling grounds override."""
    return await _act(request, identifier, "weigh", _weigh)


async def _act(request: Request, identifier: str, action: str, run: Action) -> Response:
    """The steps every action takes: scope, CSRF, the request, the service, then 303 or why not."""
    session = await guarded(request, Scope.REQUESTS_DECIDE)
    if isinstance(session, Response):
        return session
    form = await session_form(request, session)
    if isinstance(form, Response):
        return form
    found = await run_in_threadpool(_record, request, identifier, session)
    if isinstance(found, Response):
        return found
    try:
        done = await run_in_threadpool(run, services(request), found, form, session.staff.actor)
    except FieldProblem as refused:
        problem, status = Problem(action, refused.key, refused.field), 422
    except TutelaError as error:
        problem, status = Problem(action, "service", text=str(error)), _status(error)
    else:
        return redirect(f"/console/requests/{found.id}?done={done}", request)
    fresh = await run_in_threadpool(_record, request, found.id, session)
    if isinstance(fresh, Response):
        return fresh
    return await run_in_threadpool(_page, request, session, fresh, problem, form, status)


def _page(
    request: Request,
    session: Session,
    record: RequestRecord,
    problem: Problem | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
    done: str = "",
) -> Response:
    """The request page; after a refused action, with the problem and what was typed."""
    view = request_view(request, record)
    typed = form if problem is not None and form is not None else {}
    return page(
        request,
        "console/request.html",
        status,
        view=view,
        session=session,
        problem=problem,
        typed={k: v for k, v in typed.items() if k != "csrf"},
        done=done,
        can_decide=Scope.REQUESTS_DECIDE in session.staff.scopes,
    )


def _record(request: Request, identifier: str, session: Session) -> RequestRecord | Response:
    """The request ``identifier``, or the page saying there is none (404)."""
    try:
        return services(request).requests.show(identifier)
    except RequestError as error:
        malformed = "not a request id" in str(error)
        return page(
            request,
            "console/request.html",
            404,
            view=None,
            session=session,
            missing="malformed" if malformed else "unknown",
        )


def _status(error: TutelaError) -> int:
    """409 for a request whose state forbids the step, 422 for what to fix, 50x for outages."""
    if isinstance(error, IllegalTransition | RequestChanged | LedgerError | NotNow):
        return 409
    if isinstance(error, ConnectorError):
        return 502
    if isinstance(error, StoreError | ConfigurationError):
        return 503
    return 422


# --- the actions ------------------------------------------------------------------------


def _approve(given: Services, record: RequestRecord, form: dict[str, str], actor: str) -> str:
    given.requests.approve(record.id, actor=actor)
    return "approve"


def _deny(given: Services, record: RequestRecord, form: dict[str, str], actor: str) -> str:
    reason = _reason(form, "reason", MAX_REASON)
    excessive, unfounded = _ticked(form, "excessive"), _ticked(form, "unfounded")
    given.desk.deny(record.id, reason, excessive=excessive, unfounded=unfounded, actor=actor)
    return "deny"


def _extend(given: Services, record: RequestRecord, form: dict[str, str], actor: str) -> str:
    given.desk.extend(record.id, _reason(form, "reason", MAX_REASON), None, actor=actor)
    return "extend"


def _fee(given: Services, record: RequestRecord, form: dict[str, str], actor: str) -> str:
    amount, currency = _amount(form.get("amount", "")), _currency(form.get("currency", ""))
    basis = _reason(form, "basis", MAX_REASON)
    unfounded, further = _ticked(form, "unfounded"), _ticked(form, "further_copy")
    given.steps.fee(
        record.id, amount, currency, basis, unfounded=unfounded, further_copy=further, actor=actor
    )
    return "fee"


def _fee_paid(given: Services, record: RequestRecord, form: dict[str, str], actor: str) -> str:
    given.steps.fee_paid(record.id, actor=actor)
    return "fee_paid"


def _weigh(given: Services, record: RequestRecord, form: dict[str, str], actor: str) -> str:
    """Uphold the objection (approve) or deny it on compelling legitimate grounds (OB-1)."""
    if record.type != RequestType.OBJECTION or record.state != State.AWAITING_APPROVAL:
        raise NotNow(
            f"request {record.id} is a {record.type} request that is {record.state}: the "
            "weighing is for an objection under Art. 21(1) awaiting approval"
        )
    outcome = form.get("outcome", "")
    if outcome == "uphold":
        given.requests.approve(record.id, actor=actor)
        return "uphold"
    if outcome != "override":
        raise FieldProblem("outcome", "outcome")
    interest = _reason(form, "interest", LONGEST_INTEREST)
    balancing = _reason(form, "balancing", LONGEST_BALANCING)
    reason = (
        "Compelling legitimate grounds override the objection (Art. 21(1)). "
        f"Our interest: {interest} Balancing: {balancing}"
    )
    given.desk.deny(record.id, reason, actor=actor)
    return "override"


# --- the fields -------------------------------------------------------------------------


def _reason(form: dict[str, str], field: str, longest: int) -> str:
    """A free-text field as one line (white space runs made one space); FieldProblem if not."""
    text = " ".join(form.get(field, "").split())
    if "\ufffd" in text:
        raise FieldProblem(field, "encoding")
    if not text or len(text) > longest or not text.isprintable():
        raise FieldProblem(field, field)
    return text


def _ticked(form: dict[str, str], field: str) -> bool:
    """Whether the checkbox ``field`` was ticked (sent with the value ``yes``)."""
    return form.get(field) == "yes"


def _amount(value: str) -> str:
    """A fee's amount: a positive number with at most two decimals, below a million."""
    text = value.strip().replace(",", ".")
    try:
        number = Decimal(text) if 0 < len(text) <= 12 else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not 0 < number < 1_000_000:
        raise FieldProblem("amount", "amount")
    if number != number.quantize(Decimal("0.01")):
        raise FieldProblem("amount", "amount")
    return text


def _currency(value: str) -> str:
    """A fee's currency: three ASCII letters (ISO 4217), in capitals."""
    code = value.strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise FieldProblem("currency", "currency")
    return code
