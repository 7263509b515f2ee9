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
"""

from __future__ import annotations

import re
from bisect import bisect_left
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


def _overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``start:end`` overlaps one of ``taken`` (sorted spans that do not overlap)."""
    before = bisect_left(taken, (end,))
    return before > 0 and taken[before - 1][1] > start


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
        taken: list[tuple[int, int]] = []
        for match in search(self._distinctive, text, windows):
            pattern = self._by_group[match.lastgroup or ""]
            taken.append(match.span())
            yield Span(*match.span(), CATEGORY, pattern.score, self.name, pattern.name)
        for match in search(_BARE_IN_TEXT, text, windows):
            start, end = match.span()
            if not _overlaps(taken, start, end) and self._in_context(text, start, end):
                yield Span(start, end, CATEGORY, IN_CONTEXT, self.name, "digits_in_context")

    @staticmethod
    def _in_context(text: str, start: int, end: int) -> bool:
        before = text[max(0, start - CONTEXT_WINDOW) : start]
        if _CONTEXT_BEFORE.search(before) is not None:
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
