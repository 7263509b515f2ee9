"""Postal codes of Europe and North America, scored by how distinctive their format is.

A UK, Dutch, Canadian, Polish, Irish (Eircode) or prefixed (``L-1234``,
``B-1000``) postcode has a shape few other values have, and scores high. A bare
four- or five-digit number is a Belgian, French, German, Spanish, Italian or US
postcode, and just as often a quantity, a year or an amount: it scores low, so a
column needs its name to be classified, and in free text it counts only with a
context word before it (``postcode``, ``code postal``, ``PLZ``) or a capitalised
place name after it (``1000 Brussel``). Formats: UPU Postal addressing systems;
Royal Mail PAF (UK); Eircode routing keys; Canada Post. Category: fideslang
``user.contact.address.postal_code``.

In text, the formats are tried only where the text's shape (a digit as ``0``, a
capital as ``A``: :func:`_shape_starts`) allows one, found by scans that jump to a
literal such as ``0000``; the matches are those a scan of every window finds.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from tutela.discovery.detectors.windows import Window, search, whole
from tutela.discovery.models import CONTEXT_WINDOW, NO_MATCH, Pattern, Span, ValueScore
from tutela.discovery.pattern_start import consume_first

CATEGORY = "user.contact.address.postal_code"

BARE_NUMBER = 0.2
"""A bare 4-5 digit number: a postcode only if the column's name or the text says so."""
IN_CONTEXT = 0.75
"""A bare number in text preceded by a postcode word or followed by a place name."""

_UNITS = r"(?!(?:KB|MB|GB|TB|KM|CM|MM|KG|MG|ML|HZ|PM|AM|EU|US|UK|HP|KW|MW|CC|HD|PC|TV|SA|SD|SS)\b)"

PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        "gb",
        r"(?:[A-PR-UWYZ][0-9][0-9A-HJKMNPR-Y]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9ABEHMNPRVWXY]?)"
        r" ?[0-9][ABD-HJLNP-UW-Z]{2}",
        0.85,
        flags=0,
    ),
    Pattern("gb_giro", r"GIR ?0AA", 0.85, flags=0),
    Pattern("nl", rf"[1-9][0-9]{{3}} ?{_UNITS}[A-Z]{{2}}", 0.7, flags=0),
    Pattern("ca", r"[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z] ?[0-9][ABCEGHJ-NPRSTV-Z][0-9]", 0.85),
    Pattern(
        "ie_eircode",
        r"(?:[AC-FHKNPRTV-Y][0-9]{2}|D6W) ?(?=[0-9]{0,3}[AC-FHKNPRTV-Y])[0-9AC-FHKNPRTV-Y]{4}",
        0.8,
        flags=0,
    ),
    Pattern("lu", r"L-?[0-9]{4}", 0.85, flags=0),
    Pattern("nl_prefixed", rf"NL-[1-9][0-9]{{3}} ?{_UNITS}[A-Z]{{2}}", 0.8, flags=0),
    Pattern("prefixed", r"(?:B|F|D|A|CH|NL|I|E|P|DK|S|FIN|PL)-[0-9]{4,5}", 0.75, flags=0),
    Pattern("pl", r"[0-9]{2}-[0-9]{3}", 0.55),
    Pattern("us_zip4", r"[0-9]{5}-[0-9]{4}", 0.7),
    Pattern("digits_5", r"(?:0[1-9]|[1-9][0-9])[0-9]{3}", BARE_NUMBER),
    Pattern("digits_4", r"[1-9][0-9]{3}", BARE_NUMBER),
)
"""Formats, the most distinctive first; a value takes the score of the first that matches."""

CONTEXT = (
    "postcode", "post code", "postal code", "zip", "zip code", "zipcode", "code postal", "CP",
    "postcode", "PLZ", "Postleitzahl", "código postal", "codigo postal", "CAP",
    "codice postale", "kod pocztowy", "Eircode",
)  # fmt: skip
_CONTEXT_BEFORE = re.compile(
    r"(?:" + "|".join(re.escape(word) for word in CONTEXT) + r")\s*:?\s*$", re.IGNORECASE
)
"""A postcode word before a bare number (:func:`_context_before` tests it faster)."""
_CONTEXT_ENDING = re.compile(
    "|".join(
        f"(?<={'|'.join(re.escape(word) for word in CONTEXT if len(word) == size)})"
        for size in sorted({len(word) for word in CONTEXT})
    ),
    re.IGNORECASE,
)
"""A context word ending where it is matched (look-behinds, one per length of word): tried at
one place, where :data:`_CONTEXT_BEFORE` is tried at each of the 40 characters."""
_BARE_IN_TEXT = re.compile(
    consume_first(r"(?:[0-9]{5}|[1-9][0-9]{3})(?![\w.,:/-]|,\d)", r"[\w.,:/+-]")
    or r"(?<![\w.,:/+-])(?:[0-9]{5}|[1-9][0-9]{3})(?![\w.,:/-]|,\d)"
)
_PLACE_AFTER = re.compile(r" (?:[A-ZÀ-Þ][a-zà-ÿ'-]+|[A-ZÀ-Þ]{3,})(?:[ -][A-Za-zÀ-ÿ'-]+)?\b")
_LINE_START = re.compile(r"(?:^|[,\n])\s*$")
_PREPOSITION = re.compile(r"(?<!\w)(?:to|in|at|à|au|naar|nach|en|a|te|aus)\s*$", re.IGNORECASE)
"""Before a bare number and a place name: a comma, a line break, or "to", "à", "nach"..."""
_NOT_PLACES = frozenset(
    [
        "EUR",
        "USD",
        "GBP",
        "CHF",
        "Euro",
        "Euros",
        "Dollar",
        "Dollars",
        "Pounds",
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "May",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
        "The",
        "And",
        "Units",
        "Items",
        "Pieces",
        "Stuks",
        "Stück",
        "Pages",
        "Seiten",
        "Mbps",
        "Kbps",
    ]
)


_SHAPES = bytes.maketrans(
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    b"0" * 10 + b"A" * 26 + b"a" * 26,
)
"""A text's shape, a byte a character: ``0`` an ASCII digit, ``A`` and ``a`` a capital and a
small ASCII letter, ASCII punctuation and spaces as they are, and ``?`` any other
character (the ASCII encoding's replacement: no format's letter or digit class holds one)."""
_CASELESS = bytes.maketrans(b"a?", b"AA")
"""A shape with every letter as ``A``, of any case or alphabet (Canadian codes ignore case)."""
_CAPITAL_LED = re.compile(
    rb"A(?<![0Aa_@.+\-]A)(?:A?0[0A]? ?0AA|AA ?0AA|0[0A] ?[0A]{4}|0000|A?A?-0000)"
)
"""The shapes of the formats that start with a capital: British (``GIR 0AA`` too), Irish,
Luxembourg and prefixed (``NL-``) codes."""
_DIGIT_LED = re.compile(
    rb"0000(?<![0Aa_.+\-]0000)(?:(?P<distinctive> ?AA|0-0000)|0?(?![0Aa_.,:/\-]|,0))"
)
"""Four digits starting a word: a Dutch postcode or a ZIP+4 code (``distinctive``), or a
bare number of four or five digits (the look-behind: what neither may follow)."""
_POLISH = re.compile(rb"00-000(?<![0Aa_@.+\-]00-000)")
_CANADIAN = re.compile(rb"A0A(?<![0_@.+\-]A0A) ?0A0")
"""Canadian codes, in a caseless shape: there ``A`` may stand for a character that is no
letter, so the look-behind leaves it out."""


def _shape_starts(text: str) -> tuple[list[int], list[int]]:
    """Where a distinctive postcode and a bare number can start in ``text``, in order.

    Found in the text's shape (:data:`_SHAPES`) by a scan per group of formats, each
    jumping to a literal (``A``, ``0000``, ``00-000``) instead of trying every
    character. A shape's letters and digits stand for more than a format's (any
    capital, any digit), its look-arounds for less (``?`` is no word character, a
    format's look-ahead for a unit is left out): a scan finds the shape of every match,
    so the starts hold every match's start.
    """
    shape = text.encode("ascii", "replace").translate(_SHAPES)
    distinctive: set[int] = set()
    numbers: list[int] = []
    for hit in _DIGIT_LED.finditer(shape):
        numbers.append(hit.start())
        if hit.group("distinctive") is not None:
            distinctive.add(hit.start())
    distinctive.update(hit.start() for hit in _POLISH.finditer(shape))
    distinctive.update(hit.start() for hit in _CANADIAN.finditer(shape.translate(_CASELESS)))
    found = _CAPITAL_LED.search(shape)
    while found is not None:  # a match may start inside another's shape: every start
        distinctive.add(found.start())
        found = _CAPITAL_LED.search(shape, found.start() + 1)
    return sorted(distinctive), numbers


def _bounds(text: str, windows: Sequence[Window]) -> tuple[list[int], list[int]] | None:
    """The starts and ends of ``windows``, in order and apart, each ending on whitespace.

    Or at the end of ``text``: a shape's look-ahead past the end of a window then agrees
    with the window's search, which sees no more (digit windows end so). None otherwise:
    the windows are then searched one by one.
    """
    starts: list[int] = []
    ends: list[int] = []
    size, last = len(text), 0
    for start, end, _ in windows:
        if not last <= start <= end <= size or (end < size and not text[end].isspace()):
            return None
        starts.append(start)
        ends.append(end)
        last = end
    return starts, ends


def _tried(
    regex: re.Pattern[str], text: str, starts: list[int], bounds: tuple[list[int], list[int]]
) -> Iterator[re.Match[str]]:
    """``regex.finditer`` over each window of ``bounds``, tried only at ``starts`` (in order).

    ``starts`` must hold every start of a match: the leftmost match in a window, then
    the leftmost after it, are then those the search finds.
    """
    window_starts, window_ends = bounds
    current, after = -1, -1
    for start in starts:
        index = bisect_right(window_starts, start) - 1
        if index < 0 or start >= window_ends[index]:
            continue
        if index != current:
            current, after = index, -1
        if start >= after:
            match = regex.match(text, start, window_ends[index])
            if match is not None:
                after = match.end()
                yield match


def _overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``start:end`` overlaps one of ``taken`` (sorted spans that do not overlap)."""
    before = bisect_left(taken, (end,))
    return before > 0 and taken[before - 1][1] > start


def _context_before(before: str) -> bool:
    r"""``_CONTEXT_BEFORE.search(before)``: a context word, spaces, a colon, spaces (any may lack).

    A context word ends with a letter, so it ends where ``before`` does once stripped of
    its trailing spaces, then of a colon and the spaces before it if one is there
    (``str.rstrip`` strips what ``\s`` matches).
    """
    end = len(before.rstrip())
    if before[end - 1 : end] == ":":
        end = len(before[: end - 1].rstrip())
    return _CONTEXT_ENDING.match(before, end) is not None


def _scoped(pattern: Pattern) -> str:
    return f"(?i:{pattern.regex})" if pattern.flags & re.IGNORECASE else pattern.regex


@dataclass(frozen=True)
class PostcodeDetector:
    """Postcodes: distinctive formats anywhere, bare numbers only with context in text."""

    patterns: tuple[Pattern, ...] = PATTERNS
    name: str = field(init=False, default="postcode")
    category: str | None = field(init=False, default=CATEGORY)
    countries: tuple[str, ...] = field(init=False, default=())
    lookalike: bool = field(init=False, default=False)

    def score_value(self, value: str) -> ValueScore:
        """The score of the first format matching all of ``value`` (bare numbers: low)."""
        if not 4 <= len(value) <= 10:
            return NO_MATCH
        match = self._whole_value.fullmatch(value)
        if match is None or match.lastgroup is None:
            return NO_MATCH
        pattern = self._by_group[match.lastgroup]
        return ValueScore(pattern.score, pattern.name)

    @cached_property
    def _by_group(self) -> dict[str, Pattern]:
        return {f"p{index}": pattern for index, pattern in enumerate(self.patterns)}

    @cached_property
    def _whole_value(self) -> re.Pattern[str]:
        """All formats in one expression, in order (one match per value, not one per format)."""
        return re.compile(
            "|".join(
                f"(?P<{group}>{_scoped(pattern)})" for group, pattern in self._by_group.items()
            )
        )

    @cached_property
    def _distinctive(self) -> re.Pattern[str]:
        """The distinctive formats in one expression for text, bounded like a Pattern."""
        either = "|".join(
            f"(?P<{group}>{_scoped(pattern)})"
            for group, pattern in self._by_group.items()
            if pattern.score > BARE_NUMBER
        )
        return re.compile(rf"(?<![\w@.\-+])(?:{either})(?![\w@\-]|\.\w)")

    def find_spans(self, text: str) -> Iterator[Span]:
        """Distinctive postcodes, then bare numbers with a postcode word or place name."""
        return self.find_spans_within(text, whole(text))

    def find_spans_within(self, text: str, windows: Sequence[Window]) -> Iterator[Span]:
        """Postcodes inside ``windows`` of ``text`` (context: anywhere near)."""
        if not windows:
            return
        distinctive, bare = self._searched(text, windows)
        taken: list[tuple[int, int]] = []
        for match in distinctive:
            pattern = self._by_group[match.lastgroup or ""]
            taken.append(match.span())
            yield Span(*match.span(), CATEGORY, pattern.score, self.name, pattern.name)
        for match in bare:
            start, end = match.span()
            if not _overlaps(taken, start, end) and self._in_context(text, start, end):
                yield Span(start, end, CATEGORY, IN_CONTEXT, self.name, "digits_in_context")

    def _searched(
        self, text: str, windows: Sequence[Window]
    ) -> tuple[Iterator[re.Match[str]], Iterator[re.Match[str]]]:
        """The distinctive formats' matches and the bare numbers in ``windows``, lazily.

        Tried only where the text's shape allows one (:func:`_shape_starts`), unless the
        formats are not the built-in ones or a window ends inside a word (:func:`_bounds`).
        """
        bounds = _bounds(text, windows) if self.patterns is PATTERNS else None
        if bounds is None:
            return search(self._distinctive, text, windows), search(_BARE_IN_TEXT, text, windows)
        distinctive, numbers = _shape_starts(text)
        return (
            _tried(self._distinctive, text, distinctive, bounds),
            _tried(_BARE_IN_TEXT, text, numbers, bounds),
        )

    @staticmethod
    def _in_context(text: str, start: int, end: int) -> bool:
        if _context_before(text[max(0, start - CONTEXT_WINDOW) : start]):
            return True
        place = _PLACE_AFTER.match(text, end)
        if place is None or place.group(0).split()[0].strip("-") in _NOT_PLACES:
            return False
        before = text[max(0, start - 8) : start]
        if end - start == 4:  # a year just as well: only after a comma or a line break
            return _LINE_START.search(before) is not None
        return _LINE_START.search(before) is not None or _PREPOSITION.search(before) is not None


DETECTOR = PostcodeDetector()
"""The built-in postcode detector (registered in :data:`tutela.plugins.DETECTORS`)."""
