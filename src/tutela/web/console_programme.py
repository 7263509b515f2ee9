"""The console's programme views: the data map, the records of processing, the checks.

Every page needs the ``requests:read`` scope (every role has it) and shows the programme
the app serves, never a subject's data:

- ``GET /console/map``: the data map (:mod:`tutela.web.datamap`) as an SVG graph laid out
  on the server, with tables below it as its accessible alternative; ``?focus=`` keeps
  one purpose (``purpose:KEY``) or category group (``category:GROUP``) in view.
  ``/static/datamap.js`` makes it interactive.
- ``GET /console/records``: the records of processing of Art. 30(1) and 30(2) (RP-1) as
  tables; ``GET /console/records/export?format=csv|json|html|xlsx`` downloads the file
  ``tutela records export`` writes (CSV: the zip of both tables).
- ``GET /console/checks``: what ``tutela check`` finds, counted by severity;
  ``GET /console/checks/sarif`` the same as SARIF 2.1.0. The checks run once per app, on
  first use, in a worker thread (the programme does not change while it is served).

A value the page does not offer (an unknown focus or format) is refused with 400 and a
page saying what to choose; it is never echoed back.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response

from tutela import __version__
from tutela.access.keys import Scope
from tutela.checks import format_path, registry, render_sarif, run_checks
from tutela.errors import PolicyErrors, TutelaError
from tutela.i18n import language
from tutela.programme.loader import LoadedProgramme, load
from tutela.records.build import build_records
from tutela.records.exports import ExportFormat, export_files
from tutela.web.console_kit import page, programme, services, staff_session
from tutela.web.datamap import NODE_HEIGHT, NODE_WIDTH, data_map
from tutela.web.pages import negotiate_language, secure

if TYPE_CHECKING:
    from tutela.bootstrap import Application
    from tutela.checks import Finding
    from tutela.programme.models import Programme
    from tutela.records.build import Records

router = APIRouter(prefix="/console", include_in_schema=False)

EXPORTS: dict[str, tuple[str, str]] = {
    "csv": ("application/zip", "zip"),
    "json": ("application/json", "json"),
    "html": ("text/html; charset=utf-8", "html"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
"""Each export format: its media type and the file name's extension (CSV is a zip of both)."""
SARIF_TYPE = "application/sarif+json"
_CHECKS_LOCK = threading.Lock()


@dataclass(frozen=True)
class Located:
    """A finding as the checks page shows it: where it is, as ``file:line``, and its path."""

    finding: Finding
    where: str
    path: str


@dataclass(frozen=True)
class CheckResults:
    """The findings of ``tutela check`` on the served programme, worked out once per app.

    ``located`` says whether the programme's folder was found (``TUTELA_PROGRAMME``): only
    then do findings name a file and line.
    """

    findings: tuple[Located, ...]
    sarif: str
    rule_count: int
    located: bool

    def count(self, severity: str) -> int:
        """How many findings have ``severity``."""
        return sum(1 for item in self.findings if item.finding.severity == severity)


# --- the data map -----------------------------------------------------------------------------


@router.get("/map")
def data_map_page(request: Request) -> Response:
    """The data map: the SVG graph, the filter, and the same facts as tables."""
    session = staff_session(request, Scope.REQUESTS_READ)
    if isinstance(session, Response):
        return session
    served = programme(request)
    with language(negotiate_language(request, served)):
        drawn = data_map(served)
    focus = request.query_params.get("focus", "")
    status, error = 200, ""
    if focus and focus not in {node.id for node in drawn.filters()}:
        status, error, focus = 400, "focus", ""
    return page(
        request,
        "console/map.html",
        status,
        datamap=drawn,
        focus=focus,
        kept=drawn.kept(focus),
        node_width=NODE_WIDTH,
        node_height=NODE_HEIGHT,
        error=error,
        session=session,
    )


# --- the records of processing ----------------------------------------------------------------


@router.get("/records")
def records_page(request: Request) -> Response:
    """The controller and processor records (Art. 30(1)-(2)) as tables, with the exports."""
    session = staff_session(request, Scope.REQUESTS_READ)
    if isinstance(session, Response):
        return session
    return _records_page(request, session=session)


@router.get("/records/export")
def records_export(request: Request) -> Response:
    """The records as a file to download, as ``tutela records export`` writes it."""
    session = staff_session(request, Scope.REQUESTS_READ)
    if isinstance(session, Response):
        return session
    chosen = request.query_params.get("format", "")
    if chosen not in EXPORTS:
        return _records_page(request, 400, "format", session=session)
    try:
        records = _records(request)
    except PolicyErrors:
        return _records_page(request, 409, session=session)
    media_type, extension = EXPORTS[chosen]
    name = f"records-{records.generated_on.isoformat()}.{extension}"
    (content,) = export_files(records, ExportFormat(chosen), Path(name)).values()
    return _download(content, media_type, name)


def _records_page(
    request: Request, status: int = 200, error: str = "", **context: object
) -> Response:
    problems: tuple[str, ...] = ()
    records: Records | None = None
    try:
        records = _records(request)
    except PolicyErrors as refused:
        problems = tuple(problem.message for problem in refused.errors)
        status = max(status, 409)
    checks = check_results(request)
    return page(
        request,
        "console/records.html",
        status,
        records=records,
        problems=problems,
        check_errors=checks.count("error") if checks else 0,
        formats=tuple(EXPORTS),
        error=error,
        **context,
    )


def _records(request: Request) -> Records:
    """The records of the served programme, dated today (the application's clock)."""
    today = services(request).application.clock.now().date()
    return build_records(programme(request), generated_on=today)


def _download(content: bytes, media_type: str, name: str) -> Response:
    response = Response(content, media_type=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    secure(response)
    return response


# --- the checks -----------------------------------------------------------------------------


@router.get("/checks")
def checks_page(request: Request) -> Response:
    """What ``tutela check`` finds in the served programme, counted by severity."""
    session = staff_session(request, Scope.REQUESTS_READ)
    if isinstance(session, Response):
        return session
    results = check_results(request)
    status = 200 if results is not None else 500
    return page(request, "console/checks.html", status, results=results, session=session)


@router.get("/checks/sarif")
def checks_sarif(request: Request) -> Response:
    """The findings as a SARIF 2.1.0 log, as ``tutela check --format sarif`` prints it."""
    session = staff_session(request, Scope.REQUESTS_READ)
    if isinstance(session, Response):
        return session
    results = check_results(request)
    if results is None:
        return page(request, "console/checks.html", 500, results=None, session=session)
    return _download(results.sarif.encode(), SARIF_TYPE, "tutela-check.sarif")


def check_results(request: Request) -> CheckResults | None:
    """The app's check results, worked out on first use; None when a rule cannot run.

    Called from sync routes (a worker thread). A failure is not kept: the next page
    tries again.
    """
    state = request.app.state
    with _CHECKS_LOCK:
        found = getattr(state, "programme_checks", None)
        if not isinstance(found, CheckResults):
            try:
                source = getattr(state, "programme_source", None)
                found = _run_checks(services(request).application, programme(request), source)
            except TutelaError:
                return None
            state.programme_checks = found
    return found


def _run_checks(
    application: Application, served: Programme, source: Path | None = None
) -> CheckResults:
    rules = registry().select()
    loaded = _loaded(source or application.settings.programme, served)
    today = application.clock.now().date()
    findings = run_checks(loaded, today=today, rules=rules)
    sarif = render_sarif(
        findings, {item.id: item for item in rules}, version=__version__, base=Path.cwd()
    )
    located = bool(loaded.locations)
    return CheckResults(
        tuple(
            Located(f, _where(f, loaded.root) if located else "", format_path(f.path))
            for f in findings
        ),
        sarif,
        len(rules),
        located,
    )


def _loaded(folder: Path | str | None, served: Programme) -> LoadedProgramme:
    """The served programme with where its values are written, when its folder is known.

    The folder is the one ``tutela serve`` loaded (else ``TUTELA_PROGRAMME``), when it
    still holds the served programme; otherwise the findings keep their YAML path only.
    """
    if folder:
        try:
            loaded = load(folder)
        except (PolicyErrors, OSError):
            loaded = None
        if loaded is not None and loaded.programme == served:
            return loaded
    return LoadedProgramme(served, Path(folder or "programme"), {})


def _where(finding: Finding, root: Path) -> str:
    """``file:line`` of ``finding``, the file relative to the programme folder's parent."""
    location = finding.location
    if location is None:
        return ""
    source = Path(location.source)
    base = root.resolve().parent
    if source.resolve().is_relative_to(base):
        source = source.resolve().relative_to(base)
    return f"{source.as_posix()}:{location.line}" if location.line else source.as_posix()
