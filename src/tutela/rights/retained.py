"""Fields kept under a legal obligation, per row: until when, and which rows have expired (ER-2).

A retention rule counts its period from a trigger, such as each invoice's date.
When the collection names the field holding it (``retention_from``), each row's
end is that date plus the period (calendar months and years,
:meth:`tutela.programme.durations.Duration.after`); a row whose end has passed
is no longer kept, and its fields are erased like any other. Without
``retention_from`` the period counts from the erasure itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from tutela.ports import Row
from tutela.programme.durations import Duration
from tutela.rights.models import FieldPlan, Step

Ends = dict[str, list[datetime | None]]
"""Per retained field, the end of each row's retention (None: a criterion, no date)."""


def row_ends(step: Step, rows: Sequence[Row], now: datetime) -> Ends:
    """The end of each row's retention, per retained field with a period."""
    ends: Ends = {}
    for f in step.fields:
        if f.action != "retain" or f.retention is None:
            continue
        period = Duration.parse(f.retention.period) if f.retention.period else None
        ends[f.name] = [
            _end(period, _start(row.get(step.retention_from or ""), now)) for row in rows
        ]
    return ends


def expired_updates(
    step: Step,
    rows: Sequence[Row],
    ends: Ends,
    now: datetime,
    masked: Mapping[str, list[Any]],
) -> list[Row]:
    """Per-row values erasing the retained fields of rows whose retention has passed.

    ``masked`` holds, per retained field, the value its strategy gives each row.
    """
    key = step.key or ""
    updates: list[Row] = []
    for position, row in enumerate(rows):
        values = {
            name: masked[name][position]
            for name, row_ends_ in ends.items()
            if _passed(row_ends_[position], now)
        }
        if values:
            updates.append({key: row[key], **values})
    return updates


def kept_range(
    ends: Sequence[datetime | None], positions: Sequence[int], now: datetime
) -> tuple[datetime | None, datetime | None, int]:
    """Earliest and latest end among the kept rows at ``positions``, and how many are kept."""
    kept = [ends[p] for p in positions if not _passed(ends[p], now)]
    dated = [end for end in kept if end is not None]
    if not dated:
        return None, None, len(kept)
    return min(dated), max(dated), len(kept)


def retained_plans(step: Step) -> list[FieldPlan]:
    """The fields the step keeps under a legal obligation."""
    return [f for f in step.fields if f.action == "retain" and f.retention is not None]


def _start(value: Any, now: datetime) -> datetime:
    """A row's trigger date as an aware datetime; the erasure time when it has none."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=UTC)
    return now


def _end(period: Duration | None, start: datetime) -> datetime | None:
    if period is None:
        return None
    try:
        return period.after(start)
    except OverflowError:
        return datetime.max.replace(tzinfo=UTC)


def _passed(end: datetime | None, now: datetime) -> bool:
    return end is not None and end <= now
