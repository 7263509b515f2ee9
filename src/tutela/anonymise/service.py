"""``tutela anonymise RELEASE``: from a programme's declared release to its file and ledger entry.

:class:`ReleaseService` turns an :class:`~tutela.programme.models.AnonymisedRelease` into
a :class:`~tutela.anonymise.release.ReleaseSpec` (each quasi-identifier's type from its
declared hierarchy, else from its values: all numbers, all ISO dates, else a category;
trees inline or from a CSV file; the model from ``method``, ``k``, ``l``, ``diversity``
and ``t``), reads the source through :class:`ReleaseInputs`, runs it, and records it
through :class:`ReleaseLedger`:

- a release is ledgered as ``anonymised_release`` on ``release:<key>``: ``before`` is the
  SHA-256 of the report document (model, parameters, achieved k/l/t, suppression, risks,
  GCP, algorithm, the released file's digest) as canonical JSON, ``after`` the SHA-256 of
  the released file's bytes. Never a row of data: the ledger holds ids and digests only;
- a refused release is ledgered too, as ``anonymised_refused`` (``before`` the digest of
  the refusal document with its reasons, no ``after``): nothing was released, but the
  attempt and why it failed are accountable (AN-2);
- a dry run computes and reports, and records nothing.

A release with ``method: aggregation`` is a table of counts per combination of its
quasi-identifiers, cells under ``min_cell`` left out. A generalising release (k, l, t)
that also declares ``min_cell`` is published as counts too: the generalised rows are
counted per combination of released values, cells under ``min_cell`` left out.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from tutela.anonymise.privacy import PrivacyModel
from tutela.anonymise.release import Aggregate, Release, ReleaseSpec, aggregate, anonymise
from tutela.anonymise.table import QuasiKind, QuasiSpec
from tutela.errors import AnonymisationError, ReleaseRefused
from tutela.ledger.entries import canonical_json
from tutela.ports import Clock
from tutela.programme.models import AnonymisedRelease, Programme

RELEASED = "anonymised_release"
"""The ledger action of a release made."""

REFUSED = "anonymised_refused"
"""The ledger action of a release refused (it missed its model)."""

MAX_ROWS = 5_000_000
"""The most source rows a release reads unless told otherwise (``--max-rows``)."""

Columns = dict[str, list[str]]
"""A source's rows as columns of strings: name -> values, all as long."""


class ReleaseInputs(Protocol):
    """Where a release's rows and hierarchy files are read (``connectors.release_source``)."""

    def columns(self, release: AnonymisedRelease, wanted: Sequence[str], max_rows: int) -> Columns:
        """The ``wanted`` columns of the release's source, as strings (NULL as ``""``).

        AnonymisationError naming the file or column for a source that cannot be read
        as declared, or one with more than ``max_rows`` rows.
        """
        ...

    def tree(self, path: str) -> dict[str, list[str]]:
        """A hierarchy file: each value -> its ancestors, nearest first."""
        ...


@dataclass(frozen=True)
class LedgerNote:
    """The ledger entry of one release or refusal: ids and digests only."""

    time: datetime
    actor: str
    action: str
    subject: str
    before: str
    after: str | None


class ReleaseLedger(Protocol):
    """Where release entries are appended (:class:`tutela.store.anonymised.SqlReleaseLedger`)."""

    def record(self, note: LedgerNote) -> None:
        """Append ``note`` to the ledger."""
        ...


@dataclass(frozen=True)
class Made:
    """A release ready to publish: its CSV bytes, their digest and its report document."""

    key: str
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    content: bytes
    digest: str
    report: dict[str, object]

    @property
    def report_digest(self) -> str:
        """SHA-256 of the report as canonical JSON: the ``before`` of the ledger entry."""
        return document_digest(self.report)


def document_digest(document: Mapping[str, object]) -> str:
    """SHA-256 hex of ``document`` as canonical JSON (sorted keys, no spaces, ASCII)."""
    return hashlib.sha256(canonical_json(document)).hexdigest()


def ledger_subject(key: str) -> str:
    """The ledger's id of a release: ``release:<key>``."""
    return f"release:{key}"


class ReleaseService:
    """The anonymised releases of ``programme``, read through ``inputs``, ledgered in ``ledger``.

    ``ledger`` None: nothing is recorded (a dry run).
    """

    def __init__(
        self,
        programme: Programme,
        inputs: ReleaseInputs,
        ledger: ReleaseLedger | None,
        clock: Clock,
    ) -> None:
        self.programme = programme
        self.inputs = inputs
        self.ledger = ledger
        self.clock = clock

    def release(
        self,
        key: str,
        *,
        publish: Callable[[Made], None] | None = None,
        actor: str = "system",
        max_rows: int = MAX_ROWS,
    ) -> Made:
        """Make release ``key``, hand it to ``publish`` (which writes it), then ledger it.

        Raises AnonymisationError for a release that cannot be made as declared and
        ReleaseRefused (ledgered first, unless this is a dry run) for one missing its model.
        """
        declared = self.declared(key)
        now = self.clock.now()
        try:
            made = self.make(declared, now, max_rows)
        except ReleaseRefused as refused:
            if self.ledger is not None:
                document = refusal_document(declared, now, str(refused))
                self.ledger.record(
                    LedgerNote(
                        now, actor, REFUSED, ledger_subject(key), document_digest(document), None
                    )
                )
            raise
        if publish is not None:
            publish(made)
        if self.ledger is not None:
            note = LedgerNote(
                now, actor, RELEASED, ledger_subject(key), made.report_digest, made.digest
            )
            self.ledger.record(note)
        return made

    def declared(self, key: str) -> AnonymisedRelease:
        """The release ``key`` of the programme; AnonymisationError naming the known ones."""
        for release in self.programme.anonymisation:
            if release.key == key:
                return release
        known = ", ".join(r.key for r in self.programme.anonymisation) or "none"
        raise AnonymisationError(f"the programme declares no release {key!r} (it has: {known})")

    def make(self, declared: AnonymisedRelease, now: datetime, max_rows: int) -> Made:
        """Read the source and run the release (nothing recorded); ReleaseRefused on a miss."""
        if declared.source is None:
            raise AnonymisationError(
                f"release {declared.key!r} has no source: declare source.csv, or source.query "
                "with source.system, in anonymisation.yml"
            )
        if declared.method == "aggregation":
            columns = self._columns(declared, declared.quasi_identifiers, max_rows)
            counted = aggregate(columns, declared.quasi_identifiers, _min_cell(declared))
            return _made(declared, now, counted.header, counted.rows, None, counted)
        spec = self.spec(declared, max_rows)
        wanted = [q.name for q in spec.quasi] + [*spec.sensitive, *spec.keep]
        columns = self._columns(declared, wanted, max_rows)
        spec = _typed(spec, columns, _undeclared_types(declared))
        done = anonymise(columns, spec)
        if declared.min_cell is None:
            return _made(declared, now, done.header, done.rows, done, None)
        released = {name: [row[i] for row in done.rows] for i, name in enumerate(done.header)}
        counted = aggregate(released, done.header, declared.min_cell)
        return _made(declared, now, counted.header, counted.rows, done, counted)

    def spec(self, declared: AnonymisedRelease, max_rows: int = MAX_ROWS) -> ReleaseSpec:
        """The declaration as a ReleaseSpec (types still to infer are left ``category``)."""
        quasi = []
        for name in declared.quasi_identifiers:
            quasi.append(self._quasi(declared, name))
        return ReleaseSpec(
            quasi=tuple(quasi),
            model=privacy_model(declared),
            sensitive=tuple(declared.sensitive),
            keep=tuple(declared.keep),
            max_suppression=declared.max_suppression,
            metric=declared.metric,
            algorithm=declared.algorithm,
        )

    def _quasi(self, declared: AnonymisedRelease, name: str) -> QuasiSpec:
        hierarchy = declared.hierarchies.get(name)
        if hierarchy is None:
            return QuasiSpec(name)
        tree = hierarchy.tree
        if hierarchy.file is not None:
            tree = self.inputs.tree(hierarchy.file)
        return QuasiSpec(name, hierarchy.type or "category", tree, tuple(hierarchy.widths))

    def _columns(self, declared: AnonymisedRelease, wanted: Sequence[str], rows: int) -> Columns:
        return self.inputs.columns(declared, list(dict.fromkeys(wanted)), rows)


_ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d")


def privacy_model(declared: AnonymisedRelease) -> PrivacyModel:
    """The privacy model a generalising release declares (``method``, k, l, diversity, t)."""
    method, key = declared.method, declared.key
    if method == "differential_privacy":
        raise AnonymisationError(
            f"release {key!r}: tutela makes k-anonymous, l-diverse, t-close and aggregated "
            "releases; a differentially private one is made elsewhere"
        )
    if method == "l_diversity" and declared.l is None:
        raise AnonymisationError(f"release {key!r} uses l-diversity: set l (at least 2)")
    if method == "t_closeness" and declared.t is None:
        raise AnonymisationError(f"release {key!r} uses t-closeness: set t (e.g. 0.2)")
    if (declared.l is not None or declared.t is not None) and not declared.sensitive:
        raise AnonymisationError(
            f"release {key!r}: l-diversity and t-closeness protect sensitive attributes; "
            "list them under sensitive"
        )
    k = declared.k if declared.k is not None else max(2, declared.l or 2)
    return PrivacyModel(k=k, l=declared.l, diversity=declared.diversity, t=declared.t)


def infer_kind(values: Sequence[str]) -> QuasiKind:
    """``number`` when every value is a number, ``date`` when every one is an ISO date."""
    if values and all(_is_number(value) for value in values):
        return "number"
    if values and all(_is_date(value) for value in values):
        return "date"
    return "category"


def _undeclared_types(declared: AnonymisedRelease) -> set[str]:
    """The quasi-identifiers whose type comes from their values (no type, no tree)."""
    found = set()
    for name in declared.quasi_identifiers:
        hierarchy = declared.hierarchies.get(name)
        if hierarchy is None or (
            hierarchy.type is None and hierarchy.tree is None and hierarchy.file is None
        ):
            found.add(name)
    return found


def _typed(
    spec: ReleaseSpec, columns: Mapping[str, Sequence[str]], undeclared: set[str]
) -> ReleaseSpec:
    """``spec`` with each quasi-identifier in ``undeclared`` typed by its values."""
    quasi = []
    for q in spec.quasi:
        if q.name in undeclared and q.name in columns:
            q = QuasiSpec(q.name, infer_kind(list(set(columns[q.name]))), None, q.widths)
        quasi.append(q)
    return ReleaseSpec(
        tuple(quasi),
        spec.model,
        spec.sensitive,
        spec.keep,
        spec.max_suppression,
        spec.metric,
        spec.algorithm,
    )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip().lower() not in {"nan", "inf", "-inf", "infinity", "-infinity"}


def _is_date(text: str) -> bool:
    if not _ISO_DATE.match(text):
        return False
    try:
        date.fromisoformat(text[:10])
    except ValueError:
        return False
    return True


def _min_cell(declared: AnonymisedRelease) -> int:
    if declared.min_cell is None:
        raise AnonymisationError(
            f"release {declared.key!r} aggregates without min_cell: set it (e.g. 10) so "
            "small cells are suppressed"
        )
    return declared.min_cell


def parameters(declared: AnonymisedRelease) -> dict[str, object]:
    """The declared parameters a report and the ledger's digest cover."""
    return {
        "quasi_identifiers": list(declared.quasi_identifiers),
        "sensitive": list(declared.sensitive),
        "keep": list(declared.keep),
        "k": declared.k,
        "l": declared.l,
        "diversity": declared.diversity,
        "t": declared.t,
        "min_cell": declared.min_cell,
        "max_suppression": declared.max_suppression,
        "metric": declared.metric,
        "algorithm": declared.algorithm,
    }


def describe_model(declared: AnonymisedRelease) -> str:
    """``k=10``, ``k=5, l=3 (distinct)`` or ``min_cell=10`` (aggregation)."""
    if declared.method == "aggregation":
        return f"min_cell={declared.min_cell}"
    described = privacy_model(declared).describe()
    return described + (f", min_cell={declared.min_cell}" if declared.min_cell else "")


def refusal_document(declared: AnonymisedRelease, now: datetime, reason: str) -> dict[str, object]:
    """What the ledger's digest of a refusal covers: the declaration and why it failed."""
    return {
        "release": declared.key,
        "method": declared.method,
        "model": describe_model(declared),
        "parameters": parameters(declared),
        "made_at": now.isoformat(),
        "refused": reason,
    }


def to_csv(header: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    """The release as CSV bytes: UTF-8, a header row, newline line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _made(
    declared: AnonymisedRelease,
    now: datetime,
    header: tuple[str, ...],
    rows: list[tuple[str, ...]],
    done: Release | None,
    counted: Aggregate | None,
) -> Made:
    content = to_csv(header, rows)
    digest = hashlib.sha256(content).hexdigest()
    report: dict[str, object] = {
        "release": declared.key,
        "method": declared.method,
        "model": describe_model(declared),
        "parameters": parameters(declared),
        "made_at": now.isoformat(),
        "released": {
            "sha256": digest,
            "columns": list(header),
            "rows": len(rows),
            "counts": counted is not None,
        },
        "risk": done.report.as_json() if done is not None else None,
        "cells": _cells(counted) if counted is not None else None,
    }
    return Made(declared.key, header, rows, content, digest, report)


def _cells(counted: Aggregate) -> dict[str, int]:
    return {
        "cells": counted.cells,
        "suppressed_cells": counted.suppressed_cells,
        "suppressed_records": counted.suppressed_records,
        "smallest": counted.smallest,
    }
