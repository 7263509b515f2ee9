"""DSR use cases: plan a request, run requests in batches, resume a batch.

The service holds what bootstrap built (programme, connectors, stores, clock,
hash key, batch size), reads each system's catalog once per service, not per
batch, and plans each kind of batch (type, identities given, fields changed) once.
Every interface (CLI, API, pages) calls these methods; none repeats them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from tutela.errors import RequestError, StoreError
from tutela.ports import BatchStore, Clock, Connector, RestrictionRecord, RestrictionStore
from tutela.programme.models import Programme
from tutela.rights.executor import catalog_of, execute_batch, plan_batch
from tutela.rights.explain import statements
from tutela.rights.models import BatchResult, Plan, SubjectRequest, batch_id
from tutela.rights.planner import Catalog
from tutela.rights.restrictions import subject_ref

PlanKey = tuple[str, frozenset[str], frozenset[str]]
"""What a plan depends on besides the programme and catalogs: type, identities, changed fields."""


def _plan_key(requests: Sequence[SubjectRequest]) -> PlanKey:
    identities = frozenset(name for request in requests for name, _ in request.identities)
    changes = frozenset(target for request in requests for target, _ in request.changes)
    return requests[0].type, identities, changes


@dataclass
class DsrService:
    """Data-subject requests against the programme's systems (AC, ER, RE, RS, PO rules)."""

    programme: Programme
    connectors: Mapping[str, Connector]
    store: BatchStore
    clock: Clock
    hash_key: bytes | None = field(default=None, repr=False)
    restriction_store: RestrictionStore | None = None
    batch_size: int = 1000
    _catalog: Catalog | None = field(default=None, init=False, repr=False)
    _plans: dict[PlanKey, Plan] = field(default_factory=dict, init=False, repr=False)

    def catalog(self) -> Catalog:
        """Every system's catalog, described once for the life of the service."""
        if self._catalog is None:
            self._catalog = catalog_of(self.programme, self.connectors)
        return self._catalog

    def plan(self, requests: Sequence[SubjectRequest]) -> tuple[Plan, dict[str, list[str]]]:
        """The plan for ``requests`` and the statements each step sends; no data is read."""
        if not requests:
            raise RequestError("a plan needs at least one request")
        plan = self._plan(requests)
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
            plan=self._plan(requests) if requests else None,
        )

    def run_all(
        self, requests: Sequence[SubjectRequest], *, dry_run: bool = False
    ) -> list[BatchResult]:
        """Run ``requests`` in consecutive batches of :attr:`batch_size` (``TUTELA_BATCH_SIZE``)."""
        return [self.run(chunk, dry_run=dry_run) for chunk in self.batches(requests)]

    def batches(self, requests: Sequence[SubjectRequest]) -> list[Sequence[SubjectRequest]]:
        """Consecutive batches of at most :attr:`batch_size` requests.

        The split depends only on the input and the size, so rerunning the same
        input resumes every batch from its checkpoints.
        """
        size = self.batch_size
        return [requests[start : start + size] for start in range(0, len(requests), size)]

    def resume(self, expected: str, requests: Sequence[SubjectRequest]) -> BatchResult:
        """Rerun the batch ``expected`` of ``requests`` (the whole input it was part of).

        RequestError if no batch of this input, split as now, is ``expected``.
        """
        if not requests:
            raise RequestError("a batch needs at least one request")
        for chunk in self.batches(requests):
            if batch_id(chunk[0].type, list(chunk)) == expected:
                return self.run(chunk)
        raise RequestError(
            f"no batch {expected} in this input (with TUTELA_BATCH_SIZE as now); "
            "resume with the same input and batch size"
        )

    def _plan(self, requests: Sequence[SubjectRequest]) -> Plan:
        """The plan for requests like these, made once per kind of batch (plans are immutable)."""
        key = _plan_key(requests)
        plan = self._plans.get(key)
        if plan is None:
            plan = plan_batch(self.programme, requests, self.connectors, self.catalog())
            self._plans[key] = plan
        return plan

    def restrictions(self, identity: str, value: str) -> list[RestrictionRecord]:
        """Restrictions recorded for the subject known by ``identity=value`` (RS-2, ER-2).

        The store holds keyed hashes of identities only; this hashes the value
        the same way. StoreError if no store of restrictions was given.
        """
        if self.restriction_store is None:
            raise StoreError("this service has no store of restrictions of processing")
        reference = subject_ref(identity, value, self.hash_key)
        return self.restriction_store.restrictions(identity, reference)

    def close(self) -> None:
        """Release every connector."""
        for connector in self.connectors.values():
            connector.close()
