"""What an erasure cannot reach, so personal data may remain (ER-1, Art. 17(1)).

Pure: from the graph of the programme's collections, the collections a request
reaches and the systems' catalogs, three lists the answer shows and the CLI
turns into a distinct exit code:

- collections holding personal fields that no identity of the request reaches;
- columns of reached collections that the database has and the programme does
  not declare (nobody said what they hold);
- declared fields of reached collections without any data category (not keys):
  the programme says nothing personal is there, which erasure then trusts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from tutela.ports import CollectionInfo
from tutela.programme.models import DatasetField
from tutela.rights.graph import Graph, Node
from tutela.rights.models import Coverage
from tutela.taxonomy.vocabulary import covers


def coverage_of(
    graph: Graph,
    reached: Iterable[str],
    catalog: Mapping[str, Mapping[str, CollectionInfo]],
) -> Coverage:
    """The gaps of an erasure reaching the collections ``reached`` of ``graph``."""
    reached = set(reached)
    unreachable = tuple(
        sorted(a for a, node in graph.nodes.items() if a not in reached and _personal(node))
    )
    undeclared: list[str] = []
    uncategorised: list[str] = []
    for address in sorted(reached):
        node = graph.nodes[address]
        info = catalog.get(node.system.key, {}).get(node.collection.name)
        declared = {f.name for f in node.collection.fields}
        if info is not None:
            undeclared += [f"{address}.{c.name}" for c in info.columns if c.name not in declared]
        uncategorised += [
            f"{address}.{f.name}"
            for f in node.collection.fields
            if not f.data_categories and not _key(f) and f.name != node.collection.restriction_flag
        ]
    return Coverage(unreachable, tuple(undeclared), tuple(uncategorised))


def _personal(node: Node) -> bool:
    return any(
        not covers("system", category)
        for f in node.collection.fields
        for category in f.data_categories
    )


def _key(f: DatasetField) -> bool:
    """Keys and identities hold no category of their own: they link, and are not erased."""
    return f.primary_key or bool(f.references) or f.identity is not None
