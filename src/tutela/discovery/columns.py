"""Column classification: a sample of values and the column's name give one verdict.

(Contract stub: the owner replaces the body; the signature is the interface.)
"""

from __future__ import annotations

from tutela.discovery.models import ColumnFinding, Sample
from tutela.discovery.registry import Installed
from tutela.ports import ColumnInfo


def classify_column(
    table: str, column: ColumnInfo, values: Sample, installed: Installed, *, text: bool = False
) -> ColumnFinding:
    """The category ``column`` of ``table`` holds, judged from ``values`` and its name."""
    raise NotImplementedError
