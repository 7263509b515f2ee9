"""What the privacy centre's request pages share: CSRF, the status token's cookie, refusals.

Every form of these pages carries a double-submit token (the cookie :data:`CSRF_COOKIE`
and a hidden ``csrf`` field that must be equal, as the console's login). The status
token that authorises a subject's request (``SubjectDesk``) never travels in a URL
tutela writes: it is kept in the cookie :data:`STATUS_COOKIE`, ``HttpOnly``,
``SameSite=Lax``, scoped to ``/request/{id}``. A request the visitor may not see gets
one page, "we cannot show this request", whether or not the id exists: a malformed id is
404, a well-formed id without its token 403 (a token is checked by its signature, before
the store is read).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from fastapi import Request, Response

from tutela.access.subjects import TokenError
from tutela.requests.sealing import STATUS_TOKEN_LIFE
from tutela.web.console_auth import new_token, same_token
from tutela.web.console_kit import page, read_form, services

if TYPE_CHECKING:
    from collections.abc import Mapping

CSRF_COOKIE = "tutela_centre_csrf"
STATUS_COOKIE = "tutela_status"
LONGEST_FORM = 32 * 1024
"""Bytes of a centre form read; a larger body is refused (413) unread."""
_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_TOKEN_LENGTH = 43


def csrf_token(request: Request) -> str:
    """The visitor's double-submit token: the cookie's when it looks like one, else a new one."""
    token = request.cookies.get(CSRF_COOKIE) or ""
    return token if len(token) == _TOKEN_LENGTH else new_token()


def set_csrf(request: Request, response: Response, token: str) -> Response:
    """Set the double-submit cookie to ``token`` on ``response`` (path ``/``) and return it."""
    response.set_cookie(
        CSRF_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


async def checked_form(request: Request) -> dict[str, str] | str:
    """The posted form when its size and CSRF token are right; else ``too_large`` or ``csrf``."""
    form = await read_form(request, LONGEST_FORM)
    if form is None:
        return "too_large"
    if not same_token(request.cookies.get(CSRF_COOKIE), form.get("csrf")):
        return "csrf"
    return form


def keep_status_token(request: Request, response: Response, request_id: str, token: str) -> None:
    """Keep ``token`` in the cookie of ``/request/{request_id}`` (never in a URL)."""
    response.set_cookie(
        STATUS_COOKIE,
        token,
        max_age=int(STATUS_TOKEN_LIFE.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path=f"/request/{request_id}",
    )


def authorised(request: Request, identifier: str) -> str | Response:
    """The request id the visitor's status cookie opens, or the "cannot show" page.

    A malformed id is 404; a well-formed one with a missing, altered or foreign token 403.
    The same page either way, so it never tells whether a request exists.
    """
    if not _ID.fullmatch(identifier):
        return cannot_show(request, 404)
    token = request.cookies.get(STATUS_COOKIE)
    try:
        return services(request).subjects.check_token(identifier, token)
    except TokenError:
        return cannot_show(request, 403)


def cannot_show(request: Request, status: int) -> Response:
    """The one page for a request the visitor may not see (unknown, no token, wrong token)."""
    return page(request, "centre/request_refused.html", status, reason="cannot_show")


def refused(request: Request, status: int, reason: str, **context: object) -> Response:
    """A refusal page saying ``reason`` in words (403, 409, 413, 503...).

    ``reason`` is ``csrf``, ``too_large``, ``not_withdrawable`` or ``unavailable``;
    ``back`` in ``context`` is the page to go back to.
    """
    return page(request, "centre/request_refused.html", status, reason=reason, **context)


def throttled(response: Response, retry_after: int) -> Response:
    """``response`` with ``Retry-After`` set (the page says the wait in words)."""
    response.headers["Retry-After"] = str(max(1, retry_after))
    return response


def wait_minutes(seconds: int) -> int:
    """A wait of ``seconds`` in whole minutes, at least one (the page writes it in words)."""
    return max(1, round(seconds / 60))


def prefers_html(accept: str) -> bool:
    """Whether an ``Accept`` header asks a page before JSON (a browser following a link).

    ``*/*`` alone, or JSON ranked at least as high as HTML, keeps JSON.
    """
    ranks = _ranks(accept[:1024])
    html = ranks.get("text/html", 0.0)
    return html > 0 and html > ranks.get("application/json", 0.0)


def _ranks(accept: str) -> Mapping[str, float]:
    found: dict[str, float] = {}
    for part in accept.split(","):
        kind, _sep, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                quality = _quality(value)
        found[kind.strip().lower()] = max(found.get(kind.strip().lower(), 0.0), quality)
    return found


def _quality(value: str) -> float:
    try:
        quality = float(value.strip())
    except ValueError:
        return 0.0
    return quality if 0 <= quality <= 1 else 0.0
