"""A discovery turned into a dataset proposal: categories, identities, confidence, reasons.

Two renderings of one :class:`~tutela.discovery.service.Discovery`:

- the JSON records ``tutela discover --format json`` prints, one per column
  (:func:`records`): ``table``, ``column``, ``category`` (a fideslang key, or
  null for a column that is not personal data), ``confidence``, ``evidence``,
  plus ``identity`` and ``sampled``. These keys are a stable interface that
  outside benchmarks read;
- the guesses a dataset block is built from (:func:`field_guesses`, one per
  personal column, its reason ``discovered: 0.97, 48/50 values are valid
  IBANs (mod 97)``) and a note per other column (:func:`field_notes`). The CLI
  hands them to :func:`tutela.connectors.reflect.propose_dataset`, which adds
  collections, types, keys and references exactly as ``tutela datasets
  reflect`` does, and leaves keys without a category (no erasure masks a key).

Identities: an e-mail or phone column identifies a subject (GDPR Art. 4(1): an
identifier by reference to which a person can be identified) and is proposed as
an identity, unless the classifier said otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from tutela.discovery.models import ColumnFinding, Span
from tutela.discovery.service import Discovery

FieldAddress = tuple[str, str]
"""(collection, field)."""

IDENTITIES: Mapping[str, str] = {
    "user.contact.email": "email",
    "user.contact.phone_number": "phone_number",
}
"""The identity a column of each category serves as (what a data-subject request gives)."""

IDENTITY_CONFIDENCE = 0.8
"""A column is proposed as an identity only from this confidence on."""

MAX_REASON = 160
"""Characters of evidence at most in one YAML comment."""

MAX_SPANS = 50
"""Spans listed at most per column in the JSON records (``--text``)."""


@dataclass(frozen=True)
class FieldGuess:
    """A discovered category for one column, the identity it can serve as, and why.

    The same shape as :class:`tutela.connectors.guess.Guess`, so the CLI builds a
    dataset block from it with :func:`tutela.connectors.reflect.propose_dataset`.
    """

    category: str
    identity: str | None
    reason: str


def field_guesses(discovery: Discovery) -> dict[FieldAddress, FieldGuess]:
    """One guess per column that holds personal data, its reason starting ``discovered:``."""
    return {
        (finding.table, finding.column): FieldGuess(
            finding.category, _identity(finding), f"discovered: {explain(finding)}"
        )
        for finding in discovery.findings
        if finding.category is not None
    }


def field_notes(discovery: Discovery) -> dict[FieldAddress, str]:
    """A comment per column a dataset block shows without a category, saying why.

    That is a column found not personal, or a key (primary, foreign or referenced)
    found personal: keys get no category in a dataset block.
    """
    keys = key_columns(discovery)
    notes: dict[FieldAddress, str] = {}
    for finding in discovery.findings:
        address = (finding.table, finding.column)
        if finding.category is None:
            notes[address] = f"discovered: not personal data, {explain(finding)}"
        elif address in keys:
            notes[address] = (
                f"discovered: {finding.category} ({explain(finding)}); "
                "not proposed: keys carry no category, so no erasure masks them"
            )
    return notes


def key_columns(discovery: Discovery) -> set[FieldAddress]:
    """Primary keys, foreign keys and the columns foreign keys refer to."""
    keys: set[FieldAddress] = set()
    for info in discovery.collections:
        keys |= {(info.name, column.name) for column in info.columns if column.primary_key}
        for fk in info.foreign_keys:
            keys |= {(info.name, column) for column in fk.columns}
            keys |= {(fk.target_collection, column) for column in fk.target_columns}
    return keys


def explain(finding: ColumnFinding) -> str:
    """The confidence and the evidence of ``finding`` in one short line."""
    evidence = "; ".join(finding.evidence) or _nothing_found(finding)
    if len(evidence) > MAX_REASON:
        evidence = evidence[: MAX_REASON - 3].rstrip() + "..."
    return f"{finding.confidence:.2f}, {evidence}"


def records(discovery: Discovery, *, spans: bool = False) -> list[dict[str, object]]:
    """One JSON record per column (:meth:`ColumnFinding.as_json`), in catalog order.

    ``spans`` adds each text column's spans (``--text``), at most :data:`MAX_SPANS`: each
    with ``value``, the index of the sampled text it is in (distinct non-blank values in
    sample order), its offsets within that text, and the ``text`` it matched.
    """
    found = []
    for finding in discovery.findings:
        record = finding.as_json()
        if spans and finding.spans:
            record["spans"] = [_span_json(span, finding) for span in finding.spans[:MAX_SPANS]]
        found.append(record)
    return found


def render_json(discovery: Discovery, *, spans: bool = False) -> str:
    """The records as one JSON array, one record per line (``json.loads`` reads it whole)."""
    lines = [json.dumps(record, ensure_ascii=False) for record in records(discovery, spans=spans)]
    if not lines:
        return "[]\n"
    return "[\n" + ",\n".join(lines) + "\n]\n"


def _span_json(span: Span, finding: ColumnFinding) -> dict[str, object]:
    """The span with the index of the sampled value it is in and the text it matched."""
    inside = span.value is not None and 0 <= span.value < len(finding.texts)
    return span.as_json(finding.texts[span.value] if inside and span.value is not None else None)


def _identity(finding: ColumnFinding) -> str | None:
    if finding.identity is not None:
        return finding.identity
    if finding.confidence < IDENTITY_CONFIDENCE or finding.category is None:
        return None
    return IDENTITIES.get(finding.category)


def _nothing_found(finding: ColumnFinding) -> str:
    if finding.sampled:
        return f"no detector matched its {finding.sampled} sampled values"
    return "no values sampled"
