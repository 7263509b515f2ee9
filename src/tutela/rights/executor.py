"""The DSR executor: runs a batch of requests of one type through ports.Connector.

Named steps: plan (catalogs read once per connector), open a new batch (a new
id every run), resolve (every fetch, before any write; for writing requests
stored with the restrictions it implies in the durable store commit that also
records the batch), act (per system one transaction holds the resolve reads
and every collection's writes, children first; after it commits, one store
commit holds a checkpoint per collection), answer (results per request). The
last store commit closes the batch and deletes its checkpoints.

Nothing is ever replayed: a new run resolves afresh. Only an explicit resume of
a batch id (same requests, checked by their keyed digest) reuses the stored
resolution, and only for rows that are still as they were resolved, or as the
lost step left them (:mod:`tutela.rights.batches`).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tutela.errors import ConfigurationError, RequestError, TutelaError
from tutela.ports import BatchRecord, BatchStore, Clock, Connector, Row
from tutela.programme.models import Programme
from tutela.rights.batches import (
    RESOLVE,
    BatchRun,
    StoreLog,
    check_holds,
    check_resumable,
    running_elsewhere,
    verify_pending,
)
from tutela.rights.holds import LegalHold
from tutela.rights.models import (
    BatchResult,
    Plan,
    RequestType,
    Step,
    SubjectRequest,
    new_batch_id,
    requests_digest,
)
from tutela.rights.planner import Catalog, plan_request
from tutela.rights.resolve import Resolved, resolve
from tutela.rights.results import answers
from tutela.rights.sessions import Sessions

LEASE = timedelta(minutes=10)
"""How long a running batch is held by its process without a store commit."""


def _key_missing(programme: Programme) -> ConfigurationError:
    name = programme.masking.hash_key_env
    where = (
        name if name == "TUTELA_HASH_KEY" else f"{name} (masking.hash_key_env) or TUTELA_HASH_KEY"
    )
    return ConfigurationError(
        f"a request that is run needs the hash key: set {where}; tutela's store keeps "
        "keyed hashes only, never identities nor unkeyed hashes"
    )


@dataclass(frozen=True)
class Options:
    """How a batch runs: a new batch, or the resume of one; how long its answers wait.

    ``subject_holds`` names, per request of an erasure, the subject holds on it (held in
    the plan, :mod:`tutela.rights.holding`): that request's rows are not written.
    """

    resume: str | None = None
    lease: timedelta = LEASE
    delivery_until: datetime | None = None
    subject_holds: Mapping[SubjectRequest, tuple[str, ...]] = field(default_factory=dict)

    def subjects(self, requests: Sequence[SubjectRequest]) -> dict[int, tuple[str, ...]]:
        """The subject holds by index of ``requests`` (as resolve counts them)."""
        held = self.subject_holds
        return {i: held[r] for i, r in enumerate(requests) if held.get(r)}


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
    options: Options | None = None,
) -> BatchResult:
    """Run ``requests`` (all of one type) together: one statement per collection per batch.

    Every run is a new batch unless ``options.resume`` names one to resume.
    ``dry_run`` counts the rows that would change (connector.count) and writes
    nothing, not even to the store. Raises RequestError for bad requests or a
    batch that cannot be resumed, and ConfigurationError for a system without
    connector or a missing masking key, before any data changes. ``catalog``
    (from :func:`catalog_of`) saves describing each system again; ``plan`` (from
    :func:`plan_batch` for requests of this type and identities) saves planning.
    """
    kind, unique = _batch(requests)
    if plan is None:
        plan = plan_batch(programme, unique, connectors, catalog)
    elif plan.type != kind:
        raise RequestError(f"a {plan.type} plan cannot run {kind} requests")
    with cycle_collection_paused():
        if dry_run:
            return _dry_run(plan, unique, connectors, clock, options or Options())
        if not hash_key:
            raise _key_missing(programme)
        log = _open(plan, unique, store, clock, hash_key, options or Options())
        try:
            return _run_batch(plan, unique, connectors, log, hash_key, options or Options())
        except BaseException as error:
            if log.fail() and isinstance(error, TutelaError):
                error.batch = log.record.id
            raise


def _open(
    plan: Plan,
    requests: Sequence[SubjectRequest],
    store: BatchStore,
    clock: Clock,
    key: bytes,
    options: Options,
) -> StoreLog:
    """A new batch, or the batch to resume, leased to this process."""
    digest = requests_digest(requests, key)
    now = clock.now()
    if options.resume is None:
        record = BatchRecord(new_batch_id(), plan.type, len(requests), now, digest=digest)
        return StoreLog(store, record, clock, options.lease, new=True)
    stored, _ = store.find_batch(options.resume)
    check_resumable(stored, options.resume, plan.type, digest)
    claimed = store.claim_batch(options.resume, now, now + options.lease)
    if claimed is None:
        raise running_elsewhere(store.find_batch(options.resume)[0], options.resume)
    return StoreLog(store, claimed, clock, options.lease, new=False)


def _run_batch(
    plan: Plan,
    requests: Sequence[SubjectRequest],
    connectors: Mapping[str, Connector],
    log: StoreLog,
    hash_key: bytes,
    options: Options,
) -> BatchResult:
    """Resolve (or, on resume, reuse the stored resolution), act, answer, close."""
    _, done = log.store.find_batch(log.record.id) if not log.new else (None, {})
    run = BatchRun(plan, requests, log.record, done, hash_key)
    stored_resolution = _stored_resolution(done)
    with Sessions(connectors, run.systems(stored_resolution)) as sessions:
        if stored_resolution is None:
            now = log.clock.now()
            subjects = options.subjects(requests)
            resolved = resolve(
                plan, requests, connectors, hash_key=hash_key, now=now, subjects=subjects
            )
        else:
            resolved = stored_resolution
            check_holds(run, resolved)
            verify_pending(run, resolved, connectors, hash_key)
        run.record_resolution(log, resolved, fresh=stored_resolution is None)
        counts = _act(run, resolved, connectors, sessions, log)
    results = answers(plan, requests, resolved, log.record, counts)
    result = BatchResult(
        log.record.id,
        plan.type,
        results,
        counts,
        resumed=tuple(name for name in done if name.startswith("act:"))
        + tuple(f"act:{a}" for a in run.applied_before),
        forwarded=plan.forwarded,
        resumed_from=log.record.created_at if stored_resolution is not None else None,
        coverage=plan.coverage,
    )
    _close(log, result, options, run)
    return result


def _close(log: StoreLog, result: BatchResult, options: Options, run: BatchRun) -> None:
    """Close the batch; access answers stay only while they await delivery.

    A lift's restriction records go with the closing commit, after every flag is false.
    """
    keep = options.delivery_until is not None and result.type in ("access", "portability")
    if keep:
        from tutela.rights.export import batch_json

        log.close(result.counts, {"json": batch_json(result)}, options.delivery_until)
    else:
        log.close(result.counts, lifted=run.lifted())


def _act(
    run: BatchRun,
    resolved: Mapping[str, Resolved],
    connectors: Mapping[str, Connector],
    sessions: Sessions,
    log: StoreLog,
) -> dict[str, int]:
    """Apply each system's steps children-first, commit, then store their checkpoints.

    These checkpoints only record progress: losing them in a crash makes a
    resume find the rows as written and count them, so they need not wait for the disk.
    """
    applied: dict[str, int] = {}
    for system, steps in run.pending(resolved).items():
        for step in steps:
            applied[step.address] = _apply(step, resolved[step.address], connectors[system])
        sessions.commit(system)
        log.save({f"act:{s.address}": {"rows": applied[s.address]} for s in steps}, durable=False)
    return run.counts(applied)


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
    held: Sequence[LegalHold] = (),
) -> Plan:
    """The plan for the batch's type and identities; every reachable system needs a connector.

    ``held``: the legal holds an erasure observes (see :func:`plan_request`).
    """
    identities = {name for request in requests for name, _ in request.identities}
    changes = {target for request in requests for target, _ in request.changes}
    if requests[0].type == "rectification" and not changes:
        raise RequestError('a rectification needs at least one change, e.g. customer.name="X"')
    if catalog is None:
        catalog = catalog_of(programme, connectors)
    plan = plan_request(
        programme, requests[0].type, identities, catalog=catalog, changes=changes, held=held
    )
    missing = sorted({step.system for step in plan.steps} - set(connectors))
    if missing:
        raise ConfigurationError(f"no connector for system(s) {', '.join(missing)}")
    return plan


def _stored_resolution(done: Mapping[str, Any]) -> dict[str, Resolved] | None:
    if RESOLVE not in done:
        return None
    return {address: Resolved.from_payload(p) for address, p in done[RESOLVE].items()}


def _apply(step: Step, found: Resolved, connector: Connector) -> int:
    """Delete, or set constant and per-row values: one statement per kind of change."""
    if step.delete_rows:
        return sum(connector.delete(step.collection, match) for match in found.matches)
    updates, constant = _merged(found)
    together = 0
    if constant:
        for match in found.matches:
            together += connector.update(step.collection, match, constant)
    # Each row is in one group of per-row updates, so the groups add up; the
    # constant values touch every matched row, the per-row ones a subset of them.
    by_row = sum(
        connector.update_rows(step.collection, step.key or "", rows)
        for rows in _by_columns(updates).values()
    )
    return max(together, by_row)


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
    options: Options,
) -> BatchResult:
    """Resolve (reads only) and count per collection what would change; write nothing."""
    with Sessions(connectors, {step.system for step in plan.steps}):
        subjects = options.subjects(requests)
        now = clock.now()
        resolved = resolve(plan, requests, connectors, compute=False, now=now, subjects=subjects)
        counts = {
            step.address: sum(
                connectors[step.system].count(step.collection, match)
                for match in resolved[step.address].matches
            )
            for step in plan.steps
            if step.changes_data() or plan.type in ("access", "portability")
        }
    kind = plan.type
    record = BatchRecord(new_batch_id(), kind, len(requests), clock.now())
    results = answers(plan, requests, resolved, record, counts)
    return BatchResult(
        record.id,
        kind,
        results,
        counts,
        dry_run=True,
        forwarded=plan.forwarded,
        coverage=plan.coverage,
    )
