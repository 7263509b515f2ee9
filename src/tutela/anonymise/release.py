"""One anonymised release: from the source's columns and the declared model to the rows.

:func:`anonymise` encodes the quasi-identifiers, searches for the generalisation with the
least loss that meets the privacy model within the suppression budget (Mondrian always;
the optimal lattice search too when the lattice is small enough, or when it is asked
for), measures what the chosen release achieves, and refuses it (:class:`ReleaseRefused`,
naming every part that failed) when it misses the declared model. Released rows keep
the source's order and column names, with generalised quasi-identifiers; suppressed rows
are left out. :func:`aggregate` makes a table of counts with small cells suppressed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from tutela.anonymise import lattice
from tutela.anonymise.hierarchies import Codes
from tutela.anonymise.metrics import RiskReport, Spans, class_spans, report
from tutela.anonymise.mondrian import partition
from tutela.anonymise.privacy import PrivacyModel, achieved
from tutela.anonymise.table import EncodedTable, QuasiSpec, encode
from tutela.errors import AnonymisationError, ReleaseRefused

Algorithm = Literal["auto", "mondrian", "lattice"]
Metric = Literal["gcp", "discernibility"]
LATTICE_WORK = 20_000_000
"""``auto`` also runs the lattice search when nodes x records is at most this."""


@dataclass(frozen=True)
class ReleaseSpec:
    """What to release and under which model: the declaration, ready to run."""

    quasi: tuple[QuasiSpec, ...]
    model: PrivacyModel
    sensitive: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()
    max_suppression: float = 0.0
    metric: Metric = "gcp"
    algorithm: Algorithm = "auto"


@dataclass(frozen=True)
class Release:
    """The released table (header and rows, source order) and its risk report."""

    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    report: RiskReport


@dataclass(frozen=True)
class _Candidate:
    algorithm: str
    rows: Codes
    classes: Codes
    loss: float


def anonymise(columns: Mapping[str, Sequence[str]], spec: ReleaseSpec) -> Release:
    """The release of ``columns`` under ``spec``; ReleaseRefused when it misses the model."""
    if not spec.quasi:
        raise AnonymisationError("a release needs at least one quasi-identifier")
    for name in spec.keep:
        if name not in columns:
            raise AnonymisationError(f"the source has no column {name!r} to keep")
    table = encode(columns, spec.quasi, spec.sensitive)
    budget = int(spec.max_suppression * table.rows)
    chosen = min(_candidates(table, spec, budget), key=lambda found: found.loss)
    measured = achieved(table, chosen.rows, chosen.classes)
    spans = class_spans(table, chosen.rows, chosen.classes)
    risk = report(table, spec.model, chosen.algorithm, chosen.rows, chosen.classes, spans, measured)
    failures = measured.misses(spec.model)
    if table.rows - len(chosen.rows) > budget:
        failures.append(f"suppression: {table.rows - len(chosen.rows)} records, above {budget}")
    if failures:
        raise ReleaseRefused(
            f"the release misses its model ({spec.model.describe()}): " + "; ".join(failures)
        )
    header = _header(columns, spec)
    return Release(header, _rows(table, header, chosen.rows, chosen.classes, spans), risk)


def _candidates(table: EncodedTable, spec: ReleaseSpec, budget: int) -> list[_Candidate]:
    found = []
    if spec.algorithm != "lattice":
        found.append(_mondrian(table, spec))
    small = lattice.lattice_size(table) * table.rows <= LATTICE_WORK
    if spec.algorithm == "lattice" or (spec.algorithm == "auto" and small):
        recoding = lattice.search(table, spec.model, budget, spec.metric)
        if recoding is not None:
            found.append(_Candidate("lattice", recoding.kept, recoding.classes, recoding.loss))
    if not found:
        raise ReleaseRefused(
            f"no generalisation meets the model ({spec.model.describe()}) within the "
            f"suppression budget of {budget} records: raise the budget or lower the model"
        )
    return found


def _mondrian(table: EncodedTable, spec: ReleaseSpec) -> _Candidate:
    parts = partition(table, spec.model)
    rows = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
    classes = np.concatenate([np.full(len(p), i, dtype=np.int64) for i, p in enumerate(parts)])
    order = np.argsort(rows, kind="stable")
    rows, classes = rows[order], classes[order]
    spans = class_spans(table, rows, classes)
    merged = _merge_alike(spans, classes)
    if merged is not None:  # classes labelled alike are one class of the released table
        classes = merged
        spans = class_spans(table, rows, classes)
    sizes = np.bincount(classes).astype(np.float64)
    if spec.metric == "discernibility":
        loss = float((sizes**2).sum())
    else:
        loss = float((spans.ncp.mean(axis=1) * sizes).sum() / max(len(rows), 1))
    return _Candidate("mondrian", rows, classes, loss)


def _merge_alike(spans: Spans, classes: Codes) -> Codes | None:
    """Class ids with the classes of identical generalised values merged (None: none are)."""
    index: dict[tuple[str, ...], int] = {}
    ids = np.array([index.setdefault(tuple(labels), len(index)) for labels in spans.labels])
    return ids.astype(np.int64)[classes] if len(index) < len(spans.labels) else None


def _header(columns: Mapping[str, Sequence[str]], spec: ReleaseSpec) -> tuple[str, ...]:
    wanted = {q.name for q in spec.quasi} | set(spec.sensitive) | set(spec.keep)
    return tuple(name for name in columns if name in wanted)


def _rows(
    table: EncodedTable, header: tuple[str, ...], rows: Codes, classes: Codes, spans: Spans
) -> list[tuple[str, ...]]:
    """The released rows: one column at a time (a class's label taken for each of its rows)."""
    _, dense = np.unique(classes, return_inverse=True)
    position = {attribute.name: i for i, attribute in enumerate(table.quasi)}
    chosen = rows.tolist()
    built: list[list[str]] = []
    for name in header:
        if name in position:
            column = position[name]
            labels = np.array([labels[column] for labels in spans.labels], dtype=object)
            built.append(labels[dense].tolist())
        else:
            source = table.columns[name]
            built.append([source[row] for row in chosen])
    return list(zip(*built, strict=True))


@dataclass(frozen=True)
class Aggregate:
    """A table of counts per combination, small cells suppressed."""

    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    cells: int
    suppressed_cells: int
    suppressed_records: int
    smallest: int


def aggregate(
    columns: Mapping[str, Sequence[str]], group_by: Sequence[str], min_cell: int
) -> Aggregate:
    """Counts per combination of ``group_by``; cells under ``min_cell`` are left out (AN-3)."""
    for name in group_by:
        if name not in columns:
            raise AnonymisationError(f"the source has no column {name!r} to count by")
    counted = Counter(zip(*(columns[name] for name in group_by), strict=True))
    kept = sorted((key, n) for key, n in counted.items() if n >= min_cell)
    small = [n for n in counted.values() if n < min_cell]
    return Aggregate(
        header=(*group_by, "count"),
        rows=[(*key, str(n)) for key, n in kept],
        cells=len(counted),
        suppressed_cells=len(small),
        suppressed_records=sum(small),
        smallest=min((n for _, n in kept), default=0),
    )
