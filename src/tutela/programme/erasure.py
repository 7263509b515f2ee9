"""How the programme says each field is erased: the masking strategy in force.

Pure and shared: the DSR planner applies it, and the programme checks verify it
can run (a ``null`` strategy on a field declared ``nullable: false`` would fail)
and never hits a key column (:func:`key_columns`: masking a key would cut rows
loose from their parent, or tie them to another person's).
"""

from __future__ import annotations

from collections.abc import Mapping

from tutela.programme.models import Collection, DatasetField, LegalBasis, Programme, Purpose
from tutela.taxonomy.vocabulary import covers

FieldAddress = tuple[str, str, str]
"""A field of the programme as (dataset key, collection name, field name)."""


def strategy_for(programme: Programme, f: DatasetField) -> tuple[str, str | None]:
    """The erasure strategy of a field and its fixed value, if any.

    The field's own ``masking``, else the most specific ``masking.rules`` entry
    covering one of its categories, else ``masking.default``.
    """
    if f.masking is not None:
        return f.masking, f.masking_value
    rules = [
        rule
        for rule in programme.masking.rules
        if any(covers(rule.category, category) for category in f.data_categories)
    ]
    if rules:
        rule = max(rules, key=lambda r: len(r.category))
        return rule.strategy, f.masking_value or rule.value
    return programme.masking.default, f.masking_value


def retaining_purpose(
    programme: Programme, collection: Collection, f: DatasetField
) -> Purpose | None:
    """The legal-obligation purpose that must keep this field (ER-2, Art. 17(3)(b)).

    The purpose must be on the legal-obligation basis, be listed by the
    collection, and cover one of the field's categories.
    """
    for key in collection.purposes:
        purpose = next((p for p in programme.purposes if p.key == key), None)
        if purpose is None or purpose.legal_basis != LegalBasis.LEGAL_OBLIGATION:
            continue
        if any(covers(pc, fc) for pc in purpose.categories for fc in f.data_categories):
            return purpose
    return None


def key_columns(programme: Programme) -> Mapping[FieldAddress, str]:
    """Every key column of the programme's datasets, with why it is one.

    A primary key (``"primary key"``), and both ends of every declared reference,
    whatever its direction (``"key: used by reference orders.customer_id → customer.id"``).
    Erasure never masks these and rectification never sets them (ER-1, RE-1).
    """
    found: dict[FieldAddress, str] = {}
    for _, dataset in programme.datasets():
        for collection in dataset.collections:
            for f in collection.fields:
                for reference in f.references:
                    why = f"key: used by reference {collection.name}.{f.name} → {reference.to}"
                    found.setdefault((dataset.key, collection.name, f.name), why)
                    found.setdefault(_target(dataset.key, reference.to), why)
    for _, dataset in programme.datasets():
        for collection in dataset.collections:
            for f in collection.fields:
                if f.primary_key:
                    found[(dataset.key, collection.name, f.name)] = "primary key"
    return found


def _target(dataset: str, to: str) -> FieldAddress:
    """The field ``to`` names: ``collection.field`` in ``dataset``, or with its dataset."""
    parts = to.split(".")
    if len(parts) == 2:
        return dataset, parts[0], parts[1]
    return parts[0], parts[1], ".".join(parts[2:])
