"""DSR use cases: plan a request, run one or a batch, resume a batch.

The service holds what bootstrap built (programme, connectors, store, clock,
hash key), reads each system's catalog once per service, not per batch, and
plans each kind of batch (type, identities given, fields changed) once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from tutela.errors import RequestError, StoreError
from tutela.ports import CheckpointStore, Clock, Connector, RequestStore, RestrictionRecord
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
    store: CheckpointStore
    clock: Clock
    hash_key: bytes | None = field(default=None, repr=False)
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
        the same way. StoreError if the store keeps no restrictions.
        """
        if not isinstance(self.store, RequestStore):
            raise StoreError("this store keeps no restrictions of processing")
        return self.store.restrictions(identity, subject_ref(identity, value, self.hash_key))

    def close(self) -> None:
        """Release every connector."""
        for connector in self.connectors.values():
            connector.close()
