"""Spans of personal data in free text, with character offsets.

Every installed value detector (look-alikes excepted: they find nothing personal)
searches the text with :meth:`~tutela.discovery.models.Detector.find_spans`; a cheap
gate first skips detectors that cannot match (no ``@``: no e-mail address; no digit:
no phone, IBAN, card, national number, postcode or date). Overlapping spans are
resolved greedily: the most confident wins, then the longest, then the first, so
``text[span.start:span.end]`` is exactly the personal data found and no character
belongs to two spans (GDPR Art. 4(1); the Presidio analyzer's conflict rule).
:func:`find_spans_many` searches many short texts at once, with the same result.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from tutela.discovery.detectors.windows import Window, digit_windows
from tutela.discovery.models import CONTEXT_WINDOW, Detector, Span
from tutela.discovery.registry import Installed

_DIGIT = re.compile(r"\d")
_DIGITS = re.compile(r"\d(?:(?:[ ./()\-]{0,2}\d){3,}|(?<=[^\W\d_]\d)|[^\W\d_])")
"""Where a digit-bearing identifier can be: four digits or more in a cluster, or letters and
digits side by side (``AB123456C``, ``M1 1AE``). A lone ``3`` or ``12`` is no identifier."""
_IP_SHAPE = re.compile(r"\d\.\d|[0-9a-fA-F]:[0-9a-fA-F]|::")

Gate = Callable[[str], bool]


def _has_digit(text: str) -> bool:
    return _DIGIT.search(text) is not None


GATES: dict[str, Gate] = {
    "user.contact.email": lambda text: "@" in text,
    "user.device.ip_address": lambda text: _IP_SHAPE.search(text) is not None,
    "user.contact.phone_number": _has_digit,
    "user.contact.fax_number": _has_digit,
    "user.financial": _has_digit,
    "user.government_id": _has_digit,
    "user.contact.address.postal_code": _has_digit,
    "user.demographic.date_of_birth": _has_digit,
    "user.authorization.password": lambda text: "$" in text,
}
"""What a text must contain before a detector of a category (or its parent) searches it."""

DIGIT_GATES = frozenset({_has_digit, GATES["user.device.ip_address"]})
"""Gates of categories whose every occurrence has a digit in it."""


def gate_for(category: str) -> Gate | None:
    """The gate of ``category`` or of its nearest parent with one; None: always search."""
    parts = category.split(".")
    for size in range(len(parts), 0, -1):
        gate = GATES.get(".".join(parts[:size]))
        if gate is not None:
            return gate
    return None


def searching(text: str, installed: Installed) -> list[Detector]:
    """The detectors worth running on ``text``: not look-alikes, and through their gate."""
    chosen: list[Detector] = []
    passed: dict[Gate, bool] = {}
    for detector in installed.values:
        if detector.lookalike or detector.category is None:
            continue
        gate = gate_for(detector.category)
        if gate is not None:
            if gate not in passed:
                passed[gate] = gate(text)
            if not passed[gate]:
                continue
        chosen.append(detector)
    return chosen


def resolve_overlaps(spans: list[Span]) -> list[Span]:
    """The non-overlapping spans, most confident first then longest, sorted by start.

    Spans are settled in groups: a group is a run of spans (by start) each overlapping
    the reach of those before it, and no span of one group overlaps a span of another,
    so settling each group alone keeps exactly the spans the ranking keeps over all of
    them. Most groups are one span, kept as it is.
    """
    ordered = sorted((span for span in spans if span.end > span.start), key=_by_start)
    kept: list[Span] = []
    group: list[Span] = []
    reach = -1
    for span in ordered:
        if span.start >= reach and group:
            kept.extend(group if len(group) == 1 else _settled(group))
            group = []
        group.append(span)
        reach = max(reach, span.end) if len(group) > 1 else span.end
    if group:
        kept.extend(group if len(group) == 1 else _settled(group))
    return kept


def _by_start(span: Span) -> int:
    return span.start


def _settled(spans: list[Span]) -> list[Span]:
    """The spans of one overlapping group the ranking keeps, sorted by start."""
    ranked = sorted(spans, key=lambda s: (-s.confidence, s.start - s.end, s.start))
    starts: list[int] = []
    kept: list[Span] = []
    for span in ranked:
        if span.end <= span.start:
            continue
        where = bisect_left(starts, span.start)
        if where > 0 and kept[where - 1].end > span.start:
            continue
        if where < len(kept) and kept[where].start < span.end:
            continue
        starts.insert(where, span.start)
        kept.insert(where, span)
    return kept


PAD = 64
"""Characters kept either side of a digit run for the digit detectors (>= the context window)."""
SEPARATOR = "\n|" + " " * (PAD - 4) + "\n"
"""Between two regions: no pattern crosses ``|``, and no context word is within reach."""


@dataclass(frozen=True)
class Regions:
    """The parts of a text around its digits, joined into one shorter text with an offset map."""

    text: str
    starts: list[int]
    origins: list[int]

    @classmethod
    def around_digits(cls, text: str) -> Regions:
        """Each digit cluster with :data:`PAD` characters either side, cut at whitespace, merged."""
        merged: list[list[int]] = []
        for run in _DIGITS.finditer(text):
            start, end = max(0, run.start() - PAD), run.end() + PAD
            if merged and start <= merged[-1][1]:
                merged[-1][1] = end
            else:
                merged.append([start, end])
        parts, starts, origins, size = [], [], [], 0
        for start, end in merged:
            start = _word_start(text, start)
            end = _word_end(text, end)
            starts.append(size)
            origins.append(start)
            parts.append(text[start:end])
            size += end - start + len(SEPARATOR)
        return cls(SEPARATOR.join(parts), starts, origins)

    def original(self, span: Span) -> Span:
        """``span`` of the joined regions as a span of the original text."""
        index = bisect_right(self.starts, span.start) - 1
        return shifted(span, self.origins[index] - self.starts[index])


def shifted(span: Span, shift: int) -> Span:
    """``span`` moved ``shift`` characters (a plain :class:`Span` built directly: faster)."""
    if type(span) is not Span:
        return replace(span, start=span.start + shift, end=span.end + shift)
    return Span(
        span.start + shift,
        span.end + shift,
        span.category,
        span.confidence,
        span.detector,
        span.pattern,
        span.value,
    )


def _word_start(text: str, at: int) -> int:
    """The start of the word at ``at`` (looking back at most :data:`PAD` characters)."""
    if at <= 0:
        return 0
    floor = max(0, at - PAD)
    return max(text.rfind(" ", floor, at), text.rfind("\n", floor, at), floor - 1) + 1


def _word_end(text: str, at: int) -> int:
    """The end of the word at ``at`` (looking ahead at most :data:`PAD` characters)."""
    ceiling = min(len(text), at + PAD)
    ends = [found for found in (text.find(" ", at, ceiling), text.find("\n", at, ceiling))]
    return min((end for end in ends if end >= 0), default=ceiling)


def find_spans(text: str, installed: Installed) -> list[Span]:
    """Non-overlapping spans of personal data in ``text``, sorted by start offset.

    Offsets are Python string indices into ``text`` (characters, not bytes). Detectors
    with a ``find_spans_within(text, windows)`` method search only the windows around
    the digits (:func:`~tutela.discovery.detectors.windows.digit_windows`, found once
    per text); other detectors of digit-bearing categories search the regions around
    digit clusters when those are under four fifths of the text (a ticket is mostly
    words).
    """
    if not text:
        return []
    found: list[Span] = []
    regions: Regions | None = None
    windows: list[Window] | None = None
    passed: dict[Gate, bool] = {}
    for searcher in _searchers(installed):
        gate = searcher.gate
        if gate is not None:
            if gate not in passed:
                passed[gate] = gate(text)
            if not passed[gate]:
                continue
        if searcher.within is not None:
            windows = digit_windows(text) if windows is None else windows
            found.extend(searcher.within(text, windows))
        elif searcher.digits and len(text) > 2 * PAD:
            regions = regions or Regions.around_digits(text)
            if len(regions.text) * 5 < len(text) * 4:
                spans = searcher.detector.find_spans(regions.text)
                found.extend(regions.original(span) for span in spans)
            else:
                found.extend(searcher.detector.find_spans(text))
        else:
            found.extend(searcher.detector.find_spans(text))
    return resolve_overlaps(found)


DOCUMENT_SEPARATOR = "\n|" + " " * (CONTEXT_WINDOW + 4) + "|\n"
"""Between two documents searched together: longer than the context window, with no letter
or digit, and ``|`` so that no whitespace run, name or address crosses it; each document
still starts and ends on a line break, as it starts and ends a text searched alone."""


def find_spans_many(texts: Sequence[str], installed: Installed) -> list[list[Span]]:
    """The spans of each of ``texts``, as :func:`find_spans` gives them text by text.

    The texts are joined with :data:`DOCUMENT_SEPARATOR` and searched once, so the
    detectors' fixed costs are paid once per batch rather than once per short text
    (a ticket is a few hundred characters). Offsets are within each text; a span that
    would cross a separator (none should) is dropped.
    """
    found: list[list[Span]] = [[] for _ in texts]
    if not any(texts):
        return found
    starts: list[int] = []
    offset = 0
    for text in texts:
        starts.append(offset)
        offset += len(text) + len(DOCUMENT_SEPARATOR)
    for span in find_spans(DOCUMENT_SEPARATOR.join(texts), installed):
        index = bisect_right(starts, span.start) - 1
        if span.end - starts[index] <= len(texts[index]):
            found[index].append(shifted(span, -starts[index]))
    return found


WindowSearch = Callable[[str, Sequence[Window]], Iterable[Span]]


@dataclass(frozen=True)
class Searcher:
    """How one detector searches a text: its gate, and its window search if it has one."""

    detector: Detector
    gate: Gate | None
    digits: bool
    within: WindowSearch | None
    together: Callable[[list[Detector]], Any] | None = None


_SEARCHERS: dict[int, tuple[Installed, tuple[Searcher, ...]]] = {}


def _searchers(installed: Installed) -> tuple[Searcher, ...]:
    """The searching detectors of ``installed`` with their gates (worked out once per set)."""
    cached = _SEARCHERS.get(id(installed))
    if cached is not None and cached[0] is installed:
        return cached[1]
    chosen: list[Searcher] = []
    families: dict[object, list[Detector]] = {}
    for detector in installed.values:
        if detector.lookalike or detector.category is None:
            continue
        gate = gate_for(detector.category)
        digits = gate in DIGIT_GATES
        together = getattr(detector, "searched_with", None) if gate is _has_digit else None
        if together is not None:
            if together not in families:
                families[together] = []
                chosen.append(Searcher(detector, gate, digits, None, together))
            families[together].append(detector)
            continue
        within = getattr(detector, "find_spans_within", None) if digits else None
        chosen.append(Searcher(detector, gate, digits, within))
    chosen = [
        replace(s, within=s.together(families[s.together]).find_spans_within) if s.together else s
        for s in chosen
    ]
    _SEARCHERS[id(installed)] = (installed, tuple(chosen))
    return tuple(chosen)
