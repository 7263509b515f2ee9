"""Celery workers for tutela's jobs, when ``TUTELA_BROKER_URL`` names a broker.

The database row is the truth; a Celery message only says "look for work". Two tasks:
``tutela.run_ready(batch)`` claims and runs due job steps (:meth:`Worker.run_once`), and
``tutela.periodic`` runs the periodic duties (each at most once per period across every
process). The beat schedule sends the first every few seconds and the second every
minute, each message expiring before the next, so a stopped cluster does not come back
to a pile of them. No task ever carries a long ETA: with Redis, a message waiting past
the visibility timeout is delivered twice; multi-day waits are rows and dates instead.

Late acknowledgement (``task_acks_late``), one message prefetched at a time and
``task_reject_on_worker_lost``: a worker killed mid-task leaves its message to be
delivered again, and its claimed steps to be claimed again when their lease expires.
Every worker may embed beat (``-B``): a second scheduler only sends more "look for
work" messages, which find nothing to claim.

The application is built in each worker process by the ``context`` given (the
``tutela worker`` command builds it from the environment with :func:`tutela.bootstrap.build`);
this module never reads the environment.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from tutela.jobs.host import Host
from tutela.jobs.periodic import TICK, periodic
from tutela.jobs.worker import Worker, worker_name

if TYPE_CHECKING:
    from tutela.programme.models import Programme

RUN_READY = "tutela.run_ready"
PERIODIC = "tutela.periodic"
Context = Callable[[], tuple[Host, "Programme"]]
"""Builds the application and loads the programme, once per worker process."""


@dataclass(frozen=True)
class Schedule:
    """How the workers look for work: steps per claim, lease, and how often."""

    batch: int = 100
    lease: timedelta = timedelta(minutes=5)
    run_every: float = 2.0


class _Process:
    """The application of this worker process, built on first use (again after a fork)."""

    def __init__(self, context: Context, schedule: Schedule) -> None:
        self.context, self.schedule = context, schedule
        self.pid: int | None = None
        self.worker: Worker | None = None

    def current(self) -> Worker:
        if self.worker is None or self.pid != os.getpid():
            application, programme = self.context()
            self.pid = os.getpid()
            self.worker = Worker(
                application, programme, worker_name(), self.schedule.batch, self.schedule.lease
            )
        return self.worker


def make_celery(broker_url: str, context: Context, schedule: Schedule | None = None) -> Any:
    """The Celery app on ``broker_url`` with tutela's two tasks and their beat schedule."""
    from celery import Celery

    chosen = schedule or Schedule()
    app = Celery("tutela", broker=broker_url, set_as_current=False)
    app.conf.update(_config(chosen))
    process = _Process(context, chosen)

    def run_ready(batch: int = chosen.batch) -> int:
        worker = process.current()
        return Worker(
            worker.application, worker.programme, worker.name, batch, worker.lease, worker.engines
        ).run_once()

    def run_periodic() -> list[str]:
        worker = process.current()
        now = worker.application.clock.now()
        return periodic(worker.application, worker.programme, now, worker=worker.name)

    app.task(name=RUN_READY, ignore_result=True)(run_ready)
    app.task(name=PERIODIC, ignore_result=True)(run_periodic)
    return app


def _config(schedule: Schedule) -> dict[str, Any]:
    every = schedule.run_every
    minute = TICK.total_seconds()
    return {
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_ignore_result": True,
        "broker_connection_retry_on_startup": True,
        "timezone": "UTC",
        "enable_utc": True,
        "beat_scheduler": "celery.beat:Scheduler",  # in memory: nothing to share or lock
        "beat_schedule": {
            "run-ready": {
                "task": RUN_READY,
                "schedule": every,
                "args": (schedule.batch,),
                "options": {"expires": max(1.0, every * 2)},
            },
            "periodic": {"task": PERIODIC, "schedule": minute, "options": {"expires": minute}},
        },
    }


@functools.cache
def _client(broker_url: str) -> Any:
    """A Celery client that only sends (one per broker, kept for the process)."""
    from celery import Celery

    return Celery("tutela-client", broker=broker_url, set_as_current=False)


def wake(broker_url: str, batch: int | None = None) -> None:
    """Tell the workers a step is ready now, instead of at the next beat tick.

    The worker that takes the message claims ``batch`` steps, by default its own
    ``--batch``: a larger claim would leave the other workers idle. Best effort: the
    step is a row already, so a broker that cannot be reached only delays it until the
    next tick; nothing is lost.
    """
    args = () if batch is None else (batch,)
    try:
        _client(broker_url).send_task(RUN_READY, args=args, expires=30, retry=False)
    except Exception:
        logging.getLogger(__name__).warning("could not wake the workers; the next tick will")
