"""One run of a batch against tutela's store: its commits, what is left, what a resume may reuse.

A new run resolves afresh and records, in its first durable store commit, the
batch (with a keyed digest of its requests), the resolution of writing requests
and the restrictions they imply. Each system's writes commit in one connector
transaction, then one store commit records their checkpoints. The last commit
closes the batch with its counts and deletes its checkpoints (answers awaiting
delivery excepted).

A resume (an explicit ``resume BATCH`` only) reuses the stored resolution, and
for each step not checkpointed compares the rows as they are now with the
fingerprints stored before and after the writes (:mod:`tutela.rights.fingerprint`).
An erasure's resolution is stored with the ids of the legal holds it observed: a resume
refuses when a hold placed since keeps data of a step still to write (:func:`check_holds`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tutela.errors import RequestError, TutelaError
from tutela.ports import BatchRecord, BatchStore, Clock, Connector, RestrictionRecord, Row
from tutela.rights.fingerprint import fingerprint, written_columns
from tutela.rights.holding import step_holds
from tutela.rights.models import Plan, Step, SubjectRequest
from tutela.rights.resolve import Match, Resolved
from tutela.rights.restrictions import retained_restrictions, subject_restrictions

RESOLVE = "resolve"
SUBJECTS = "subjects"
HOLDS = "holds"
"""The ids of the legal holds an erasure's stored resolution observed (no personal data)."""
ANSWERS = "answers"
DONE = "done"
WRITING = ("erasure", "rectification", "restriction", "restriction_lift")
"""Request types that change data: only their resolution is stored (to resume)."""


@dataclass
class StoreLog:
    """The store commits of one run: the first records a new batch, the last closes it."""

    store: BatchStore
    record: BatchRecord
    clock: Clock
    lease: timedelta
    new: bool
    saved: int = 0

    def save(
        self,
        steps: Mapping[str, Any],
        restrictions: Sequence[RestrictionRecord] = (),
        *,
        durable: bool = True,
    ) -> None:
        """One commit of progress; it extends the batch's lease."""
        self.store.save_checkpoints(
            self.record.id,
            steps,
            restrictions,
            opening=self.record if self.new and not self.saved else None,
            durable=durable,
            lease_until=self.clock.now() + self.lease,
        )
        self.saved += 1

    def close(
        self,
        counts: Mapping[str, int],
        answers: Mapping[str, Any] | None = None,
        expires_at: datetime | None = None,
        lifted: Sequence[RestrictionRecord] = (),
    ) -> None:
        """Mark the batch done with its counts; delete its checkpoints but the answers.

        ``lifted`` names the subjects whose restriction ends (RS-3): their records go
        in the same commit, once every system's flag is false.
        """
        steps = {ANSWERS: answers} if answers is not None else {}
        extra: dict[str, Any] = {"lifted": lifted} if lifted else {}
        self.store.save_checkpoints(
            self.record.id,
            steps,
            opening=self.record if self.new and not self.saved else None,
            status=DONE,
            counts=counts,
            keep=(ANSWERS,) if answers is not None else (),
            expires_at=expires_at if answers is not None else None,
            **extra,
        )
        self.saved += 1

    def fail(self) -> bool:
        """Release the lease of a batch that stopped; its checkpoints stay for a resume.

        True when the batch is in the store (so it can be resumed). A store that
        fails here too leaves the lease to expire.
        """
        if not (self.saved or not self.new):
            return False
        with contextlib.suppress(TutelaError):
            self.store.finish_batch(self.record.id, "failed")
        return True


@dataclass
class BatchRun:
    """What one run of a batch does, given the checkpoints a resume found (none for a new run)."""

    plan: Plan
    requests: Sequence[SubjectRequest]
    record: BatchRecord
    done: Mapping[str, Any] = field(default_factory=dict)
    hash_key: bytes | None = None
    applied_before: dict[str, int] = field(default_factory=dict)

    def pending(self, resolved: Mapping[str, Resolved]) -> dict[str, list[Step]]:
        """Per system, children first, the writing steps still to apply."""
        groups: dict[str, list[Step]] = {}
        for address in self.plan.act_order:
            step = self.plan.step(address)
            if f"act:{address}" in self.done or not resolved[address].owners:
                continue
            if step.changes_data() and address not in self.applied_before:
                groups.setdefault(step.system, []).append(step)
        return groups

    def systems(self, resolved: Mapping[str, Resolved] | None) -> set[str]:
        """The systems this run reads or writes (every system when it must resolve)."""
        if resolved is None:
            return {step.system for step in self.plan.steps}
        return set(self.pending(resolved))

    def record_resolution(
        self, log: StoreLog, resolved: Mapping[str, Resolved], *, fresh: bool
    ) -> None:
        """Store a fresh resolution before any write, durably, with the restrictions it implies.

        Those are the fields kept under a legal obligation (ER-2) and, for a
        restriction, the subjects (RS-1): recorded once, with the resolution.
        Access and portability store nothing but the batch: they write nothing.
        """
        if not fresh or self.plan.type not in WRITING:
            return
        steps: dict[str, Any] = {
            RESOLVE: {address: found.to_payload() for address, found in resolved.items()}
        }
        restrictions = [
            restriction
            for step in self.plan.steps
            for restriction in retained_restrictions(
                step, resolved[step.address], self.requests, self.record, self.hash_key
            )
        ]
        if self.plan.type == "erasure":
            steps[HOLDS] = sorted({hold for step in self.plan.steps for hold in step_holds(step)})
        if self.plan.type == "restriction":
            steps[SUBJECTS] = {}
            restrictions += subject_restrictions(self.requests, self.record, self.hash_key)
        log.save(steps, restrictions)

    def lifted(self) -> list[RestrictionRecord]:
        """The subjects whose restriction a lift ends, by each identity given (RS-3)."""
        if self.plan.type != "restriction_lift":
            return []
        return subject_restrictions(self.requests, self.record, self.hash_key)

    def counts(self, applied: Mapping[str, int]) -> dict[str, int]:
        """Rows changed per writing collection, in act order (resumed ones from checkpoints)."""
        counts: dict[str, int] = {}
        for address in self.plan.act_order:
            name = f"act:{address}"
            if address in applied:
                counts[address] = applied[address]
            elif address in self.applied_before:
                counts[address] = self.applied_before[address]
            elif name in self.done:
                counts[address] = int(self.done[name]["rows"])
        return counts


def check_resumable(stored: BatchRecord | None, batch: str, kind: str, digest: str) -> BatchRecord:
    """The stored batch ``batch`` if this input may resume it; RequestError saying why not."""
    if stored is None:
        raise RequestError(f"no batch {batch} in tutela's store; run the requests as a new batch")
    if stored.status == DONE:
        raise RequestError(f"batch {batch} is finished; nothing to resume")
    if stored.type != kind:
        raise RequestError(f"batch {batch} is a {stored.type} batch, not {kind}")
    if stored.digest != digest:
        raise RequestError(
            f"these requests are not batch {batch}'s; resume with the same input "
            "(same requests, same TUTELA_BATCH_SIZE)"
        )
    return stored


def running_elsewhere(stored: BatchRecord | None, batch: str) -> RequestError:
    """The error for a batch another process holds (its lease has not expired)."""
    until = (
        stored.lease_until.isoformat(timespec="seconds") if stored and stored.lease_until else ""
    )
    return RequestError(
        f"batch {batch} is running in another process (lease until {until}); "
        "wait for it to finish, or resume it after the lease expires"
    )


def check_holds(run: BatchRun, resolved: Mapping[str, Resolved]) -> None:
    """Before a resume writes: no legal hold placed since the erasure resolved may be ignored.

    The stored resolution chose its rows without that hold, so it would write rows the hold
    keeps (Art. 17(3)(e)): RequestError, nothing written; a new batch resolves with the hold.
    A collection held whole since is simply not written (its step no longer changes data).
    A batch stored without its holds' ids counts every hold as new.
    """
    if run.plan.type != "erasure":
        return
    observed = set(run.done.get(HOLDS) or ())
    for steps in run.pending(resolved).values():
        for step in steps:
            if step_holds(step) - observed:
                raise RequestError(
                    f"a legal hold on data of {step.address} was placed after batch "
                    f"{run.record.id} resolved it; nothing more was written: run the requests "
                    "again as a new batch, which keeps what the hold holds"
                )


def verify_pending(
    run: BatchRun,
    resolved: Mapping[str, Resolved],
    connectors: Mapping[str, Connector],
    key: bytes,
) -> None:
    """Before a resume writes: each pending step's rows must be as resolved, or as written.

    Rows as written mean the system committed before the crash and only the
    checkpoint was lost: the step counts as applied (its rows are counted). Any
    other state is a change since the batch was resolved: RequestError, nothing written.
    """
    for steps in run.pending(resolved).values():
        for step in steps:
            found = resolved[step.address]
            connector = connectors[step.system]
            columns = written_columns(found.updates, found.constant)
            before = _rows_now(step, found.matches, connector)
            if fingerprint(before, key, columns) == found.before:
                continue
            after = _rows_now(step, found.after_matches or found.matches, connector)
            if fingerprint(after, key, columns) == found.after:
                run.applied_before[step.address] = len(found.owners)
                continue
            raise RequestError(
                f"the data of {step.address} changed since batch {run.record.id} resolved it; "
                "nothing more was written: run the requests again as a new batch"
            )


def _rows_now(step: Step, matches: Sequence[Match], connector: Connector) -> list[Row]:
    """The step's rows as they are now, selected as the resolve selected them."""
    columns = step.read_columns()
    fetch = connector.fetch
    return [row for match in matches for row in fetch(step.collection, match, columns)]
