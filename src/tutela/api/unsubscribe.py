"""One-click unsubscribe (RFC 8058) and consent receipts over HTTP.

``GET /u/{token}`` shows a small page with one button and changes nothing (mail scanners
follow links); ``POST /u/{token}`` unsubscribes: the RFC 8058 one-click POST
(``List-Unsubscribe=One-Click``, form-encoded) and the page's button alike. No API key:
the signed link is the authority. An altered link is 400, an expired one 410, a purpose
that no longer applies 404, each a problem document saying where to unsubscribe instead.

The subject downloads a choice's receipt with its signed link
(``GET /api/v1/consent/receipts/{event_id}?token=``); staff with ``decisions:read`` read
any (``GET /api/v1/staff/consent/receipts/{event_id}``).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException

from tutela.access.keys import Scope
from tutela.access.service import Staff
from tutela.api.auth import needs
from tutela.api.models import UUID_PATTERN
from tutela.api.problems import MEDIA_TYPE, TITLES, Problem, problem, responses
from tutela.api.services import services
from tutela.consent.receipts import Receipts, UnknownEvent
from tutela.consent.unsubscribe import (
    LinkExpired,
    LinkTampered,
    NothingToUnsubscribe,
    UnsubscribeError,
    Unsubscribing,
)

LARGEST_BODY = 4096
"""The largest unsubscribe POST body read, in bytes (413 beyond); RFC 8058's is 26."""

STATUS: dict[type[UnsubscribeError], int] = {
    LinkTampered: 400,
    NothingToUnsubscribe: 404,
    LinkExpired: 410,
}
"""HTTP status of each refusal of an unsubscribe link."""

HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
}
"""Headers of the pages: not cached, not indexed, no referrer (the token is in the URL)."""

_GONE: dict[int | str, dict[str, Any]] = {
    410: {"model": Problem, "description": "The link has expired"}
}
router = APIRouter(tags=["consent"], responses={**responses(), **_GONE})
Result = TypeVar("Result")
EventId = Annotated[str, Path(pattern=UUID_PATTERN, description="The choice event's id.")]
ReceiptToken = Annotated[str, Query(max_length=200, description="The receipt link's token.")]
Reader = Annotated[Staff, Depends(needs(Scope.DECISIONS_READ))]


def consent_links(request: Request) -> tuple[Unsubscribing, Receipts]:
    """The unsubscribe links and receipts of the app's programme, built on first use."""
    state = request.app.state
    found = getattr(state, "consent_links", None)
    if found is None:
        programme = state.decisions.programme  # the programme the app serves
        application = services(request).application
        found = (application.unsubscribing(programme), application.receipts(programme))
        state.consent_links = found
    return found


Links = Annotated[tuple[Unsubscribing, Receipts], Depends(consent_links)]


async def one_click_body(request: Request) -> bytes:
    """The POST body, read up to :data:`LARGEST_BODY` bytes (413 beyond); not needed."""
    declared = request.headers.get("content-length", "0")
    if not declared.isdigit() or int(declared) > LARGEST_BODY:
        raise HTTPException(413, f"an unsubscribe body is at most {LARGEST_BODY} bytes")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > LARGEST_BODY:
            raise HTTPException(413, f"an unsubscribe body is at most {LARGEST_BODY} bytes")
    return body


OneClick = Annotated[bytes, Depends(one_click_body)]


@router.get("/u/{token}", response_class=HTMLResponse, include_in_schema=False)
def page(token: str, links: Links) -> Response:
    """The page of an unsubscribe link: what the button does, and the button (no change)."""
    unsubscribing = links[0]
    try:
        ticket = unsubscribing.read(token)
        purpose = unsubscribing.purpose(ticket.purpose)
    except UnsubscribeError as error:
        return _refused(error)
    programme = unsubscribing.consent.programme
    sender = programme.organisation.known_as if programme.organisation else "us"
    body = (
        f"<h1>Unsubscribe</h1><p>Stop receiving <strong>{escape(purpose.name)}</strong> "
        f"from {escape(sender)}?</p>"
        f'<form method="post" action="/u/{escape(token, quote=True)}">'
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
        '<button type="submit">Unsubscribe</button></form>'
        "<p>Nothing changes until you press the button.</p>"
    )
    return HTMLResponse(_html("Unsubscribe", body), headers=HEADERS)


@router.post("/u/{token}", include_in_schema=False)
def unsubscribe(token: str, request: Request, links: Links, body: OneClick) -> Response:
    """Unsubscribe with one POST (RFC 8058, or the page's button); a second time, nothing."""
    try:
        done = links[0].unsubscribe(token)
    except UnsubscribeError as error:
        return _refused(error)
    text = done.message()
    if "text/html" in request.headers.get("accept", ""):
        page = _html("Unsubscribed", f"<h1>Unsubscribed</h1><p>{escape(text)}</p>")
        return HTMLResponse(page, headers=HEADERS)
    return PlainTextResponse(text + "\n", headers=HEADERS)


@router.get("/api/v1/consent/receipts/{event_id}")
def receipt(event_id: EventId, token: ReceiptToken, links: Links) -> Any:
    """The receipt of one of the subject's choices, behind its signed link (CO-2)."""
    return _found(lambda: links[1].download(event_id, token))


@router.get("/api/v1/staff/consent/receipts/{event_id}")
def staff_receipt(event_id: EventId, staff: Reader, links: Links) -> Any:
    """The receipt of any choice event, for staff with ``decisions:read`` (CO-2)."""
    return _found(lambda: links[1].receipt(event_id))


def _found(read: Callable[[], Result]) -> Result | JSONResponse:
    try:
        return read()
    except UnknownEvent as error:
        return problem(404, str(error))


def _refused(error: UnsubscribeError) -> JSONResponse:
    status = next((s for kind, s in STATUS.items() if isinstance(error, kind)), 422)
    title = "Link expired" if status == 410 else TITLES.get(status, "Error")
    document = Problem(title=title, status=status, detail=str(error)[:2000])
    content = document.model_dump(exclude_none=True)
    return JSONResponse(content, status_code=status, media_type=MEDIA_TYPE, headers=HEADERS)


def _html(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>body{{font-family:system-ui,sans-serif;"
        "max-width:34rem;margin:3rem auto;padding:0 1rem;line-height:1.5}"
        "button{font-size:1rem;padding:.6rem 1.4rem;cursor:pointer}</style></head>"
        f"<body>{body}</body></html>"
    )
