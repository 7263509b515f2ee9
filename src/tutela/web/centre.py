"""The privacy centre for data subjects: the statement at ``/``, in the programme's languages.

``GET /`` shows the current statement built from the programme (``tutela.statement``) in
the layers of WP260 ¶35-38: the summary first, the contents, then every section in full,
with the version and effective date. While a material change is announced and not yet in
force (``app.state.notice``, seed §13), a banner says so in advance, with its date.

Every version served is archived in tutela's store the first time it is shown, in each
language (:mod:`tutela.store.statements`, ledgered): ``GET /statement/versions`` lists the
change log with the archived versions, ``GET /statement/versions/{version}`` shows an
earlier version's full text as it was served (NT-1: earlier versions and what changed).

:func:`install` adds the routes and the ``/static`` files to the application.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse

from tutela.i18n import format_day, language
from tutela.statement.build import build_statement
from tutela.store.statements import SqlStatementArchive
from tutela.web.pages import negotiate_language, render, static_files

if TYPE_CHECKING:
    from tutela.programme.models import Programme
    from tutela.statement.view import StatementView

_LOCK = threading.Lock()
VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
"""What a version in a path may be; anything else is a page that is not there (404)."""

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class PendingChange:
    """An announced statement version not yet in force, as the banner shows it."""

    version: str
    day: str
    summary: tuple[str, ...]


def install(app: FastAPI) -> None:
    """Serve the privacy centre's pages and ``/static`` from ``app``."""
    app.include_router(router)
    app.mount("/static", static_files(), name="static")


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    """The current statement, summary first, with a banner for an announced change."""
    programme: Programme = request.app.state.programme
    chosen = negotiate_language(request, programme)
    view = current_statement(request, chosen)
    history = programme.statement is not None and bool(programme.statement.change_log)
    return render(
        request,
        "centre/statement.html",
        view=view,
        has_history=history,
        pending=pending_change(request.app.state.notice.current(), chosen),
    )


@router.get("/statement/versions", response_class=HTMLResponse)
def versions(request: Request) -> HTMLResponse:
    """The change log, newest first, each version linking to its archived full text."""
    programme: Programme = request.app.state.programme
    chosen = negotiate_language(request, programme)
    current_statement(request, chosen)  # the version in force is archived before listing
    archived = {v.version: v for v in _archive(request).versions(chosen)}
    log = programme.statement.change_log if programme.statement else []
    entries = sorted(log, key=lambda entry: entry.date, reverse=True)
    listed = {entry.version for entry in entries}
    others = [v for key, v in archived.items() if key not in listed]
    current = programme.statement.version if programme.statement else None
    return render(
        request,
        "centre/versions.html",
        entries=entries,
        archived=archived,
        others=others,
        current=current,
    )


@router.get("/statement/versions/{version}", response_class=HTMLResponse)
def earlier(request: Request, version: str) -> HTMLResponse:
    """An archived version's full text as it was served, in the page's language."""
    programme: Programme = request.app.state.programme
    chosen = negotiate_language(request, programme)
    current_statement(request, chosen)
    found = _archive(request).read(version, chosen) if VERSION.fullmatch(version) else None
    if found is None:
        return render(request, "centre/version_missing.html", status_code=404)
    about, view = found
    current = programme.statement.version if programme.statement else None
    return render(
        request, "centre/version.html", about=about, view=view, current=about.version == current
    )


def current_statement(request: Request, chosen: str) -> StatementView:
    """The statement in force in ``chosen``: built once per app, archived when first built."""
    state = request.app.state
    with _LOCK:
        built: dict[str, StatementView] = getattr(state, "statements", None) or {}
        state.statements = built
        view = built.get(chosen)
    if view is not None:
        return view
    programme: Programme = state.programme
    view = build_statement(programme, language=chosen)
    statement = programme.statement
    if statement is not None and statement.version:
        now = state.services.application.clock.now()
        _archive(request).publish(view, statement.version, statement.effective_date, now)
    with _LOCK:
        built[chosen] = view
    return view


def _archive(request: Request) -> SqlStatementArchive:
    return SqlStatementArchive(request.app.state.services.application.ledger())


def pending_change(notice: dict[str, Any] | None, chosen: str) -> PendingChange | None:
    """The notice of ``NoticeBoard.current()`` for the banner, its date in ``chosen``."""
    if notice is None:
        return None
    effective = datetime.fromisoformat(str(notice["effective_at"]))
    with language(chosen):
        day = format_day(effective.date())
    return PendingChange(str(notice["version"]), day, tuple(notice.get("summary") or ()))
