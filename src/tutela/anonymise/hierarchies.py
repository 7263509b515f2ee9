"""How a quasi-identifier generalises, and what each generalisation costs.

Every attribute's distinct values are *leaves*, numbered in an order in which each
generalisation is a contiguous range of leaf codes: numbers and dates by value, a
declared tree by a depth-first walk (so every node of the tree is a range). A
partition of records is described by the range of its codes, and :meth:`Hierarchy.span`
gives its generalised label and its normalised certainty penalty (NCP, Xu et al. 2006):

- numbers and dates: ``(max - min) / (domain max - domain min)``, labelled ``lo-hi``;
- a declared tree: ``(leaves under the lowest common node - 1) / (leaves - 1)``,
  labelled with that node;
- categories without a tree: ``(distinct values present - 1) / (leaves - 1)``,
  labelled with the values joined by ``|`` (``*`` when all are present).

0 is the exact value, 1 is fully suppressed (``*``). Full-domain generalisation uses
:attr:`Hierarchy.levels`: level 0 keeps the value, the last level is ``*``; numbers get
intervals of growing width, dates month, year and decade, trees their declared levels.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from tutela.errors import AnonymisationError

Codes = npt.NDArray[np.int64]
STAR = "*"


@dataclass(frozen=True)
class Level:
    """One full-domain generalisation: each leaf's group, and each group's label and NCP."""

    groups: Codes
    labels: tuple[str, ...]
    ncp: npt.NDArray[np.float64]


class Hierarchy:
    """The leaves of one attribute, how ranges of them generalise, and the full-domain levels."""

    name: str
    leaves: tuple[str, ...]
    levels: tuple[Level, ...]
    ranged = True  # a generalisation is the whole range lo..hi (False: the values present)

    @property
    def size(self) -> int:
        """How many distinct values (leaves) the attribute has."""
        return len(self.leaves)

    def encode(self, values: Sequence[str]) -> Codes:
        """Each value's leaf code."""
        index = {leaf: code for code, leaf in enumerate(self.leaves)}
        return np.fromiter((index[value] for value in values), dtype=np.int64, count=len(values))

    def span(self, lo: int, hi: int, present: Codes | None = None) -> tuple[str, float]:
        """The label and NCP of a partition whose codes run from ``lo`` to ``hi``."""
        raise NotImplementedError

    def cuts(self, lo: int, hi: int) -> Codes | None:
        """Where a partition spanning ``lo..hi`` may be cut (None: anywhere)."""
        return None


def _star_level(size: int) -> Level:
    return Level(np.zeros(size, dtype=np.int64), (STAR,), np.ones(1))


def _number(text: str) -> str:
    value = float(text)
    return str(int(value)) if value.is_integer() else f"{value:g}"


class NumericHierarchy(Hierarchy):
    """Numbers: ranges ``lo-hi``; full-domain intervals of growing width, then ``*``."""

    def __init__(self, name: str, values: Sequence[str], widths: Sequence[float] = ()) -> None:
        self.name = name
        try:
            numbers = sorted({float(value) for value in values})
        except ValueError:
            bad = next(v for v in values if not _is_number(v))
            raise AnonymisationError(
                f"quasi-identifier {name!r} is numeric but holds {bad[:40]!r}; "
                "declare it as a category, or clean the value"
            ) from None
        self._values = np.array(numbers, dtype=np.float64)
        self._index = {number: code for code, number in enumerate(numbers)}
        self.leaves = tuple(_number(str(n)) for n in numbers)
        self._range = float(numbers[-1] - numbers[0]) if numbers else 0.0
        self.levels = self._levels(widths or _default_widths(self._range))

    def encode(self, values: Sequence[str]) -> Codes:
        """Each value's rank among the distinct values."""
        index = self._index
        return np.fromiter((index[float(v)] for v in values), dtype=np.int64, count=len(values))

    def span(self, lo: int, hi: int, present: Codes | None = None) -> tuple[str, float]:
        """``lo-hi`` (or the value) and the width over the domain's width."""
        if lo == hi:
            return self.leaves[lo], 0.0
        ncp = (self._values[hi] - self._values[lo]) / self._range if self._range else 0.0
        return f"{self.leaves[lo]}-{self.leaves[hi]}", float(ncp)

    def _levels(self, widths: Sequence[float]) -> tuple[Level, ...]:
        size = len(self.leaves)
        levels = [Level(np.arange(size, dtype=np.int64), self.leaves, np.zeros(size))]
        low = float(self._values[0]) if size else 0.0
        for width in widths:
            if width <= 0 or width >= self._range:
                continue
            start = math.floor(low / width) * width
            bucket = np.floor((self._values - start) / width).astype(np.int64)
            used, groups = np.unique(bucket, return_inverse=True)
            labels, ncp = [], []
            for number in used:
                a, b = start + number * width, start + (number + 1) * width
                top = min(b, float(self._values[-1]) + (1 if _integral(self._values) else 0))
                labels.append(
                    f"{_number(str(a))}-{_number(str(b - 1 if _integral(self._values) else b))}"
                )
                ncp.append(min(1.0, (top - max(a, low)) / self._range) if self._range else 0.0)
            levels.append(Level(groups.astype(np.int64), tuple(labels), np.array(ncp)))
        levels.append(_star_level(size))
        return tuple(levels)


def _integral(values: npt.NDArray[np.float64]) -> bool:
    return bool(np.all(np.mod(values, 1) == 0))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _default_widths(spread: float) -> tuple[float, ...]:
    """Interval widths 2, 5, 10, 20, 50, ... up to the domain's width."""
    widths: list[float] = []
    scale = 1.0
    while scale * 2 < max(spread, 1) and len(widths) < 12:
        widths += [scale * f for f in (2, 5, 10) if scale * f < spread]
        scale *= 10
    return tuple(sorted(set(widths)))


class TreeHierarchy(Hierarchy):
    """Categories generalised along a declared tree: leaf -> level 1 -> ... -> ``*``.

    ``paths`` maps every leaf to its ancestors, nearest first (all paths as long); every
    value of the data must be a leaf (AnonymisationError naming the ones that are not).
    """

    def __init__(
        self, name: str, values: Sequence[str], paths: Mapping[str, Sequence[str]]
    ) -> None:
        self.name = name
        missing = sorted(set(values) - set(paths))
        if missing:
            shown = ", ".join(repr(v[:40]) for v in missing[:5])
            raise AnonymisationError(
                f"quasi-identifier {name!r}: {len(missing)} value(s) have no place in its "
                f"hierarchy ({shown}); add them to the hierarchy"
            )
        depths = {len(path) for path in paths.values()}
        if len(depths) > 1:
            raise AnonymisationError(
                f"quasi-identifier {name!r}: every leaf of the hierarchy needs as many levels "
                f"(found {sorted(depths)})"
            )
        present = sorted(set(values), key=lambda leaf: (tuple(reversed(paths[leaf])), leaf))
        self.leaves = tuple(present)
        self._paths = [tuple(paths[leaf]) for leaf in present]
        self.levels = self._levels(depths.pop() if depths else 0)

    def _levels(self, depth: int) -> tuple[Level, ...]:
        size = len(self.leaves)
        levels = [Level(np.arange(size, dtype=np.int64), self.leaves, np.zeros(size))]
        for height in range(depth):
            names = [path[height] for path in self._paths]
            if all(name == STAR for name in names):
                continue
            labels = tuple(dict.fromkeys(names))
            position = {label: i for i, label in enumerate(labels)}
            groups = np.array([position[name] for name in names], dtype=np.int64)
            counts = np.bincount(groups, minlength=len(labels)).astype(np.float64)
            ncp = (counts - 1) / (size - 1) if size > 1 else np.zeros(len(labels))
            levels.append(Level(groups, labels, ncp))
        levels.append(_star_level(size))
        return tuple(levels)

    def span(self, lo: int, hi: int, present: Codes | None = None) -> tuple[str, float]:
        """The lowest node covering ``lo..hi``, and its share of the leaves."""
        for level in self.levels:
            group = level.groups[lo]
            if level.groups[hi] == group:
                return level.labels[group], float(level.ncp[group])
        return STAR, 1.0

    def cuts(self, lo: int, hi: int) -> Codes | None:
        """The boundaries between the children of the lowest node covering ``lo..hi``."""
        below: Level | None = None
        for level in self.levels:
            if level.groups[lo] == level.groups[hi]:
                break
            below = level
        if below is None:
            return np.empty(0, dtype=np.int64)
        groups = below.groups[lo : hi + 1]
        return np.flatnonzero(np.diff(groups)) + lo  # cut after these codes


class SetHierarchy(Hierarchy):
    """Categories without a declared tree: a partition shows the set of its values."""

    ranged = False

    def __init__(self, name: str, values: Sequence[str]) -> None:
        self.name = name
        self.leaves = tuple(sorted(set(values)))
        size = len(self.leaves)
        identity = Level(np.arange(size, dtype=np.int64), self.leaves, np.zeros(size))
        self.levels = (identity, _star_level(size))

    def span(self, lo: int, hi: int, present: Codes | None = None) -> tuple[str, float]:
        """The values present joined by ``|`` (``*`` for all), and their share."""
        codes = np.unique(present) if present is not None else np.arange(lo, hi + 1)
        if len(codes) == 1:
            return self.leaves[int(codes[0])], 0.0
        if len(codes) == self.size:
            return STAR, 1.0
        label = "|".join(self.leaves[int(code)] for code in codes)
        return label, (len(codes) - 1) / (self.size - 1)


class DateHierarchy(NumericHierarchy):
    """ISO dates (``YYYY-MM-DD``): ranges of days; full-domain month, year, decade, ``*``."""

    def __init__(self, name: str, values: Sequence[str]) -> None:
        try:
            days = [str(date.fromisoformat(value[:10]).toordinal()) for value in values]
        except ValueError:
            bad = next(v for v in values if not _is_date(v))
            raise AnonymisationError(
                f"quasi-identifier {name!r} is a date but holds {bad[:40]!r}; use YYYY-MM-DD"
            ) from None
        super().__init__(name, days, widths=())
        self.leaves = tuple(date.fromordinal(int(n)).isoformat() for n in self._values)
        self.levels = self._calendar()

    def encode(self, values: Sequence[str]) -> Codes:
        """Each date's rank among the distinct dates."""
        return super().encode([str(date.fromisoformat(v[:10]).toordinal()) for v in values])

    def span(self, lo: int, hi: int, present: Codes | None = None) -> tuple[str, float]:
        """``first..last`` (or the date) and the number of days over the domain's."""
        label, ncp = super().span(lo, hi, present)
        return (label if lo == hi else f"{self.leaves[lo]}..{self.leaves[hi]}"), ncp

    def _calendar(self) -> tuple[Level, ...]:
        size = len(self.leaves)
        levels = [Level(np.arange(size, dtype=np.int64), self.leaves, np.zeros(size))]
        for cut in (7, 4, 3):  # YYYY-MM, YYYY, YYY(decade)
            names = [leaf[:cut] + ("0s" if cut == 3 else "") for leaf in self.leaves]
            labels = tuple(dict.fromkeys(names))
            position = {label: i for i, label in enumerate(labels)}
            groups = np.array([position[name] for name in names], dtype=np.int64)
            ncp = np.array([self._width(groups == g) for g in range(len(labels))])
            levels.append(Level(groups, labels, ncp))
        levels.append(_star_level(size))
        return tuple(levels)

    def _width(self, members: npt.NDArray[np.bool_]) -> float:
        chosen = self._values[members]
        return float((chosen.max() - chosen.min()) / self._range) if self._range else 0.0


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text[:10])
    except ValueError:
        return False
    return True
