"""National identification numbers of the EU, the UK, the US and neighbours, one detector each.

Every scheme is a row of :data:`~.national_id_schemes.SCHEMES`: the country, the
python-stdnum module that validates it, the patterns that find candidates, and the
words near which a number in free text is one. Several schemes search a text together
(:class:`NationalIdFamily`), with one scan for where any of their patterns may start
(:mod:`.national_id_scan`).

Scores follow the strength of the check. A nine-digit number passes the Dutch
11-test one time in eleven and any nine digits can be a US SSN, so a bare number
of a weak scheme scores under :data:`MIN_SPAN_SCORE`: a column needs its name or
a high hit rate to be classified, and a span in text needs a context word. Strong
checks (codice fiscale, NIR with its key, Belgian national number, formatted
numbers) score high. All are GDPR Art. 87 national identification numbers, under
one category.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from tutela.discovery.detectors.national_id_scan import StartScan, _ascii_or_other, start_scan
from tutela.discovery.detectors.national_id_schemes import (
    CHECK_CHANCE,
    COMMON_CONTEXT,
    SCHEMES,
    Scheme,
)
from tutela.discovery.detectors.windows import Window, whole
from tutela.discovery.models import (
    CONTEXT_BOOST,
    CONTEXT_WINDOW,
    NO_CHECK,
    NO_MATCH,
    Pattern,
    Span,
    ValueScore,
)

CATEGORY = "user.government_id.national_identification_number"

MIN_SPAN_SCORE = 0.5
"""In free text, a pattern scoring less than this counts only with a context word near."""

ZERO_PADDED = 0.8
"""Factor on the score of a digits-only value that lost its leading zero (stored as integer)."""


def _width(regex: str) -> tuple[int, int]:
    """The shortest and longest match of ``regex`` (from the standard parser; a gate only)."""
    parser = getattr(re, "_parser", None)
    if parser is None:  # pragma: no cover - the parser moved: no gate, every length allowed
        return 0, 1 << 16
    low, high = parser.parse(regex).getwidth()
    return int(low), int(high)


def _min_digits(regex: str) -> int:
    """The fewest digits a match of ``regex`` holds (from the standard parser; a gate only)."""
    parser, constants = getattr(re, "_parser", None), getattr(re, "_constants", None)
    if parser is None or constants is None:  # pragma: no cover - the parser moved: no gate
        return 0

    def is_digit(op: object, value: object) -> bool:
        if op is constants.LITERAL:
            return chr(value).isdigit()  # type: ignore[arg-type]
        if op is constants.CATEGORY:
            return value is constants.CATEGORY_DIGIT
        if op is constants.RANGE:
            return all(chr(end).isdigit() for end in value)  # type: ignore[attr-defined]
        return False

    def fewest(items: Iterable[tuple[object, Any]]) -> int:
        total = 0
        for op, value in items:
            if op is constants.LITERAL or op is constants.IN:
                members = [(op, value)] if op is constants.LITERAL else value
                total += all(is_digit(kind, item) for kind, item in members)
            elif op is constants.MAX_REPEAT or op is constants.MIN_REPEAT:
                total += value[0] * fewest(value[2])
            elif op is constants.SUBPATTERN:
                total += fewest(value[3])
            elif op is constants.BRANCH:
                total += min(fewest(branch) for branch in value[1])
        return total

    return fewest(parser.parse(regex))


MIN_DIGITS = 6
"""Every scheme has at least this many digits: fewer, and no scheme is tried."""
LONGEST = 32
"""No scheme's number, formatted, is longer: the digits a candidate can hold are counted there."""
_NOT_ASCII_DIGITS = bytes(code for code in range(256) if not 48 <= code <= 57)


def _digit_count(value: str) -> int:
    """The ASCII digits in ``value``, counted in its UTF-8 bytes (no other byte is one)."""
    return len(value.encode("utf-8", "surrogatepass").translate(None, _NOT_ASCII_DIGITS))


_VERSION_LIKE = re.compile(r"(?:19|20)\d\d(?:\.\d+)+")
"""Dotted groups starting with a year: a release or build number more often than an id."""
_SEPARATOR_CHARS = " .-/+"


def _compact(number: str) -> str:
    """``number`` without separators, upper-cased: what the checks read.

    Letters and digits only (the common case) hold no separator; ``str.replace`` is
    faster than ``str.translate`` on such short strings.
    """
    if not number.isalnum():
        for separator in _SEPARATOR_CHARS:
            number = number.replace(separator, "")
    return number.upper()


@dataclass(frozen=True)
class NationalIdDetector:
    """The detector of one :class:`Scheme`: validated candidates, scored by the check's strength.

    Values are compacted (spaces, dots, dashes, slashes removed) and upper-cased
    before validation. In text, a match scoring under :data:`MIN_SPAN_SCORE` needs
    a context word within :data:`~tutela.discovery.models.CONTEXT_WINDOW` characters.
    """

    scheme: Scheme
    name: str = field(init=False)
    category: str | None = field(init=False, default=CATEGORY)
    countries: tuple[str, ...] = field(init=False)
    lookalike: bool = field(init=False, default=False)
    chance: float = field(init=False, default=NO_CHECK)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", f"national_id_{self.scheme.code}")
        object.__setattr__(self, "countries", self.scheme.countries)
        chance = self.scheme.chance or CHECK_CHANCE.get(self.scheme.code, NO_CHECK)
        object.__setattr__(self, "chance", chance)

    @cached_property
    def _lengths(self) -> tuple[int, int]:
        """The shortest and longest whole value of this scheme (a gate cheaper than a regex)."""
        widths = [_width(pattern.regex) for pattern in self.scheme.patterns]
        return min(low for low, _ in widths) - 1, max(high for _, high in widths)

    def score_value(self, value: str) -> ValueScore:
        """The score of the first pattern matching all of ``value`` whose number is valid."""
        scheme, factor = self.scheme, 1.0
        shortest, longest = self._lengths
        if not shortest <= len(value) <= longest or _digit_count(value) < MIN_DIGITS:
            return NO_MATCH
        if scheme.digits and len(value) == scheme.digits - 1 and value.isdigit():
            value, factor = "0" + value, ZERO_PADDED
        for pattern in scheme.patterns:
            if pattern.compiled.fullmatch(value) and self.is_valid(value):
                return ValueScore(pattern.score * factor, pattern.name)
        return NO_MATCH

    def find_spans(self, text: str) -> Iterator[Span]:
        """Valid numbers in ``text``; weak ones only with a context word near."""
        return self.find_spans_within(text, whole(text))

    def find_spans_within(self, text: str, windows: Sequence[Window]) -> Iterator[Span]:
        """Valid numbers inside ``windows`` of ``text`` (context words: anywhere near)."""
        return search_together((self,)).find_spans_within(text, windows)

    def span_at(self, text: str, match: re.Match[str], pattern: Pattern) -> Span | None:
        """The span of ``match`` (of one of this scheme's patterns), or None when invalid."""
        compact = _compact(match.group(0))
        precheck = self.scheme.precheck
        if precheck is not None and not precheck(compact):
            return None
        return self.prechecked_span(text, match, pattern, compact)

    def prechecked_span(
        self, text: str, match: re.Match[str], pattern: Pattern, compact: str
    ) -> Span | None:
        """:meth:`span_at` once the scheme's precheck passed on ``compact`` (the match compacted).

        A pattern scoring under :data:`MIN_SPAN_SCORE` counts only with a context word
        near, so that word is looked for before the slower validation.
        """
        number = match.group(0)
        start, end = match.span()
        near = None if pattern.score >= MIN_SPAN_SCORE else self._near(text, start, end)
        if near is False or not self._validates(number, compact):
            return None
        score = pattern.score
        if near or (near is None and self._near(text, start, end)):
            score = min(1.0, score + CONTEXT_BOOST)
        elif _VERSION_LIKE.fullmatch(number):
            return None  # 2025.11.133: a build number unless a context word says otherwise
        return (
            Span(start, end, CATEGORY, score, self.name, pattern.name)
            if score >= MIN_SPAN_SCORE
            else None
        )

    def _near(self, text: str, start: int, end: int) -> bool:
        """Whether a context word is within :data:`CONTEXT_WINDOW` characters of a span."""
        found = self._context.search(text, max(0, start - CONTEXT_WINDOW), end + CONTEXT_WINDOW)
        return found is not None

    @property
    def searched_with(self) -> Callable[[Sequence[NationalIdDetector]], NationalIdFamily]:
        """How several national schemes search a text together (one candidate scan)."""
        return search_together

    @cached_property
    def _context(self) -> re.Pattern[str]:
        r"""A context word, not inside a word: ``(?<!\w)(?:words)(?!\w)``, case-insensitive.

        Found from a consumed first character, so the engine skips ahead to characters a
        word can start with (:func:`.national_id_scan._ascii_or_other`) instead of trying
        every word at every position; the words are then matched from that character, in
        a look-ahead.
        """
        words = COMMON_CONTEXT + self.scheme.context
        either = "|".join(re.escape(word) for word in words)
        if not all(words):  # pragma: no cover - an empty word matches anywhere
            return re.compile(rf"(?<!\w)(?:{either})(?!\w)", re.IGNORECASE)
        firsts = re.compile("|".join({re.escape(word[0]) for word in words}), re.IGNORECASE)
        first = _ascii_or_other(lambda char: firsts.fullmatch(char) is not None)
        return re.compile(rf"{first}(?<!\w[\s\S])(?<=(?=(?i:{either})(?!\w))[\s\S])")

    def is_valid(self, number: str) -> bool:
        """True when ``number`` (any formatting) passes the scheme's checks."""
        compact = _compact(number)
        precheck = self.scheme.precheck
        if precheck is not None and not precheck(compact):
            return False
        return self._validates(number, compact)

    def _validates(self, number: str, compact: str) -> bool:
        """The validator's verdict on ``number`` (its precheck passed)."""
        if isinstance(self.scheme.validator, str):  # stdnum compacts in its own way
            return self._validator(number.upper())
        return self._validator(compact)

    @cached_property
    def _validator(self) -> Callable[[str], bool]:
        validator = self.scheme.validator
        if callable(validator):
            return validator
        is_valid: Callable[[str], bool] = importlib.import_module(validator).is_valid
        return is_valid


_User = tuple["NationalIdDetector", Pattern, Callable[[str], bool] | None]
"""A scheme using a pattern: its detector, its pattern, and its precheck."""


@dataclass(frozen=True)
class NationalIdFamily:
    """Several schemes searched together: one scan finds where any pattern matches.

    Inside each window, one scan finds the positions where some pattern matches, and
    tells the length of the digit run starting there (:class:`StartScan`); only the
    patterns whose matches can start with a run of that length are tried again there,
    and every scheme using a matching pattern validates it (its check digits). The spans
    are those, in the order, of trying every pattern at every position: no pattern left
    out at a position could match there, and the positions come in order.
    """

    members: tuple[NationalIdDetector, ...]

    @cached_property
    def _patterns(self) -> tuple[tuple[re.Pattern[str], int, tuple[_User, ...]], ...]:
        """Each distinct pattern (bounded), the fewest digits of a match, and its schemes.

        A scheme whose pattern scores under :data:`MIN_SPAN_SCORE` even with a context
        word never yields a span with it, and does not use it here.
        """
        users: dict[tuple[str, int], list[_User]] = {}
        for member in self.members:
            for pattern in member.scheme.patterns:
                if min(1.0, pattern.score + CONTEXT_BOOST) >= MIN_SPAN_SCORE:
                    key = (pattern.regex, pattern.flags)
                    users.setdefault(key, []).append((member, pattern, member.scheme.precheck))
        return tuple(
            (found[0][1].bounded, _min_digits(regex), tuple(found))
            for (regex, _), found in users.items()
        )

    @cached_property
    def _fewest(self) -> int:
        return min((digits for _, digits, _ in self._patterns), default=0)

    @cached_property
    def _scan(self) -> StartScan:
        """The scan for where the distinct patterns match (built once per family)."""
        return start_scan([users[0][1] for _, _, users in self._patterns])

    def find_spans_within(self, text: str, windows: Sequence[Window]) -> Iterator[Span]:
        """Valid numbers of every member scheme inside ``windows`` of ``text``."""
        if not self._patterns:
            return
        scan, first, tried = self._scan
        for start, end, digits in windows:
            if digits < self._fewest:
                continue
            ends = [0] * len(self._patterns)  # a pattern's matches do not overlap
            if start == 0 and (found := first.match(text, 0, end)) is not None:
                yield from self._spans_at(text, 0, tried[found.lastgroup], end, ends)
            # The scan consumes the character a match follows: from the one before the window.
            for found in scan.finditer(text, max(start - 1, 0), end):
                yield from self._spans_at(text, found.end(), tried[found.lastgroup], end, ends)

    def _spans_at(
        self, text: str, at: int, tried: tuple[int, ...], end: int, ends: list[int]
    ) -> Iterator[Span]:
        """The spans of the ``tried`` patterns matching at ``at`` (in their order)."""
        ahead = -1
        for index in tried:
            bounded, digits, users = self._patterns[index]
            if at < ends[index]:
                continue
            if ahead < 0:
                ahead = _digit_count(text[at : min(end, at + LONGEST)])
            if digits > ahead or (match := bounded.match(text, at, end)) is None:
                continue
            ends[index] = match.end()
            compact = _compact(match.group(0))
            for member, pattern, precheck in users:
                if precheck is None or precheck(compact):
                    span = member.prechecked_span(text, match, pattern, compact)
                    if span is not None:
                        yield span


def search_together(members: Sequence[NationalIdDetector]) -> NationalIdFamily:
    """The family search of ``members`` (built once per set of schemes)."""
    key = tuple(id(member) for member in members)
    family = _FAMILIES.get(key)
    if family is None:
        family = _FAMILIES[key] = NationalIdFamily(tuple(members))
    return family


_FAMILIES: dict[tuple[int, ...], NationalIdFamily] = {}
"""The families built so far, by the identity of their members (who they keep alive)."""


DETECTORS: list[NationalIdDetector] = [NationalIdDetector(scheme) for scheme in SCHEMES]
"""One detector per scheme, the list :data:`tutela.plugins.DETECTORS` registers."""
