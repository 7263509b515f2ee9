"""What a SQL connector call selects: checked columns, usable keys and how each compares.

A match (``{field: keys}``) names columns of the reflected table and gives each a
whole key set; :func:`select_keys` checks both and coerces the keys to their
column's kind (:func:`tutela.connectors.lookups.coerce_keys`), lower-casing them
for a field given as :class:`tutela.ports.IgnoreCase`. :func:`group_rows` does
the same for the rows of ``update_rows``. Every failure is a
:class:`tutela.errors.ConnectorError` naming the system.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from tutela.connectors.lookups import Fold, coerce_keys, lowered
from tutela.errors import ConnectorError
from tutela.ports import ignores_case

Match = Mapping[str, Sequence[Any]]
Pairs = list[tuple[sa.Column[Any], list[Any]]]
Selection = tuple[Pairs, tuple[Fold, ...]]
"""The matched columns with their usable keys, and how each is compared."""


def columns_of(
    table: sa.Table, names: Sequence[str] | Mapping[str, Any], *, system: str
) -> list[sa.Column[Any]]:
    """The columns of ``table`` that ``names`` name, in order, each once."""
    columns: dict[str, sa.Column[Any]] = {}
    for name in names:
        if not isinstance(name, str) or name not in table.c:
            raise ConnectorError(f"collection {table.name!r} has no column {name!r}", system=system)
        columns[name] = table.c[name]
    return list(columns.values())


def select_keys(
    table: sa.Table, match: Match, fold: Callable[[sa.Column[Any]], Fold], *, system: str
) -> Selection | None:
    """Columns with their usable keys and folds; None when some field has no usable key.

    A field given as :class:`tutela.ports.IgnoreCase` is compared as ``fold``
    says and has its keys lower-cased.
    """
    pairs: Pairs = []
    folds: list[Fold] = []
    for (column, keys), name in zip(_pairs_raw(table, match, system), match, strict=True):
        how = fold(column) if ignores_case(name) else "exact"
        usable = coerce_keys(column, keys)
        pairs.append((column, usable if how == "exact" else lowered(usable)))
        folds.append(how)
    return None if any(not keys for _, keys in pairs) else (pairs, tuple(folds))


def group_rows(
    key: sa.Column[Any], rows: Sequence[Mapping[str, Any]]
) -> dict[tuple[str, ...], list[dict[str, Any]]]:
    """The rows of ``update_rows`` by the columns they set; a key given twice keeps its last."""
    groups: dict[tuple[str, ...], dict[Any, dict[str, Any]]] = {}
    for row in rows:
        if key.name not in row:
            raise ConnectorError(f"a row for update_rows lacks its key {key.name!r}")
        usable = coerce_keys(key, [row[key.name]])
        names = tuple(sorted(name for name in row if name != key.name))
        if usable and names:
            groups.setdefault(names, {})[usable[0]] = {**row, key.name: usable[0]}
    return {names: list(group.values()) for names, group in groups.items()}


def _pairs_raw(
    table: sa.Table, match: Match, system: str
) -> list[tuple[sa.Column[Any], Sequence[Any]]]:
    if not match:
        raise ConnectorError(
            f"selecting from {table.name!r} needs at least one field with keys; "
            "tutela never selects a whole collection",
            system=system,
        )
    pairs: list[tuple[sa.Column[Any], Sequence[Any]]] = []
    for name, keys in match.items():
        if isinstance(keys, str | bytes) or not isinstance(keys, Sequence | set | frozenset):
            raise ConnectorError(
                f"keys for {table.name}.{name} must be a list of values, got {type(keys).__name__}",
                system=system,
            )
        pairs.append((columns_of(table, [name], system=system)[0], list(keys)))
    return pairs
