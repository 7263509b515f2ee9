"""``tutela worker``: run the job steps and periodic duties of the programme's requests.

With ``TUTELA_BROKER_URL`` set, a Celery worker with the beat scheduler embedded (``-B``)
runs them (:mod:`tutela.jobs.celery_app`); each worker process builds its application
from the environment here, the one place allowed to call :func:`tutela.bootstrap.build`.
Without a broker, this process runs the in-process loop until stopped (SIGTERM or
Ctrl-C); ``--once`` runs a single pass and prints what it did (for cron).
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlsplit

import typer

from tutela.cli.context import application
from tutela.cli.errors import user_errors
from tutela.cli.requests import ProgrammeOpt, _programme
from tutela.errors import ConfigurationError

if TYPE_CHECKING:
    from tutela.bootstrap import Application
    from tutela.programme.models import Programme

BROKERS = ("redis", "rediss", "amqp", "amqps", "pyamqp", "sentinel")
"""The broker URL schemes ``TUTELA_BROKER_URL`` may use (Redis or RabbitMQ)."""

ConcurrencyOpt = Annotated[
    int, typer.Option("--concurrency", min=1, max=64, help="Celery worker processes.")
]
BatchOpt = Annotated[
    int, typer.Option("--batch", min=1, max=10_000, help="Job steps claimed at a time.")
]
OnceOpt = Annotated[
    bool, typer.Option("--once", help="Run one pass in this process, print it, and stop.")
]


def register(app: typer.Typer) -> None:
    """Add ``tutela worker`` to ``app``."""
    app.command("worker")(user_errors(worker))


def worker(
    context: typer.Context,
    programme: ProgrammeOpt = None,
    concurrency: ConcurrencyOpt = 1,
    batch: BatchOpt = 100,
    once: OnceOpt = False,
) -> None:
    """Run approved requests and periodic duties: Celery with TUTELA_BROKER_URL, else here.

    Each worker claims ready job steps in batches and holds them for TUTELA_JOB_LEASE
    seconds; a step still claimed after that (its worker died) is claimed again.
    """
    app = application(context)
    chosen = _programme(context, programme)
    lease = timedelta(seconds=app.settings.job_lease)
    broker = app.settings.broker_url
    app.ledger()  # a store not set up or not current is refused before any work
    if once:
        _once(app, chosen, batch, lease)
    elif broker:
        _celery(app, chosen, _checked(broker), concurrency, batch, lease)
    else:
        _in_process(app, chosen, batch, lease)


def _once(app: Application, programme: Programme, batch: int, lease: timedelta) -> None:
    from tutela.jobs.periodic import periodic
    from tutela.jobs.worker import Worker

    runner = Worker(app, programme, batch=batch, lease=lease)
    duties = periodic(app, programme, app.clock.now(), worker=runner.name)
    claimed = runner.run_once()
    typer.echo(f"{claimed} job step(s) run; periodic duties run: {', '.join(duties) or 'none'}")


def _in_process(app: Application, programme: Programme, batch: int, lease: timedelta) -> None:
    from tutela.jobs.worker import Worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    runner = Worker(app, programme, batch=batch, lease=lease)
    typer.echo(f"tutela worker {runner.name}: in-process (no TUTELA_BROKER_URL); Ctrl-C stops")
    try:
        runner.run_forever(stop)
    except KeyboardInterrupt:
        stop.set()


def _celery(
    app: Application,
    programme: Programme,
    broker: str,
    concurrency: int,
    batch: int,
    lease: timedelta,
) -> None:
    from tutela import bootstrap
    from tutela.jobs.celery_app import Schedule, make_celery

    environ = dict(app.environ)
    app.ledger().close()  # each worker process opens its own connections

    def context() -> tuple[bootstrap.Application, Programme]:
        return bootstrap.build(environ), programme

    celery = make_celery(broker, context, Schedule(batch=batch, lease=lease))
    argv = ["worker", "-B", "--loglevel=INFO", f"--concurrency={concurrency}", "--pool=prefork"]
    celery.worker_main(argv)


def _checked(url: str) -> str:
    """``url`` if it names a Redis or RabbitMQ broker; ConfigurationError (without it) else."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in BROKERS or not (parts.hostname or parts.path):
        raise ConfigurationError(
            "TUTELA_BROKER_URL is not a broker URL: redis://host:6379/0 or amqp://host:5672//"
        )
    return url.strip()
