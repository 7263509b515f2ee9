"""Periodic duties, each run at most once per period across every process.

Art. 19 retries (with the consent changes pushed to systems), the purge of answers whose
delivery window ended (and of engine batches a killed worker left open for a week),
due-soon reminders (logged), the lifting of restrictions whose date came (RS-3) and the
retention sweep (RT-2; its period is ``TUTELA_RETENTION_INTERVAL``, see :func:`scheduled`).
A duty's period is claimed by inserting the row ``("periodic", "<duty>:<period start>")`` in
``tutela_job``: the process whose insert succeeds runs it, every other one skips it.
Waits of days are rows and dates read by these duties, never long Celery ETAs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from tutela.errors import TutelaError
from tutela.jobs.host import Host

if TYPE_CHECKING:
    from tutela.programme.models import Programme
    from tutela.requests.delivery import DeliveryReport

log = logging.getLogger(__name__)

PERIODIC = "periodic"
"""The request id of the duties' rows (see tutela.store.jobs)."""
TICK = timedelta(minutes=1)
"""The shortest period: how often a scheduler should call :func:`periodic`."""
KEPT = timedelta(days=2)
"""How long the duties' rows are kept (then pruned)."""
ABANDONED = timedelta(days=7)
"""An engine batch left open this long (its worker was killed) loses its checkpoints."""
_LEASE = timedelta(minutes=10)


def failure_text(error: BaseException) -> str:
    """What to keep of a failure: tutela's own message (no personal data) or the type only."""
    if isinstance(error, TutelaError):
        return f"{type(error).__name__}: {error}"
    return f"{type(error).__name__} (see the worker's log)"


@runtime_checkable
class Propagating(Protocol):
    """An application that pushes consent changes to systems (docs/propagation.md)."""

    def deliver_propagations(self, programme: Programme) -> DeliveryReport:
        """Send the consent changes due now."""
        ...


def _notify(application: Host, programme: Programme, now: datetime) -> str:
    report = application.deliver_notifications(programme)
    summary = f"{report.delivered} delivered, {report.retrying} to retry, {report.failed} failed"
    if isinstance(application, Propagating):  # consent changes go out with the Art. 19 ones
        pushed = application.deliver_propagations(programme)
        summary += (
            f"; consent changes: {pushed.delivered} delivered, {pushed.retrying} to retry, "
            f"{pushed.failed} failed"
        )
    return summary


def _purge(application: Host, programme: Programme, now: datetime) -> str:
    answers = application.answering(programme).purge()
    batches = application.store().purge(now, open_before=now - ABANDONED)
    return f"{len(answers)} answer(s) purged, {batches['abandoned']} stale batch(es) abandoned"


def _remind(application: Host, programme: Programme, now: datetime) -> str:
    due = application.request_service(programme).due(now)
    for record, status in due:
        log.warning("request %s is %s: due %s", record.id, status.urgency, record.due_date)
    return f"{len(due)} request(s) overdue or due soon"


def _lift(application: Host, programme: Programme, now: datetime) -> str:
    dsr = application.dsr_service(programme)
    try:
        return f"{len(application.lifting(programme).lift_due(dsr, now))} restriction(s) lifted"
    finally:
        dsr.close()


def _prune(application: Host, programme: Programme, now: datetime) -> str:
    return f"{application.jobs().prune_periodic(now - KEPT)} old duty row(s) pruned"


def _sweep(application: Host, programme: Programme, now: datetime) -> str:
    retention = application.retention(programme)
    report = retention.run(actor="system:scheduler")
    summary = (
        f"{report.total('affected')} row(s) swept, {report.total('held')} held back "
        f"in {len(report.rows)} collection(s)"
    )
    summary += f"; {len(report.errors)} failed" if report.errors else ""
    settled = retention.settle_lifted(actor="system:scheduler")  # erasures a lift left owed
    return summary + (f"; {settled} lifted hold(s) erased" if settled else "")


@dataclass(frozen=True)
class Duty:
    """A periodic duty: its name, its period, and what it does (returns a summary)."""

    name: str
    period: timedelta
    run: Callable[[Host, Programme, datetime], str]


DUTIES: tuple[Duty, ...] = (
    Duty("notify", TICK, _notify),
    Duty("lift", TICK, _lift),
    Duty("purge", timedelta(minutes=15), _purge),
    Duty("remind", timedelta(days=1), _remind),
    Duty("prune", timedelta(days=1), _prune),
)
"""The fixed periodic duties, in the order they run (:func:`scheduled` adds retention)."""

RETENTION = "retention"
"""The name of the retention sweep's duty (its period comes from the settings)."""


def scheduled(application: Host) -> tuple[Duty, ...]:
    """The duties ``application`` runs: :data:`DUTIES`, then the retention sweep if enabled.

    The sweep's period is ``TUTELA_RETENTION_INTERVAL`` (never shorter than :data:`TICK`);
    every process must share it, since the period names the row that claims it.
    """
    interval = application.retention_interval()
    if interval is None:
        return DUTIES
    return (*DUTIES, Duty(RETENTION, max(interval, TICK), _sweep))


def period_start(now: datetime, period: timedelta) -> datetime:
    """The start of the period of length ``period`` holding ``now`` (periods start at epoch)."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return now - (now - epoch) % period


def duty_step(duty: Duty, now: datetime) -> str:
    """The job step naming ``duty``'s period at ``now``: ``notify:20250305T1000Z``."""
    start = period_start(now.astimezone(UTC), duty.period)
    return f"{duty.name}:{start:%Y%m%dT%H%MZ}"


def next_run(now: datetime) -> datetime:
    """When :func:`periodic` should run next: the start of the next tick."""
    return period_start(now, TICK) + TICK


def periodic(
    application: Host,
    programme: Programme,
    now: datetime,
    *,
    worker: str,
    duties: tuple[Duty, ...] | None = None,
) -> list[str]:
    """Run each duty whose current period no process has claimed yet; the duties run.

    ``duties`` defaults to :func:`scheduled` (the application's). A duty that fails is
    logged and recorded failed; the others still run, and the duty runs again next period.
    """
    store = application.jobs()
    ran = []
    for duty in scheduled(application) if duties is None else duties:
        step = duty_step(duty, now)
        if not store.claim_once(step, worker, now, _LEASE):
            continue
        try:
            summary = duty.run(application, programme, now)
        except Exception as error:
            log.exception("periodic duty %s failed", duty.name)
            store.failed(PERIODIC, step, worker, failure_text(error), None)
            continue
        log.info("periodic duty %s: %s", duty.name, summary)
        store.done(PERIODIC, step, worker, now=now)
        ran.append(duty.name)
    return ran
