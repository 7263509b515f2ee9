"""The DSR executor: runs a batch of requests of one type through ports.Connector.

Named steps: plan (catalogs read once per connector), find the batch in the
store, resolve (every fetch, before any write; stored as the ``resolve``
checkpoint, with the restrictions it implies, in the durable store commit that
also records a new batch), act (per system one transaction holds the resolve
reads and every collection's writes, children first; after it commits, one
store commit holds a checkpoint per collection), answer (results per request).
The last store commit marks the batch done.

A rerun of the same batch (same requests, same type: same id) reuses the
stored resolution and skips finished steps, so access results are never lost
and masking is never applied twice: a system whose transaction committed just
before a crash, without its checkpoints, is given the same stored values again.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from tutela.errors import ConfigurationError, RequestError
from tutela.ports import (
    BatchRecord,
    BatchStore,
    Clock,
    Connector,
    RestrictionRecord,
    Row,
)
from tutela.programme.models import Programme
from tutela.rights.models import (
    BatchResult,
    Plan,
    RequestType,
    Step,
    SubjectRequest,
    batch_id,
)
from tutela.rights.planner import Catalog, plan_request
from tutela.rights.resolve import Resolved, resolve
from tutela.rights.restrictions import retained_restrictions, subject_restrictions
from tutela.rights.results import answers
from tutela.rights.sessions import Sessions

RESOLVE = "resolve"
SUBJECTS = "subjects"
DONE = "done"


def execute_batch(
    programme: Programme,
    requests: Sequence[SubjectRequest],
    connectors: Mapping[str, Connector],
    store: BatchStore,
    clock: Clock,
    dry_run: bool = False,
    *,
    hash_key: bytes | None = None,
    catalog: Catalog | None = None,
    plan: Plan | None = None,
) -> BatchResult:
    """Run ``requests`` (all of one type) together: one statement per collection per batch.

    Idempotent and resumable by batch id. ``dry_run`` counts the rows that
    would change (connector.count) and writes nothing, not even to the store.
    Raises RequestError for bad requests and ConfigurationError for a system
    without connector, before any data changes. ``catalog`` (from
    :func:`catalog_of`) saves describing each system again; ``plan`` (from
    :func:`plan_batch` for requests of this type and identities) saves planning.
    """
    kind, unique = _batch(requests)
    if plan is None:
        plan = plan_batch(programme, unique, connectors, catalog)
    elif plan.type != kind:
        raise RequestError(f"a {plan.type} plan cannot run {kind} requests")
    with cycle_collection_paused():
        if dry_run:
            return _dry_run(plan, unique, connectors, clock)
        return _run_batch(plan, unique, connectors, store, clock, hash_key)


def _run_batch(
    plan: Plan,
    requests: Sequence[SubjectRequest],
    connectors: Mapping[str, Connector],
    store: BatchStore,
    clock: Clock,
    hash_key: bytes | None,
) -> BatchResult:
    """Find the batch, resolve (or reuse the stored resolution), act, answer."""
    identifier = batch_id(plan.type, list(requests))
    stored, done = store.find_batch(identifier)
    record = stored or BatchRecord(identifier, plan.type, len(requests), clock.now())
    run = _Run(plan, requests, record, done, hash_key)
    stored_resolution = _stored_resolution(done)
    with Sessions(connectors, run.systems(stored_resolution)) as sessions:
        resolved = (
            resolve(plan, requests, connectors, hash_key=hash_key)
            if stored_resolution is None
            else stored_resolution
        )
        fresh = stored_resolution is None
        log = _Checkpoints(store, record, stored is None, run.writes(resolved, fresh=fresh))
        run.record_resolution(log, resolved, fresh=fresh)
        counts = run.act(resolved, connectors, sessions, log)
    log.finish()
    resumed = tuple(name for name in done if name != RESOLVE)
    results = answers(plan, requests, resolved, record, counts)
    return BatchResult(
        record.id, plan.type, results, counts, resumed=resumed, forwarded=plan.forwarded
    )


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a batch runs.

    A batch allocates tens of thousands of small acyclic rows and lists, which
    keeps triggering full collections that scan the whole heap (a fifth of a
    1,000-request batch). Reference counting still frees all of it; collection
    resumes afterwards if it was on (nested or concurrent batches leave it on).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _batch(requests: Sequence[SubjectRequest]) -> tuple[RequestType, list[SubjectRequest]]:
    """The batch's one type and its distinct requests in a stable order."""
    if not requests:
        raise RequestError("a batch needs at least one request")
    kinds = {request.type for request in requests}
    if len(kinds) != 1:
        raise RequestError(f"a batch holds one request type, found {', '.join(sorted(kinds))}")
    unique = sorted(set(requests), key=lambda request: request.canonical())
    return requests[0].type, unique


def catalog_of(programme: Programme, connectors: Mapping[str, Connector]) -> Catalog:
    """Each connector's catalog, read once (``describe``) for the whole batch."""
    return {
        system.key: {info.name: info for info in connectors[system.key].describe()}
        for system in programme.systems
        if system.key in connectors and system.datasets
    }


def plan_batch(
    programme: Programme,
    requests: Sequence[SubjectRequest],
    connectors: Mapping[str, Connector],
    catalog: Catalog | None = None,
) -> Plan:
    """The plan for the batch's type and identities; every reachable system needs a connector."""
    identities = {name for request in requests for name, _ in request.identities}
    changes = {target for request in requests for target, _ in request.changes}
    if requests[0].type == "rectification" and not changes:
        raise RequestError('a rectification needs at least one change, e.g. customer.name="X"')
    if catalog is None:
        catalog = catalog_of(programme, connectors)
    plan = plan_request(programme, requests[0].type, identities, catalog=catalog, changes=changes)
    missing = sorted({step.system for step in plan.steps} - set(connectors))
    if missing:
        raise ConfigurationError(f"no connector for system(s) {', '.join(missing)}")
    return plan


def _stored_resolution(done: Mapping[str, Any]) -> dict[str, Resolved] | None:
    if RESOLVE not in done:
        return None
    return {address: Resolved.from_payload(p) for address, p in done[RESOLVE].items()}


class _Checkpoints:
    """The store commits of one run: the first records a new batch, the last marks it done."""

    def __init__(self, store: BatchStore, record: BatchRecord, new: bool, writes: int) -> None:
        self.store, self.record, self.left = store, record, writes
        self.opening: BatchRecord | None = record if new else None
        self.saved = 0

    def save(
        self,
        steps: Mapping[str, Any],
        restrictions: Sequence[RestrictionRecord] = (),
        *,
        durable: bool = True,
    ) -> None:
        self.left -= 1
        status = DONE if self.left <= 0 else None
        self.store.save_checkpoints(
            self.record.id,
            steps,
            restrictions,
            opening=self.opening,
            status=status,
            durable=durable,
        )
        self.opening, self.saved = None, self.saved + 1

    def finish(self) -> None:
        """Mark a resumed batch done when this run had nothing left to save."""
        if not self.saved and self.record.status != DONE:
            self.store.finish_batch(self.record.id, DONE)


class _Run:
    """One run of a batch: what is left to do, given the checkpoints already stored."""

    def __init__(
        self,
        plan: Plan,
        requests: Sequence[SubjectRequest],
        record: BatchRecord,
        done: Mapping[str, Any],
        hash_key: bytes | None = None,
    ) -> None:
        self.plan, self.requests, self.record, self.done = plan, requests, record, done
        self.hash_key = hash_key

    def pending(self, resolved: Mapping[str, Resolved]) -> dict[str, list[Step]]:
        """Per system, children first, the writing steps still to apply."""
        groups: dict[str, list[Step]] = {}
        for address in self.plan.act_order:
            step = self.plan.step(address)
            if f"act:{address}" in self.done or not resolved[address].owners:
                continue
            if step.changes_data():
                groups.setdefault(step.system, []).append(step)
        return groups

    def systems(self, resolved: Mapping[str, Resolved] | None) -> set[str]:
        """The systems this run reads or writes (every system when it must resolve)."""
        if resolved is None:
            return {step.system for step in self.plan.steps}
        return set(self.pending(resolved))

    def subjects_pending(self) -> bool:
        return self.plan.type == "restriction" and SUBJECTS not in self.done

    def writes(self, resolved: Mapping[str, Resolved], *, fresh: bool) -> int:
        """How many store commits this run makes (the last one marks the batch done)."""
        first = fresh or self.subjects_pending()
        return int(first) + len(self.pending(resolved))

    def record_resolution(
        self, log: _Checkpoints, resolved: Mapping[str, Resolved], *, fresh: bool
    ) -> None:
        """Store a fresh resolution before any write, durably, with the restrictions it implies.

        Those are the fields kept under a legal obligation (ER-2) and, for a
        restriction, the subjects (RS-1): recorded once, with the resolution.
        """
        steps: dict[str, Any] = {}
        restrictions: list[RestrictionRecord] = []
        if fresh:
            steps[RESOLVE] = {address: found.to_payload() for address, found in resolved.items()}
            restrictions += [
                restriction
                for step in self.plan.steps
                for restriction in retained_restrictions(
                    step, resolved[step.address], self.requests, self.record, self.hash_key
                )
            ]
        if self.subjects_pending():
            steps[SUBJECTS] = {}
            restrictions += subject_restrictions(self.requests, self.record, self.hash_key)
        if steps:
            log.save(steps, restrictions)

    def act(
        self,
        resolved: Mapping[str, Resolved],
        connectors: Mapping[str, Connector],
        sessions: Sessions,
        log: _Checkpoints,
    ) -> dict[str, int]:
        """Apply each system's steps children-first, commit, then store their checkpoints.

        These checkpoints only record progress: losing them in a crash makes a
        rerun set the same stored values again, so they need not wait for the disk.
        """
        applied: dict[str, int] = {}
        for system, steps in self.pending(resolved).items():
            for step in steps:
                applied[step.address] = _apply(step, resolved[step.address], connectors[system])
            sessions.commit(system)
            log.save(
                {f"act:{s.address}": {"rows": applied[s.address]} for s in steps}, durable=False
            )
        return self.counts(applied)

    def counts(self, applied: Mapping[str, int]) -> dict[str, int]:
        """Rows changed per writing collection, in act order (resumed ones from checkpoints)."""
        counts: dict[str, int] = {}
        for address in self.plan.act_order:
            name = f"act:{address}"
            if address in applied:
                counts[address] = applied[address]
            elif name in self.done:
                counts[address] = int(self.done[name]["rows"])
        return counts


def _apply(step: Step, found: Resolved, connector: Connector) -> int:
    """Delete, or set constant and per-row values: one statement per kind of change."""
    if step.delete_rows:
        return sum(connector.delete(step.collection, match) for match in found.matches)
    changed = 0
    updates, constant = _merged(found)
    if constant:
        for match in found.matches:
            changed += connector.update(step.collection, match, constant)
    for rows in _by_columns(updates).values():
        changed = max(changed, connector.update_rows(step.collection, step.key or "", rows))
    return changed


def _merged(found: Resolved) -> tuple[list[Row], dict[str, Any]]:
    """Per-row updates and constant values; constants ride along when every row has an update.

    One bulk statement then sets both (the rows are the same), instead of two.
    """
    if found.constant and found.updates and len(found.updates) == len(found.owners):
        return [{**row, **found.constant} for row in found.updates], {}
    return found.updates, found.constant


def _by_columns(rows: Sequence[Row]) -> dict[tuple[str, ...], list[Row]]:
    """Per-row updates grouped by the columns they set (one bulk statement per group)."""
    groups: dict[tuple[str, ...], list[Row]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    return groups


def _dry_run(
    plan: Plan,
    requests: Sequence[SubjectRequest],
    connectors: Mapping[str, Connector],
    clock: Clock,
) -> BatchResult:
    """Resolve (reads only) and count per collection what would change; write nothing."""
    with Sessions(connectors, {step.system for step in plan.steps}):
        resolved = resolve(plan, requests, connectors, compute=False)
        counts = {
            step.address: sum(
                connectors[step.system].count(step.collection, match)
                for match in resolved[step.address].matches
            )
            for step in plan.steps
            if step.changes_data() or plan.type in ("access", "portability")
        }
    kind = plan.type
    record = BatchRecord(batch_id(kind, list(requests)), kind, len(requests), clock.now())
    results = answers(plan, requests, resolved, record, counts)
    return BatchResult(record.id, kind, results, counts, dry_run=True, forwarded=plan.forwarded)
