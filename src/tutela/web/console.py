"""The console for staff: login, logout and the request queue under ``/console/``.

Staff log in with a name and password (``tutela staff add-login``); an admin then gives
the 6-digit code of their authenticator app at ``/console/login/code`` (TOTP, within 5
minutes). Every form carries a CSRF token (double-submit before login, the pending login's
or the session's own after); sessions live in tutela's store, shared by every process,
and end after 30 minutes idle or 8 hours (:mod:`tutela.web.console_auth`). Roles are the
API's: the queue needs ``requests:read``. Without a session every console page redirects
to the login (303). Errors are pages that say what to do, never a traceback or what the
visitor sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from tutela.access import keys
from tutela.access.keys import AccessError, Scope
from tutela.access.logins import LoginThrottled, SecondStep
from tutela.web.console_auth import (
    COOKIE_PATH,
    CSRF_COOKIE,
    PENDING_COOKIE,
    SESSION_COOKIE,
    Pending,
    new_token,
    same_token,
)
from tutela.web.console_kit import (
    console,
    cookie,
    page,
    read_form,
    redirect,
    services,
    session_of,
    staff_session,
)

if TYPE_CHECKING:
    from tutela.access.service import Staff
    from tutela.requests.records import RequestRecord

router = APIRouter(prefix="/console", include_in_schema=False)
SOON_DAYS = 7
"""A request due within this many days is marked due soon."""
PAGE_SIZE = 200
"""Open requests shown on one page of the queue."""


@dataclass(frozen=True)
class QueueRow:
    """One open request of the queue: the record, its urgency and days left (negative: late)."""

    request: RequestRecord
    urgency: str
    days_left: int


def _login_page(request: Request, status: int = 200, error: str = "", name: str = "") -> Response:
    token = request.cookies.get(CSRF_COOKIE) or ""
    if len(token) != 43:
        token = new_token()
    response = page(request, "console/login.html", status, csrf=token, error=error, name=name)
    cookie(request, response, CSRF_COOKIE, token)
    return response


@router.get("/login")
def login_form(request: Request) -> Response:
    """The login form (a live session goes straight to the queue)."""
    if session_of(request) is not None:
        return redirect("/console/", request)
    return _login_page(request)


@router.post("/login")
async def login(request: Request) -> Response:
    """Check the CSRF token, the name's form and the password; open a session or say no."""
    form = await read_form(request)
    if form is None:
        return _login_page(request, 413, "too_large")
    if not same_token(request.cookies.get(CSRF_COOKIE), form.get("csrf")):
        return _login_page(request, 403, "csrf")
    name = form.get("name", "").strip()
    try:
        keys.key_name(name)
    except AccessError:
        return _login_page(request, 400, "name")
    logins = console(request).logins
    try:
        staff = await run_in_threadpool(logins.authenticate, name, form.get("password", ""))
    except LoginThrottled as refused:
        response = _login_page(request, 429, "throttled", name)
        response.headers["Retry-After"] = str(refused.retry_after)
        return response
    if staff is None:
        return _login_page(request, 401, "wrong", name)
    if isinstance(staff, SecondStep):
        return await run_in_threadpool(_second_step, request, staff)
    return await run_in_threadpool(_open_session, request, staff)


def _second_step(request: Request, step: SecondStep) -> Response:
    """An admin's right password: on to the code (or say what to run when not enrolled)."""
    if not step.enrolled:
        return _login_page(request, 403, "no_totp", step.name)
    response = redirect("/console/login/code", request)
    cookie(request, response, PENDING_COOKIE, console(request).sessions.begin(step.login_id))
    response.delete_cookie(CSRF_COOKIE, path=COOKIE_PATH)
    return response


def _open_session(request: Request, staff: Staff) -> Response:
    response = redirect("/console/", request)
    cookie(request, response, SESSION_COOKIE, console(request).sessions.open(staff))
    response.delete_cookie(CSRF_COOKIE, path=COOKIE_PATH)
    response.delete_cookie(PENDING_COOKIE, path=COOKIE_PATH)
    return response


def _expired(request: Request) -> Response:
    """The login form saying the pending login is gone (too old, used, or never begun)."""
    response = _login_page(request, 401, "expired")
    response.delete_cookie(PENDING_COOKIE, path=COOKIE_PATH)
    return response


def _code_page(request: Request, pending: Pending, status: int = 200, error: str = "") -> Response:
    return page(request, "console/login_code.html", status, csrf=pending.csrf, error=error)


@router.get("/login/code")
def code_form(request: Request) -> Response:
    """The second step of an admin's login: the TOTP code (a login too old starts again)."""
    pending = console(request).sessions.awaiting(request.cookies.get(PENDING_COOKIE))
    if pending is None:
        return _expired(request)
    return _code_page(request, pending)


@router.post("/login/code")
async def confirm_code(request: Request) -> Response:
    """Check the pending login, its CSRF token and the code; open the admin's session or say no."""
    token, sessions = request.cookies.get(PENDING_COOKIE), console(request).sessions
    pending = await run_in_threadpool(sessions.awaiting, token)
    if pending is None:
        return _expired(request)
    form = await read_form(request)
    if form is None:
        return _code_page(request, pending, 413, "too_large")
    if not same_token(pending.csrf, form.get("csrf")):
        return _code_page(request, pending, 403, "csrf")
    code = form.get("code", "").strip()
    try:
        staff = await run_in_threadpool(console(request).logins.confirm, pending.login_id, code)
    except LoginThrottled as refused:
        response = _code_page(request, pending, 429, "throttled")
        response.headers["Retry-After"] = str(refused.retry_after)
        return response
    if staff is None:
        return _code_page(request, pending, 401, "wrong")
    if not await run_in_threadpool(sessions.finish, token):
        return _expired(request)
    return await run_in_threadpool(_open_session, request, staff)


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End the session (the form's token must be the session's) and go back to the login."""
    session = await run_in_threadpool(session_of, request)
    if session is None:
        return redirect("/console/login", request)
    form = await read_form(request)
    if form is None or not same_token(session.csrf, form.get("csrf")):
        return page(request, "console/refused.html", 403, reason="csrf")
    console(request).sessions.close(request.cookies.get(SESSION_COOKIE))
    response = redirect("/console/login", request)
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    return response


@router.get("/")
def queue(request: Request) -> Response:
    """The open requests, earliest due first, overdue and due soon marked in words.

    :data:`PAGE_SIZE` a page (``?page=2``...): one indexed query on state and due date.
    """
    session = staff_session(request, Scope.REQUESTS_READ)
    if isinstance(session, Response):
        return session
    number = _page_number(request.query_params.get("page", "1"))
    now = services(request).application.clock.now()
    offset = (number - 1) * PAGE_SIZE
    found = services(request).requests.open_requests(PAGE_SIZE + 1, offset)
    rows = [_row(record, now) for record in found[:PAGE_SIZE]]
    more = len(found) > PAGE_SIZE
    return page(request, "console/queue.html", rows=rows, session=session, number=number, more=more)


def _page_number(text: str) -> int:
    """The queue's page asked for: a whole number from 1 (anything else is page 1)."""
    if not text.isascii() or not text.isdigit() or len(text) > 6:
        return 1
    return max(1, int(text))


def _row(record: RequestRecord, now: datetime) -> QueueRow:
    left = (record.due_date - _today(record.zone, now)).days
    urgency = "overdue" if left < 0 else "due_soon" if left <= SOON_DAYS else "open"
    return QueueRow(record, urgency, left)


def _today(zone: str, now: datetime) -> date:
    try:
        return now.astimezone(ZoneInfo(zone)).date()
    except (ValueError, KeyError):
        return now.date()
