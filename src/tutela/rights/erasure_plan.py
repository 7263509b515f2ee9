"""How an erasure plans one personal field: kept as a key, retained, or masked.

Pure, like the planner (:mod:`tutela.rights.planner`) that calls it for each
personal field of a collection an erasure reaches: a key stays whole (ER-1), a
field a legal-obligation purpose needs is retained (ER-2, Art. 17(3)(b)), any
other is masked by the strategy in force for it, checked against its column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from tutela.ports import CollectionInfo
from tutela.programme.erasure import key_columns, retaining_purpose, strategy_for
from tutela.programme.models import DatasetField, Programme
from tutela.rights.graph import Node
from tutela.rights.models import FieldPlan, Retention
from tutela.rights.strategies import (
    ColumnCheck,
    ColumnSpec,
    column_domain,
    integer_bits,
    masker,
    shared_domain,
)


def node_keys(programme: Programme, node: Node) -> dict[str, str]:
    """The key columns of ``node`` and why each is one (see :func:`key_columns`)."""
    place = (node.dataset.key, node.collection.name)
    return {name: why for (*at, name), why in key_columns(programme).items() if tuple(at) == place}


def erasure_plan(
    programme: Programme,
    node: Node,
    f: DatasetField,
    base: FieldPlan,
    info: CollectionInfo | None,
    keys: Mapping[str, str],
) -> FieldPlan:
    """A personal field in an erasure: kept whole if it is a key, else retained or masked.

    A primary key, or a column a declared reference uses, is never masked: that
    would cut the subject's rows loose from their parent or tie them to another
    person's (ER-1). The plan shows it as kept, with the reason. A retained
    foreign key is reported as retained (ER-2).
    """
    key = keys.get(f.name)
    if f.primary_key or (key is not None and retention_for(programme, node, f) is None):
        return replace(base, action="key", reason=key or "primary key")
    return _erasure_field(programme, node, f, base, info)


def _erasure_field(
    programme: Programme,
    node: Node,
    f: DatasetField,
    base: FieldPlan,
    info: CollectionInfo | None = None,
) -> FieldPlan:
    """Retain the field (ER-2) or mask it; RequestError if its strategy refuses the column.

    A retained field of a collection with ``retention_from`` carries its strategy
    too: rows whose retention has passed are erased like the others.
    """
    retention = retention_for(programme, node, f)
    if retention is None:
        return _masked_field(programme, node, f, base, info)
    if node.collection.retention_from:
        base = _masked_field(programme, node, f, base, info)
    return replace(base, action="retain", retention=retention)


def _masked_field(
    programme: Programme,
    node: Node,
    f: DatasetField,
    base: FieldPlan,
    info: CollectionInfo | None,
) -> FieldPlan:
    """The field masked by the strategy in force for it."""
    strategy, value = strategy_for(programme, f)
    found = masker(strategy)
    spec = _mask_column(node, f, base, value, info)
    if isinstance(found, ColumnCheck):
        found.check(replace(spec, name=f"{node.address}.{f.name}"))
    return replace(
        base,
        action="mask",
        strategy=strategy,
        mask_kind=found.kind,
        masking_value=value,
        masking_domain=spec.domain,
        integer_bits=spec.integer_bits,
    )


def _mask_column(
    node: Node, f: DatasetField, base: FieldPlan, value: str | None, info: CollectionInfo | None
) -> ColumnSpec:
    """The column as a strategy sees it: its hash domain and, for integers, its size."""
    domain = (
        shared_domain(f.masking_domain)
        if f.masking_domain
        else column_domain(node.system.key, node.address, f.name)
    )
    catalog_type = next((c.type for c in info.columns if c.name == f.name), None) if info else None
    declared = integer_bits(f.type)  # a declared size wins: SQLite's INTEGER holds 64 bits
    bits = declared or integer_bits(catalog_type) if base.column_type == "integer" else None
    return ColumnSpec(f.name, base.column_type, base.length, value, domain, bits)


def retention_for(programme: Programme, node: Node, f: DatasetField) -> Retention | None:
    """The legal-obligation purpose that must keep this field (ER-2, Art. 17(3)(b)).

    The purpose must be on the legal-obligation basis, be listed by the
    collection, and cover one of the field's categories.
    """
    purpose = retaining_purpose(programme, node.collection, f)
    if purpose is None:
        return None
    rule = next((r for r in programme.retention if r.key == purpose.retention), None)
    period = rule.period if rule else None
    criterion = rule.criterion if rule else None
    return Retention(purpose.key, str(purpose.legal_basis), period, criterion)
