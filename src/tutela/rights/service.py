"""DSR use cases: plan a request, run requests in batches, resume a batch.

The service holds what bootstrap built (programme, connectors, stores, clock,
hash key, batch size), reads each system's catalog once per service, not per
batch, and plans each kind of batch (type, identities given, fields changed) once.
Identity values are first written as the programme declares them (e-mail in
lower case, phones in E.164: :mod:`tutela.rights.identities`), so a request
means the same however it was typed. Every interface (CLI, API, pages) calls
these methods; none repeats them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from tutela.errors import RequestError, StoreError
from tutela.ports import BatchStore, Clock, Connector, RestrictionRecord, RestrictionStore
from tutela.programme.durations import Duration
from tutela.programme.models import Programme
from tutela.rights.executor import Options, catalog_of, execute_batch, plan_batch
from tutela.rights.explain import statements
from tutela.rights.holds import Holding, HoldsNow, LegalHold, SubjectHolds, holding_for
from tutela.rights.identities import normalisation, normalise, normalise_requests
from tutela.rights.models import BatchResult, Plan, SubjectRequest, requests_digest
from tutela.rights.planner import Catalog
from tutela.rights.resolve import resolve
from tutela.rights.restrictions import subject_ref
from tutela.rights.sessions import Sessions
from tutela.rights.subject_keys import key_request, keys_plan
from tutela.rights.values import check_changes

PlanKey = tuple[str, frozenset[str], frozenset[str], tuple[LegalHold, ...]]
"""What a plan depends on besides the programme and catalogs: type, identities, changed
fields, and the legal holds an erasure observes."""
PLANS_KEPT = 64
"""Plans kept per service (one per kind of batch and set of holds observed)."""


def _plan_key(requests: Sequence[SubjectRequest], held: tuple[LegalHold, ...] = ()) -> PlanKey:
    identities = frozenset(name for request in requests for name, _ in request.identities)
    changes = frozenset(target for request in requests for target, _ in request.changes)
    return requests[0].type, identities, changes, held


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
    delivery_window: Duration | None = None
    """How long access and portability answers wait in the store for delivery (None: not kept)."""
    holds: HoldsNow | None = None
    """Legal holds on collections, rows or customers: erasures keep what they hold."""
    subject_holds: SubjectHolds | None = None
    """Legal holds on subjects: an erasure keeps the held subject's data (Art. 17(3)(e))."""
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
        requests = normalise_requests(self.programme, requests)
        plan = self._plan(requests, self._holding(requests).held)
        return plan, statements(plan, self.connectors)

    def plan_only(self, requests: Sequence[SubjectRequest]) -> Plan:
        """The plan for ``requests`` without rendering its statements (cached per kind)."""
        if not requests:
            raise RequestError("a plan needs at least one request")
        requests = normalise_requests(self.programme, requests)
        return self._plan(requests, self._holding(requests).held)

    def run(self, requests: Sequence[SubjectRequest], *, dry_run: bool = False) -> BatchResult:
        """Run ``requests`` as one new batch (see :func:`tutela.rights.executor.execute_batch`)."""
        return self._execute(requests, dry_run=dry_run)

    def _execute(
        self,
        requests: Sequence[SubjectRequest],
        *,
        dry_run: bool = False,
        resume: str | None = None,
    ) -> BatchResult:
        requests = normalise_requests(self.programme, requests)
        self._check_changes(requests)
        window = self.delivery_window
        until = window.after(self.clock.now()) if window and window.amount else None
        holding = self._holding(requests)
        options = Options(resume=resume, delivery_until=until, subject_holds=holding.subjects)
        return execute_batch(
            self.programme,
            requests,
            self.connectors,
            self.store,
            self.clock,
            dry_run,
            hash_key=self.hash_key,
            plan=self._plan(requests, holding.held) if requests else None,
            options=options,
        )

    def run_all(
        self, requests: Sequence[SubjectRequest], *, dry_run: bool = False
    ) -> list[BatchResult]:
        """Run ``requests`` in consecutive batches of :attr:`batch_size` (``TUTELA_BATCH_SIZE``).

        Rectified values are checked for every batch before the first one runs (RE-1),
        and a bad one is named by its number in ``requests``.
        """
        batches = self.batches(requests)
        first = 1
        for chunk in batches:
            self._check_changes(normalise_requests(self.programme, chunk), first=first)
            first += len(chunk)
        return [self.run(chunk, dry_run=dry_run) for chunk in batches]

    def _check_changes(self, requests: Sequence[SubjectRequest], *, first: int = 1) -> None:
        """RequestError naming each rectified value that does not fit its column (RE-1)."""
        if requests and requests[0].type == "rectification":
            check_changes(self._plan(requests), requests, first=first)

    def batches(self, requests: Sequence[SubjectRequest]) -> list[Sequence[SubjectRequest]]:
        """Consecutive batches of at most :attr:`batch_size` requests.

        The split depends only on the input and the size, so rerunning the same
        input resumes every batch from its checkpoints.
        """
        size = self.batch_size
        return [requests[start : start + size] for start in range(0, len(requests), size)]

    def resume(self, expected: str, requests: Sequence[SubjectRequest]) -> BatchResult:
        """Resume the open batch ``expected``, one batch of ``requests`` (the input it came from).

        The batch's stored digest says which batch of the input it is, so the
        store never needs the identities. RequestError if none of them is it.
        """
        if not requests:
            raise RequestError("a batch needs at least one request")
        requests = normalise_requests(self.programme, requests)
        stored, _ = self.store.find_batch(expected)
        if stored is not None and self.hash_key:
            for chunk in self.batches(requests):
                if requests_digest(chunk, self.hash_key) == stored.digest:
                    return self._execute(chunk, resume=expected)
        return self._execute(requests[: self.batch_size], resume=expected)

    def _plan(self, requests: Sequence[SubjectRequest], held: tuple[LegalHold, ...] = ()) -> Plan:
        """The plan for requests like these, made once per kind of batch (plans are immutable)."""
        key = _plan_key(requests, held)
        plan = self._plans.get(key)
        if plan is None:
            if len(self._plans) >= PLANS_KEPT:
                self._plans.clear()
            plan = plan_batch(self.programme, requests, self.connectors, self.catalog(), held)
            self._plans[key] = plan
        return plan

    def _holding(self, requests: Sequence[SubjectRequest]) -> Holding:
        """The legal holds an erasure of ``requests`` observes (none for other types)."""
        if not requests or requests[0].type != "erasure":
            return Holding()
        return holding_for(requests, self.holds, self.subject_holds)

    def subject_keys(self, identity: str, value: str) -> dict[str, list[object]]:
        """The primary keys of the subject's rows, per collection address (read only).

        The rows are those an access request for ``identity=value`` finds, along the same
        references; collections without a declared primary key, or without rows of the
        subject, are left out. RequestError for an unknown identity or a value that is
        not text (or longer than :data:`tutela.rights.subject_keys.MAX_IDENTITY`).
        """
        request = key_request(identity, value)
        (request,) = normalise_requests(self.programme, [request])
        plan = keys_plan(self._plan([request]))
        systems = {step.system for step in plan.steps}
        with Sessions(self.connectors, systems):
            found = resolve(plan, [request], self.connectors, compute=False, now=self.clock.now())
        return {
            step.address: list(dict.fromkeys(row[step.key] for row in found[step.address].rows))
            for step in plan.steps
            if step.key and found[step.address].rows
        }

    def restrictions(self, identity: str, value: str) -> list[RestrictionRecord]:
        """Restrictions recorded for the subject known by ``identity=value`` (RS-2, ER-2).

        The store holds keyed hashes of identities only; this hashes the value
        the same way. StoreError if no store of restrictions was given.
        """
        if self.restriction_store is None:
            raise StoreError("this service has no store of restrictions of processing")
        identity = identity.strip().lower()
        value = normalise(value, normalisation(self.programme, identity), identity)
        reference = subject_ref(identity, value, self.hash_key)
        return self.restriction_store.restrictions(identity, reference)

    def close(self) -> None:
        """Release every connector."""
        for connector in self.connectors.values():
            connector.close()
