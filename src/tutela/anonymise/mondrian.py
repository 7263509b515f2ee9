"""Multidimensional Mondrian (LeFevre, DeWitt and Ramakrishnan 2006), for large data.

The rows are cut recursively, each time along the quasi-identifier whose values in the
partition spread widest (as a share of its domain: the partition's NCP on it), at the
median for numbers, dates and undeclared categories, and at the boundary between the
children of the lowest covering node closest to the median for declared trees (so a cut
never splits a child between the halves; two halves holding several children each keep
the node's label, and the release merges classes labelled alike). A cut is allowed when
both halves meet the privacy model; a partition no cut can divide is an equivalence class.

Mondrian suppresses nothing: when the whole table meets the model, every class it makes
does too. The suppression budget is spent by the full-domain search
(:mod:`~tutela.anonymise.lattice`), which leaves out the records of classes too small at
a node; ``auto`` keeps whichever of the two loses least.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tutela.anonymise.hierarchies import Codes
from tutela.anonymise.privacy import PrivacyModel
from tutela.anonymise.table import EncodedTable


@dataclass(frozen=True)
class Partitioning:
    """Equivalence classes (row indices of each) and the rows suppressed."""

    classes: tuple[Codes, ...]
    suppressed: Codes


def partition(table: EncodedTable, model: PrivacyModel, rows: Codes | None = None) -> list[Codes]:
    """Cut ``rows`` (default: all) into classes that each meet ``model`` and cannot be cut."""
    start = np.arange(table.rows, dtype=np.int64) if rows is None else rows
    if not model.admits(table, start):
        return [start]
    done: list[Codes] = []
    pending = [start]
    while pending:
        rows_now = pending.pop()
        halves = best_cut(table, model, rows_now)
        if halves is None:
            done.append(rows_now)
        else:
            pending.extend(halves)
    return done


def spread(table: EncodedTable, rows: Codes) -> list[tuple[float, int, int, int]]:
    """Per quasi-identifier, widest first: (NCP in ``rows``, index, lowest code, highest)."""
    found = []
    for index, attribute in enumerate(table.quasi):
        values = attribute.codes[rows]
        lo, hi = int(values.min()), int(values.max())
        if lo != hi:
            found.append((attribute.hierarchy.span(lo, hi)[1], index, lo, hi))
    found.sort(reverse=True)
    return found


def best_cut(table: EncodedTable, model: PrivacyModel, rows: Codes) -> tuple[Codes, Codes] | None:
    """The two halves of the first allowed cut along the widest attributes, or None."""
    if len(rows) < 2 * model.k:
        return None
    for _, index, lo, hi in spread(table, rows):
        attribute = table.quasi[index]
        values = attribute.codes[rows]
        for left in _candidate_masks(values, attribute.hierarchy.cuts(lo, hi)):
            first, second = rows[left], rows[~left]
            if model.admits(table, first) and model.admits(table, second):
                return first, second
    return None


def _candidate_masks(values: Codes, cuts: Codes | None) -> list[np.ndarray]:
    """Left-half masks to try: the median cut, or the two tree cuts nearest the median."""
    size = len(values)
    if cuts is None:
        median = np.partition(values, size // 2)[size // 2]
        left = values <= median
        if left.all():
            left = values < median
        return [left] if left.any() else []
    if len(cuts) == 0:
        return []
    ordered = np.sort(values)
    lefts = np.searchsorted(ordered, cuts, side="right")
    nearest = np.argsort(np.abs(lefts - size / 2))[:2]
    return [values <= cuts[i] for i in nearest if 0 < lefts[i] < size]
