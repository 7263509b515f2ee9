"""What every console page shares: the session guard, forms with their CSRF token, redirects.

A console route starts with :func:`staff_session` (a redirect to the login without a
session, a refusal page without the scope) and, for a POST, :func:`session_form` (the
url-encoded form, refused when too large or when its ``csrf`` field is not the
session's token). Pages are rendered with :func:`page` (never cached) and actions end
with :func:`redirect` (303, keeping ``?lang=``). The console's logins and sessions are
built once per app by :func:`console`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from tutela.access.keys import Scope
from tutela.web.console_auth import COOKIE_PATH, SESSION_COOKIE, Session, Sessions, same_token
from tutela.web.pages import render, secure
from tutela.web.services import Services

if TYPE_CHECKING:
    from tutela.access.logins import LoginService
    from tutela.bootstrap import Application
    from tutela.programme.models import Programme

LONGEST_FORM = 8 * 1024
"""Bytes of a console form read; a larger body is refused (413) unread."""
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Console:
    """What the console's routes share in one app: the logins and the sessions."""

    logins: LoginService
    sessions: Sessions


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
    from tutela.store.console_sessions import SqlSessionStore

    ledger = application.ledger()
    logins = login_service(ledger, application.clock, application.store_key())
    return Console(logins, Sessions(SqlSessionStore(ledger.engine), application.clock))


def services(request: Request) -> Services:
    """The API's services of the app serving ``request`` (the console calls the same ones)."""
    found: Services = request.app.state.services
    return found


def programme(request: Request) -> Programme:
    """The programme the app serves."""
    found: Programme = request.app.state.programme
    return found


def session_of(request: Request) -> Session | None:
    """The live session of ``request``'s cookie, or None."""
    return console(request).sessions.find(request.cookies.get(SESSION_COOKIE))


def staff_session(request: Request, scope: Scope) -> Session | Response:
    """The session of ``request`` when it grants ``scope``; else the answer to return.

    No session: a 303 to the login. A session without ``scope``: the refusal page (403).
    """
    session = session_of(request)
    if session is None:
        return redirect("/console/login", request)
    if scope not in session.staff.scopes:
        return page(request, "console/refused.html", 403, reason="scope", session=session)
    return session


async def guarded(request: Request, scope: Scope) -> Session | Response:
    """:func:`staff_session` for an async route: the store is read in a worker thread."""
    return await run_in_threadpool(staff_session, request, scope)


async def session_form(request: Request, session: Session) -> dict[str, str] | Response:
    """The form of a POST by ``session``; a refusal page when too large or its token is wrong."""
    form = await read_form(request)
    if form is None:
        return page(request, "console/refused.html", 413, reason="too_large", session=session)
    if not same_token(session.csrf, form.get("csrf")):
        return page(request, "console/refused.html", 403, reason="csrf", session=session)
    return form


def redirect(path: str, request: Request) -> RedirectResponse:
    """A 303 to ``path`` (a local path, with or without a query), keeping ``?lang=``."""
    lang = request.query_params.get("lang", "")
    if lang.isalpha() and len(lang) < 9:
        path = f"{path}{'&' if '?' in path else '?'}lang={lang}"
    response = RedirectResponse(path, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    secure(response)
    return response


def page(request: Request, template: str, status: int = 200, **context: object) -> Response:
    """``template`` rendered (see :func:`tutela.web.pages.render`), never cached."""
    response = render(request, template, status_code=status, **context)
    response.headers["Cache-Control"] = "no-store"
    return response


def cookie(request: Request, response: Response, name: str, value: str) -> None:
    """Set the console cookie ``name``: HttpOnly, SameSite=Lax, Secure over https."""
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path=COOKIE_PATH,
    )


async def read_form(request: Request, longest: int = LONGEST_FORM) -> dict[str, str] | None:
    """The url-encoded form of ``request`` (first value of each field), None when too large."""
    declared = request.headers.get("content-length", "0")
    if not declared.isdigit() or int(declared) > longest:
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > longest:
            return None
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0] for name, values in fields.items() if values}
