"""A release's source rows, with its quasi-identifiers and sensitive attributes encoded.

Quasi-identifiers become leaf codes of their :class:`~tutela.anonymise.hierarchies.Hierarchy`;
sensitive attributes become codes of their distinct values (by value for numbers, so
t-closeness can use the ordered distance). Everything downstream works on these arrays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from tutela.anonymise.hierarchies import (
    Codes,
    DateHierarchy,
    Hierarchy,
    NumericHierarchy,
    SetHierarchy,
    TreeHierarchy,
)
from tutela.errors import AnonymisationError

QuasiKind = Literal["number", "date", "category"]


@dataclass(frozen=True)
class QuasiSpec:
    """How one quasi-identifier generalises: its kind, and a declared tree or widths."""

    name: str
    kind: QuasiKind = "category"
    tree: Mapping[str, Sequence[str]] | None = None
    widths: tuple[float, ...] = ()

    def hierarchy(self, values: Sequence[str]) -> Hierarchy:
        """The hierarchy for ``values`` (the column's values, all rows)."""
        if self.kind == "number":
            return NumericHierarchy(self.name, values, self.widths)
        if self.kind == "date":
            return DateHierarchy(self.name, values)
        if self.tree:
            return TreeHierarchy(self.name, values, self.tree)
        return SetHierarchy(self.name, values)


@dataclass(frozen=True)
class QuasiIdentifier:
    """An encoded quasi-identifier: its hierarchy and each row's leaf code."""

    name: str
    hierarchy: Hierarchy
    codes: Codes


@dataclass(frozen=True)
class SensitiveAttribute:
    """An encoded sensitive attribute: its distinct values, each row's code, its distribution."""

    name: str
    values: tuple[str, ...]
    codes: Codes
    ordered: bool
    distribution: npt.NDArray[np.float64] = field(compare=False)

    @property
    def size(self) -> int:
        """How many distinct values it has."""
        return len(self.values)


@dataclass(frozen=True)
class EncodedTable:
    """The rows of a release's source: all columns as given, and the encoded attributes."""

    columns: Mapping[str, Sequence[str]]
    rows: int
    quasi: tuple[QuasiIdentifier, ...]
    sensitive: tuple[SensitiveAttribute, ...]


def encode(
    columns: Mapping[str, Sequence[str]],
    quasi: Sequence[QuasiSpec],
    sensitive: Sequence[str] = (),
) -> EncodedTable:
    """Encode ``columns`` (name -> values, all as long) for the attributes named.

    Raises :class:`AnonymisationError` naming a missing column or a value its
    hierarchy cannot place.
    """
    lengths = {len(values) for values in columns.values()}
    if len(lengths) > 1:
        raise AnonymisationError("the source's columns do not have the same number of rows")
    rows = lengths.pop() if lengths else 0
    for name in [spec.name for spec in quasi] + list(sensitive):
        if name not in columns:
            known = ", ".join(sorted(columns)[:20])
            raise AnonymisationError(f"the source has no column {name!r} (it has: {known})")
    encoded = []
    for spec in quasi:
        values = columns[spec.name]
        hierarchy = spec.hierarchy(values)
        encoded.append(QuasiIdentifier(spec.name, hierarchy, hierarchy.encode(values)))
    return EncodedTable(
        columns, rows, tuple(encoded), tuple(_sensitive(n, columns[n]) for n in sensitive)
    )


def _sensitive(name: str, values: Sequence[str]) -> SensitiveAttribute:
    distinct = set(values)
    ordered = all(_is_number(value) for value in distinct)
    keys = sorted(distinct, key=float) if ordered else sorted(distinct)
    index = {value: code for code, value in enumerate(keys)}
    codes = np.fromiter((index[v] for v in values), dtype=np.int64, count=len(values))
    counts = np.bincount(codes, minlength=len(keys)).astype(np.float64)
    share = counts / counts.sum() if len(values) else counts
    return SensitiveAttribute(name, tuple(keys), codes, ordered, share)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
