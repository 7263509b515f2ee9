"""The DSR executor: runs a batch of requests of one type through ports.Connector.

Named steps: plan (catalogs read once per connector), open the batch in the
store, resolve (every fetch, before any write; stored as the ``resolve``
checkpoint), act (one transaction per connector per collection, children
first; a checkpoint after each commit), answer (results per request).
A rerun of the same batch (same requests, same type: same id) reuses the
stored resolution and skips finished steps, so access results are never lost
and masking is never applied twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tutela.errors import ConfigurationError, RequestError
from tutela.policy.models import Programme
from tutela.ports import (
    BatchRecord,
    CheckpointStore,
    Clock,
    Connector,
    RestrictionRecord,
    Row,
)
from tutela.rights.models import (
    RESTRICTION_ALLOWED_PURPOSES,
    BatchResult,
    Plan,
    RequestType,
    Step,
    SubjectRequest,
    batch_id,
)
from tutela.rights.planner import Catalog, plan_request
from tutela.rights.resolve import Resolved, resolve
from tutela.rights.results import answers, retention_end

RESOLVE = "resolve"
SUBJECTS = "subjects"


def execute_batch(
    programme: Programme,
    requests: Sequence[SubjectRequest],
    connectors: Mapping[str, Connector],
    store: CheckpointStore,
    clock: Clock,
    dry_run: bool = False,
    *,
    hash_key: bytes | None = None,
    catalog: Catalog | None = None,
) -> BatchResult:
    """Run ``requests`` (all of one type) together: one statement per collection per batch.

    Idempotent and resumable by batch id. ``dry_run`` counts the rows that
    would change (connector.count) and writes nothing, not even to the store.
    Raises RequestError for bad requests and ConfigurationError for a system
    without connector, before any data changes. ``catalog`` (from
    :func:`catalog_of`) saves describing each system again.
    """
    kind, unique = _batch(requests)
    plan = plan_batch(programme, unique, connectors, catalog)
    if dry_run:
        return _dry_run(plan, unique, connectors, clock)
    record = store.open_batch(BatchRecord(batch_id(kind, unique), kind, len(unique), clock.now()))
    done = store.checkpoints(record.id)
    resolved = _resolve_once(plan, unique, connectors, store, record, done, hash_key)
    counts = _act(plan, unique, resolved, connectors, store, record, done)
    store.finish_batch(record.id, "done")
    resumed = tuple(name for name in done if name != RESOLVE)
    results = answers(plan, unique, resolved, record, counts)
    return BatchResult(record.id, kind, results, counts, resumed=resumed, forwarded=plan.forwarded)


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


def _resolve_once(
    plan: Plan,
    requests: Sequence[SubjectRequest],
    connectors: Mapping[str, Connector],
    store: CheckpointStore,
    record: BatchRecord,
    done: Mapping[str, Any],
    hash_key: bytes | None,
) -> dict[str, Resolved]:
    """The stored resolution of this batch, or a fresh one, stored before any write."""
    if RESOLVE in done:
        return {address: Resolved.from_payload(p) for address, p in done[RESOLVE].items()}
    resolved = resolve(plan, requests, connectors, hash_key=hash_key)
    payload = {address: found.to_payload() for address, found in resolved.items()}
    store.save_checkpoint(record.id, RESOLVE, payload)
    return resolved


def _act(
    plan: Plan,
    requests: Sequence[SubjectRequest],
    resolved: Mapping[str, Resolved],
    connectors: Mapping[str, Connector],
    store: CheckpointStore,
    record: BatchRecord,
    done: Mapping[str, Any],
) -> dict[str, int]:
    """Apply each writing step children-first; checkpoint after each commit."""
    if plan.type == "restriction" and SUBJECTS not in done:
        store.save_checkpoint(record.id, SUBJECTS, {}, _subject_restrictions(requests, record))
    counts: dict[str, int] = {}
    for address in plan.act_order:
        step, found = plan.step(address), resolved[address]
        name = f"act:{address}"
        if name in done:
            counts[address] = int(done[name]["rows"])
        elif step.changes_data() and found.owners:
            counts[address] = _apply(step, found, connectors[step.system])
            retained = _retained_restrictions(step, found, requests, record)
            store.save_checkpoint(record.id, name, {"rows": counts[address]}, retained)
    return counts


def _apply(step: Step, found: Resolved, connector: Connector) -> int:
    """One transaction on the step's connector: delete, or set constant and per-row values."""
    changed = 0
    with connector.transaction():
        if step.delete_rows:
            return sum(connector.delete(step.collection, match) for match in found.matches)
        if found.constant:
            for match in found.matches:
                changed += connector.update(step.collection, match, found.constant)
        for rows in _by_columns(found.updates).values():
            changed = max(changed, connector.update_rows(step.collection, step.key or "", rows))
    return changed


def _by_columns(rows: Sequence[Row]) -> dict[tuple[str, ...], list[Row]]:
    """Per-row updates grouped by the columns they set (one bulk statement per group)."""
    groups: dict[tuple[str, ...], list[Row]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    return groups


def _subject_restrictions(
    requests: Sequence[SubjectRequest], record: BatchRecord
) -> list[RestrictionRecord]:
    """Each subject of a restriction batch, by each identity given (RS-1, RS-2)."""
    return [
        RestrictionRecord(
            identity=name,
            value=value,
            allowed=RESTRICTION_ALLOWED_PURPOSES,
            reason="restriction of processing (Art. 18, RS-1)",
            batch_id=record.id,
            created_at=record.created_at,
        )
        for request in requests
        for name, value in request.identities
    ]


def _retained_restrictions(
    step: Step, found: Resolved, requests: Sequence[SubjectRequest], record: BatchRecord
) -> list[RestrictionRecord]:
    """Fields kept under a legal obligation are restricted to that purpose (ER-2, RS-2)."""
    owners = {index for row_owners in found.owners for index in row_owners}
    return [
        RestrictionRecord(
            identity=name,
            value=value,
            allowed=("storage", f.retention.purpose),
            reason=f"retained under {f.retention.purpose} ({f.retention.basis}, ER-2)",
            batch_id=record.id,
            created_at=record.created_at,
            collection=step.address,
            field=f.name,
            until=retention_end(record.created_at, f.retention),
        )
        for f in step.fields
        if f.action == "retain" and f.retention is not None
        for index in sorted(owners)
        for name, value in requests[index].identities
    ]


def _dry_run(
    plan: Plan,
    requests: Sequence[SubjectRequest],
    connectors: Mapping[str, Connector],
    clock: Clock,
) -> BatchResult:
    """Resolve (reads only) and count per collection what would change; write nothing."""
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
