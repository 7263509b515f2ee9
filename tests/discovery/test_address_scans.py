"""Street lines and postcodes tried only near their anchors: the spans of a scan of every window.

The fast searches (street types then a bounded reach, a text's shape then the formats)
must find exactly what the plain one finds, a scan of every window with every pattern.
A detector given the same patterns in another tuple searches the plain way.
"""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from tutela.discovery.detectors import postcode, street_address
from tutela.discovery.detectors.windows import Window, digit_windows, whole

STREET = street_address.DETECTOR
POSTCODE = postcode.DETECTOR
PLAIN_STREET = street_address.StreetAddressDetector(patterns=tuple(list(street_address.PATTERNS)))
PLAIN_POSTCODE = postcode.PostcodeDetector(patterns=tuple(list(postcode.PATTERNS)))

_parser: Any = getattr(re, "_parser", None)
_constants: Any = getattr(re, "_constants", None)


def _most(regex: str, char: str) -> float:
    """How many times a match of ``regex`` can hold ``char`` at most (inf: no bound)."""
    return _most_in(_parser.parse(regex), char)


def _most_in(items: Any, char: str) -> float:
    return sum(_most_item(op, value, char) for op, value in items)


def _most_item(op: Any, value: Any, char: str) -> float:
    if op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT):
        _, high, inner = value
        most = _most_in(inner, char)
        return float("inf") if most and high == _constants.MAXREPEAT else most * high
    if op is _constants.SUBPATTERN:
        return _most_in(value[3], char)
    if op is _constants.BRANCH:
        return max(_most_in(branch, char) for branch in value[1])
    if op in (_constants.ASSERT, _constants.ASSERT_NOT, _constants.AT):
        return 0
    return 1 if re.fullmatch(_parser_source(op, value), char) else 0


def _parser_source(op: Any, value: Any) -> str:
    """A one-character expression for a parsed atom (a literal, a class, a category)."""
    if op is _constants.LITERAL:
        return re.escape(chr(value))
    if op is _constants.NOT_LITERAL:
        return f"[^{re.escape(chr(value))}]"
    if op is _constants.ANY:
        return r"[\s\S]"
    if op is _constants.IN:
        return "(?:" + "|".join(_parser_source(*member) for member in value) + ")"
    if op is _constants.RANGE:
        return f"[{re.escape(chr(value[0]))}-{re.escape(chr(value[1]))}]"
    if op is _constants.CATEGORY:
        return {"CATEGORY_DIGIT": r"\d", "CATEGORY_WORD": r"\w", "CATEGORY_SPACE": r"\s"}.get(
            str(value), r"[\s\S]"
        )
    raise AssertionError(f"unexpected atom {op} {value}")


pytestmark = pytest.mark.skipif(_parser is None, reason="the regular expression parser moved")


def _before(pattern: int, part: str) -> str:
    """The part of a street pattern before ``part`` (its street type and what follows)."""
    regex = street_address.PATTERNS[pattern].regex
    return regex[: regex.index(part)]


def test_the_reaches_bound_every_match() -> None:
    english = _before(0, f"(?i:{street_address._EN_TYPES})")
    assert _most(english, " ") == street_address.EN_SPACES
    french = _before(1, f" (?i:{street_address._NUMBER_FIRST_TYPES})")
    assert _parser.parse(french).getwidth()[1] == street_address.FR_NUMBER
    compound = _before(3, f"(?:{street_address._COMPOUND_SUFFIXES}) ")
    assert _most(compound, " ") == street_address.NAME_SPACES
    separate = _before(4, f"(?:{street_address._SEPARATE_TYPES}) ")
    assert _most(separate, " ") == street_address.NAME_SPACES
    for pattern in street_address.PATTERNS:
        assert _most(pattern.regex, "\n") == 0, pattern.name


def test_the_longest_reaches_are_found() -> None:
    english = "at 12 bis, de la Aa de la Bb de la Cc de la Dd Street now"
    french = "au 12345 bis-1234b, rue de la Paix"
    assert [span.pattern for span in STREET.find_spans(english)] == ["number_first_en"]
    assert [span.pattern for span in STREET.find_spans(french)] == ["number_first_fr"]


def test_no_anchor_hides_another() -> None:
    assert not any(" " in word for word in street_address._EN_WORDS | street_address._FR_WORDS)
    assert all(
        word[1:] == word[1:].lower() for word in street_address._words(street_address._TYPE_FIRST)
    )


def test_the_trie_matches_its_words_only() -> None:
    words = ["st", "street", "sq", "square", "rue", "rond-point"]
    trie = re.compile(street_address._trie(words))
    assert all(trie.fullmatch(word) for word in words)
    assert not any(trie.fullmatch(word) for word in ["s", "stree", "squ", "ru", "rond", ""])


def test_ascii_lower_case_keeps_every_street_type() -> None:
    every = "".join(chr(code) for code in range(0x110000) if not 0xD800 <= code < 0xE000)
    words = street_address._EN_WORDS | street_address._FR_WORDS
    for letter in {char for word in words for char in word if char.isascii()}:
        for found in re.finditer("(?i)" + re.escape(letter), every):
            char = found.group()
            assert char in street_address._FOLDS or (char.isascii() and char.lower() == letter), (
                char
            )
    others = {char for word in words for char in word if not char.isascii()}
    assert not any(re.search(f"(?i){char}", "".join(map(chr, range(128)))) for char in others)
    assert "?" in street_address._ascii({"allée"}).pop()  # any other letter stands for them


STREET_TEXTS = [
    "Je vis au 12 rue de la Paix à Paris.",
    "12 RUE DE LA PAIX, 12 bis, avenue des Champs-Élysées",
    "Please ship it to 221B Baker Street, London NW1 6XE.",
    "at 10 Downing St. and 11 Downing St",
    "12 Baker St)",
    "12 Baker St) and Main Street",
    "ab12 Baker Street, x-12 rue X, 12rue X, Main Street12",
    "Kaiser Wilhelmstraße 12a/3, Kaiser-Wilhelm-Ring 3-2, Dietzstr. 7-3",
    "Berliner Straße 5 bus 3, Kerkstraat 12, Hauptstraße 5a",
    "Avenue Louise 54 bte 3; Calle Mayor nº 3; C/ Mayor 3; Via Roma 10 days",
    "12 Baker\nStreet, Kerk\nstraat 12, Calle Mayor 3",
    "12 Baker ſtreet, İstanbul 12 Baker Street",
    "12 Baker ſtreet and 3 Main Drıve by the Kerkstraat",
    "3 Main Wal\u212a (a Kelvin sign)\n4 Main Walk",
    "12 Bäker Street, 12 Élysées Avenue, Praça da Sé 12, Hauptstraße 5",
    "Wait 3 days on Route 66 playing Street Fighter 2",
    "12 rue",
]


STREET_KINDS = (
    ("{number} {names} {kind}", ["Street", "st.", "ROAD", "Dr"]),
    ("{number}, {kind} {names}", ["rue", "RUE", "Chemin", "bd.", "rond-point"]),
    ("{kind} {names} {number}", ["Calle", "Via", "Rue", "C/", "Praça"]),
    ("{names}{kind} {number}", ["straat", "straße", "-Ring", "str.", "weg"]),
    ("{name} {kind} {number}", ["Straße", "Weg", "Ring", "Str.", "Laan"]),
)
"""Street lines in each word order, with the types of the patterns of that order."""


def _street_line(rng: random.Random) -> str:
    number = rng.choice(["12", "221B", "12 bis", "5a", "3/7", "12345 bis-1234b", "n°12", "7 ter"])
    name = rng.choice(["Baker", "O'Neil", "Élysées", "Ölberg", "St", "X"])
    names = " ".join(
        rng.choice(["", "", "de la ", "van ", "d'", "of "]) + rng.choice(["Baker", "O'Neil", "Él"])
        for _ in range(rng.randint(1, 5))
    )
    line, kinds = rng.choice(STREET_KINDS)
    kind = rng.choice(
        kinds if rng.random() < 0.9 else [kind for _, others in STREET_KINDS for kind in others]
    )
    street = line.format(number=number, name=name, names=names, kind=kind)
    return street + rng.choice(["", "", " bte 3", " days", "-x", " NW"])


def _windows(rng: random.Random, text: str) -> list[Window]:
    kind = rng.randint(0, 2)
    if kind < 2:
        return whole(text) if kind == 0 else digit_windows(text)
    cuts = sorted(rng.sample(range(len(text) + 1), min(len(text) + 1, rng.randint(0, 6))))
    return [Window(cuts[at], cuts[at + 1], 0) for at in range(0, len(cuts) - 1, 2)]


def _spans(detector: Any, text: str, windows: list[Window]) -> list[tuple[int, int, str]]:
    return [
        (span.start, span.end, span.pattern) for span in detector.find_spans_within(text, windows)
    ]


@pytest.mark.parametrize("text", STREET_TEXTS)
def test_street_lines_found_near_types_are_those_of_a_plain_scan(text: str) -> None:
    assert PLAIN_STREET.patterns is not street_address.PATTERNS
    for windows in (whole(text), digit_windows(text)):
        assert _spans(STREET, text, windows) == _spans(PLAIN_STREET, text, windows)


def test_generated_street_lines_are_found_as_a_plain_scan_finds_them() -> None:
    rng = random.Random(5)
    found = 0
    for _ in range(400):
        separators = [" ", ", ", "\n", ". ", "", "(", ":"]
        text = "".join(_street_line(rng) + rng.choice(separators) for _ in range(rng.randint(1, 6)))
        windows = _windows(rng, text)
        spans = _spans(STREET, text, windows)
        assert spans == _spans(PLAIN_STREET, text, windows), text
        found += len(spans)
    assert found > 300


POSTCODE_TEXTS = [
    "Kerkstraat 12, 1000 Brussel; PLZ: 10115 Berlin; postcode:\n 1012 AB; code postal :  75001",
    "CP 28013 and zip 90210-1234, to 75001 Paris, in 2019 Anna",
    "SW1A 1AA, GIR 0AA, D02 X285, D6W 1234, k1a 0b1, ſ1a 0b1, \u212a1A 0B1 (a Kelvin sign)",
    "NL-1012 AB, NL-1012 KB, FIN-12345, B-1000, L1234, L-1234, 00-950, 10001-1234",
    "x1000 Paris, 1000Paris, 1.000 Paris, 1,000, 1000,5 Paris, ORD-2024-04, @1000 Paris, +32 1000",
    "send it to 75001",
    "1012 A",
    "x,1012 AB, €K1A 0B1, éK1A 0B1, _1012 AB, @1012 AB, CP:\t1000,  PLZ 1000.",
]


def _postcode_shape(rng: random.Random) -> str:
    shape = rng.choice(["A0 0AA", "AA0A 0AA", "0000 AA", "A0A 0A0", "a0a0a0", "A00 AAAA", "A-0000"])
    shape = rng.choice([shape, "AA-00000", "00-000", "00000-0000", "0000", "000000", "NL-0000 AB"])
    digits, capitals = "0123456789٣", "ABCDEFGHIJKLMNOPQRSTUVWXYZſé"
    return "".join(
        rng.choice(digits) if char == "0" else rng.choice(capitals) if char == "A" else char
        for char in shape
    )


@pytest.mark.parametrize("text", POSTCODE_TEXTS)
def test_postcodes_found_by_shape_are_those_of_a_plain_scan(text: str) -> None:
    assert PLAIN_POSTCODE.patterns is not postcode.PATTERNS
    for windows in (whole(text), digit_windows(text)):
        assert _spans(POSTCODE, text, windows) == _spans(PLAIN_POSTCODE, text, windows)


POSTCODE_SEPARATORS = [" "] * 6 + ["\n", ", ", " PLZ: ", " to ", *".,-/:@+_é€", ""]
POSTCODE_AFTER = [""] * 4 + [" Paris", " EUR", " KB", "-x", ".x", "."]


@pytest.mark.parametrize(
    ("text", "cuts"),
    [
        ("postcode 123456 x", (0, 13)),
        ("PLZ 10115 Berlin", (0, 8, 9, 16)),
        ("zip 1012 ABC", (0, 11)),
        ("CP 1000,5", (0, 8)),
        ("SW1A 1AA", (1, 8)),
        ("PLZ 10115 Berlin", (0, 10, 4, 16)),  # overlapping windows
        ("PLZ 10115 Berlin", (4, 16, 0, 3)),  # out of order
    ],
)
def test_windows_ending_inside_a_word_are_searched_as_a_plain_scan(
    text: str, cuts: tuple[int, ...]
) -> None:
    windows = [Window(cuts[at], cuts[at + 1], 0) for at in range(0, len(cuts), 2)]
    assert _spans(POSTCODE, text, windows) == _spans(PLAIN_POSTCODE, text, windows)
    assert _spans(STREET, text, windows) == _spans(PLAIN_STREET, text, windows)


def test_generated_postcodes_are_found_as_a_plain_scan_finds_them() -> None:
    rng = random.Random(7)
    separators, after = POSTCODE_SEPARATORS, POSTCODE_AFTER
    found = 0
    for _ in range(600):
        text = "".join(
            rng.choice(separators) + _postcode_shape(rng) + rng.choice(after)
            for _ in range(rng.randint(1, 6))
        )
        windows = _windows(rng, text)
        spans = _spans(POSTCODE, text, windows)
        assert spans == _spans(PLAIN_POSTCODE, text, windows), text
        found += len(spans)
    assert found > 200


@pytest.mark.parametrize(
    "before",
    [
        "postcode",
        "Postcode: ",
        "code postal :\n ",
        "the PLZ",
        "zip:",
        "ZIP : :",
        " : ",
        "",
        "CAP\t",
    ],
)
def test_the_context_word_test_is_the_context_rule(before: str) -> None:
    assert all(not word[-1].isspace() and word[-1] != ":" for word in postcode.CONTEXT)
    for text in (before, "unzip " + before, before + "x"):
        expected = postcode._CONTEXT_BEFORE.search(text) is not None
        assert postcode._context_before(text) is expected, text
