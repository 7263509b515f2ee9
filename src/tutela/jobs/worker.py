"""The worker: claims ready job steps in batches and runs them, each at most once in effect.

:meth:`Worker.run_once` claims up to ``batch`` due steps under a lease and runs them:
the ``complete`` steps of every claimed request go through ONE engine run per engine
type (:meth:`tutela.requests.answering.Answering.complete_many`, which stores them all in
one transaction), then the steps are marked done in one statement, or failed with a retry
time. A step whose request is no longer in progress (withdrawn, or completed by staff
meanwhile) is marked done with no effect. A worker
killed mid-step leaves its claim; once the lease expires another worker claims it and
runs it again: the state machine and the idempotent engine make that second run the
only one with an effect. :func:`start_in_process_worker` runs the loop in a thread of
``tutela serve`` when no broker is configured.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from tutela.errors import TutelaError
from tutela.jobs.host import Host, JobSteps
from tutela.jobs.periodic import failure_text, next_run, periodic
from tutela.requests.states import State

if TYPE_CHECKING:
    from tutela.programme.models import Programme
    from tutela.requests.answering import Completion
    from tutela.requests.service import RequestService as _Requests
    from tutela.rights.service import DsrService

log = logging.getLogger(__name__)

COMPLETE = "complete"
"""The step that runs an approved request and answers it (see tutela.store.jobs)."""
MAX_ATTEMPTS = 8
"""After this many failed attempts a step is failed for good (staff see it in the store)."""
FIRST_RETRY, LONGEST_RETRY = timedelta(seconds=30), timedelta(hours=1)
ENGINE_MAX_AGE = 300.0
"""Seconds a worker keeps its DSR engine (systems described, pools open) between batches."""


def worker_name() -> str:
    """A name for this process's worker: host, process id and a random suffix."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def retry_delay(attempts: int) -> timedelta:
    """How long to wait before trying a step again after ``attempts`` attempts (doubling)."""
    return min(FIRST_RETRY * (1 << min(max(0, attempts - 1), 16)), LONGEST_RETRY)


class EngineCache:
    """The DSR engine a worker keeps between batches (systems described, pools open).

    Without it each batch would describe every system again and open new connections
    (about 80 ms a batch on PostgreSQL). Built on first use, and again after
    :data:`ENGINE_MAX_AGE` seconds or a batch that failed, so a changed schema or a
    broken connection is picked up. One per worker loop: not shared between threads.
    """

    def __init__(self) -> None:
        self._dsr: DsrService | None = None
        self._built = 0.0

    def get(self, application: Host, programme: Programme) -> DsrService:
        """The engine on ``programme``'s systems, built now when none is kept or it is old."""
        if self._dsr is not None and time.monotonic() - self._built > ENGINE_MAX_AGE:
            self.reset()
        if self._dsr is None:
            self._dsr, self._built = application.dsr_service(programme), time.monotonic()
        return self._dsr

    def reset(self) -> None:
        """Close the engine kept, if any; the next batch builds a new one."""
        dsr, self._dsr = self._dsr, None
        if dsr is not None:
            dsr.close()


@dataclass(frozen=True)
class Worker:
    """Runs the ready job steps of ``programme``'s requests in ``application``'s store."""

    application: Host
    programme: Programme
    name: str = field(default_factory=worker_name)
    batch: int = 100
    lease: timedelta = timedelta(minutes=5)
    engines: EngineCache = field(default_factory=EngineCache, compare=False, repr=False)

    def run_once(self) -> int:
        """Claim up to ``batch`` due steps and run them; how many were claimed."""
        store = self.application.jobs()
        now = self.application.clock.now()
        claimed = store.claim(self.name, self.batch, now, self.lease)
        if not claimed:
            return 0
        complete = [request for request, step in claimed if step == COMPLETE]
        for request, step in claimed:
            if step != COMPLETE:
                store.failed(request, step, self.name, f"unknown step {step!r}", None)
        try:
            self._complete(store, complete)
        except Exception as error:  # a bug or an outage: every step claimed is tried later
            log.exception("job batch failed; its steps will be retried")
            for request in complete:
                self._failed(store, request, error)
        return len(claimed)

    def run_forever(self, stop: threading.Event, idle: float = 0.5) -> None:
        """Run steps until ``stop`` is set, waiting ``idle`` seconds when none is ready.

        Also runs the periodic duties when their period comes (at most once per period
        across every process). A failure is logged and the loop goes on.
        """
        due = self.application.clock.now()
        while not stop.is_set():
            claimed = 0
            try:
                now = self.application.clock.now()
                if now >= due:
                    periodic(self.application, self.programme, now, worker=self.name)
                    due = next_run(now)
                claimed = self.run_once()
            except Exception:
                log.exception("the job worker failed; trying again")
            if claimed < self.batch:
                stop.wait(idle)

    def _complete(self, store: JobSteps, requests: Sequence[str]) -> None:
        if not requests:
            return
        answering = self.application.answering(self.programme)
        live = [r for r in requests if self._still_in_progress(answering.requests, r)]
        alive = set(live)
        done = [r for r in requests if r not in alive]  # withdrawn or completed meanwhile
        outcomes: dict[str, Completion | TutelaError] = {}
        if live:
            dsr = self.engines.get(self.application, self.programme)
            try:
                outcomes = answering.complete_many(live, dsr)
            except BaseException:
                self.engines.reset()
                raise
        if any(isinstance(outcome, TutelaError) for outcome in outcomes.values()):
            self.engines.reset()  # a system may have failed: connect and describe again
        for request, outcome in outcomes.items():
            if self._settled(store, answering.requests, request, outcome):
                done.append(request)
        store.done_many(done, COMPLETE, self.name)

    def _settled(
        self,
        store: JobSteps,
        requests: _Requests,
        request: str,
        outcome: Completion | TutelaError,
    ) -> bool:
        """True when the step is done; a failed attempt is recorded (retried later) if not."""
        if isinstance(outcome, TutelaError) and self._still_in_progress(requests, request):
            log.warning("step complete of request %s failed: %s", request, outcome)
            self._failed(store, request, outcome)
            return False
        return True

    def _failed(self, store: JobSteps, request: str, error: BaseException) -> None:
        attempts = store.attempts(request, COMPLETE)
        retry = None
        if attempts < MAX_ATTEMPTS:
            retry = self.application.clock.now() + retry_delay(attempts)
        store.failed(request, COMPLETE, self.name, failure_text(error), retry)

    @staticmethod
    def _still_in_progress(requests: _Requests, request: str) -> bool:
        record = requests.store.get(request)
        return record is not None and record.state == State.IN_PROGRESS


def start_in_process_worker(
    application: Host, programme: Programme, *, idle: float = 0.5
) -> tuple[threading.Thread, threading.Event]:
    """Start a worker in a daemon thread of this process; set the event to stop it.

    The default of ``tutela serve`` without a broker: the API's process runs the steps.
    """
    stop = threading.Event()
    worker = Worker(application, programme)
    thread = threading.Thread(
        target=worker.run_forever, args=(stop, idle), name="tutela-worker", daemon=True
    )
    thread.start()
    return thread, stop
