"""The console's data map: the programme as a graph, laid out in columns on the server.

:func:`data_map` turns a :class:`~tutela.programme.models.Programme` into a
:class:`DataMap`: one :class:`Node` per purpose, system, dataset, data category group (the
category directly under ``user``, :func:`tutela.taxonomy.labels.group_of`; the detailed
categories are in the node's details) and recipient, and the :class:`Edge` between them:

- a purpose *uses* every system that lists it and every dataset with a collection that
  lists it;
- a system *holds* each of its datasets, and a dataset the category groups of its fields;
- a system *sends to* the recipient that hosts it (``hosting_provider``) and to every
  recipient that shares one of its purposes and receives a category group the system
  holds (or names no category).

The layout is deterministic and needs no library: one column per kind
(:data:`COLUMNS`), systems and datasets in the programme's order, the other nodes next to
the first node they connect to, and each edge a cubic curve from the right side of its
source to the left side of its target. Each node carries its details as table cells
(:mod:`tutela.web.datamap_nodes`): the tables below the graph are its accessible
alternative, and ``datamap.js`` shows the same cells in its side panel.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from tutela.i18n import N_, _
from tutela.taxonomy.labels import group_of
from tutela.taxonomy.vocabulary import covers
from tutela.web import datamap_nodes as nodes_of
from tutela.web.datamap_nodes import Node

if TYPE_CHECKING:
    from tutela.programme.models import Programme, Recipient, System

COLUMNS: tuple[str, ...] = ("purpose", "system", "dataset", "category", "recipient")
"""The node kinds, left to right: one column each."""
COLUMN_TITLES: dict[str, str] = {
    "purpose": N_("Purposes"),
    "system": N_("Systems"),
    "dataset": N_("Datasets"),
    "category": N_("Data categories"),
    "recipient": N_("Recipients"),
}
COLUMN_WIDTH, NODE_WIDTH, NODE_HEIGHT, ROW_PITCH = 244, 212, 44, 56
"""The layout's sizes, in SVG user units."""
TOP, MARGIN = 40, 8


@dataclass(frozen=True)
class Edge:
    """A line from ``source`` to ``target`` (node ids): ``uses``, ``holds`` or ``sends``."""

    source: str
    target: str
    relation: str
    path: str = ""


@dataclass(frozen=True)
class Column:
    """A column's heading and where it is drawn."""

    kind: str
    title: str
    x: int


@dataclass(frozen=True)
class DataMap:
    """The laid-out graph: nodes, edges, column headings and the drawing's size."""

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    columns: tuple[Column, ...]
    width: int
    height: int

    def of_kind(self, kind: str) -> tuple[Node, ...]:
        """The nodes of ``kind``, in their drawing order."""
        return tuple(node for node in self.nodes if node.kind == kind)

    def filters(self) -> tuple[Node, ...]:
        """The nodes the map can be filtered by: the purposes, then the category groups."""
        return (*self.of_kind("purpose"), *self.of_kind("category"))

    def kept(self, focus: str) -> frozenset[str]:
        """The ids of the nodes the filter ``focus`` keeps (every node when it is empty)."""
        return frozenset(node.id for node in self.nodes if not focus or node.matches(focus))


def data_map(programme: Programme) -> DataMap:
    """The data map of ``programme``, worded in the current language (``i18n.language``)."""
    facts = nodes_of.Facts.of(programme)
    edges = _edges(programme, facts)
    graph = nodes_of.Links(edges_of=tuple((e.source, e.target) for e in edges), names=facts.names)
    nodes = [
        *(nodes_of.purpose_node(p, facts, graph) for p in programme.purposes),
        *(nodes_of.system_node(s, facts, graph) for s in programme.systems),
        *(nodes_of.dataset_node(s, d, facts, graph) for s, d in programme.datasets()),
        *(nodes_of.category_node(group, facts, graph) for group in facts.groups),
        *(nodes_of.recipient_node(r, facts, graph) for r in programme.recipients),
    ]
    return _layout(nodes, edges)


# --- edges ----------------------------------------------------------------------------------


def _edges(programme: Programme, facts: nodes_of.Facts) -> list[Edge]:
    found: list[Edge] = []
    for system in programme.systems:
        found += [Edge(f"purpose:{p}", f"system:{system.key}", "uses") for p in system.purposes]
    for _system, dataset in programme.datasets():
        uses = facts.dataset_purposes[dataset.key]
        found += [Edge(f"purpose:{p}", f"dataset:{dataset.key}", "uses") for p in uses]
    for system, dataset in programme.datasets():
        found.append(Edge(f"system:{system.key}", f"dataset:{dataset.key}", "holds"))
        groups = facts.dataset_groups[dataset.key]
        found += [Edge(f"dataset:{dataset.key}", f"category:{g}", "holds") for g in groups]
    for system in programme.systems:
        sent = [r for r in programme.recipients if _sends(system, r, facts)]
        found += [Edge(f"system:{system.key}", f"recipient:{r.key}", "sends") for r in sent]
    known = set(facts.names)
    unique = dict.fromkeys(e for e in found if e.source in known and e.target in known)
    return list(unique)


def _sends(system: System, recipient: Recipient, facts: nodes_of.Facts) -> bool:
    """Whether ``system`` sends data to ``recipient`` (see the module's docstring)."""
    if system.hosting_provider == recipient.key:
        return True
    if not set(system.purposes) & set(recipient.purposes):
        return False
    held = facts.system_categories[system.key]
    received = [group_of(c, facts.parents) for c in recipient.categories]
    return not received or any(covers(a, b) or covers(b, a) for a in held for b in received)


# --- layout ---------------------------------------------------------------------------------


def _layout(nodes: list[Node], edges: list[Edge]) -> DataMap:
    placed: dict[str, Node] = {}
    by_kind = {kind: [n for n in nodes if n.kind == kind] for kind in COLUMNS}
    ordered = {
        "system": by_kind["system"],
        "dataset": by_kind["dataset"],
    }
    ordered["purpose"] = _beside(by_kind["purpose"], ordered["system"], edges)
    ordered["category"] = _beside(by_kind["category"], ordered["dataset"], edges)
    ordered["recipient"] = _beside(by_kind["recipient"], ordered["system"], edges)
    rows = max((len(column) for column in ordered.values()), default=0)
    for index, kind in enumerate(COLUMNS):
        x = MARGIN + index * COLUMN_WIDTH
        top = TOP + (rows - len(ordered[kind])) * ROW_PITCH // 2
        for row, node in enumerate(ordered[kind]):
            placed[node.id] = replace(node, x=x, y=top + row * ROW_PITCH)
    drawn = tuple(replace(edge, path=_curve(placed, edge)) for edge in edges)
    columns = tuple(
        Column(kind, _(COLUMN_TITLES[kind]), MARGIN + i * COLUMN_WIDTH)
        for i, kind in enumerate(COLUMNS)
    )
    width = 2 * MARGIN + (len(COLUMNS) - 1) * COLUMN_WIDTH + NODE_WIDTH
    height = TOP + max(rows, 1) * ROW_PITCH + MARGIN
    return DataMap(tuple(placed.values()), drawn, columns, width, height)


def _beside(nodes: list[Node], reference: list[Node], edges: Iterable[Edge]) -> list[Node]:
    """``nodes`` ordered by the first node of ``reference`` they connect to (stable)."""
    position = {node.id: index for index, node in enumerate(reference)}
    first: dict[str, int] = {}
    for edge in edges:
        for mine, other in ((edge.source, edge.target), (edge.target, edge.source)):
            if other in position:
                first[mine] = min(first.get(mine, len(position)), position[other])
    return sorted(nodes, key=lambda node: first.get(node.id, len(position)))


def _curve(placed: dict[str, Node], edge: Edge) -> str:
    """The SVG path of ``edge``: from the right side of the left end to the left of the other."""
    left, right = sorted((placed[edge.source], placed[edge.target]), key=lambda n: n.x)
    x1, y1 = left.x + NODE_WIDTH, left.y + NODE_HEIGHT // 2
    x2, y2 = right.x, right.y + NODE_HEIGHT // 2
    bend = (x2 - x1) // 2
    return f"M{x1} {y1} C{x1 + bend} {y1} {x2 - bend} {y2} {x2} {y2}"
