"""Discovery of one database: sample each collection, classify each column.

(Contract stub: the owner replaces the body; the signature is the interface.)
"""

from __future__ import annotations

from dataclasses import dataclass

from tutela.discovery.models import ColumnFinding
from tutela.discovery.registry import Installed
from tutela.ports import CollectionInfo, Connector


@dataclass(frozen=True)
class Discovery:
    """What a scan found: one finding per column, the catalog it read, and its cost."""

    findings: tuple[ColumnFinding, ...]
    collections: tuple[CollectionInfo, ...]
    cells: int
    seconds: float


def discover(
    connector: Connector,
    *,
    sample: int = 1000,
    full: bool = False,
    text: bool = False,
    installed: Installed | None = None,
) -> Discovery:
    """Sample every collection of ``connector`` (a :class:`tutela.ports.Sampling`) and classify."""
    raise NotImplementedError
