"""What a release costs and what risk remains (ARX's definitions; El Emam 2013).

Risk, for the released records grouped in equivalence classes of sizes ``f_j``:

- **prosecutor** (the attacker knows the person is in the release): a record's risk is
  ``1 / f_j``; the highest is ``1 / min f_j``, the average ``classes / records``, and
  *records at risk* the share whose risk exceeds the threshold (``1 / k`` by default);
- **journalist** (the attacker does not know whether the person is in it): ``1 / F_j``,
  where ``F_j`` counts the source's records matching the class (the released ones and the
  suppressed ones that fall within it), so it is never above the prosecutor risk;
- **marketer** (re-identify as many as possible): the expected share re-identified,
  ``sum_j (f_j / F_j) / records``.

**Sample uniqueness** is the share of the source's records whose exact combination of
quasi-identifiers no other record has (before generalisation).

Information loss: **GCP** (the mean NCP over released records and quasi-identifiers, 0
exact, 1 all ``*``), **discernibility** (``sum f_j^2``, plus ``records`` for each suppressed
record), and the **normalised average class size** (``(records / classes) / k``, 1 best).
Per attribute: its mean NCP and how many distinct values it keeps.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import numpy.typing as npt

from tutela.anonymise.hierarchies import Codes
from tutela.anonymise.privacy import Achieved, PrivacyModel
from tutela.anonymise.table import EncodedTable

_BOXES = 200_000_000  # class x suppressed-record comparisons for the journalist risk


@dataclass(frozen=True)
class AttributeUtility:
    """One quasi-identifier after release: its mean NCP and distinct values before/after."""

    ncp: float
    distinct_before: int
    distinct_after: int


@dataclass(frozen=True)
class RiskReport:
    """The risk report of one release (see the module docstring for every figure)."""

    model: str
    algorithm: str
    records: int
    released: int
    suppressed: int
    k: int
    l_distinct: dict[str, int]
    l_entropy: dict[str, float]
    t: dict[str, float]
    classes: int
    sample_uniqueness: float
    prosecutor_highest: float
    prosecutor_average: float
    records_at_risk: float
    journalist_highest: float
    journalist_average: float
    marketer: float
    gcp: float
    discernibility: float
    average_class_size: float
    utility: dict[str, AttributeUtility] = field(default_factory=dict)
    refused: tuple[str, ...] = ()

    @property
    def suppression(self) -> float:
        """The share of the source's records left out."""
        return self.suppressed / self.records if self.records else 0.0

    def as_json(self) -> dict[str, object]:
        """The report as plain JSON values."""
        found = asdict(self)
        found["suppression"] = round(self.suppression, 6)
        found["refused"] = list(self.refused)
        return found


@dataclass(frozen=True)
class Spans:
    """Each class's generalised label and NCP per quasi-identifier (class x attribute)."""

    labels: list[list[str]]
    ncp: npt.NDArray[np.float64]
    lows: npt.NDArray[np.int64]
    highs: npt.NDArray[np.int64]


def class_spans(table: EncodedTable, rows: Codes, classes: Codes) -> Spans:
    """The generalisation of every class: min..max of its codes, labelled by each hierarchy."""
    order = np.argsort(classes, kind="stable")
    sorted_classes = classes[order]
    starts = np.flatnonzero(np.r_[True, sorted_classes[1:] != sorted_classes[:-1]])
    count, width = len(starts), len(table.quasi)
    labels = [[""] * width for _ in range(count)]
    ncp = np.zeros((count, width))
    lows = np.zeros((count, width), dtype=np.int64)
    highs = np.zeros((count, width), dtype=np.int64)
    for column, attribute in enumerate(table.quasi):
        codes = attribute.codes[rows][order]
        low, high = np.minimum.reduceat(codes, starts), np.maximum.reduceat(codes, starts)
        lows[:, column], highs[:, column] = low, high
        cache: dict[tuple[int, int], tuple[str, float]] = {}
        needs_present = not attribute.hierarchy.ranged
        ends = np.r_[starts[1:], len(codes)]
        for index in range(count):
            a, b = int(low[index]), int(high[index])
            if needs_present and a != b:
                present = codes[starts[index] : ends[index]]
                label, loss = attribute.hierarchy.span(a, b, present)
            else:
                if (a, b) not in cache:
                    cache[(a, b)] = attribute.hierarchy.span(a, b)
                label, loss = cache[(a, b)]
            labels[index][column], ncp[index, column] = label, loss
    return Spans(labels, ncp, lows, highs)


def report(
    table: EncodedTable,
    model: PrivacyModel,
    algorithm: str,
    rows: Codes,
    classes: Codes,
    spans: Spans,
    achieved: Achieved,
) -> RiskReport:
    """The risk report of releasing ``rows`` in ``classes`` (dense ids 0..n-1) as ``spans``."""
    sizes = np.bincount(classes).astype(np.float64)
    released, records = len(rows), table.rows
    suppressed = np.setdiff1d(np.arange(records), rows)
    population = sizes + _suppressed_within(table, suppressed, spans)
    per_record = sizes[classes]
    ncp_rows = spans.ncp[classes]
    return RiskReport(
        model=model.describe(),
        algorithm=algorithm,
        records=records,
        released=released,
        suppressed=records - released,
        k=achieved.k,
        l_distinct=achieved.l_distinct,
        l_entropy={n: round(v, 6) for n, v in achieved.l_entropy.items()},
        t={n: round(v, 6) for n, v in achieved.t.items()},
        classes=achieved.classes,
        sample_uniqueness=sample_uniqueness(table),
        prosecutor_highest=float(1 / sizes.min()) if released else 0.0,
        prosecutor_average=achieved.classes / released if released else 0.0,
        records_at_risk=float((1 / per_record > 1 / model.k).mean()) if released else 0.0,
        journalist_highest=float(1 / population.min()) if released else 0.0,
        journalist_average=float((1 / population[classes]).mean()) if released else 0.0,
        marketer=float((sizes / population).sum() / released) if released else 0.0,
        gcp=float(ncp_rows.mean()) if released else 0.0,
        discernibility=float((sizes**2).sum() + (records - released) * records),
        average_class_size=float(released / achieved.classes / model.k) if released else 0.0,
        utility=_utility(table, rows, spans, classes),
    )


def sample_uniqueness(table: EncodedTable) -> float:
    """The share of records whose exact quasi-identifier values are unique in the source."""
    if table.rows == 0:
        return 0.0
    stacked = np.stack([attribute.codes for attribute in table.quasi], axis=1)
    _, inverse, counts = np.unique(stacked, axis=0, return_inverse=True, return_counts=True)
    return float((counts[inverse.ravel()] == 1).mean())


def _suppressed_within(
    table: EncodedTable, suppressed: Codes, spans: Spans
) -> npt.NDArray[np.float64]:
    """Per class, how many suppressed records fall within its generalisation (journalist)."""
    found = np.zeros(len(spans.lows))
    if len(suppressed) == 0 or len(spans.lows) * len(suppressed) > _BOXES:
        return found  # no suppressed rows, or too many to compare: F_j = f_j (an upper bound)
    codes = np.stack([attribute.codes[suppressed] for attribute in table.quasi], axis=1)
    # a set-valued generalisation is not its whole range: count only an exact match there,
    # so F_j is never overstated and the journalist risk never understated
    exact = np.array([not attribute.hierarchy.ranged for attribute in table.quasi])
    single = spans.lows == spans.highs
    for start in range(0, len(suppressed), 512):
        chunk = codes[start : start + 512][None, :, :]
        low, high = spans.lows[:, None, :], spans.highs[:, None, :]
        inside = (chunk >= low) & (chunk <= high)
        inside &= ~exact[None, None, :] | single[:, None, :]
        found += inside.all(axis=2).sum(axis=1)
    return found


def _utility(
    table: EncodedTable, rows: Codes, spans: Spans, classes: Codes
) -> dict[str, AttributeUtility]:
    found = {}
    for column, attribute in enumerate(table.quasi):
        after = {spans.labels[index][column] for index in range(len(spans.labels))}
        found[attribute.name] = AttributeUtility(
            ncp=round(float(spans.ncp[classes, column].mean()), 6) if len(rows) else 0.0,
            distinct_before=attribute.hierarchy.size,
            distinct_after=len(after),
        )
    return found
