"""The console for staff: login, logout and the request queue under ``/console/``.

Staff log in with a name and password (``tutela staff add-login``); every form carries a
CSRF token (double-submit before login, the session's own after); sessions end after 30
minutes idle or 8 hours (:mod:`tutela.web.console_auth`). Roles are the API's: the queue
needs ``requests:read``. Without a session every console page redirects to the login
(303). Errors are pages that say what to do, never a traceback or what the visitor sent.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from tutela.access import keys
from tutela.access.keys import AccessError, Scope
from tutela.access.logins import LoginService, LoginThrottled
from tutela.requests.states import State
from tutela.web.console_auth import (
    COOKIE_PATH,
    CSRF_COOKIE,
    SESSION_COOKIE,
    Session,
    Sessions,
    new_token,
    same_token,
)
from tutela.web.pages import render, secure

if TYPE_CHECKING:
    from tutela.bootstrap import Application
    from tutela.requests.records import RequestRecord

router = APIRouter(prefix="/console", include_in_schema=False)
LONGEST_FORM = 8 * 1024
"""Bytes of a console form read; a larger body is refused (413) unread."""
SOON_DAYS = 7
"""A request due within this many days is marked due soon."""
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Console:
    """What the console's routes share in one app: the logins and the sessions."""

    logins: LoginService
    sessions: Sessions


@dataclass(frozen=True)
class QueueRow:
    """One open request of the queue: the record, its urgency and days left (negative: late)."""

    request: RequestRecord
    urgency: str
    days_left: int


def console(request: Request) -> Console:
    """The console of the app serving ``request``, built on first use from its application."""
    state = request.app.state
    with _LOCK:
        found = getattr(state, "console", None)
        if not isinstance(found, Console):
            found = _build(state.services.application)
            state.console = found
    return found


def _build(application: Application) -> Console:
    from tutela.store.console import login_service

    logins = login_service(application.ledger(), application.clock)
    return Console(logins, Sessions(application.clock))


def _session(request: Request) -> Session | None:
    return console(request).sessions.find(request.cookies.get(SESSION_COOKIE))


def _to(path: str, request: Request) -> RedirectResponse:
    lang = request.query_params.get("lang", "")
    suffix = f"?lang={lang}" if lang.isalpha() and len(lang) < 9 else ""
    response = RedirectResponse(f"{path}{suffix}", status_code=303)
    response.headers["Cache-Control"] = "no-store"
    secure(response)
    return response


def _page(request: Request, template: str, status: int = 200, **context: object) -> Response:
    response = render(request, template, status_code=status, **context)
    response.headers["Cache-Control"] = "no-store"
    return response


def _cookie(request: Request, response: Response, name: str, value: str) -> None:
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path=COOKIE_PATH,
    )


async def _form(request: Request) -> dict[str, str] | None:
    """The url-encoded form of ``request`` (first value of each field), None when too large."""
    declared = request.headers.get("content-length", "0")
    if not declared.isdigit() or int(declared) > LONGEST_FORM:
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > LONGEST_FORM:
            return None
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0] for name, values in fields.items() if values}


def _login_page(request: Request, status: int = 200, error: str = "", name: str = "") -> Response:
    token = request.cookies.get(CSRF_COOKIE) or ""
    if len(token) != 43:
        token = new_token()
    response = _page(request, "console/login.html", status, csrf=token, error=error, name=name)
    _cookie(request, response, CSRF_COOKIE, token)
    return response


@router.get("/login")
def login_form(request: Request) -> Response:
    """The login form (a live session goes straight to the queue)."""
    if _session(request) is not None:
        return _to("/console/", request)
    return _login_page(request)


@router.post("/login")
async def login(request: Request) -> Response:
    """Check the CSRF token, the name's form and the password; open a session or say no."""
    form = await _form(request)
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
    response = _to("/console/", request)
    _cookie(request, response, SESSION_COOKIE, console(request).sessions.open(staff))
    response.delete_cookie(CSRF_COOKIE, path=COOKIE_PATH)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End the session (the form's token must be the session's) and go back to the login."""
    session = _session(request)
    if session is None:
        return _to("/console/login", request)
    form = await _form(request)
    if form is None or not same_token(session.csrf, form.get("csrf")):
        return _page(request, "console/refused.html", 403, reason="csrf")
    console(request).sessions.close(request.cookies.get(SESSION_COOKIE))
    response = _to("/console/login", request)
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    return response


@router.get("/")
def queue(request: Request) -> Response:
    """The open requests, earliest due first, overdue and due soon marked in words."""
    session = _session(request)
    if session is None:
        return _to("/console/login", request)
    if Scope.REQUESTS_READ not in session.staff.scopes:
        return _page(request, "console/refused.html", 403, reason="scope", session=session)
    now = request.app.state.services.application.clock.now()
    found = request.app.state.services.requests.list()
    rows = [_row(record, now) for record in found if not State(record.state).is_final]
    return _page(request, "console/queue.html", rows=rows, session=session)


def _row(record: RequestRecord, now: datetime) -> QueueRow:
    left = (record.due_date - _today(record.zone, now)).days
    urgency = "overdue" if left < 0 else "due_soon" if left <= SOON_DAYS else "open"
    return QueueRow(record, urgency, left)


def _today(zone: str, now: datetime) -> date:
    try:
        return now.astimezone(ZoneInfo(zone)).date()
    except (ValueError, KeyError):
        return now.date()
