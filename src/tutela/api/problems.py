"""Every error as an RFC 9457 problem document (``application/problem+json``), one table.

:data:`STATUS` maps tutela's error types to HTTP statuses as the CLI's exit codes map
them (the most specific type wins): a request that cannot be handled as asked is 422,
an illegal transition or a concurrent change 409, an unknown request 404, too many
codes or submissions 429 with ``Retry-After``, a missing or wrong status token 403, a
store or configuration that fails 503. Pydantic's validation errors are 422 with
``errors: [{field, message}]`` naming each field at fault. Anything else is a bug: 500
with a fixed text, logged on the server, never a stack trace or exception text.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tutela.access.keys import AccessError
from tutela.access.limits import Throttled
from tutela.access.subjects import CodeRefused, TokenError
from tutela.discovery.moderation_queue import DecisionConflict, UnknownPost
from tutela.errors import (
    ConfigurationError,
    ConnectorError,
    PolicyError,
    PolicyErrors,
    RequestError,
    StoreError,
    TutelaError,
)
from tutela.ledger.merkle import ProofError
from tutela.ledger.verifier import BundleError
from tutela.requests.sealing import LinkError, SealError
from tutela.requests.states import IllegalTransition
from tutela.requests.verification import RateLimited
from tutela.store.ledger_audit import LedgerError
from tutela.store.requests import RequestChanged
from tutela.web.pages import render

MEDIA_TYPE = "application/problem+json"
LOG = logging.getLogger("tutela.api")
LARGEST_BODY = 1_000_000
"""The largest request body accepted, in bytes (413 beyond)."""

STATUS: dict[type[Exception], int] = {
    RateLimited: 429,
    Throttled: 429,
    IllegalTransition: 409,
    DecisionConflict: 409,
    UnknownPost: 404,
    RequestChanged: 409,
    LedgerError: 409,
    TokenError: 403,
    LinkError: 403,
    SealError: 503,
    BundleError: 404,
    ProofError: 422,
    CodeRefused: 422,
    AccessError: 422,
    RequestError: 422,
    ConnectorError: 502,
    StoreError: 503,
    ConfigurationError: 503,
    PolicyError: 503,
    PolicyErrors: 503,
    TutelaError: 422,
}
"""HTTP status per error type (the most specific type in the table wins)."""

TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    422: "Unprocessable request",
    429: "Too many requests",
    500: "Internal error",
    502: "A system did not answer",
    503: "Service unavailable",
}
DOCUMENTED = (400, 401, 403, 404, 409, 413, 422, 429, 500, 502, 503)
"""The problem statuses every operation documents."""


class FieldProblem(BaseModel):
    """One field at fault: where it is (``body.identity.email``) and what is wrong."""

    field: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document, with tutela's extensions when they apply."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldProblem] | None = None
    scope: str | None = None
    attempts_left: int | None = None
    retry_after: int | None = None


def status_of(error: TutelaError) -> int:
    """The HTTP status of ``error`` (404 for a request or answer that does not exist)."""
    text = str(error)
    if isinstance(error, RequestError) and (
        text.startswith("no request ") or "has no answer yet" in text
    ):
        return 404
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 422


def problem(status: int, detail: str | None = None, **extra: Any) -> JSONResponse:
    """A problem response of ``status`` with ``detail`` and extension members."""
    body = Problem(title=TITLES.get(status, "Error"), status=status, detail=detail, **extra)
    headers = {}
    if body.retry_after is not None:
        headers["Retry-After"] = str(body.retry_after)
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="tutela"'
    content = body.model_dump(exclude_none=True)
    return JSONResponse(content, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def tutela_problem(error: TutelaError) -> JSONResponse:
    """The problem response of a tutela error (its message is written for the caller)."""
    status = status_of(error)
    extra: dict[str, Any] = {}
    if status == 429:
        extra["retry_after"] = int(getattr(error, "retry_after", 60))
    if isinstance(error, CodeRefused):
        extra["attempts_left"] = error.attempts_left
    if status >= 500:
        LOG.warning("%s answered %s", type(error).__name__, status)
    return problem(status, str(error)[:2000], **extra)


def install(app: FastAPI) -> None:
    """Answer every error of ``app`` with a problem document."""

    async def on_tutela(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, TutelaError)
        return tutela_problem(error)

    async def on_validation(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return problem(422, "the request is not valid: see errors", errors=_fields(error))

    async def on_http(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        if error.status_code in (404, 405) and _wants_page(request):
            return render(request, "not_found.html", status_code=error.status_code)
        detail = error.detail if isinstance(error.detail, str) else None
        return problem(error.status_code, detail)

    app.add_exception_handler(TutelaError, on_tutela)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)


def _wants_page(request: Request) -> bool:
    """Whether a person's browser asked: a path outside the API accepting HTML."""
    outside = not request.url.path.startswith(("/api/", "/openapi", "/docs"))
    return outside and "text/html" in request.headers.get("accept", "")


def _fields(error: RequestValidationError) -> list[dict[str, str]]:
    """Each error as ``{field, message}``; the value given is never repeated."""
    found = []
    for item in error.errors()[:20]:
        field = ".".join(str(part) for part in item.get("loc", ()))[:200]
        found.append({"field": field or "body", "message": str(item.get("msg", ""))[:300]})
    return found


class Shield:
    """ASGI middleware: a body over :data:`LARGEST_BODY` is refused unread (413); a bug is 500.

    The 500 says only that the error is logged: the exception and its stack stay in the log.
    """

    def __init__(self, app: ASGIApp, largest: int = LARGEST_BODY) -> None:
        self.app, self.largest = app, largest

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse a declared length over the limit; answer any escaped exception with a 500."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or ()).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > self.largest:
            response = problem(413, f"a request body is at most {self.largest} bytes")
            await response(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as error:  # the last resort: a bug, logged, never shown
            LOG.error("internal error on %s", scope.get("path", "?")[:200], exc_info=error)
            if not started:
                await problem(500, "an internal error: it is logged; please report it")(
                    scope, receive, send
                )


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document with every error response as ``application/problem+json``."""
    reference = {"$ref": "#/components/schemas/Problem"}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                if status[:1] in ("4", "5"):
                    response["content"] = {MEDIA_TYPE: {"schema": reference}}
    schemas = schema.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return schema


def responses() -> dict[int | str, dict[str, Any]]:
    """The problem responses an operation documents (see :func:`document`)."""
    return {status: {"model": Problem, "description": TITLES[status]} for status in DOCUMENTED}
