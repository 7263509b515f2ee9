"""Discovery of one database: sample each collection, classify each column.

The use case behind ``tutela discover`` and ``tutela check --against``. It reads
the catalog (:meth:`tutela.ports.Connector.describe`), samples each collection
once, all its columns in one query (:class:`tutela.ports.Sampling`: never a full
scan unless ``full``), and hands each column's values to
:func:`tutela.discovery.columns.classify_column`. Keys are marked in the
evidence (a primary key, a foreign key to ``table.column``), and a collection
that cannot be sampled (no permission, a timeout) is classified by its column
names alone, with the failure as evidence: one locked table does not stop a
scan of hundreds.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from tutela.discovery.columns import classify_column
from tutela.discovery.models import ColumnFinding
from tutela.discovery.registry import Installed, detectors
from tutela.errors import ConfigurationError, ConnectorError
from tutela.ports import CollectionInfo, ColumnInfo, Connector, Sampling


@dataclass(frozen=True)
class Discovery:
    """What a scan found: one finding per column, the catalog it read, and its cost."""

    findings: tuple[ColumnFinding, ...]
    collections: tuple[CollectionInfo, ...]
    cells: int
    seconds: float

    @property
    def personal(self) -> tuple[ColumnFinding, ...]:
        """The findings that name a category (personal data)."""
        return tuple(finding for finding in self.findings if finding.category is not None)

    def summary(self) -> str:
        """One line: tables, columns, personal columns, sampled cells and seconds."""
        return (
            f"{len(self.collections)} tables, {len(self.findings)} columns, "
            f"{len(self.personal)} with personal data; {self.cells} cells sampled "
            f"in {self.seconds:.2f} s"
        )


def discover(
    connector: Connector,
    *,
    sample: int = 1000,
    full: bool = False,
    text: bool = False,
    installed: Installed | None = None,
) -> Discovery:
    """Sample every collection of ``connector`` (a :class:`tutela.ports.Sampling`) and classify.

    ``sample`` is the number of rows read per collection (at least 1), ``full``
    reads every row, ``text`` asks for span findings in free-text columns.
    Raises :class:`ConnectorError` when the connector cannot sample (discovery
    needs an SQL connector) or its catalog cannot be read, and
    :class:`ConfigurationError` when a detector plug-in cannot be loaded.
    """
    if not isinstance(connector, Sampling):
        raise ConnectorError(
            "it cannot be sampled: discovery needs an SQL connector (type: sql) "
            "or another connector with a sample() method",
            system=connector.name,
        )
    if sample < 1:
        raise ConfigurationError(f"the sample size must be at least 1 row, got {sample}")
    chosen = installed if installed is not None else detectors()
    started = time.perf_counter()  # the scan itself: loading the detectors happens once
    collections = tuple(connector.describe())
    findings: list[ColumnFinding] = []
    cells = 0
    for info in collections:
        rows, failure = _sample(connector, info, sample, full)
        by_column = list(zip(*rows, strict=True)) if rows else [() for _ in info.columns]
        for column, values in zip(info.columns, by_column, strict=True):
            finding = classify_column(info.name, column, values, chosen, text=text)
            findings.append(_with_context(finding, info, column, failure))
            cells += len(values)
    seconds = time.perf_counter() - started
    return Discovery(tuple(findings), collections, cells, seconds)


def _sample(
    connector: Sampling, info: CollectionInfo, size: int, full: bool
) -> tuple[Sequence[tuple[Any, ...]], str | None]:
    """The sampled rows of ``info`` (all columns, catalog order), or the reason there are none."""
    if not info.columns:
        return [], None
    names = [column.name for column in info.columns]
    try:
        return connector.sample(info.name, names, size, full=full), None
    except ConnectorError as error:
        reason = str(error).removeprefix(f"system {connector.name!r}: ")
        return [], f"not sampled ({reason}): judged by its name only"


def _with_context(
    finding: ColumnFinding, info: CollectionInfo, column: ColumnInfo, failure: str | None
) -> ColumnFinding:
    """``finding`` with its key role and any sampling failure added to the evidence."""
    notes = []
    if column.primary_key:
        notes.append("primary key")
    notes += [
        f"foreign key to {fk.target_collection}.{fk.target_columns[fk.columns.index(column.name)]}"
        for fk in info.foreign_keys
        if column.name in fk.columns
    ]
    if failure is not None:
        notes.append(failure)
    said = " ".join(finding.evidence).lower()
    added = tuple(note for note in notes if note not in said)
    return replace(finding, evidence=(*finding.evidence, *added)) if added else finding
