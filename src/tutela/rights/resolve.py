"""The resolve phase: find every row a batch touches before anything is written.

One fetch per collection (per selecting field) for the whole batch, in plan
order, so key producers run before consumers. Each row remembers which
requests of the batch it belongs to. For writes, the new values are computed
here too (keyed hashes, random values, rectified values), so the act phase
only applies stored results: rerunning a step sets the same values again and
never hashes a hash.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from tutela.errors import ConfigurationError, RequestError
from tutela.ports import Connector, IgnoreCase, Row
from tutela.rights.fingerprint import after_image, fingerprint, written_columns
from tutela.rights.holding import Held, free_matches, free_rows, held_rows
from tutela.rights.identities import comparable
from tutela.rights.models import FieldPlan, Plan, Selector, Step, SubjectRequest
from tutela.rights.requests import RESTRICTING
from tutela.rights.retained import Ends, expired_updates, retained_plans, row_ends
from tutela.rights.strategies import ColumnSpec, column_domain, masker
from tutela.rights.values import ValueProblem, check_changes, rectified_value

Owners = dict[Any, set[int]]
Match = dict[str, list[Any]]
"""One field and the values that select rows by it."""
_INTEGER = re.compile(r"^[+-]?\d{1,18}$")


@dataclass
class Resolved:
    """What one step found: how to select its rows again and what to write to them.

    ``matches`` are single-field matches (by primary key when there is one);
    ``owners[i]`` are the request indices of row ``i``; ``rows`` are kept for
    access and portability only; ``updates`` are per-row new values keyed by
    the step's key; ``constant`` are values set on every row; ``before`` and
    ``after`` fingerprint the rows before and after the writes (see
    :mod:`tutela.rights.fingerprint`), so a resume can tell whether they changed.
    """

    matches: list[Match]
    owners: list[list[int]]
    rows: list[Row] = field(default_factory=list)
    updates: list[Row] = field(default_factory=list)
    constant: dict[str, Any] = field(default_factory=dict)
    before: str = ""
    after: str = ""
    after_matches: list[Match] = field(default_factory=list)
    ends: Ends = field(default_factory=dict)
    held: Held = field(default_factory=dict)
    """Rows a legal hold keeps from an erasure: position to hold ids (never written)."""

    def to_payload(self) -> dict[str, Any]:
        """A JSON-like form for the checkpoint store."""
        return {
            "matches": self.matches,
            "owner_runs": owner_runs(self.owners),
            "rows": self.rows,
            "updates": self.updates,
            "constant": self.constant,
            "before": self.before,
            "after": self.after,
            "after_matches": self.after_matches,
            "ends": self.ends,
            "held": [[position, list(ids)] for position, ids in self.held.items()],
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Resolved:
        """Rebuild from :meth:`to_payload`."""
        return cls(
            matches=list(payload["matches"]),
            owners=_owners(payload),
            rows=list(payload["rows"]),
            updates=list(payload["updates"]),
            constant=dict(payload["constant"]),
            before=str(payload.get("before", "")),
            after=str(payload.get("after", "")),
            after_matches=list(payload.get("after_matches", [])),
            ends={name: list(values) for name, values in payload.get("ends", {}).items()},
            held={int(p): tuple(ids) for p, ids in payload.get("held", [])},
        )


def owner_runs(owners: Sequence[list[int]]) -> list[list[Any]]:
    """``owners`` as runs ``[owners, count]``: rows of one subject come together, so it is short."""
    runs: list[list[Any]] = []
    for row_owners in owners:
        if runs and runs[-1][0] == row_owners:
            runs[-1][1] += 1
        else:
            runs.append([row_owners, 1])
    return runs


def _owners(payload: Mapping[str, Any]) -> list[list[int]]:
    if "owner_runs" not in payload:
        return [list(o) for o in payload["owners"]]
    return [list(o) for o, count in payload["owner_runs"] for _ in range(count)]


def resolve(
    plan: Plan,
    requests: Sequence[SubjectRequest],
    connectors: Mapping[str, Connector],
    *,
    hash_key: bytes | None = None,
    compute: bool = True,
    now: datetime | None = None,
    subjects: Mapping[int, tuple[str, ...]] | None = None,
) -> dict[str, Resolved]:
    """Fetch the rows of every step for the whole batch; compute new values if ``compute``.

    ``subjects`` maps a request (its index) to the ids of the subject holds on it: the
    rows of those requests, and the rows other holds of a step keep, are never written.

    Raises RequestError for a rectification value that does not fit its column
    (RE-1) and ConfigurationError when hashing is planned without a key; both
    before anything is written.
    """
    if plan.type == "rectification":
        check_changes(plan, requests)
    carried: dict[tuple[str, str], Owners] = {}
    found: dict[str, Resolved] = {}
    for step in plan.steps:
        rows, owners = _fetch(step, requests, connectors[step.system], carried)
        _carry(step, rows, owners, carried)
        moment = now or datetime.now(UTC)
        held = held_rows(step, rows, owners, subjects or {}) if _holding(plan, step) else {}
        found[step.address] = _resolved(
            plan, step, _Found(rows, owners, held), requests, hash_key, compute, moment
        )
    return found


def _fetch(
    step: Step,
    requests: Sequence[SubjectRequest],
    connector: Connector,
    carried: Mapping[tuple[str, str], Owners],
) -> tuple[list[Row], list[list[int]]]:
    """One fetch per selecting field; rows merged by key, owners united (sorted lists).

    A field an identity selects case-insensitively is asked for as IgnoreCase (ID-3).
    """
    sources = _sources(step, requests, carried)
    folded = {selector.field for selector in step.selectors if selector.ignores_case}

    def match(name: str, values: Owners) -> dict[str, list[Any]]:
        return {IgnoreCase(name) if name in folded else name: list(values)}

    if len(sources) == 1:
        ((name, values),) = sources.items()
        if not values:
            return [], []
        rows = connector.fetch(step.collection, match(name, values), step.read_columns())
        lookup = _Lookup(values)
        return rows, [lookup.owners(row.get(name)) for row in rows]
    merged: dict[Any, tuple[Row, set[int]]] = {}
    for name, values in sources.items():
        if not values:
            continue
        rows = connector.fetch(step.collection, match(name, values), step.read_columns())
        lookup = _Lookup(values)
        for row in rows:
            entry = merged.setdefault(_identity(step, row), (row, set()))
            entry[1].update(lookup.owners(row.get(name)))
    return [row for row, _ in merged.values()], [sorted(owners) for _, owners in merged.values()]


def _identity(step: Step, row: Row) -> Any:
    """Rows found twice (by several fields) merge by key; without key, by their values."""
    if step.key:
        return row[step.key]
    return tuple(map(repr, row.values()))


def _sources(
    step: Step, requests: Sequence[SubjectRequest], carried: Mapping[tuple[str, str], Owners]
) -> dict[str, Owners]:
    sources: dict[str, Owners] = {}
    for selector in step.selectors:
        target = sources.setdefault(selector.field, {})
        values = _identity_values(selector, requests) if selector.identity else None
        if values is None:
            values = carried.get((selector.upstream or "", selector.upstream_field or ""), {})
        for value, owners in values.items():
            target.setdefault(value, set()).update(owners)
    return sources


def _identity_values(selector: Selector, requests: Sequence[SubjectRequest]) -> Owners:
    """Identity values of every request, normalised and converted to the column type.

    Values that cannot be one (a phone that is no number, text for an integer) are dropped.
    """
    values: Owners = {}
    for index, request in enumerate(requests):
        for text in request.values(selector.identity or ""):
            written = comparable(text, selector.normalisation)
            value = None if written is None else coerce_identity(written, selector.column_type)
            if value is not None:
                values.setdefault(value, set()).add(index)
    return values


def coerce_identity(text: str, kind: str) -> Any:
    """``text`` as a value of column type ``kind``; None (matches nothing) if it cannot be."""
    if kind == "integer":
        return int(text) if _INTEGER.match(text) else None
    if kind == "numeric":
        try:
            return Decimal(text)
        except InvalidOperation:
            return None
    if kind in ("date", "datetime", "boolean") or "\x00" in text:
        return None
    return text


class _Lookup:
    """Find the owners of a fetched value, tolerant of case-insensitive collations.

    Owners come back as sorted lists shared by every row of the same value.
    """

    def __init__(self, values: Owners) -> None:
        self.values = {value: sorted(owners) for value, owners in values.items()}
        folded: Owners = {}
        for value, owners in values.items():
            if isinstance(value, str):
                folded.setdefault(value.casefold().rstrip(), set()).update(owners)
        self.folded = {value: sorted(owners) for value, owners in folded.items()}

    def owners(self, value: Any) -> list[int]:
        if value in self.values:
            return self.values[value]
        if isinstance(value, str):
            return self.folded.get(value.casefold().rstrip(), [])
        return []


def _carry(
    step: Step,
    rows: Sequence[Row],
    owners: Sequence[list[int]],
    carried: dict[tuple[str, str], Owners],
) -> None:
    for name in step.carries:
        values = carried.setdefault((step.address, name), {})
        for row, row_owners in zip(rows, owners, strict=True):
            if row.get(name) is not None:
                values.setdefault(row[name], set()).update(row_owners)


def _holding(plan: Plan, step: Step) -> bool:
    return plan.type == "erasure" and bool(step.held)


@dataclass(frozen=True)
class _Found:
    """A step's rows, the requests each belongs to, and those a legal hold keeps."""

    rows: list[Row]
    owners: list[list[int]]
    held: Held


def _resolved(
    plan: Plan,
    step: Step,
    found: _Found,
    requests: Sequence[SubjectRequest],
    hash_key: bytes | None,
    compute: bool,
    now: datetime,
) -> Resolved:
    rows, owners, held = found.rows, found.owners, found.held
    result = Resolved(_matches(step, rows), owners, held=held)
    if held:  # Art. 17(3)(e): only the rows no hold keeps are written, selected by key
        rows = free_rows(rows, held)
        result.matches = free_matches(step, rows)
    if plan.type == "erasure" and step.retains():
        result.ends = row_ends(step, found.rows, now)
    if plan.type in ("access", "portability"):
        shown = [f.name for f in step.fields if f.action != "withhold"]
        result.rows = [{name: row.get(name) for name in shown} for row in rows]
        return result
    if not (compute and found.rows):
        return result
    if plan.type == "erasure":
        result.constant, result.updates = _masked(step, rows, hash_key)
        if step.retention_from and result.ends:
            ends = row_ends(step, rows, now) if held else result.ends
            result.updates = _with_expired(step, rows, ends, result.updates, hash_key, now)
    elif plan.type == "rectification":
        result.updates = _rectified(step, rows, owners, requests)
    elif plan.type in RESTRICTING and step.restriction_flag:  # lifted: false again (RS-3)
        result.constant = {step.restriction_flag: plan.type == "restriction"}
    if hash_key:
        columns = written_columns(result.updates, result.constant)
        result.before = fingerprint(rows, hash_key, columns)
        image = after_image(step, rows, result.updates, result.constant)
        result.after = fingerprint(image, hash_key, columns)
        written = free_matches(step, image) if held else _matches(step, image)
        result.after_matches = written if written != result.matches else []
    return result


def _matches(step: Step, rows: Sequence[Row]) -> list[dict[str, list[Any]]]:
    """How the act phase selects the rows found: by :meth:`Step.match_field`'s values.

    Within the system's one transaction these are the rows the fetch found
    (plus any the same link gained meanwhile: the subject's too).
    """
    if not rows:
        return []
    name = step.match_field()
    names = [name] if name else list(dict.fromkeys(s.field for s in step.selectors))
    return [{field: list(dict.fromkeys(row[field] for row in rows))} for field in names]


def _masked(
    step: Step, rows: Sequence[Row], hash_key: bytes | None
) -> tuple[dict[str, Any], list[Row]]:
    """Constant values and per-row values (keyed by the step's key) for masked fields."""
    constant: dict[str, Any] = {}
    columns: dict[str, list[Any]] = {}
    for plan in (f for f in step.fields if f.action == "mask"):
        strategy = masker(plan.strategy or "null")
        spec = ColumnSpec(
            plan.name,
            plan.column_type,
            plan.length,
            plan.masking_value,
            plan.masking_domain or column_domain(step.system, step.address, plan.name),
            plan.integer_bits,
        )
        try:
            if strategy.kind == "constant":
                constant[plan.name] = strategy.mask([None], spec, hash_key)[0]
            elif strategy.kind == "per_row":
                current = [row.get(plan.name) for row in rows]
                columns[plan.name] = strategy.mask(current, spec, hash_key)
        except ConfigurationError as error:  # e.g. hash without the programme's hash key
            raise ConfigurationError(
                f"{step.address}.{plan.name} is masked by {plan.strategy}: {error}"
            ) from None
    return constant, _keyed_rows(step, rows, columns)


def _with_expired(
    step: Step,
    rows: Sequence[Row],
    ends: Ends,
    updates: list[Row],
    hash_key: bytes | None,
    now: datetime,
) -> list[Row]:
    """The step's per-row updates plus the erasure of rows whose retention has passed (ER-2)."""
    retained = retained_plans(step)
    as_masked = replace(step, fields=tuple(replace(f, action="mask") for f in retained))
    constant, keyed = _masked(as_masked, rows, hash_key)
    masked = {name: [value] * len(rows) for name, value in constant.items()}
    for name in {name for row in keyed for name in row} - {step.key}:
        masked[name] = [row[name] for row in keyed]
    expired = expired_updates(step, rows, ends, now, masked)
    if not expired:
        return updates
    merged = {row[step.key or ""]: dict(row) for row in updates}
    for row in expired:
        merged.setdefault(row[step.key or ""], {}).update(row)
    return list(merged.values())


def _keyed_rows(step: Step, rows: Sequence[Row], columns: Mapping[str, list[Any]]) -> list[Row]:
    if not columns:
        return []
    if not step.key:
        raise RequestError(
            f"{step.address} needs a declared primary key for per-row masking (hash, random)"
        )
    key = step.key
    return [
        {key: row[key], **{name: values[i] for name, values in columns.items()}}
        for i, row in enumerate(rows)
    ]


def _rectified(
    step: Step, rows: Sequence[Row], owners: Sequence[list[int]], requests: Sequence[SubjectRequest]
) -> list[Row]:
    """Per-row values for the rectified fields of each row's (first) request (RE-1).

    The values were checked by :func:`tutela.rights.values.check_changes` before
    any fetch; converting them again here cannot fail.
    """
    plans = {f.name: f for f in step.fields if f.action == "rectify"}
    if not plans:
        return []
    if not step.key:
        raise RequestError(f"{step.address} needs a declared primary key for rectification")
    wanted = [_changes_for(step, request, plans) for request in requests]
    updates: list[Row] = []
    for row, row_owners in zip(rows, owners, strict=True):
        values = next((wanted[i] for i in sorted(row_owners) if wanted[i]), None)
        if values:
            updates.append({step.key: row[step.key], **values})
    return updates


def _changes_for(
    step: Step, request: SubjectRequest, plans: Mapping[str, FieldPlan]
) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for target, text in request.changes:
        parts = target.split(".")
        if parts[-1] in plans and ".".join(parts[:-1]) in (step.collection, step.address):
            try:
                changes[parts[-1]] = rectified_value(text, plans[parts[-1]])
            except ValueProblem as problem:
                raise RequestError(f"{step.address}.{parts[-1]}: {problem}") from None
    return changes
