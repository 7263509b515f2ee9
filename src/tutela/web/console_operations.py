"""The console's operations: retention sweeps and legal holds, and the mail queue.

- ``GET /console/retention`` (``requests:read``): the latest sweeps, a row per rule and
  collection (RT-2: rule, counts, when), and the legal holds in force (RT-3: scope,
  owner, reason, review date), the lifted ones too with ``?lifted=1``.
- ``POST /console/retention/holds/{id}/lift`` (``requests:decide``, CSRF, a reason):
  lifts the hold through :class:`~tutela.retention.service.RetentionService`, which
  ledgers it and runs the erasure the hold kept back (ER-2). Holds are placed with
  ``tutela retention hold place``.
- ``GET /console/mail`` (``requests:read``): the privacy@ messages tutela could not
  classify, newest first (:mod:`tutela.web.console_mail`).

The consent statistics (:mod:`tutela.web.console_stats`) and the ledger page
(:mod:`tutela.web.console_ledger`) are routes of this module's ``router`` too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from tutela.access.keys import Scope
from tutela.errors import RequestError, StoreError
from tutela.retention.holds import MAX_REASON
from tutela.store.operations import SweepRecord, recent_sweeps
from tutela.web import console_ledger, console_mail, console_stats
from tutela.web.console_kit import (
    guarded,
    page,
    programme,
    redirect,
    services,
    session_form,
    staff_session,
)

if TYPE_CHECKING:
    from tutela.retention.holds import Hold
    from tutela.web.console_auth import Session

router = APIRouter(prefix="/console", include_in_schema=False)
for _module in (console_stats, console_ledger, console_mail):
    router.include_router(_module.router)

SWEEPS_SHOWN = 20
"""The latest sweeps the retention page lists."""
_HOLD_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_VERBS = ("deleted", "anonymised", "archived")


@dataclass(frozen=True)
class SweepLine:
    """One row of the sweeps table: a rule and collection of one sweep (or an open sweep)."""

    sweep: str
    at: datetime
    finished: bool
    dry_run: bool
    rule: str = ""
    collection: str = ""
    action: str = ""
    examined: int = 0
    affected: int = 0
    held: int = 0
    error: str | None = None


@dataclass(frozen=True)
class LiftError:
    """Why a lift was refused: the hold concerned (if known) and what to fix."""

    hold: str
    reason: str


@router.get("/retention")
def retention(request: Request) -> Response:
    """The latest sweeps and the holds in force (``?lifted=1``: the lifted ones too)."""
    session = staff_session(request, Scope.REQUESTS_READ)
    if isinstance(session, Response):
        return session
    return retention_page(request, session, lifted=request.query_params.get("lifted") == "1")


@router.post("/retention/holds/{hold_id}/lift")
async def lift(request: Request, hold_id: str) -> Response:
    """Lift an active hold with a reason (ledgered; owed erasures run), then back to the list."""
    session = await guarded(request, Scope.REQUESTS_DECIDE)
    if isinstance(session, Response):
        return session
    form = await session_form(request, session)
    if isinstance(form, Response):
        return form
    reason = form.get("reason", "").strip()
    refused = _refusal(hold_id, reason)
    if refused is None:
        service = services(request).application.retention(programme(request))
        try:
            await run_in_threadpool(
                service.lift_hold, hold_id, actor=session.staff.actor, reason=reason
            )
        except RequestError:
            refused = LiftError("", "unknown")
        except StoreError:
            return page(request, "console/retention.html", 503, session=session, **_empty())
        else:
            return redirect("/console/retention?lifted=1&done=lifted", request)
    status = 404 if refused.reason == "unknown" else 400
    return await run_in_threadpool(
        retention_page, request, session, lifted=False, status=status, error=refused
    )


def _refusal(hold_id: str, reason: str) -> LiftError | None:
    """What is wrong with a lift before asking the store: the id's form, the reason."""
    if not _HOLD_ID.fullmatch(hold_id):
        return LiftError("", "unknown")
    if not reason:
        return LiftError(hold_id, "reason_missing")
    if len(reason) > MAX_REASON:
        return LiftError(hold_id, "reason_long")
    if not reason.replace("\r\n", " ").replace("\n", " ").isprintable():
        return LiftError(hold_id, "reason_characters")
    return None


def retention_page(
    request: Request,
    session: Session,
    *,
    lifted: bool,
    status: int = 200,
    error: LiftError | None = None,
) -> Response:
    """The retention page (``error``: a refused lift, shown by its hold's form)."""
    application = services(request).application
    try:
        holds = application.retention(programme(request)).holds(include_lifted=lifted)
        sweeps = recent_sweeps(application.ledger().engine, SWEEPS_SHOWN)
    except StoreError:
        return page(request, "console/retention.html", 503, session=session, **_empty())
    today = application.clock.now().date()
    return page(
        request,
        "console/retention.html",
        status,
        session=session,
        holds=holds,
        overdue=[hold.id for hold in holds if _review_overdue(hold, today)],
        sweeps=[line for sweep in sweeps for line in sweep_lines(sweep)],
        lifted=lifted,
        may_lift=Scope.REQUESTS_DECIDE in session.staff.scopes,
        error=error,
        done=request.query_params.get("done") == "lifted" and error is None,
        most=MAX_REASON,
        unavailable=False,
    )


def _empty() -> dict[str, Any]:
    """The context of the page when the store cannot be read."""
    return {
        "holds": [],
        "overdue": [],
        "sweeps": [],
        "lifted": False,
        "may_lift": False,
        "error": None,
        "done": False,
        "most": MAX_REASON,
        "unavailable": True,
    }


def _review_overdue(hold: Hold, today: date) -> bool:
    return hold.active and hold.review_at is not None and hold.review_at < today


def sweep_lines(sweep: SweepRecord) -> list[SweepLine]:
    """The sweep's rows as the page lists them: one per (rule, collection), or one if open."""
    report = sweep.report
    if report is None or sweep.finished_at is None:
        return [SweepLine(sweep.id, sweep.started_at, False, False)]
    dry = bool(report.get("dry_run"))
    return [
        SweepLine(
            sweep.id,
            sweep.finished_at,
            True,
            dry,
            str(row.get("rule", "")),
            str(row.get("collection", "")),
            str(row.get("action", "")),
            int(row.get("examined", 0)),
            sum(int(row.get(verb, 0)) for verb in _VERBS),
            int(row.get("held", 0)),
            row.get("error"),
        )
        for row in report.get("rows", ())
    ] or [SweepLine(sweep.id, sweep.finished_at, True, dry)]
