"""The exact statements a plan will send, as each connector renders them (no data touched).

For every step: the resolve fetch per selecting field, then the writes of the
act phase (delete, constant update, per-row update). Values are shown as the
connector's placeholders; identity values never appear.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tutela.ports import Connector, IgnoreCase
from tutela.rights.models import Plan, Step

_SAMPLE: dict[str, Any] = {
    "integer": 1,
    "numeric": Decimal(1),
    "date": date(2000, 1, 1),
    "datetime": datetime(2000, 1, 1),
    "boolean": True,
}


def statements(plan: Plan, connectors: Mapping[str, Connector]) -> dict[str, list[str]]:
    """Per collection address, the statement texts its step sends, in order."""
    return {
        step.address: _reads(step, connectors[step.system]) + _writes(step, connectors[step.system])
        for step in plan.steps
        if step.system in connectors
    }


def _sample(step: Step, name: str) -> list[Any]:
    kinds = [s.column_type for s in step.selectors if s.field == name and s.identity]
    kinds += [f.column_type for f in step.fields if f.name == name]
    return [_SAMPLE.get(kinds[0], "?") if kinds else 1]


def _reads(step: Step, connector: Connector) -> list[str]:
    names = dict.fromkeys(selector.field for selector in step.selectors)
    folded = {selector.field for selector in step.selectors if selector.ignores_case}
    return [
        connector.explain(
            "fetch",
            step.collection,
            {IgnoreCase(name) if name in folded else name: _sample(step, name)},
            step.read_columns(),
        )
        for name in names
    ]


def _writes(step: Step, connector: Connector) -> list[str]:
    """The act's statements, as the executor sends them (see ``executor._apply``)."""
    if not step.changes_data():
        return []
    key = step.match_field() or step.selectors[0].field
    match = {key: _sample(step, key)}
    if step.delete_rows:
        return [connector.explain("delete", step.collection, match)]
    constant, per_row = _columns(step)
    if per_row and step.key:  # constant values ride along in the one per-row statement
        keyed = {step.key: _sample(step, step.key)}
        return [connector.explain("update_rows", step.collection, keyed, per_row + constant)]
    return [connector.explain("update", step.collection, match, constant)] if constant else []


def _columns(step: Step) -> tuple[list[str], list[str]]:
    constant: list[str] = []
    per_row: list[str] = []
    for f in step.fields:
        if f.action == "mask":
            (per_row if f.mask_kind == "per_row" else constant).append(f.name)
        elif f.action == "rectify":
            per_row.append(f.name)
    if step.restriction_flag:
        constant.append(step.restriction_flag)
    return constant, per_row
