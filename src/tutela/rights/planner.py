"""The DSR planner: which rows of which collections a request touches, and how.

Pure: takes the programme (and optionally the systems' catalogs for column
types and lengths) and returns a :class:`~tutela.rights.models.Plan`. Seeds are
the fields declaring an identity the request gives; edges are declared
references. A collection reachable by several paths is one step whose
selectors are the union of those paths. Steps are listed so key producers
come before consumers; ``act_order`` runs destructive steps children-first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from tutela.errors import RequestError
from tutela.ports import CollectionInfo
from tutela.programme.erasure import retaining_purpose, strategy_for
from tutela.programme.models import DatasetField, LegalBasis, Programme
from tutela.rights.graph import (
    Edge,
    Graph,
    Node,
    build_graph,
    distances,
    forward_edges,
    topological,
)
from tutela.rights.models import FieldPlan, Forwarding, Plan, RequestType, Retention, Selector, Step
from tutela.rights.strategies import masker
from tutela.taxonomy.vocabulary import covers

Catalog = Mapping[str, Mapping[str, CollectionInfo]]
"""Per system key, per collection name, what the system's catalog says."""

PORTABLE_BASES = (LegalBasis.CONSENT, LegalBasis.CONTRACT)
PORTABLE_PROVENANCE = ("provided", "observed")


def plan_request(
    programme: Programme,
    kind: RequestType,
    identities: Iterable[str],
    *,
    catalog: Catalog | None = None,
    changes: Iterable[str] = (),
) -> Plan:
    """Plan a request of type ``kind`` for subjects known by ``identities``.

    ``changes`` are the ``collection.field`` targets of a rectification.
    Raises RequestError for an identity no collection declares, or a
    rectification target that is not a declared field.
    """
    graph = build_graph(programme)
    names = tuple(sorted(set(identities)))
    seeds = graph.seeds(names)
    forwarded = forwardings(programme, names)
    _check_identities(graph, names, seeds, _forwarded_identities(programme, forwarded))
    depth = distances(graph, seeds)
    edges = forward_edges(graph, depth)
    order = topological(sorted(depth, key=lambda a: (depth[a], a)), _pairs(edges))
    targets = _change_targets(graph, changes)
    steps = [
        _step(programme, graph.nodes[address], kind, seeds, edges, catalog or {}, targets)
        for address in order
    ]
    act_order = topological(order, graph.parents)
    unreachable = tuple(sorted(set(graph.nodes) - set(depth)))
    return Plan(kind, names, tuple(steps), tuple(act_order), unreachable, forwarded)


def forwardings(programme: Programme, identities: Sequence[str]) -> tuple[Forwarding, ...]:
    """Processor-role systems holding any of ``identities``: forwarded to the controller (PR-2)."""
    wanted = set(identities)
    found = []
    for system in programme.systems:
        if system.role != "processor":
            continue
        collections = tuple(
            f"{dataset.key}.{collection.name}"
            for dataset in system.datasets
            for collection in dataset.collections
            if any(f.identity in wanted for f in collection.fields)
        )
        if collections:
            controller = system.controller or "the controller named in the DPA"
            found.append(
                Forwarding(
                    system.key, system.name, controller, system.controller_contact, collections
                )
            )
    return tuple(found)


def _forwarded_identities(programme: Programme, forwarded: Iterable[Forwarding]) -> set[str]:
    systems = {f.system for f in forwarded}
    return {
        f.identity
        for system in programme.systems
        if system.key in systems
        for dataset in system.datasets
        for collection in dataset.collections
        for f in collection.fields
        if f.identity
    }


def _check_identities(
    graph: Graph,
    names: Sequence[str],
    seeds: Mapping[str, list[tuple[str, str]]],
    forwarded: set[str],
) -> None:
    seeded = {identity for pairs in seeds.values() for _, identity in pairs} | forwarded
    declared = sorted(
        {f.identity for n in graph.nodes.values() for f in n.collection.fields if f.identity}
    )
    for name in names:
        if name not in seeded:
            known = ", ".join(declared) or "none"
            raise RequestError(f"no collection declares identity {name!r}; known: {known}")
    if not names:
        raise RequestError("a request needs at least one identity, e.g. email=a@b.c")


def _pairs(edges: Iterable[Edge]) -> list[tuple[str, str]]:
    return [(e.source, e.target) for e in edges]


def _change_targets(graph: Graph, changes: Iterable[str]) -> dict[str, set[str]]:
    targets: dict[str, set[str]] = {}
    for change in changes:
        address, name = _change_address(graph, change)
        targets.setdefault(address, set()).add(name)
    return targets


def _change_address(graph: Graph, change: str) -> tuple[str, str]:
    """``collection.field`` or ``dataset.collection.field`` as (address, field)."""
    parts = change.split(".")
    matches = [
        node
        for node in graph.nodes.values()
        if (len(parts) == 2 and node.collection.name == parts[0])
        or (len(parts) == 3 and node.address == f"{parts[0]}.{parts[1]}")
    ]
    if len(matches) != 1 or parts[-1] not in {f.name for f in matches[0].collection.fields}:
        raise RequestError(f"cannot rectify {change!r}: no single declared collection.field")
    return matches[0].address, parts[-1]


def _step(
    programme: Programme,
    node: Node,
    kind: RequestType,
    seeds: Mapping[str, list[tuple[str, str]]],
    edges: Sequence[Edge],
    catalog: Catalog,
    targets: Mapping[str, set[str]],
) -> Step:
    info = catalog.get(node.system.key, {}).get(node.collection.name)
    selectors = [
        Selector(name, identity=identity, column_type=_column(node.field(name), info)[0])
        for name, identity in seeds.get(node.address, [])
    ]
    selectors += [
        Selector(e.target_field, upstream=e.source, upstream_field=e.source_field)
        for e in edges
        if e.target == node.address
    ]
    carries = tuple(dict.fromkeys(e.source_field for e in edges if e.source == node.address))
    fields = _fields(programme, node, kind, info, targets.get(node.address, set()))
    deleting = kind == "erasure" and _deletes_rows(node, fields)
    if deleting:
        fields = tuple(f for f in fields if f.action != "mask")
    return Step(
        address=node.address,
        system=node.system.key,
        collection=node.collection.name,
        selectors=tuple(dict.fromkeys(selectors)),
        key=node.primary_key,
        carries=carries,
        fields=fields,
        delete_rows=deleting,
        restriction_flag=node.collection.restriction_flag if kind == "restriction" else None,
    )


def _deletes_rows(node: Node, fields: Sequence[FieldPlan]) -> bool:
    """Delete whole rows if the collection or a field asks, unless a field is retained (ER-2)."""
    wants = node.collection.erase == "delete" or any(f.mask_kind == "delete" for f in fields)
    return wants and not any(f.action == "retain" for f in fields)


def _fields(
    programme: Programme,
    node: Node,
    kind: RequestType,
    info: CollectionInfo | None,
    targets: set[str],
) -> tuple[FieldPlan, ...]:
    plans: list[FieldPlan] = []
    portable = kind != "portability" or _portable_collection(programme, node)
    for f in node.collection.fields:
        plan = _field(programme, node, kind, f, info, targets, portable)
        if plan is not None:
            plans.append(plan)
    if kind == "portability" and not any(p.action == "read" for p in plans):
        return ()
    return tuple(plans)


def _field(
    programme: Programme,
    node: Node,
    kind: RequestType,
    f: DatasetField,
    info: CollectionInfo | None,
    targets: set[str],
    portable: bool,
) -> FieldPlan | None:
    column_type, length = _column(f, info)
    base = FieldPlan(
        name=f.name,
        action="key",
        categories=tuple(f.data_categories),
        purposes=_purposes(programme, node, f),
        column_type=column_type,
        length=length,
    )
    personal = is_personal(f)
    if kind == "rectification":
        return _replace(base, action="rectify") if f.name in targets else None
    if kind in ("restriction",):
        return None
    if kind == "erasure":
        return _erasure_field(programme, node, f, base) if personal and not f.primary_key else None
    if kind == "portability" and (not portable or f.provenance not in PORTABLE_PROVENANCE):
        return base if _is_key(node, f) and portable else None
    if personal:
        return _replace(base, action="read")
    return base if _is_key(node, f) else None


def _replace(plan: FieldPlan, **changes: Any) -> FieldPlan:
    return replace(plan, **changes)


def _erasure_field(programme: Programme, node: Node, f: DatasetField, base: FieldPlan) -> FieldPlan:
    retention = retention_for(programme, node, f)
    if retention is not None:
        return _replace(base, action="retain", retention=retention)
    strategy, value = strategy_for(programme, f)
    kind = masker(strategy).kind
    return _replace(base, action="mask", strategy=strategy, mask_kind=kind, masking_value=value)


def is_personal(f: DatasetField) -> bool:
    """True if the field holds personal data: a category outside ``system``."""
    return any(not covers("system", category) for category in f.data_categories)


def _is_key(node: Node, f: DatasetField) -> bool:
    return f.primary_key or bool(f.references) or f.identity is not None


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


def _purposes(programme: Programme, node: Node, f: DatasetField) -> tuple[str, ...]:
    """Purposes using the field (AC-2(a)).

    The system's purposes that cover its categories, plus the collection's own.
    """
    scope = set(node.system.purposes) or {p.key for p in programme.purposes}
    found = [
        p.key
        for p in programme.purposes
        if p.key in scope and any(covers(pc, fc) for pc in p.categories for fc in f.data_categories)
    ]
    return tuple(dict.fromkeys(found + list(node.collection.purposes)))


def _portable_collection(programme: Programme, node: Node) -> bool:
    """PO-1: the collection serves a purpose on consent or contract."""
    keys = node.collection.purposes or node.system.purposes
    return any(p.key in keys and p.legal_basis in PORTABLE_BASES for p in programme.purposes)


_TYPE_WORDS = (
    ("bool", "boolean"),
    ("timestamp", "datetime"),
    ("datetime", "datetime"),
    ("date", "date"),
    ("int", "integer"),
    ("serial", "integer"),
    ("numeric", "numeric"),
    ("decimal", "numeric"),
    ("float", "numeric"),
    ("double", "numeric"),
    ("real", "numeric"),
)


def column_kind(type_name: str | None) -> str:
    """Normalise a catalog or declared type to string|integer|numeric|date|datetime|boolean."""
    text = (type_name or "").lower()
    for word, kind in _TYPE_WORDS:
        if word in text:
            return kind
    return "string"


def _column(f: DatasetField, info: CollectionInfo | None) -> tuple[str, int | None]:
    """Type (the catalog's, else the declared one) and the smallest known length."""
    column = None
    if info is not None:
        column = next((c for c in info.columns if c.name == f.name), None)
    kind = column_kind(column.type if column else f.type)
    lengths = [n for n in (f.length, column.length if column else None) if n]
    return kind, min(lengths) if lengths else None
