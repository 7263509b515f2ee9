"""The DSR planner: which rows of which collections a request touches, and how.

Pure: takes the programme (and optionally the systems' catalogs for column
types and lengths) and returns a :class:`~tutela.rights.models.Plan`. Seeds are
the fields declaring an identity the request gives; edges are declared
references. A collection reachable by several paths is one step whose
selectors are the union of those paths. Steps are listed so key producers
come before consumers; ``act_order`` runs destructive steps children-first.
An erasure's personal fields are planned by :mod:`tutela.rights.erasure_plan`;
column types and lengths come from :mod:`tutela.rights.columns`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from tutela.errors import RequestError
from tutela.ports import CollectionInfo
from tutela.programme.models import DatasetField, LegalBasis, Programme
from tutela.rights.columns import column_kind, sql_type, type_and_length
from tutela.rights.coverage import coverage_of
from tutela.rights.erasure_plan import erasure_plan, node_keys
from tutela.rights.graph import (
    Edge,
    Node,
    build_graph,
    distances,
    forward_edges,
    topological,
)
from tutela.rights.holding import held_step
from tutela.rights.holds import LegalHold
from tutela.rights.identities import declared_identities, normalisation
from tutela.rights.models import (
    Coverage,
    FieldPlan,
    Forwarding,
    Plan,
    RequestType,
    Selector,
    Step,
)
from tutela.rights.rectification import change_targets
from tutela.rights.requests import RESTRICTING
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
    held: Sequence[LegalHold] = (),
) -> Plan:
    """Plan a request of type ``kind`` for subjects known by ``identities``.

    ``changes`` are the ``collection.field`` targets of a rectification; ``held`` the
    legal holds an erasure must observe (:mod:`tutela.rights.holding`; ignored otherwise).
    Raises RequestError for an identity no collection declares ("unknown
    identity"), or a rectification target that is not a declared field.
    Identity selectors carry each identity's normalisation (ID-3).
    """
    graph = build_graph(programme)
    names = tuple(sorted(set(identities)))
    seeds = graph.seeds(names)
    forwarded = forwardings(programme, names)
    _check_identities(programme, names, seeds, _forwarded_identities(programme, forwarded))
    depth = distances(graph, seeds)
    edges = forward_edges(graph, depth)
    order = topological(sorted(depth, key=lambda a: (depth[a], a)), _pairs(edges))
    targets = change_targets(programme, graph, changes, depth)
    holds = held if kind == "erasure" else ()
    steps = [
        _step(programme, graph.nodes[address], kind, seeds, edges, catalog or {}, targets, holds)
        for address in order
    ]
    act_order = topological(order, graph.parents)
    unreachable = tuple(sorted(set(graph.nodes) - set(depth)))
    notes = plan_notes(programme, kind)
    gaps = coverage_of(graph, depth, catalog or {}) if kind == "erasure" else Coverage()
    return Plan(kind, names, tuple(steps), tuple(act_order), unreachable, forwarded, notes, gaps)


NO_RETENTION = (
    "no retention declared: no purpose is on the legal_obligation basis, so erasure keeps "
    "nothing under a legal obligation (Art. 17(3)(b))"
)
"""The note of an erasure plan on a programme that declares no retention (ER-2)."""


def plan_notes(programme: Programme, kind: RequestType) -> tuple[str, ...]:
    """What the plan must say the programme leaves out: :data:`NO_RETENTION` for erasure."""
    obligations = [p for p in programme.purposes if p.legal_basis == LegalBasis.LEGAL_OBLIGATION]
    return (NO_RETENTION,) if kind == "erasure" and not obligations else ()


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
    programme: Programme,
    names: Sequence[str],
    seeds: Mapping[str, list[tuple[str, str]]],
    forwarded: set[str],
) -> None:
    seeded = {identity for pairs in seeds.values() for _, identity in pairs} | forwarded
    for name in names:
        if name not in seeded:
            known = ", ".join(declared_identities(programme)) or "none"
            raise RequestError(
                f"unknown identity {name!r}; the programme's identities are: {known}"
            )
    if not names:
        raise RequestError("a request needs at least one identity, e.g. email=a@b.c")


def _pairs(edges: Iterable[Edge]) -> list[tuple[str, str]]:
    return [(e.source, e.target) for e in edges]


def _step(
    programme: Programme,
    node: Node,
    kind: RequestType,
    seeds: Mapping[str, list[tuple[str, str]]],
    edges: Sequence[Edge],
    catalog: Catalog,
    targets: Mapping[str, set[str]],
    holds: Sequence[LegalHold] = (),
) -> Step:
    info = catalog.get(node.system.key, {}).get(node.collection.name)
    selectors = [
        Selector(
            name,
            identity=identity,
            column_type=type_and_length(node.field(name), info)[0],
            normalisation=normalisation(programme, identity),
        )
        for name, identity in seeds.get(node.address, [])
    ]
    selectors += [
        Selector(e.target_field, upstream=e.source, upstream_field=e.source_field)
        for e in edges
        if e.target == node.address
    ]
    carries = tuple(dict.fromkeys(e.source_field for e in edges if e.source == node.address))
    fields = _fields(programme, node, kind, info, targets.get(node.address, set()))
    step = Step(
        address=node.address,
        system=node.system.key,
        collection=node.collection.name,
        selectors=tuple(dict.fromkeys(selectors)),
        key=node.primary_key,
        carries=carries,
        fields=fields,
    )
    if holds:  # Art. 17(3)(e): held collections are retained, held rows told apart later
        step = held_step(step, node, holds)
        fields = step.fields
    deleting = kind == "erasure" and _deletes_rows(node, fields)
    if deleting:  # whole rows go: nothing is masked, and no key is kept
        fields = tuple(f for f in fields if f.action != "mask" and f.reason is None)
    return replace(
        step,
        fields=fields,
        delete_rows=deleting,
        restriction_flag=node.collection.restriction_flag if kind in RESTRICTING else None,
        retention_from=node.collection.retention_from if kind == "erasure" else None,
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
    keys = node_keys(programme, node) if kind == "erasure" else {}
    for f in node.collection.fields:
        plan = _field(programme, node, kind, f, info, targets, portable, keys)
        if plan is not None:
            plans.append(plan)
    if kind == "portability" and not any(p.action == "read" for p in plans):
        return ()
    if kind == "access" and info is not None:
        declared = {f.name for f in node.collection.fields}
        plans += [
            FieldPlan(name=c.name, action="read", column_type=column_kind(c.type), length=c.length)
            for c in info.columns
            if c.name not in declared
        ]
    return tuple(plans)


def _field(
    programme: Programme,
    node: Node,
    kind: RequestType,
    f: DatasetField,
    info: CollectionInfo | None,
    targets: set[str],
    portable: bool,
    keys: Mapping[str, str],
) -> FieldPlan | None:
    column_type, length = type_and_length(f, info)
    base = FieldPlan(
        name=f.name,
        action="key",
        categories=tuple(f.data_categories),
        purposes=_purposes(programme, node, f),
        column_type=column_type,
        length=length,
        sql_type=sql_type(f, info),
    )
    personal = is_personal(f)
    if kind == "rectification":
        return _replace(base, action="rectify") if f.name in targets else None
    if kind in RESTRICTING:
        return None
    if kind == "erasure":
        return erasure_plan(programme, node, f, base, info, keys) if personal else None
    if kind == "portability" and (not portable or f.provenance not in PORTABLE_PROVENANCE):
        return base if _is_key(node, f) and portable else None
    if kind in ("access", "portability") and f.about_others:
        return _replace(base, action="withhold", reason=f.about_others)
    if personal or (kind == "access" and not _is_key(node, f)):
        return _replace(base, action="read")  # access shows every column (AC-1)
    return base if _is_key(node, f) else None


def _replace(plan: FieldPlan, **changes: Any) -> FieldPlan:
    return replace(plan, **changes)


def is_personal(f: DatasetField) -> bool:
    """True if the field holds personal data: a category outside ``system``."""
    return any(not covers("system", category) for category in f.data_categories)


def _is_key(node: Node, f: DatasetField) -> bool:
    return f.primary_key or bool(f.references) or f.identity is not None


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
