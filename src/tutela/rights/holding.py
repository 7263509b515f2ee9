"""Legal holds in an erasure: planned per collection, then applied row by row (Art. 17(3)(e)).

Pure. At plan time, :func:`held_step` retains every personal field of a collection held
whole (a ``collection`` hold, or a ``customer`` hold on a collection whose customer is
found through a parent) and gives the other steps the holds that may keep some of their
rows (:class:`~tutela.rights.holds.RowHold`). At resolve time, :func:`held_rows` says
which rows those are, and :func:`free_matches` selects the others for the writes: by
primary key, or, for a collection without one, by the values of its selecting fields
that no held row shares (so a row sharing one with a held row is kept too).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from tutela.ports import Row
from tutela.rights.graph import Node
from tutela.rights.holds import HOLD_BASIS, HOLD_END, HOLD_PURPOSE, LegalHold, RowHold, RowTest
from tutela.rights.models import Retention, Step

Held = dict[int, tuple[str, ...]]
"""Per position of a held row, the ids of the holds keeping it."""


def hold_retention(hold: LegalHold) -> Retention:
    """Why a held field is kept: the hold, its reason, no end date but the hold's lifting."""
    return Retention(HOLD_PURPOSE, HOLD_BASIS, None, HOLD_END, hold=hold.id, reason=hold.reason)


def held_step(step: Step, node: Node, holds: Sequence[LegalHold]) -> Step:
    """``step`` (of an erasure, before rows are chosen for deletion) with its holds applied.

    Personal fields are those planned ``mask`` or ``retain``; keys stay as they are.
    """
    whole = next((h for h in holds if _holds_whole(h, node)), None)
    personal = tuple(f for f in step.fields if f.action in ("mask", "retain"))
    if whole is not None:
        kept = hold_retention(whole)
        fields = tuple(
            replace(f, action="retain", retention=kept) if f in personal else f for f in step.fields
        )
        return replace(step, fields=fields)
    rows = tuple(row for hold in holds if (row := _row_hold(hold, node)) is not None)
    return replace(step, held=rows, held_fields=personal) if rows else step


def step_holds(step: Step) -> set[str]:
    """The ids of the holds keeping rows or fields of ``step`` (planned by :func:`held_step`)."""
    ids = {hold.hold for hold in step.held}
    return ids | {f.retention.hold for f in step.fields if f.retention and f.retention.hold}


def _holds_whole(hold: LegalHold, node: Node) -> bool:
    if hold.collection is not None and hold.collection != node.address:
        return False
    if hold.scope == "collection":
        return hold.collection == node.address
    through_parent = "." in (node.collection.customer_field or "")
    return hold.scope == "customer" and through_parent


def _row_hold(hold: LegalHold, node: Node) -> RowHold | None:
    """The hold as it keeps rows of ``node``; None when it keeps none of them."""
    if not hold.covers(node.address):
        return None
    if hold.scope == "subject":
        return RowHold(hold.id, hold.reason, subject=True)
    if hold.scope == "filter" and hold.collection == node.address and hold.tests:
        return RowHold(hold.id, hold.reason, hold.tests)
    column = node.collection.customer_field
    if hold.scope == "customer" and column and hold.customer is not None:
        return RowHold(hold.id, hold.reason, (RowTest(column, "=", hold.customer),))
    return None


def held_rows(
    step: Step,
    rows: Sequence[Row],
    owners: Sequence[Sequence[int]],
    subjects: Mapping[int, tuple[str, ...]],
) -> Held:
    """The rows a hold keeps, by position; ``subjects`` maps a request to its subject holds."""
    held: Held = {}
    for position, row in enumerate(rows):
        ids = tuple(
            hold.hold for hold in step.held if _keeps(hold, row, owners[position], subjects)
        )
        if ids:
            held[position] = ids
    if held and not step.key:
        held = _sharing(step, rows, held)
    return held


def _keeps(
    hold: RowHold, row: Row, owners: Sequence[int], subjects: Mapping[int, tuple[str, ...]]
) -> bool:
    """Whether ``hold`` keeps ``row``: a held request's row, or one passing every test."""
    if hold.subject:
        return any(hold.hold in subjects.get(index, ()) for index in owners)
    return all(matches(test, row.get(test.column)) for test in hold.tests)


def _sharing(step: Step, rows: Sequence[Row], held: Held) -> Held:
    """Without a key: also every row sharing a selecting value with a held row (kept too)."""
    names = list(dict.fromkeys(s.field for s in step.selectors))
    while True:
        taken = {(name, _plain(rows[p].get(name))) for p in held for name in names}
        grown = {
            position: held.get(position) or _reasons(held)
            for position, row in enumerate(rows)
            if position in held or any((name, _plain(row.get(name))) in taken for name in names)
        }
        if len(grown) == len(held):
            return held
        held = grown


def _reasons(held: Held) -> tuple[str, ...]:
    return tuple(dict.fromkeys(hold for ids in held.values() for hold in ids))


def _plain(value: Any) -> Any:
    return value.casefold().rstrip() if isinstance(value, str) else value


def free_rows(rows: Sequence[Row], held: Held) -> list[Row]:
    """The rows no hold keeps."""
    return [row for position, row in enumerate(rows) if position not in held]


def free_matches(step: Step, free: Sequence[Row]) -> list[dict[str, list[Any]]]:
    """How the writes select only the rows no hold keeps (``free``): by key when declared.

    Without a key, by the selecting fields' values of the free rows, which share none with
    a held row (see :func:`held_rows`).
    """
    if not free:
        return []
    if step.key:
        return [{step.key: list(dict.fromkeys(row[step.key] for row in free))}]
    names = list(dict.fromkeys(s.field for s in step.selectors))
    return [{name: list(dict.fromkeys(row[name] for row in free))} for name in names]


def matches(test: RowTest, value: Any) -> bool:
    """Whether a row's ``value`` passes ``test``; True when it cannot tell (keep the row).

    Strings compare without case and trailing blanks for ``=`` and ``in`` (as a
    case-insensitive collation would), exactly for ``!=``: a doubt keeps the row.
    """
    if value is None:
        return True
    try:
        if test.op == "in":
            wanted = test.value if isinstance(test.value, tuple) else (test.value,)
            return any(_equal(value, _as(value, item)) for item in wanted)
        other = _as(value, test.value)
        if test.op == "=":
            return _equal(value, other)
        if test.op == "!=":
            return bool(value != other)
        return _ordered(test.op, value, other)
    except (TypeError, ValueError, InvalidOperation, OverflowError):
        return True


def _equal(value: Any, other: Any) -> bool:
    if isinstance(value, str) and isinstance(other, str):
        return bool(_plain(value) == _plain(other))
    return bool(value == other)


def _ordered(op: str, value: Any, other: Any) -> bool:
    if op == "<":
        return bool(value < other)
    if op == "<=":
        return bool(value <= other)
    if op == ">":
        return bool(value > other)
    return bool(value >= other)


def _as(value: Any, given: Any) -> Any:
    """``given`` in the type of the row's ``value`` (text from a command line, mostly).

    Raises TypeError or ValueError when it cannot be (the row is then kept).
    """
    if isinstance(given, type(value)) and not isinstance(given, bool):
        return given
    text = given.isoformat() if isinstance(given, date) else str(given)
    if isinstance(value, bool):
        raise TypeError("no boolean tests")
    if isinstance(value, datetime):
        moment = datetime.fromisoformat(text)
        if (moment.tzinfo is None) != (value.tzinfo is None):
            moment = moment.replace(tzinfo=value.tzinfo)
        return moment
    if isinstance(value, date):
        return date.fromisoformat(text[:10])
    if isinstance(value, int):
        return int(text) if text.lstrip("+-").isdigit() else Decimal(text)
    if isinstance(value, float | Decimal):
        return Decimal(text) if isinstance(value, Decimal) else float(text)
    return text
