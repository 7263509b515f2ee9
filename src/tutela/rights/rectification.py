"""Rectification targets: which ``collection.field`` a request may set, and where (RE-1).

Pure: the planner asks :func:`change_targets` for the fields each collection
rectifies. A subject may set only the fields the programme declares
``rectifiable`` that are no key, reference, identity, restriction flag or
legally retained field (:mod:`tutela.programme.rectification`); any other
target refuses the whole request with a RequestError naming the field and why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from tutela.errors import RequestError
from tutela.programme.erasure import key_columns
from tutela.programme.models import Programme
from tutela.programme.rectification import refusal
from tutela.rights.graph import Graph


def change_targets(
    programme: Programme, graph: Graph, changes: Iterable[str], reached: Mapping[str, int]
) -> dict[str, set[str]]:
    """The fields to rectify per collection; RequestError naming each refused one (RE-1).

    Only fields the programme declares ``rectifiable`` and that are no key,
    reference, identity, restriction flag or legally retained field
    (:func:`tutela.programme.rectification.refusal`), in a collection the
    identities reach.
    """
    keys = key_columns(programme)
    targets: dict[str, set[str]] = {}
    refused: list[str] = []
    for change in sorted(set(changes)):
        address, name = change_address(graph, change)
        node = graph.nodes[address]
        reason = refusal(programme, node.dataset.key, node.collection, node.field(name), keys)
        if reason is None and address not in reached:
            reason = "no collection the request's identities reach holds it"
        if reason is not None:
            refused.append(f"{change}: {reason}")
        targets.setdefault(address, set()).add(name)
    if refused:
        raise RequestError("cannot rectify " + "; ".join(refused))
    return targets


def change_address(graph: Graph, change: str) -> tuple[str, str]:
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
