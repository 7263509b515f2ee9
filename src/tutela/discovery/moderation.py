"""Moderation of community posts: special-category data (Art. 9) about other people.

(Contract stub: the owner replaces the body; the signature is the interface.)
"""

from __future__ import annotations

from dataclasses import dataclass

MODERATION_CLASSES = (
    "health",
    "religion",
    "trade_union",
    "sexual_orientation",
    "political_opinion",
    "ethnic_origin",
    "genetic_biometric",
    "contact_data",
)
"""The classes a hold names: the Art. 9(1) categories, plus third parties' contact data."""


@dataclass(frozen=True)
class ModerationSpan:
    """``text[start:end]`` reveals ``kind`` (one of :data:`MODERATION_CLASSES`)."""

    start: int
    end: int
    kind: str

    def as_json(self) -> dict[str, object]:
        """``{"start", "end", "class"}``."""
        return {"start": self.start, "end": self.end, "class": self.kind}


@dataclass(frozen=True)
class Verdict:
    """Hold (with the classes and spans that made it) or allow."""

    hold: bool
    classes: tuple[str, ...]
    spans: tuple[ModerationSpan, ...]
    lang: str

    def as_json(self, post_id: object) -> dict[str, object]:
        """``{"id", "hold", "classes", "spans"}``: the line ``tutela moderate`` prints."""
        return {
            "id": post_id,
            "hold": self.hold,
            "classes": list(self.classes),
            "spans": [span.as_json() for span in self.spans],
        }


def moderate(text: str, lang: str | None = None) -> Verdict:
    """Hold or allow ``text`` (``lang``: en, fr, nl or de; guessed when None)."""
    raise NotImplementedError
