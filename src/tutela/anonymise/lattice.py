"""Optimal full-domain generalisation: a search of the lattice of levels, with pruning.

A node gives every quasi-identifier one level of its hierarchy (0 keeps the value, the
last is ``*``), the same for every record (global recoding, as Incognito and ARX's Flash
search). A node is *anonymous* when, after suppressing the records of classes that miss
the model (up to the budget), the rest meets it. Generalising never makes a release
less anonymous, so every node above an anonymous node is anonymous and no better: the
search walks the lattice from the bottom, height by height, skips every node above one
already found anonymous, and returns the anonymous node with the least loss (GCP or
discernibility, as the release declares).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from math import prod

import numpy as np

from tutela.anonymise.hierarchies import Codes
from tutela.anonymise.privacy import PrivacyModel, achieved
from tutela.anonymise.table import EncodedTable

Node = tuple[int, ...]


@dataclass(frozen=True)
class Recoding:
    """An anonymous node: its levels, classes, suppressed rows and loss."""

    node: Node
    classes: Codes  # class id per kept row
    kept: Codes
    suppressed: Codes
    loss: float


def lattice_size(table: EncodedTable) -> int:
    """How many nodes the lattice of ``table``'s quasi-identifiers has."""
    return prod(len(attribute.hierarchy.levels) for attribute in table.quasi)


def search(
    table: EncodedTable, model: PrivacyModel, budget: int, metric: str = "gcp"
) -> Recoding | None:
    """The anonymous node with the least loss, or None when even ``*`` everywhere fails."""
    anonymous: list[Node] = []
    best: Recoding | None = None
    for node in _by_height(table):
        if any(all(a <= b for a, b in zip(found, node, strict=True)) for found in anonymous):
            continue
        recoding = evaluate(table, model, node, budget, metric)
        if recoding is None:
            continue
        anonymous.append(node)
        if best is None or recoding.loss < best.loss:
            best = recoding
    return best


def _by_height(table: EncodedTable) -> Iterator[Node]:
    ranges = [range(len(attribute.hierarchy.levels)) for attribute in table.quasi]
    yield from sorted(itertools.product(*ranges), key=lambda node: (sum(node), node))


def evaluate(
    table: EncodedTable, model: PrivacyModel, node: Node, budget: int, metric: str = "gcp"
) -> Recoding | None:
    """The recoding at ``node`` if it is anonymous within ``budget`` suppressed rows."""
    keys = np.zeros(table.rows, dtype=np.int64)
    for attribute, level_index in zip(table.quasi, node, strict=True):
        groups = attribute.hierarchy.levels[level_index].groups[attribute.codes]
        keys = keys * (int(groups.max()) + 1) + groups
        if int(keys.max()) > 2**40:
            keys = np.unique(keys, return_inverse=True)[1].astype(np.int64)
    _, classes, sizes = np.unique(keys, return_inverse=True, return_counts=True)
    small = sizes[classes] < model.k
    if int(small.sum()) > budget:
        return None
    kept = np.flatnonzero(~small)
    suppressed = np.flatnonzero(small)
    if len(kept) == 0:
        return None
    if (model.l is not None or model.t is not None) and achieved(table, kept, classes[kept]).misses(
        model
    ):
        return None
    dense = np.unique(classes[kept], return_inverse=True)[1].astype(np.int64)  # ids 0..n-1
    return Recoding(node, dense, kept, suppressed, _loss(table, node, kept, classes, metric))


def _loss(table: EncodedTable, node: Node, kept: Codes, classes: Codes, metric: str) -> float:
    if metric == "discernibility":
        sizes = np.bincount(classes[kept])
        return float((sizes[sizes > 0] ** 2).sum() + (table.rows - len(kept)) * table.rows)
    total = 0.0
    for attribute, level_index in zip(table.quasi, node, strict=True):
        level = attribute.hierarchy.levels[level_index]
        total += float(level.ncp[level.groups[attribute.codes[kept]]].sum())
    return total / (len(kept) * len(table.quasi))
