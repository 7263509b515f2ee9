"""The API application: :func:`create_app` builds FastAPI over bootstrap's services.

OpenAPI at ``/openapi.json`` (every error documented as ``application/problem+json``),
interactive docs at ``/docs``. Routes only parse, call one service and format; the
services are built once here, from the :class:`~tutela.bootstrap.Application` and the
programme, and shared by every request (they are safe to share between threads).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tutela import __version__
from tutela.api import (
    consent,
    decisions,
    ledger,
    moderation,
    notice,
    problems,
    staff,
    subjects,
    unsubscribe,
)
from tutela.api.auth import MissingScope, Unauthenticated
from tutela.api.services import Services
from tutela.web import site

if TYPE_CHECKING:
    from pathlib import Path

    from tutela.access.limits import SubjectLimits
    from tutela.bootstrap import Application
    from tutela.programme.models import Programme

DESCRIPTION = (
    "Data-subject requests as a service: subjects submit and follow their requests with a "
    "status token; staff decide with API keys whose role grants scopes; the ledger proves "
    "every step. Errors are RFC 9457 problem details."
)


def create_app(
    application: Application,
    programme: Programme,
    *,
    limits: SubjectLimits | None = None,
    source: Path | None = None,
) -> FastAPI:
    """The API and pages for ``programme`` over ``application``'s store, mail and keys.

    The store must be at this tutela's schema (StoreError otherwise, before any route).
    ``limits`` are the subjects' submission limits (default: 5 per identity and 30 per
    address an hour). ``source`` is where ``programme`` was loaded from, when known: the
    console's check results then name files and lines.
    """
    application.ledger()  # refuse a store not at the head revision now, not on first call
    app = FastAPI(title="tutela", version=__version__, description=DESCRIPTION)
    app.state.services = _services(application, programme, limits)
    app.state.decisions = application.decision_point(programme)
    app.state.notice = application.notice_board(programme)
    app.state.programme = programme
    app.state.programme_source = source
    problems.install(app)
    app.add_exception_handler(Unauthenticated, _unauthenticated)
    app.add_exception_handler(MissingScope, _missing_scope)
    routers = (subjects.router, staff.router, ledger.router, decisions.router, subjects.links)
    for router in (*routers, consent.router, unsubscribe.router, notice.router, moderation.router):
        app.include_router(router)
    site.install(app)
    app.add_middleware(problems.Shield)
    _document(app)
    return app


def _services(
    application: Application, programme: Programme, limits: SubjectLimits | None
) -> Services:
    return Services(
        application=application,
        keys=application.key_service(),
        subjects=application.subject_desk(programme, limits),
        desk=application.staff_desk(programme),
        requests=application.request_service(programme),
        steps=application.staff_steps(programme),
        verification=application.verification(),
        ledger=application.ledger_proofs(),
        moderation=application.moderation_desk(),
    )


async def _unauthenticated(request: Request, error: Exception) -> JSONResponse:
    return problems.problem(
        401, "give a staff API key: Authorization: Bearer tk_... (see `tutela keys create`)"
    )


async def _missing_scope(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, MissingScope)
    return problems.problem(403, str(error), scope=str(error.scope))


def _document(app: FastAPI) -> None:
    """Serve the OpenAPI document with problem details on every error response."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = problems.document(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
