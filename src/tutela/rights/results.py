"""Turn a batch's resolution into one answer per request (AC-1, ER-2, RS-2, PO-3).

Pure: rows found for the batch carry the indices of the requests they belong
to; each request gets its own rows (access, portability) or counts of rows
changed (erasure, rectification, restriction), its retained fields with end
dates (ER-2) and, for restriction, the purposes still allowed (RS-2).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from tutela.ports import BatchRecord
from tutela.programme.durations import Duration
from tutela.rights.holds import HOLD_BASIS, HOLD_END, HOLD_PURPOSE
from tutela.rights.models import (
    RESTRICTION_ALLOWED_PURPOSES,
    CollectionResult,
    Plan,
    RequestResult,
    RetainedField,
    Retention,
    Step,
    SubjectRequest,
)
from tutela.rights.resolve import Resolved
from tutela.rights.retained import kept_range, retained_plans


def retention_end(start: datetime, retention: Retention) -> datetime | None:
    """When a retained field's legal obligation ends: ``start`` + the period (ER-2).

    Months and years are calendar months and years (31 Aug + 6m is 28 or 29 Feb, 29 Feb +
    1y is 28 Feb), see :meth:`Duration.after`; None when the rule gives a criterion instead
    of a period. The period was checked when the programme loaded.
    """
    if retention.period is None:
        return None
    return Duration.parse(retention.period).after(start)


def answers(
    plan: Plan,
    requests: Sequence[SubjectRequest],
    resolved: Mapping[str, Resolved],
    record: BatchRecord,
    counts: Mapping[str, int],
) -> tuple[RequestResult, ...]:
    """One :class:`RequestResult` per request, in the order of ``requests``.

    What a collection's answer says beyond its rows (labels, strategies,
    retained fields) is worked out once per step and shared by the answers.
    """
    views = [_StepView.of(plan, step, resolved[step.address], record) for step in plan.steps]
    return tuple(
        _answer(plan, index, request, views, record) for index, request in enumerate(requests)
    )


def _rows_by_request(found: Resolved) -> dict[int, list[int]]:
    """For each request index, the positions of its rows (one pass over the rows)."""
    mine: dict[int, list[int]] = {}
    for position, owners in enumerate(found.owners):
        for index in owners:
            mine.setdefault(index, []).append(position)
    return mine


@dataclass(frozen=True)
class _StepView:
    """One step's part of every answer: its rows per request and what it says about them."""

    step: Step
    found: Resolved
    rows: dict[int, list[int]]
    labels: dict[str, dict[str, list[str]]]
    strategies: dict[str, str]
    writes: bool

    @classmethod
    def of(cls, plan: Plan, step: Step, found: Resolved, record: BatchRecord) -> _StepView:
        reads = plan.type in ("access", "portability")
        return cls(
            step=step,
            found=found,
            rows=_rows_by_request(found),
            labels=_labels(step) if reads else {},
            strategies={} if reads else _strategies(step),
            writes=step.changes_data(),
        )


def _answer(
    plan: Plan,
    index: int,
    request: SubjectRequest,
    views: Sequence[_StepView],
    record: BatchRecord,
) -> RequestResult:
    collections: list[CollectionResult] = []
    retained: list[RetainedField] = []
    for view in views:
        mine = view.rows.get(index)
        if not mine:
            continue
        collections.append(_collection(plan, view, mine))
        retained += _retained(view.step, view.found, mine, record.created_at)
        retained += held_fields(view.step, view.found, mine)
    return RequestResult(
        request=request,
        batch_id=record.id,
        found=bool(collections),
        collections=tuple(c for c in collections if _worth_showing(plan, c)),
        retained=tuple(retained),
        restricted_purposes=RESTRICTION_ALLOWED_PURPOSES if plan.type == "restriction" else (),
    )


def _worth_showing(plan: Plan, result: CollectionResult) -> bool:
    if plan.type in ("access", "portability"):
        return bool(result.labels)
    return bool(result.changed or result.deleted or result.strategies or result.held)


def _collection(plan: Plan, view: _StepView, mine: Sequence[int]) -> CollectionResult:
    step = view.step
    if plan.type in ("access", "portability"):
        return CollectionResult(
            collection=step.address,
            system=step.system,
            rows=tuple(view.found.rows[i] for i in mine),
            labels=view.labels,
            withheld={f.name: f.reason or "" for f in step.fields if f.action == "withhold"},
        )
    held = sum(1 for position in mine if position in view.found.held)
    written = len(mine) - held
    return CollectionResult(
        collection=step.address,
        system=step.system,
        changed=written if view.writes and not step.delete_rows else 0,
        deleted=written if step.delete_rows else 0,
        strategies=view.strategies,
        held=held,
    )


def _labels(step: Step) -> dict[str, dict[str, list[str]]]:
    """Per field shown: its categories and the purposes that use it (AC-2(a),(b))."""
    return {
        f.name: {"categories": list(f.categories), "purposes": list(f.purposes)}
        for f in step.fields
        if f.action in ("read", "key")
    }


def _strategies(step: Step) -> dict[str, str]:
    if step.delete_rows:
        return {"*": "delete"}
    shown: dict[str, str] = {}
    for f in step.fields:
        if f.action == "mask":
            shown[f.name] = f.strategy or "null"
        elif f.action in ("rectify", "retain"):
            shown[f.name] = f.action
    if step.restriction_flag:
        shown[step.restriction_flag] = "flag"
    return shown


def _retained(
    step: Step, found: Resolved, mine: Sequence[int], start: datetime
) -> list[RetainedField]:
    """The fields kept for this request's rows, with the range of their end dates (ER-2).

    Per row from the collection's ``retention_from`` when declared (rows already
    past their end were erased, not kept); else from the erasure itself.
    """
    kept = []
    for f in retained_plans(step):
        retention = f.retention
        assert retention is not None
        earliest = until = retention_end(start, retention)
        if f.name in found.ends:
            earliest, until, count = kept_range(found.ends[f.name], mine, start)
            if count == 0:
                continue  # every row of this request was past its retention: erased
        kept.append(
            RetainedField(
                collection=step.address,
                field=f.name,
                categories=f.categories,
                purpose=retention.purpose,
                basis=retention.basis,
                until=until,
                criterion=retention.criterion,
                earliest=earliest if step.retention_from else None,
                counted_from=step.retention_from,
                hold=retention.hold,
                reason=retention.reason,
            )
        )
    return kept


def held_fields(step: Step, found: Resolved, mine: Sequence[int]) -> list[RetainedField]:
    """The fields of this request's rows a legal hold kept, per hold (Art. 17(3)(e), ER-2)."""
    ids = dict.fromkeys(hold for p in mine for hold in found.held.get(p, ()))
    reasons = {hold.hold: hold.reason for hold in step.held}
    return [
        RetainedField(
            collection=step.address,
            field=f.name,
            categories=f.categories,
            purpose=HOLD_PURPOSE,
            basis=HOLD_BASIS,
            until=None,
            criterion=HOLD_END,
            hold=hold,
            reason=reasons.get(hold),
        )
        for hold in ids
        for f in step.held_fields
    ]
