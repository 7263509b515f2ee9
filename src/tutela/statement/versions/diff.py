"""What changed between two versions of a programme, and which changes must be notified first.

NT-1 (Art. 13(3), 14(4)): each statement version is immutable and dated, and material
changes are told to data subjects in advance of taking effect, highlighted.

:func:`diff_programmes` walks both programmes as plain data, matching list items by their
key (or name, version, ...), and has
:class:`~tutela.statement.versions.materiality.Materiality` judge each difference.
Pure: programmes in, :class:`Change` values out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from tutela.programme.models import Programme
from tutela.statement.versions.materiality import ChangeKind, Materiality, RawChange, Step


@dataclass(frozen=True)
class Change:
    """One difference between two programmes, judged material (NT-1) or editorial.

    ``element`` names where it sits, e.g. ``purposes[marketing].legal_basis``; ``before``
    and ``after`` are short renderings (None when the element did not exist).
    """

    kind: ChangeKind
    element: str
    before: str | None
    after: str | None
    material: bool
    reason: str

    def as_dict(self) -> dict[str, str | bool | None]:
        """The change as JSON-ready data."""
        return {
            "kind": self.kind,
            "element": self.element,
            "before": self.before,
            "after": self.after,
            "material": self.material,
            "reason": self.reason,
        }


def diff_programmes(old: Programme, new: Programme) -> list[Change]:
    """Every difference from ``old`` to ``new``, in programme order, each judged per NT-1.

    Identical programmes give an empty list. Re-ordering list items is not a change.
    """
    materiality = Materiality.between(old, new)
    raw_changes = _walk(old.model_dump(mode="json"), new.model_dump(mode="json"), ())
    return [_judged(raw, materiality) for raw in raw_changes]


def statement_warnings(old: Programme, new: Programme, changes: Sequence[Change]) -> list[str]:
    """Problems with the NEW statement's versioning given ``changes`` (NT-1).

    Each published version is immutable, so a changed programme needs a new version, and
    a material change should be flagged as material in the new version's change log.
    """
    warnings: list[str] = []
    if new.statement is None:
        return ["the NEW programme has no `statement:` section; write it before publishing"]
    version = new.statement.version
    if changes and version is None:
        warnings.append("the NEW statement has no version; set statement.version (NT-1)")
    elif changes and old.statement is not None and old.statement.version == version:
        warnings.append(
            f"the NEW statement keeps version {version!r} although the programme changed; "
            "each published version is immutable (NT-1): give the new statement a new version"
        )
    entry = next((e for e in new.statement.change_log if e.version == version), None)
    if version and any(change.material for change in changes) and not (entry and entry.material):
        warnings.append(
            f"the change log of version {version!r} does not mark it material although "
            "material changes exist; add an entry with material: true (NT-1)"
        )
    return warnings


# --- walking both programmes ---------------------------------------------------------------


def _walk(before: Any, after: Any, path: tuple[Step, ...]) -> Iterator[RawChange]:
    if before == after:
        return
    if before is None:
        yield RawChange("added", path, None, after)
    elif after is None:
        yield RawChange("removed", path, before, None)
    elif isinstance(before, dict) and isinstance(after, dict):
        for name in dict.fromkeys([*before, *after]):
            yield from _walk(before.get(name), after.get(name), (*path, (name, None)))
    elif isinstance(before, list) and isinstance(after, list):
        yield from _walk_list(before, after, path)
    else:
        yield RawChange("changed", path, before, after)


def _walk_list(before: list[Any], after: list[Any], path: tuple[Step, ...]) -> Iterator[RawChange]:
    name = path[-1][0]
    old, new = _keyed(before, after), _keyed(after, before)
    for key, item in old.items():
        if key not in new:
            yield RawChange("removed", (*path[:-1], (name, key)), item, None)
    for key, item in new.items():
        yield from _walk(old.get(key), item, (*path[:-1], (name, key)))


_IDENTITY_FIELDS = ("key", "name", "category", "version", "to", "path", "language")


def _keyed(items: list[Any], other: list[Any]) -> dict[str, Any]:
    """Items by their identity: themselves for scalars, else a key field both lists share."""
    if all(not isinstance(item, dict | list) for item in items + other):
        return {str(item): item for item in items}
    for field in _IDENTITY_FIELDS:
        if _unique_field(items, field) and _unique_field(other, field):
            return {item[field]: item for item in items}
    return {f"#{index}": item for index, item in enumerate(items)}


def _unique_field(items: list[Any], field: str) -> bool:
    values = [item.get(field) if isinstance(item, dict) else None for item in items]
    return all(isinstance(value, str) for value in values) and len(set(values)) == len(values)


def _judged(raw: RawChange, materiality: Materiality) -> Change:
    verdict = materiality.judge(raw)
    before, after = _show(raw.before), _show(raw.after)
    return Change(raw.kind, raw.element, before, after, verdict.material, verdict.reason)


_LABEL_FIELDS = (
    "name",
    "key",
    "version",
    "mechanism",
    "reference",
    "category",
    "to",
    "path",
    "notice",
)


def _show(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        label = next((value[field] for field in _LABEL_FIELDS if value.get(field)), None)
        if isinstance(label, dict) and label:  # a text given per language: its first value
            label = next(iter(label.values()))
        return str(label) if label else json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, list):
        return ", ".join(str(_show(item)) for item in value)
    return str(value)
