"""DSR use cases: plan a request, run one or a batch, resume a batch.

The service holds what bootstrap built (programme, connectors, store, clock,
hash key) and reads each system's catalog once per service, not per batch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from tutela.errors import RequestError
from tutela.policy.models import Programme
from tutela.ports import CheckpointStore, Clock, Connector
from tutela.rights.executor import catalog_of, execute_batch, plan_batch
from tutela.rights.explain import statements
from tutela.rights.models import BatchResult, Plan, SubjectRequest, batch_id
from tutela.rights.planner import Catalog


@dataclass
class DsrService:
    """Data-subject requests against the programme's systems (AC, ER, RE, RS, PO rules)."""

    programme: Programme
    connectors: Mapping[str, Connector]
    store: CheckpointStore
    clock: Clock
    hash_key: bytes | None = field(default=None, repr=False)
    _catalog: Catalog | None = field(default=None, init=False, repr=False)

    def catalog(self) -> Catalog:
        """Every system's catalog, described once for the life of the service."""
        if self._catalog is None:
            self._catalog = catalog_of(self.programme, self.connectors)
        return self._catalog

    def plan(self, requests: Sequence[SubjectRequest]) -> tuple[Plan, dict[str, list[str]]]:
        """The plan for ``requests`` and the statements each step sends; no data is read."""
        if not requests:
            raise RequestError("a plan needs at least one request")
        plan = plan_batch(self.programme, requests, self.connectors, self.catalog())
        return plan, statements(plan, self.connectors)

    def run(self, requests: Sequence[SubjectRequest], *, dry_run: bool = False) -> BatchResult:
        """Run ``requests`` as one batch (see :func:`tutela.rights.executor.execute_batch`)."""
        return execute_batch(
            self.programme,
            requests,
            self.connectors,
            self.store,
            self.clock,
            dry_run,
            hash_key=self.hash_key,
            catalog=self.catalog(),
        )

    def resume(self, expected: str, requests: Sequence[SubjectRequest]) -> BatchResult:
        """Rerun the batch ``expected``; RequestError if ``requests`` are not that batch."""
        if not requests:
            raise RequestError("a batch needs at least one request")
        actual = batch_id(requests[0].type, list(requests))
        if actual != expected:
            raise RequestError(
                f"the input is batch {actual}, not {expected}; resume with the same input"
            )
        return self.run(requests)

    def close(self) -> None:
        """Release every connector."""
        for connector in self.connectors.values():
            connector.close()
