"""The privacy centre for data subjects: the statement at ``/``, in the programme's languages.

``GET /`` shows the current statement built from the programme (``tutela.statement``) in
the layers of WP260 ¶35-38: the summary first, the contents, then every section in full,
with the version and effective date; the change log (the ``modifications`` section) lists
earlier versions and what changed (NT-1). While a material change is announced and not yet
in force (``app.state.notice``, seed §13), a banner says so in advance, with its date.

:func:`install` adds the routes and the ``/static`` files to the application.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse

from tutela.i18n import format_day, language
from tutela.statement.build import build_statement
from tutela.web.pages import negotiate_language, render, static_files

if TYPE_CHECKING:
    from tutela.programme.models import Programme

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
    view = build_statement(programme, language=chosen)
    history = programme.statement is not None and bool(programme.statement.change_log)
    return render(
        request,
        "centre/statement.html",
        view=view,
        has_history=history,
        pending=pending_change(request.app.state.notice.current(), chosen),
    )


def pending_change(notice: dict[str, Any] | None, chosen: str) -> PendingChange | None:
    """The notice of ``NoticeBoard.current()`` for the banner, its date in ``chosen``."""
    if notice is None:
        return None
    effective = datetime.fromisoformat(str(notice["effective_at"]))
    with language(chosen):
        day = format_day(effective.date())
    return PendingChange(str(notice["version"]), day, tuple(notice.get("summary") or ()))
