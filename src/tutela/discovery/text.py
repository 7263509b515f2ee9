"""Spans of personal data in free text, with character offsets.

(Contract stub: the owner replaces the body; the signature is the interface.)
"""

from __future__ import annotations

from tutela.discovery.models import Span
from tutela.discovery.registry import Installed


def find_spans(text: str, installed: Installed) -> list[Span]:
    """Non-overlapping spans of personal data in ``text``, sorted by start offset."""
    raise NotImplementedError
