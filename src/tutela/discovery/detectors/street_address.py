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

In text, a pattern is tried only near a street type of its own: the types are found
by scans that jump to a space or a capital (the English and French ones, which
ignore case, in the text lower-cased to ASCII), and a match starts within a reach of
its type that its pattern bounds (:data:`EN_SPACES`, :data:`FR_NUMBER`,
:data:`NAME_SPACES`). The matches are those a scan of the whole text finds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from tutela.discovery.detectors.windows import Window, search, whole, widened
from tutela.discovery.models import BEFORE_MATCH, NO_MATCH, Pattern, Span, ValueScore

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


def _words(types: str) -> list[str]:
    r"""The words of an alternation of street types, as written (``Str\.`` is ``Str.``)."""
    return [word.replace("\\.", ".") for word in types.split("|")]


_Node = dict[str, "_Node"]


def _trie(words: Iterable[str]) -> str:
    """``words`` as one alternation sharing their prefixes (``s(?:q(?:uare)?|t(?:reet)?)``).

    It matches the same words as ``a|b|...``, and the engine reads each letter once at a
    position instead of trying every word in turn: a scan is several times faster.
    """
    tree: _Node = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _branches(tree)


def _branches(node: _Node) -> str:
    options = [re.escape(char) + _branches(child) for char, child in sorted(node.items()) if char]
    if not options:
        return ""
    either = options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"
    return f"(?:{either})?" if "" in node else either


def _after_one_of(words: Iterable[str]) -> str:
    """A look-behind for any of ``words`` (one per length: a look-behind has one width)."""
    by_length: dict[int, list[str]] = {}
    for word in sorted(set(words)):
        by_length.setdefault(len(word), []).append(re.escape(word))
    return "|".join(f"(?<={'|'.join(same)})" for same in by_length.values())


_EN_WORDS = {word.lower() for word in _words(_EN_TYPES)}
_FR_WORDS = {word.lower() for word in _words(_NUMBER_FIRST_TYPES)}


def _ascii(words: Iterable[str]) -> set[str]:
    """``words`` in ASCII, any other letter as ``?`` (as :func:`_ascii_lowered` writes it)."""
    return {word.encode("ascii", "replace").decode() for word in words}


def _in_ascii(regex: str) -> re.Pattern[bytes]:
    return re.compile(regex.encode())


_SPACED_TYPE = _in_ascii(rf" {_trie(_ascii(_EN_WORDS | _FR_WORDS))}(?!\w)")
"""A space and a whole English or French street type, in lower-cased ASCII: each
``number_first_en`` and ``number_first_fr`` match holds one (a type holds no space, so no
hit hides another)."""
_EN_TYPE_AT = _in_ascii(rf" (?:{'|'.join(map(re.escape, _ascii(_EN_WORDS)))})(?!\w)")
_FR_TYPE_AT = _in_ascii(rf" (?:{'|'.join(map(re.escape, _ascii(_FR_WORDS)))})(?=\.? )")
_TYPE_FIRST_WORD = re.compile(rf"{_trie(_words(_TYPE_FIRST))}(?=\.? )")
"""Where a ``type_first`` match starts: its type, then a full stop or a space (a type has no
capital after its first letter, so no hit hides another)."""
_BEFORE_NUMBER = re.compile(
    rf" (?=\d)(?:{_after_one_of(f'{word} ' for word in _words(_COMPOUND_SUFFIXES))}"
    rf"|{_after_one_of(f'{word} ' for word in _words(_SEPARATE_TYPES))})"
)
"""The space before the house number of a ``compound`` or ``separate_type`` match: after a
street suffix or type (``Kerkstraat 12``, ``Berliner Straße 5``), before a digit."""
_NUMBER_START = re.compile(rf"\d(?<!{BEFORE_MATCH}\d)")
"""Where a number-first match can start (a bounded pattern starts no match inside a word)."""
_NAME_START = re.compile(rf"[A-ZÀ-Þ](?<!{BEFORE_MATCH}[A-ZÀ-Þ])")
"""Where a ``compound`` or ``separate_type`` match can start: a capital starting a word."""
_FOLDS = "\u017f\u0131\u0130\u212a"  # ſ ı İ and the Kelvin sign
"""The letters outside ASCII ``re`` takes for an ASCII letter when ignoring case (``s``,
``i``, ``i``, ``k``): a street type spelt with one is not found in lower-cased ASCII."""

EN_SPACES = 14
"""Most spaces in a ``number_first_en`` match before its type (``12 bis, de la A de la B de la
C de la D Street``): one in the number, one after it, eleven in four names and their
particles (``de la`` holds one), and the one before the type."""
FR_NUMBER = 16
"""Most characters of a ``number_first_fr`` match before the space before its type: the
number and a comma (``12345 bis-1234b,``)."""
NAME_SPACES = 1
"""Most spaces in a ``compound`` or ``separate_type`` match before the space before its
house number (``Kaiser Wilhelmstraße``, ``Berliner Straße``)."""

_Found = tuple[int, int, str, float]
"""A match: its start, minus its end (the longest first when sorted), its pattern and score."""


def _reach_back(text: str, end: int, spaces: int, floor: int) -> int:
    """The earliest start of a part of a line that ends at ``end`` with ``spaces`` spaces at most.

    Not before ``floor``. No match holds a line break, and the part of a match before
    its street type or house number holds a number of spaces its pattern bounds.
    """
    floor = max(floor, text.rfind("\n", floor, end) + 1)
    for _ in range(spaces + 1):
        end = text.rfind(" ", floor, end)
        if end < 0:
            return floor
    return end + 1


def _numbers(text: str, start: int, end: int) -> list[int]:
    return [number.start() for number in _NUMBER_START.finditer(text, start, end)]


def _number_first_starts(
    text: str, lowered: bytes, start: int, end: int
) -> tuple[list[int], list[int]]:
    """Where ``number_first_en`` and ``number_first_fr`` matches can start in a window.

    Each holds a space and its street type, found in the text lower-cased to ASCII (the
    types ignore case), and starts with a number at most :data:`EN_SPACES` spaces, or
    :data:`FR_NUMBER` characters, before that space.
    """
    english: set[int] = set()
    french: set[int] = set()
    for hit in _SPACED_TYPE.finditer(lowered, start, end):
        space = hit.start()
        if _EN_TYPE_AT.match(lowered, space, end):
            english.update(_numbers(text, _reach_back(text, space + 1, EN_SPACES, start), space))
        if _FR_TYPE_AT.match(lowered, space, end):
            french.update(_numbers(text, max(start, space - FR_NUMBER), space))
    return sorted(english), sorted(french)


def _name_starts(text: str, start: int, end: int) -> list[int]:
    """Where ``compound`` and ``separate_type`` matches can start in a window.

    At a capital at most :data:`NAME_SPACES` spaces before the space before their
    house number.
    """
    names: set[int] = set()
    for hit in _BEFORE_NUMBER.finditer(text, start, end):
        space = hit.start()
        reach = _reach_back(text, space, NAME_SPACES, start)
        names.update(name.start() for name in _NAME_START.finditer(text, reach, space))
    return sorted(names)


def _starts(text: str, lowered: bytes, start: int, end: int) -> dict[str, list[int]]:
    """Where each of :data:`PATTERNS` can start a match in the window ``start:end``, in order.

    Every match holds a street type, found with a scan that jumps to a space or a
    capital; the match starts within a reach of it that its pattern bounds.
    """
    english, french = _number_first_starts(text, lowered, start, end)
    names = _name_starts(text, start, end)
    type_first = [hit.start() for hit in _TYPE_FIRST_WORD.finditer(text, start, end)]
    return {
        "number_first_en": english,
        "number_first_fr": french,
        "type_first": type_first,
        "compound": names,
        "separate_type": names,
    }


def _matches(
    regex: re.Pattern[str], text: str, starts: Sequence[int], end: int
) -> Iterator[re.Match[str]]:
    """``regex.finditer(text, starts[0], end)``, tried only at ``starts`` (in order).

    ``starts`` must hold every start of a match: the leftmost match, then the leftmost
    from its end, are then those ``finditer`` finds.
    """
    after = -1
    for start in starts:
        if start >= after:
            match = regex.match(text, start, end)
            if match is not None:
                after = match.end()
                yield match


def _anchored(text: str, lowered: bytes, windows: Sequence[Window]) -> list[_Found]:
    """The matches of :data:`PATTERNS` in ``windows``, each tried only near a street type."""
    found: list[_Found] = []
    for start, end, _ in windows:
        starts = _starts(text, lowered, start, end)
        for pattern in PATTERNS:
            for match in _matches(pattern.bounded, text, starts[pattern.name], end):
                found.append((match.start(), -match.end(), pattern.name, pattern.score))
    return found


def _gated(found: list[_Found], text: str) -> list[_Found]:
    """``found`` as the text-wide tests keep it (:func:`has_street_word`, :data:`_ANCHORS`).

    Both are tested once there are matches, and first near a match: its stretch between
    spaces, whose words are words of the text, and the match itself.
    """
    if not found or not _street_word_around(text, found[0][0], -found[0][1]):
        return []
    one_match = {name: (start, -negative_end) for start, negative_end, name, _ in found}
    kept = {
        pattern.name
        for pattern in PATTERNS
        if pattern.name in one_match and _worth(pattern, text, *one_match[pattern.name])
    }
    return [item for item in found if item[2] in kept]


def _worth(pattern: Pattern, text: str, start: int, end: int) -> bool:
    """Whether :func:`_worth_searching` keeps ``pattern``, tested first on its match there."""
    near = _ANCHORS[pattern.name].search(text[start:end].lower()) is not None
    return near or _worth_searching((pattern,), text) == [pattern]


def _street_word_around(text: str, start: int, end: int) -> bool:
    """``has_street_word(text)``, tried first on the stretch between spaces around a match."""
    before = max(text.rfind(" ", 0, start), text.rfind("\n", 0, start)) + 1
    ends = [at for at in (text.find(" ", end), text.find("\n", end)) if at >= 0]
    return has_street_word(text[before : min(ends, default=len(text))]) or has_street_word(text)


def _ascii_lowered(text: str) -> bytes | None:
    """``text`` lower-cased in ASCII (a character for a byte), or None if a type may be missed.

    Every letter ``re`` takes for an ASCII letter of a street type when ignoring case is
    an ASCII letter, lowered to it, or one of :data:`_FOLDS`: with none of those, the
    types ignoring case in ``text`` are found in lower case in its lower-cased ASCII
    (any other character is ``?``, which stands for ``é`` in ``allée``).
    """
    if any(fold in text for fold in _FOLDS):
        return None
    return text.encode("ascii", "replace").lower()


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
        if not windows:
            return
        around = widened(windows, STREET_BEFORE)
        lowered = _ascii_lowered(text) if self.patterns is PATTERNS else None
        if lowered is not None:
            found = _gated(_anchored(text, lowered, around), text)
        else:
            found = self._searched(text, around)
        last_end = -1
        for start, negative_end, pattern_name, score in sorted(found):
            if start >= last_end:
                last_end = -negative_end
                yield Span(start, last_end, CATEGORY, score, self.name, pattern_name)

    def _searched(self, text: str, around: Sequence[Window]) -> list[_Found]:
        """Every pattern's matches in ``around``, each window scanned whole."""
        if not has_street_word(text):
            return []
        found: list[_Found] = []
        for pattern in _worth_searching(self.patterns, text):
            for match in search(pattern.bounded, text, around):
                found.append((match.start(), -match.end(), pattern.name, pattern.score))
        return found


DETECTOR = StreetAddressDetector()
"""The built-in street-address detector (registered in :data:`tutela.plugins.DETECTORS`)."""
