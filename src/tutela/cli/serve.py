"""`tutela serve`: the REST API on a host and port, with the in-process worker.

The store must be at this tutela's schema (``tutela db upgrade``): it is checked before
the server binds. Without ``TUTELA_BROKER_URL`` the API's process also runs the job
steps (approved requests completed, notices retried) in a worker thread.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tutela.cli.context import application
from tutela.cli.errors import user_errors

if TYPE_CHECKING:
    import threading

    from tutela.bootstrap import Application
    from tutela.programme.models import Programme

log = logging.getLogger("tutela.serve")


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to ``app``."""
    app.command("serve")(user_errors(serve))


def serve(
    context: typer.Context,
    path: Annotated[
        Path, typer.Argument(metavar="PROGRAMME", help="The programme folder (or one YAML file).")
    ],
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="The TCP port.")] = 8000,
    host: Annotated[
        str, typer.Option("--host", help="The address to listen on (default: loopback only).")
    ] = "127.0.0.1",
) -> None:
    """Serve the REST API (OpenAPI at /docs) and run the job steps in-process."""
    from tutela.programme.loader import load_programme

    run_server(application(context), load_programme(path), host, port, source=path)


def run_server(
    app_: Application, programme: Programme, host: str, port: int, source: Path | None = None
) -> None:
    """Serve ``programme``'s API with ``app_`` until stopped, with the in-process worker.

    ``source`` is the folder or file ``programme`` was loaded from (the console's check
    results then name each finding's file and line).
    """
    import uvicorn

    from tutela.api.app import create_app

    api = create_app(app_, programme, source=source)  # refuses a store not at the head revision
    stop = _start_worker(app_, programme)
    typer.echo(f"tutela API on http://{host}:{port} (docs at /docs)", err=True)
    try:
        uvicorn.run(api, host=host, port=port, log_level="info")
    finally:
        if stop is not None:
            stop.set()


def _start_worker(app_: Application, programme: Programme) -> threading.Event | None:
    """Start the in-process worker when ``tutela.jobs`` has one and no broker is set."""
    if getattr(app_.settings, "broker_url", None):
        return None  # Celery workers (`tutela worker`) run the steps
    try:
        from tutela.jobs.worker import start_in_process_worker
    except ImportError:  # a tutela without jobs: staff complete with `tutela requests complete`
        log.warning("no in-process worker: tutela.jobs is not available")
        return None
    _thread, stop = start_in_process_worker(app_, programme)
    return stop
