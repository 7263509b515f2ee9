"""What detectors are and what they report: categories, confidence and evidence.

A detector is data first (:class:`PatternDetector`): the patterns that find
candidates, the words that make a candidate more likely when they are near it,
and a small validation method (check digits, plausibility) that turns a pattern
match into a finding. Every result says which detector found it, which pattern,
and with what score, so a reviewer can see why (the Presidio model).

Two uses of one detector:

- :meth:`Detector.score_value`: how likely a whole cell value is of this kind
  (column classification over a sample);
- :meth:`Detector.find_spans`: where in a free text this kind occurs, as
  character offsets (support tickets, notes, posts).

Categories are fideslang data-category keys (``user.contact.email``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol, runtime_checkable

from tutela.discovery.pattern_start import consume_first

CONTEXT_WINDOW = 40
"""Characters either side of a span searched for a detector's context words."""

CONTEXT_BOOST = 0.25
"""Added to a span's score (capped at 1.0) when a context word is near it."""

BEFORE_MATCH = r"[\w@.\-+]"
"""A character a match in text may not follow (it would start inside a word or an address)."""

NO_CHECK = 1.0
"""The chance rate of a detector without a check: any value of the right shape passes."""


@dataclass(frozen=True)
class Pattern:
    """A regular expression that finds candidates, and the score a validated match gets.

    ``regex`` is matched whole against a cell value (:meth:`Detector.score_value`)
    and searched in free text (:meth:`Detector.find_spans`), where it is bounded by
    non-word characters unless it starts or ends with a non-word character itself.
    """

    name: str
    regex: str
    score: float
    flags: int = re.IGNORECASE

    @cached_property
    def compiled(self) -> re.Pattern[str]:
        """The compiled expression."""
        return re.compile(self.regex, self.flags)

    @cached_property
    def bounded(self) -> re.Pattern[str]:
        """The expression for searching text: it may not start or end inside a word.

        When the expression starts with a single character, that character is matched
        before the look-behind (:func:`~tutela.discovery.pattern_start.consume_first`):
        the same matches, and the scan skips to characters that can start one.
        """
        start = consume_first(self.regex, BEFORE_MATCH) or f"(?<!{BEFORE_MATCH}){self.regex}"
        return re.compile(rf"{start}(?![\w@\-]|\.\w)", self.flags)


@dataclass(frozen=True)
class Span:
    """Personal data found in a text: ``text[start:end]`` is of ``category``.

    ``value`` is set when the text is one of several (a column's sampled values): the
    index of the value the span is in, its offsets then being within that value.
    """

    start: int
    end: int
    category: str
    confidence: float
    detector: str
    pattern: str = ""
    value: int | None = None

    def as_json(self, text: str | None = None) -> dict[str, object]:
        """The span as a JSON object (with the matched text when ``text`` is given).

        ``"value"`` is added when the span has one; ``text`` is then that value.
        """
        found: dict[str, object] = {
            "start": self.start,
            "end": self.end,
            "category": self.category,
            "confidence": round(self.confidence, 3),
            "detector": self.detector,
        }
        if self.value is not None:
            found["value"] = self.value
        if text is not None:
            found["text"] = text[self.start : self.end]
        return found


@dataclass(frozen=True)
class ValueScore:
    """How well one value fits a detector, and which pattern matched (score 0: it does not)."""

    score: float
    pattern: str = ""


NO_MATCH = ValueScore(0.0)


@runtime_checkable
class Detector(Protocol):
    """A personal-data detector: a name, the category it finds, and the two ways of finding.

    ``countries`` lists the ISO 3166 codes a national detector is for (empty: any);
    ``lookalike`` is True for detectors of values that look personal but are not
    (uuids, hashes, product codes, user agents): their category is ``None`` and a
    column they explain is not personal data.

    A detector whose validation is a check digit may also have a ``chance``
    attribute (optional, read with :func:`chance_of`): the share of random values of
    its shape that pass (1/11 for the Dutch 11-test, 1/10 for Luhn, 1/97 for mod 97).
    A column passing far more often than that is strong evidence.
    """

    name: str
    category: str | None
    countries: tuple[str, ...]
    lookalike: bool

    def score_value(self, value: str) -> ValueScore:
        """How likely the whole ``value`` (a cell, stripped) is of this kind."""
        ...

    def find_spans(self, text: str) -> Iterator[Span]:
        """Every occurrence of this kind in ``text``, with offsets and confidence."""
        ...


@dataclass(frozen=True)
class PatternDetector:
    """A detector declared as data: patterns, context words and a validation method.

    ``validate`` receives the matched text and returns False to drop it (a failed
    check digit, an implausible date). ``context`` words near a span in free text
    add :data:`CONTEXT_BOOST`; ``min_span_score`` drops spans scoring less (a bare
    9-digit number is a BSN only with context).
    """

    name: str
    category: str | None
    patterns: tuple[Pattern, ...]
    context: tuple[str, ...] = ()
    validate: Callable[[str], bool] | None = None
    countries: tuple[str, ...] = ()
    lookalike: bool = False
    min_span_score: float = 0.0
    source: str = ""  # the legal or technical source (e.g. "ISO 13616 mod 97")
    chance: float = NO_CHECK  # share of random values of a pattern's shape that validate

    def score_value(self, value: str) -> ValueScore:
        """The best score of a pattern matching all of ``value`` and passing validation."""
        for pattern in self.patterns:
            if not pattern.compiled.fullmatch(value):
                continue
            if self.validate is None or self.validate(value):
                return ValueScore(pattern.score, pattern.name)
        return NO_MATCH

    def find_spans(self, text: str) -> Iterator[Span]:
        """Validated matches in ``text``; context words near a match raise its score."""
        return self.find_spans_between(text, ((0, len(text)),))

    def find_spans_between(self, text: str, stretches: Sequence[tuple[int, ...]]) -> Iterator[Span]:
        """Validated matches inside the ``(start, end, ...)`` stretches of ``text`` only.

        The stretches must hold every match (context words are looked up in all of
        ``text``); a match is searched as in the whole text, look-arounds included.
        """
        for pattern in self.patterns:
            for match in _within(pattern.bounded, text, stretches):
                found = match.group(0)
                if self.validate is not None and not self.validate(found):
                    continue
                score = pattern.score
                if self.context and self._has_context(text, match.start(), match.end()):
                    score = min(1.0, score + CONTEXT_BOOST)
                if score >= self.min_span_score and self.category is not None:
                    where = match.start(), match.end()
                    yield Span(*where, self.category, score, self.name, pattern.name)

    @cached_property
    def _context(self) -> re.Pattern[str]:
        words = "|".join(re.escape(word) for word in self.context)
        return re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE)

    def _has_context(self, text: str, start: int, end: int) -> bool:
        """Whether a context word is near ``text[start:end]``, as the case-blind search says.

        All-ASCII text around it is lower-cased and searched case-sensitively instead
        (several times faster; on ASCII characters, the same matches).
        """
        window = text[max(0, start - CONTEXT_WINDOW) : end + CONTEXT_WINDOW]
        if window.isascii():
            return self._lower_context.search(window.lower()) is not None
        return self._context.search(window) is not None

    @cached_property
    def _lower_context(self) -> re.Pattern[str]:
        words = "|".join(re.escape(word.lower()) for word in self.context)
        return re.compile(rf"(?<!\w)(?:{words})(?!\w)")


def _within(
    regex: re.Pattern[str], text: str, stretches: Sequence[tuple[int, ...]]
) -> Iterator[re.Match[str]]:
    for stretch in stretches:
        yield from regex.finditer(text, stretch[0], stretch[1])


def chance_of(detector: Detector) -> float:
    """The share of random values of ``detector``'s shape its validation passes (0 < x <= 1).

    :data:`NO_CHECK` (1.0) for a detector without a ``chance`` attribute or with an
    unusable one: its matches are then evidence of shape only.
    """
    chance = getattr(detector, "chance", NO_CHECK)
    if isinstance(chance, int | float) and 0.0 < chance <= 1.0:
        return float(chance)
    return NO_CHECK


@dataclass(frozen=True)
class NameGuess:
    """What a column's name suggests: a category (None: says it is not personal data)."""

    category: str | None
    confidence: float
    reason: str
    identity: str | None = None


@runtime_checkable
class ColumnNameDetector(Protocol):
    """Reads a column's name (and type): ``guess`` returns None when the name says nothing."""

    name: str

    def guess(self, table: str, column: str, column_type: str) -> NameGuess | None:
        """The category the name suggests, a negative guess, or None."""
        ...


@dataclass(frozen=True)
class ColumnFinding:
    """The verdict on one column: a category (None: not personal data), confidence, evidence.

    This is the record ``tutela discover --format json`` prints, one per column; its
    keys (``table``, ``column``, ``category``, ``confidence``, ``evidence``) are a
    stable interface.
    """

    table: str
    column: str
    category: str | None
    confidence: float
    evidence: tuple[str, ...] = ()
    identity: str | None = None
    sampled: int = 0
    spans: tuple[Span, ...] = field(default=(), compare=False)
    texts: tuple[str, ...] = field(default=(), compare=False)
    """The sampled values the spans are in (``Span.value`` indexes them)."""

    def as_json(self) -> dict[str, object]:
        """``{table, column, category, confidence, evidence}`` (plus ``identity``, ``sampled``)."""
        return {
            "table": self.table,
            "column": self.column,
            "category": self.category,
            "confidence": round(self.confidence, 3),
            "evidence": list(self.evidence),
            "identity": self.identity,
            "sampled": self.sampled,
        }


Sample = Sequence[object]
"""The sampled values of one column (NULLs included; the classifier skips them)."""
