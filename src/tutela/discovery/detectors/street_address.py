"""Street lines of an address: a street-type word, a capitalised name and a house number.

English, French, Dutch, German, Spanish, Italian and Portuguese street lines, in
their three word orders: number first (``221B Baker Street``, ``12 rue de la
Paix``), type first with the number after (``Avenue Louise 54 bte 3``, ``Calle
Mayor 3``, ``Via Roma 10``), and one compound word (``Kerkstraat 12``,
``Hauptstraße 5a``). A house number is required in text; a value that is only a
street name (``Baker Street``) scores low. ``Route 66`` and ``Street Fighter 2``
are not addresses: the type word must follow a name, or lead one followed by a
number, and a number followed by a unit (``3 days``) is not a house number.
Category: fideslang ``user.contact.address.street``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from tutela.discovery.detectors.windows import Window, search, whole, widened
from tutela.discovery.models import NO_MATCH, Pattern, Span, ValueScore

CATEGORY = "user.contact.address.street"

WITH_TAIL = 0.75
"""A street line followed by more of the address (``, London W1``) in a value."""
NAME_ONLY = 0.3
"""A street name without a house number: a street column, or a place."""
STREET_BEFORE = 64
"""Characters before a house number searched for the street's type and name."""
LOWER_CASE = 0.9
"""Factor on the score of an all-lower-case value (matched once title-cased)."""

_NAME = r"[A-ZÀ-Þ][\w'’.-]*"
_PARTICLE = r"(?:de|du|des|la|le|les|l'|d'|of|the|del|de la|di|da|della|dei|van|von|der)"
_NAME_WORDS = rf"(?:{_PARTICLE} )?{_NAME}(?: (?:{_PARTICLE} )?{_NAME}){{0,3}}"
_NUMBER = r"\d{1,5}(?:[a-zA-Z](?!\w)| ?(?:bis|ter)(?!\w))?(?:[-/]\d{1,4}[a-zA-Z]?)?"
_NUMBER_WORD = r"(?:(?i:n[º°o]\.?|nr\.?) ?)?"
_BOX = r"(?:,? (?:(?i:bte|bus|boîte|box|apt|app|appt|flat|unit)\.? ?\d{1,4}[a-zA-Z]?))?"
_NOT_UNIT = r"(?! ?(?i:days?|hours?|weeks?|months?|years?|times?|items?|pcs|x|%|€|\$|kg|km|m)\b)"

_EN_TYPES = (
    "Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Court|Ct|Way|Place|Pl|"
    "Terrace|Close|Crescent|Square|Sq|Highway|Hwy|Parkway|Pkwy|Row|Gardens|Grove|Walk|Mews|"
    "Circle|Trail|Parade"
)
_NUMBER_FIRST_TYPES = (
    "rue|avenue|av|boulevard|bd|bld|chemin|ch|place|pl|allée|allee|impasse|imp|quai|route|"
    "rte|cours|square|passage|chaussée|faubourg|fbg|sentier|voie|esplanade|promenade|"
    "rond-point|parvis|cité|hameau|lieu-dit|résidence"
)
_TYPE_FIRST = (
    "Rue|Avenue|Av|Boulevard|Bd|Chaussée|Place|Chemin|Allée|Quai|Square|Calle|C/|Avenida|Avda|"
    "Plaza|Paseo|Carrer|Camino|Carretera|Ronda|Via|Viale|Piazza|Piazzale|Corso|Largo|Vicolo|"
    "Strada|Rua|Travessa|Praça|Calçada"
)
_COMPOUND_SUFFIXES = (
    "straat|laan|weg|plein|gracht|dreef|steenweg|kade|singel|dijk|markt|pad|hof|baan|"
    "straße|strasse|str\\.|gasse|platz|allee|damm|ufer|chaussee|steig|stieg|-Ring|zeile"
)
_SEPARATE_TYPES = (
    "Straße|Strasse|Str\\.|Weg|Platz|Allee|Gasse|Ring|Damm|Ufer|Straat|Laan|Plein|Gracht|"
    "Kade|Dreef|Steenweg|Singel"
)

PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        "number_first_en",
        rf"{_NUMBER},? {_NAME_WORDS} (?i:{_EN_TYPES})\.?(?: [NSEW]{{1,2}})?(?![\w'])",
        0.85,
        flags=0,
    ),
    Pattern(
        "number_first_fr",
        rf"{_NUMBER},? (?i:{_NUMBER_FIRST_TYPES})\.? (?:{_PARTICLE} )?{_NAME_WORDS}",
        0.85,
        flags=0,
    ),
    Pattern(
        "type_first",
        rf"(?:{_TYPE_FIRST})\.? {_NAME_WORDS},? {_NUMBER_WORD}{_NUMBER}{_NOT_UNIT}{_BOX}",
        0.85,
        flags=0,
    ),
    Pattern(
        "compound",
        # (?:{_NAME}[ -])?[A-ZÀ-Þ]…, its capital first: a scan that jumps to capitals
        rf"[A-ZÀ-Þ](?:[\w'’.-]*[ -][A-ZÀ-Þ])?[\w'’-]*?(?:{_COMPOUND_SUFFIXES}) "
        rf"{_NUMBER}{_NOT_UNIT}{_BOX}",
        0.85,
        flags=0,
    ),
    Pattern(
        "separate_type",
        rf"{_NAME} (?:{_SEPARATE_TYPES}) {_NUMBER}{_NOT_UNIT}{_BOX}",
        0.85,
        flags=0,
    ),
)
"""Street lines with a house number, in their word orders."""

_NAME_ONLY = re.compile(
    rf"{_NAME_WORDS} (?i:{_EN_TYPES})\.?|(?:{_TYPE_FIRST}) {_NAME_WORDS}|"
    rf"(?i:{_NUMBER_FIRST_TYPES}) (?:{_PARTICLE} )?{_NAME_WORDS}|"
    rf"[A-ZÀ-Þ][\w'’-]*?(?:{_COMPOUND_SUFFIXES})"
)
_STREET_WORDS = frozenset(
    word.lower().replace("\\.", "")
    for word in "|".join((_EN_TYPES, _NUMBER_FIRST_TYPES, _TYPE_FIRST, _SEPARATE_TYPES)).split("|")
)
_STREET_SUFFIXES = tuple(
    suffix.lower().replace("\\.", ".").lstrip("-") for suffix in _COMPOUND_SUFFIXES.split("|")
)


def has_street_word(value: str) -> bool:
    """Whether a word of ``value`` is a street type or ends like one (a cheap first test)."""
    for word in value.lower().replace(",", " ").split():
        if word.rstrip(".") in _STREET_WORDS or word.endswith(_STREET_SUFFIXES):
            return True
    return False


def _anchor(types: str) -> re.Pattern[str]:
    words = {word.lower().replace("\\.", ".").lstrip("-") for word in types.split("|")}
    return re.compile("|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)))


_ANCHORS = {
    "number_first_en": _anchor(_EN_TYPES),
    "number_first_fr": _anchor(_NUMBER_FIRST_TYPES),
    "type_first": _anchor(_TYPE_FIRST),
    "compound": _anchor(_COMPOUND_SUFFIXES),
    "separate_type": _anchor(_SEPARATE_TYPES),
}
"""The street-type words each pattern holds, lower-cased: a text whose lower case has none
of a pattern's is not searched with it (a literal scan is many times cheaper)."""


def _worth_searching(patterns: tuple[Pattern, ...], text: str) -> list[Pattern]:
    """The ``patterns`` whose street-type word is somewhere in ``text`` (any case)."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a letter whose lower case is longer (İ): no shortcut
        return list(patterns)
    return [
        pattern
        for pattern in patterns
        if pattern.name not in _ANCHORS or _ANCHORS[pattern.name].search(lowered) is not None
    ]


_TAIL = re.compile(r"(?:,|\n| -) ?[\w .'’-]{2,60}(?:,[\w .'’-]{2,60}){0,2}")


@dataclass(frozen=True)
class StreetAddressDetector:
    """Street lines: a house number and a street type, in any of the supported word orders."""

    patterns: tuple[Pattern, ...] = PATTERNS
    name: str = field(init=False, default="street_address")
    category: str | None = field(init=False, default=CATEGORY)
    countries: tuple[str, ...] = field(init=False, default=())
    lookalike: bool = field(init=False, default=False)

    def score_value(self, value: str) -> ValueScore:
        """A whole street line scores high, one followed by postcode and town a bit less."""
        if not 4 <= len(value) <= 160 or not has_street_word(value):
            return NO_MATCH
        found = self._score(value)
        if found is NO_MATCH and value.islower():
            found = self._score(value.title())
            return ValueScore(found.score * LOWER_CASE, found.pattern) if found.score else found
        return found

    def _score(self, value: str) -> ValueScore:
        for pattern in self.patterns:
            match = pattern.compiled.match(value)
            if match is None:
                continue
            if match.end() == len(value):
                return ValueScore(pattern.score, pattern.name)
            if _TAIL.fullmatch(value, match.end()):
                return ValueScore(min(pattern.score, WITH_TAIL), pattern.name + "+tail")
        if len(value) <= 60 and _NAME_ONLY.fullmatch(value):
            return ValueScore(NAME_ONLY, "street_name_only")
        return NO_MATCH

    def find_spans(self, text: str) -> Iterator[Span]:
        """Street lines with a house number in ``text`` (the earliest, longest one wins)."""
        return self.find_spans_within(text, whole(text))

    def find_spans_within(self, text: str, windows: Sequence[Window]) -> Iterator[Span]:
        """Street lines ending near a digit window: the name before the number is searched too."""
        if not windows or not has_street_word(text):
            return
        found: list[tuple[int, int, str, float]] = []
        around = widened(windows, STREET_BEFORE)
        for pattern in _worth_searching(self.patterns, text):
            for match in search(pattern.bounded, text, around):
                found.append((match.start(), -match.end(), pattern.name, pattern.score))
        last_end = -1
        for start, negative_end, pattern_name, score in sorted(found):
            if start >= last_end:
                last_end = -negative_end
                yield Span(start, last_end, CATEGORY, score, self.name, pattern_name)


DETECTOR = StreetAddressDetector()
"""The built-in street-address detector (registered in :data:`tutela.plugins.DETECTORS`)."""
