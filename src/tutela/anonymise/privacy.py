"""Privacy models and what a partition of the rows achieves under them (AN-3).

- **k-anonymity** (Sweeney 2002): every equivalence class holds at least ``k`` records.
- **distinct l-diversity**: every class holds at least ``l`` distinct values of each
  sensitive attribute; **entropy l-diversity** (Machanavajjhala et al. 2007): the
  entropy of each class's sensitive values is at least ``log(l)``.
- **t-closeness** (Li, Li and Venkatasubramanian 2007): the Earth Mover's Distance
  between each class's distribution of a sensitive attribute and the whole table's is at
  most ``t``, with the equal ground distance for categories (half the L1 distance) and
  the ordered distance for numbers (``sum |cumulative difference| / (m - 1)``).

:meth:`PrivacyModel.admits` judges one class (the searches call it on candidate
partitions); :func:`achieved` measures a whole release, vectorised over its classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from tutela.anonymise.hierarchies import Codes
from tutela.anonymise.table import EncodedTable, SensitiveAttribute

Diversity = Literal["distinct", "entropy"]
_BLOCK = 20_000_000  # cells of one dense (classes x values) block


@dataclass(frozen=True)
class PrivacyModel:
    """k, and optionally l (distinct or entropy) and t over every sensitive attribute."""

    k: int = 2
    l: int | None = None  # noqa: E741 - l-diversity's own name
    diversity: Diversity = "distinct"
    t: float | None = None

    def admits(self, table: EncodedTable, rows: Codes) -> bool:
        """Whether the records ``rows`` may form one equivalence class."""
        if len(rows) < self.k:
            return False
        if self.l is None and self.t is None:
            return True
        for attribute in table.sensitive:
            counts = np.bincount(attribute.codes[rows], minlength=attribute.size)
            if self.l is not None and _diversity(counts[None, :], self.diversity)[0] < self.l:
                return False
            if self.t is not None and _closeness(counts[None, :], attribute)[0] > self.t:
                return False
        return True

    def describe(self) -> str:
        """``k=5, l=3 (distinct), t=0.2``."""
        parts = [f"k={self.k}"]
        if self.l is not None:
            parts.append(f"l={self.l} ({self.diversity})")
        if self.t is not None:
            parts.append(f"t={self.t:g}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Achieved:
    """What a release achieves: the smallest class, and per sensitive attribute l and t."""

    k: int
    classes: int
    l_distinct: dict[str, int]
    l_entropy: dict[str, float]
    t: dict[str, float]

    def misses(self, model: PrivacyModel) -> list[str]:
        """Why the release misses ``model`` (empty when it meets it)."""
        found = []
        if self.k < model.k:
            found.append(f"k-anonymity: the smallest class has {self.k} records, below k={model.k}")
        if model.l is not None:
            measured = self.l_distinct if model.diversity == "distinct" else self.l_entropy
            for name, value in measured.items():
                if value < model.l:
                    found.append(
                        f"{model.diversity} l-diversity of {name!r}: {value:g}, below l={model.l}"
                    )
        if model.t is not None:
            for name, value in self.t.items():
                if value > model.t + 1e-12:
                    found.append(f"t-closeness of {name!r}: {value:.4f}, above t={model.t:g}")
        return found


def achieved(table: EncodedTable, rows: Codes, classes: Codes) -> Achieved:
    """Measure the release of ``rows`` whose equivalence class ids are ``classes``."""
    if len(rows) == 0:
        return Achieved(0, 0, {}, {}, {})
    _, dense = np.unique(classes, return_inverse=True)
    sizes = np.bincount(dense)
    distinct, entropy, closeness = {}, {}, {}
    for attribute in table.sensitive:
        values = attribute.codes[rows]
        released = np.bincount(values, minlength=attribute.size) / len(values)
        counts = _class_counts(dense, values, attribute.size, len(sizes))
        distinct[attribute.name] = int(min(_diversity(block, "distinct").min() for block in counts))
        entropy[attribute.name] = float(min(_diversity(block, "entropy").min() for block in counts))
        closeness[attribute.name] = float(
            max(_closeness(block, attribute, released).max() for block in counts)
        )
    return Achieved(int(sizes.min()), len(sizes), distinct, entropy, closeness)


def _class_counts(
    classes: Codes, values: Codes, size: int, count: int
) -> list[npt.NDArray[np.int64]]:
    """Dense (class x value) count blocks, each at most :data:`_BLOCK` cells."""
    per_block = max(1, _BLOCK // max(size, 1))
    blocks = []
    for start in range(0, count, per_block):
        chosen = (classes >= start) & (classes < start + per_block)
        local = classes[chosen] - start
        height = min(per_block, count - start)
        flat = np.bincount(local * size + values[chosen], minlength=height * size)
        blocks.append(flat.reshape(height, size))
    return blocks


def _diversity(counts: npt.NDArray[np.int64], kind: Diversity) -> npt.NDArray[np.float64]:
    """Per class: distinct values, or ``exp(entropy)`` (so both compare with ``l``)."""
    if kind == "distinct":
        return np.asarray((counts > 0).sum(axis=1), dtype=np.float64)
    totals = counts.sum(axis=1, keepdims=True)
    shares = counts / np.maximum(totals, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(shares > 0, shares * np.log(shares), 0.0)
    return np.asarray(np.exp(-terms.sum(axis=1)), dtype=np.float64)


def _closeness(
    counts: npt.NDArray[np.int64],
    attribute: SensitiveAttribute,
    whole: npt.NDArray[np.float64] | None = None,
) -> npt.NDArray[np.float64]:
    """Per class: the EMD between its distribution and ``whole`` (default: the source's).

    The release's own distribution is the reference when measuring a release (records
    suppressed are not in it); the source's while searching.
    """
    reference = attribute.distribution if whole is None else whole
    totals = counts.sum(axis=1, keepdims=True)
    difference = counts / np.maximum(totals, 1) - reference[None, :]
    if attribute.ordered and attribute.size > 1:
        spread = np.abs(np.cumsum(difference, axis=1)).sum(axis=1) / (attribute.size - 1)
        return np.asarray(spread, dtype=np.float64)
    return np.asarray(0.5 * np.abs(difference).sum(axis=1), dtype=np.float64)
