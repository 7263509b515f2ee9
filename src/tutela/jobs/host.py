"""What the jobs need from the application: its clock, job steps and services.

:class:`tutela.bootstrap.Application` has this shape; the jobs take it as a parameter
(they sit below bootstrap and never import it), so tests and ``tutela serve`` hand in
the application they built.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from tutela.ports import Clock
    from tutela.programme.models import Programme
    from tutela.requests.answering import Answering
    from tutela.requests.delivery import DeliveryReport
    from tutela.requests.lifting import Lifting
    from tutela.requests.service import RequestService
    from tutela.retention.service import RetentionService
    from tutela.rights.service import DsrService


class JobSteps(Protocol):
    """Job steps keyed by (request, step) (:class:`tutela.store.jobs.SqlJobStore`)."""

    def claim(
        self, worker: str, limit: int, now: datetime, lease: timedelta
    ) -> list[tuple[str, str]]:
        """Claim up to ``limit`` due steps for ``worker`` until ``now + lease``."""
        ...

    def done(self, request_id: str, step: str, worker: str, *, now: datetime | None = None) -> bool:
        """Mark a claimed step done; False when ``worker`` no longer holds it."""
        ...

    def done_many(
        self, requests: Sequence[str], step: str, worker: str, *, now: datetime | None = None
    ) -> int:
        """Mark ``step`` of each of ``requests`` done in one statement; how many were."""
        ...

    def failed(
        self, request_id: str, step: str, worker: str, error: str, retry_at: datetime | None
    ) -> bool:
        """Record a failed attempt: ready again at ``retry_at``, or failed for good."""
        ...

    def attempts(self, request_id: str, step: str) -> int:
        """How many times the step was claimed (0 when there is no such step)."""
        ...

    def claim_once(self, step: str, worker: str, now: datetime, lease: timedelta) -> bool:
        """Claim the periodic ``step`` for ``worker``; False when another process did."""
        ...

    def prune_periodic(self, before: datetime) -> int:
        """Delete the periodic rows of periods that started before ``before``."""
        ...


class BatchStore(Protocol):
    """The DSR engine's batches (:class:`tutela.store.dsr.SqlDsrStore`)."""

    def purge(self, now: datetime, *, open_before: datetime | None = None) -> dict[str, int]:
        """Delete expired answers; abandon batches left open since before ``open_before``."""
        ...


class Host(Protocol):
    """The application the jobs run in (:class:`tutela.bootstrap.Application`)."""

    @property
    def clock(self) -> Clock:
        """Where the jobs get the time from."""
        ...

    def jobs(self) -> JobSteps:
        """The job steps in tutela's store."""
        ...

    def store(self) -> BatchStore:
        """The DSR engine's batches in tutela's store."""
        ...

    def request_service(self, programme: Programme | None = None) -> RequestService:
        """The request lifecycle."""
        ...

    def answering(self, programme: Programme | None = None) -> Answering:
        """Completing requests and keeping their answers."""
        ...

    def dsr_service(self, programme: Programme) -> DsrService:
        """The DSR engine on the programme's systems (close it after use)."""
        ...

    def lifting(self, programme: Programme | None = None) -> Lifting:
        """Lifting restrictions when due (RS-3)."""
        ...

    def deliver_notifications(self, programme: Programme) -> DeliveryReport:
        """Send the Art. 19 notifications due now."""
        ...

    def retention_interval(self) -> timedelta | None:
        """How often the retention sweep runs (``TUTELA_RETENTION_INTERVAL``); None: never."""
        ...

    def retention(self, programme: Programme) -> RetentionService:
        """Retention sweeps, legal holds and scan policies of ``programme`` (RT-2, RT-3)."""
        ...
