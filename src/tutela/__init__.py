"""tutela: the privacy programme as code, checked, rendered and enforced.

The public Python API, pinned by ``tests/test_public_api.py``::

    import tutela

    loaded = tutela.load("examples/cloudockit")  # the programme, with where each value is
    findings = tutela.run_checks(loaded)
    programme = loaded.programme                  # or tutela.load_programme(path)
    markdown = tutela.render_statement(programme, "md")
    records = tutela.build_records(programme)
    files = tutela.export_records(records, "csv", Path("out/records"))
    app = tutela.build_application()            # settings from the environment
    service = app.dsr_service(programme)        # a tutela.DsrService
    result = service.run([tutela.SubjectRequest("access", (("email", "a@b.c"),))])

The application never upgrades its store: set it up with ``tutela db upgrade``
first (a store not at this tutela's schema is a :class:`StoreError`).

Every error is a :class:`TutelaError`. Names other than the errors are loaded
on first use, so ``import tutela`` stays cheap for the command line.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from tutela.errors import (
    ConfigurationError,
    ConnectorError,
    PolicyError,
    PolicyErrors,
    RequestError,
    StoreError,
    TutelaError,
)

if TYPE_CHECKING:
    from tutela.bootstrap import Application
    from tutela.bootstrap import build as build_application
    from tutela.checks.findings import Finding
    from tutela.checks.runner import run_checks
    from tutela.programme.loader import LoadedProgramme, load, load_programme
    from tutela.programme.models import Programme
    from tutela.records.build import Records, build_records
    from tutela.records.exports import export_files as export_records
    from tutela.rights.models import BatchResult, SubjectRequest
    from tutela.rights.service import DsrService
    from tutela.statement.build import render_statement

__version__ = "0.1.0"

_LAZY: dict[str, tuple[str, str]] = {
    "Application": ("tutela.bootstrap", "Application"),
    "BatchResult": ("tutela.rights.models", "BatchResult"),
    "DsrService": ("tutela.rights.service", "DsrService"),
    "Finding": ("tutela.checks.findings", "Finding"),
    "LoadedProgramme": ("tutela.programme.loader", "LoadedProgramme"),
    "Programme": ("tutela.programme.models", "Programme"),
    "Records": ("tutela.records.build", "Records"),
    "SubjectRequest": ("tutela.rights.models", "SubjectRequest"),
    "build_application": ("tutela.bootstrap", "build"),
    "build_records": ("tutela.records.build", "build_records"),
    "export_records": ("tutela.records.exports", "export_files"),
    "load": ("tutela.programme.loader", "load"),
    "load_programme": ("tutela.programme.loader", "load_programme"),
    "render_statement": ("tutela.statement.build", "render_statement"),
    "run_checks": ("tutela.checks.runner", "run_checks"),
}
"""Public names loaded on first access: name -> (module, attribute)."""


def __getattr__(name: str) -> object:
    """Load a public name of :data:`_LAZY` on first access (PEP 562)."""
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'tutela' has no attribute {name!r}") from None
    value = getattr(import_module(module), attribute)
    globals()[name] = value
    return value


__all__ = [
    "Application",
    "BatchResult",
    "ConfigurationError",
    "ConnectorError",
    "DsrService",
    "Finding",
    "LoadedProgramme",
    "PolicyError",
    "PolicyErrors",
    "Programme",
    "Records",
    "RequestError",
    "StoreError",
    "SubjectRequest",
    "TutelaError",
    "__version__",
    "build_application",
    "build_records",
    "export_records",
    "load",
    "load_programme",
    "render_statement",
    "run_checks",
]
