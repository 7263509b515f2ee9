"""The graph of collections a request walks: identities are seeds, references are edges.

Pure: built from the programme's datasets only. A node is a collection
address ``dataset.collection``; an edge ``(a, f, b, g)`` means "the values of
``a.f`` find the rows of ``b`` whose ``g`` matches". A reference declared on
``a.f`` with ``to: b.g`` gives the edge a→b for ``direction: to``, b→a for
``direction: from`` and both for ``direction: both`` (the default).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tutela.errors import RequestError
from tutela.programme.models import Collection, Dataset, DatasetField, Programme, System


@dataclass(frozen=True)
class Node:
    """A collection of a dataset of a system."""

    address: str
    system: System
    dataset: Dataset
    collection: Collection

    def field(self, name: str) -> DatasetField:
        """The field called ``name``; KeyError if undeclared."""
        for candidate in self.collection.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    @property
    def primary_key(self) -> str | None:
        """The declared primary-key field, if exactly one."""
        keys = [f.name for f in self.collection.fields if f.primary_key]
        return keys[0] if len(keys) == 1 else None


@dataclass(frozen=True)
class Edge:
    """Values of ``source.source_field`` select rows of ``target`` by ``target_field``."""

    source: str
    source_field: str
    target: str
    target_field: str


@dataclass(frozen=True)
class Graph:
    """Collections, the edges between them and which child references which parent."""

    nodes: Mapping[str, Node]
    edges: tuple[Edge, ...]
    parents: tuple[tuple[str, str], ...]

    def seeds(self, identities: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
        """Per collection, the (field, identity) pairs the given identities select on."""
        wanted = set(identities)
        found: dict[str, list[tuple[str, str]]] = {}
        for node in self.nodes.values():
            for f in node.collection.fields:
                if f.identity in wanted:
                    found.setdefault(node.address, []).append((f.name, f.identity))
        return found


def build_graph(programme: Programme, *, roles: Iterable[str] = ("controller",)) -> Graph:
    """The collection graph of the datasets of ``programme``'s systems in ``roles``.

    By default only controller systems take part: data held as a processor is
    never answered on the merits (PR-2), so its collections are not nodes and
    references into them are not edges. Raises RequestError when a reference
    names a collection or field that does not exist in the programme (the
    programme linter reports the same with line numbers).
    """
    kept = set(roles)
    nodes = {
        f"{dataset.key}.{collection.name}": Node(
            f"{dataset.key}.{collection.name}", system, dataset, collection
        )
        for system, dataset in programme.datasets()
        if system.role in kept
        for collection in dataset.collections
    }
    left_out = {
        f"{dataset.key}.{collection.name}"
        for system, dataset in programme.datasets()
        if system.role not in kept
        for collection in dataset.collections
    }
    edges: list[Edge] = []
    parents: list[tuple[str, str]] = []
    for node in nodes.values():
        for f in node.collection.fields:
            for reference in f.references:
                if _address(node, reference.to) in left_out:
                    continue
                target, target_field = _target(nodes, node, reference.to)
                if reference.direction in ("to", "both"):
                    edges.append(Edge(node.address, f.name, target.address, target_field))
                if reference.direction in ("from", "both"):
                    edges.append(Edge(target.address, target_field, node.address, f.name))
                parents.append(_child_parent(node, f.name, target, target_field))
    return Graph(nodes, tuple(edges), tuple(parents))


def _address(node: Node, to: str) -> str:
    """The ``dataset.collection`` address a reference ``to`` names, seen from ``node``."""
    parts = to.split(".")
    return f"{node.dataset.key}.{parts[0]}" if len(parts) == 2 else ".".join(parts[:2])


def _target(nodes: Mapping[str, Node], node: Node, to: str) -> tuple[Node, str]:
    parts = to.split(".")
    target = nodes.get(_address(node, to))
    if target is None or len(parts) not in (2, 3):
        raise RequestError(f"{node.address}: reference to {to!r} names no known collection")
    try:
        target.field(parts[-1])
    except KeyError:
        raise RequestError(f"{node.address}: reference to {to!r} names no known field") from None
    return target, parts[-1]


def _child_parent(node: Node, name: str, target: Node, target_field: str) -> tuple[str, str]:
    """(child, parent): the side holding a foreign key is the child."""
    if node.primary_key == name and target.primary_key != target_field:
        return target.address, node.address
    return node.address, target.address


def distances(graph: Graph, seeds: Iterable[str]) -> dict[str, int]:
    """Breadth-first distance of every collection reachable from ``seeds``."""
    depth = dict.fromkeys(seeds, 0)
    queue = deque(depth)
    while queue:
        current = queue.popleft()
        for edge in graph.edges:
            if edge.source == current and edge.target not in depth:
                depth[edge.target] = depth[current] + 1
                queue.append(edge.target)
    return depth


def forward_edges(graph: Graph, depth: Mapping[str, int]) -> list[Edge]:
    """The edges a plan follows: acyclic, from nearer to farther collections.

    Edges back towards the seeds are dropped (they would only find rows already
    found, or other people's rows); edges between collections at the same
    distance are kept unless they close a cycle.
    """
    kept = [
        e
        for e in graph.edges
        if e.source in depth and e.target in depth and depth[e.source] < depth[e.target]
    ]
    level = [
        e
        for e in graph.edges
        if e.source in depth
        and e.target in depth
        and e.source != e.target
        and depth[e.source] == depth[e.target]
    ]
    for edge in sorted(level, key=lambda e: (e.source, e.target)):
        if not _reaches(kept, edge.target, edge.source):
            kept.append(edge)
    return kept


def _reaches(edges: list[Edge], start: str, goal: str) -> bool:
    seen, queue = {start}, deque([start])
    while queue:
        current = queue.popleft()
        if current == goal:
            return True
        for edge in edges:
            if edge.source == current and edge.target not in seen:
                seen.add(edge.target)
                queue.append(edge.target)
    return False


def topological(nodes: Iterable[str], before: Iterable[tuple[str, str]]) -> list[str]:
    """``nodes`` ordered so each pair (a, b) of ``before`` puts a first.

    Cycles are broken deterministically: when every remaining node waits on
    another, the first remaining one (in the given order) goes next.
    """
    order = list(dict.fromkeys(nodes))
    pending = {(a, b) for a, b in before if a in order and b in order and a != b}
    result: list[str] = []
    remaining = list(order)
    while remaining:
        ready = [n for n in remaining if not any(b == n for a, b in pending if a in remaining)]
        chosen = ready[0] if ready else remaining[0]
        result.append(chosen)
        remaining.remove(chosen)
    return result
