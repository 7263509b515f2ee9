"""Phone, card, IP, coordinates and birth-date searches: the faster scans find the same.

Each detector searches less (around marks, from rarer characters, one expression for
several) or tests in a cheaper order; each test here compares the fast path with the
plain search it replaces, on texts built from tricky pieces: separators, letters glued
to digits, numbers cut by the end of the text, other scripts' digits and letters whose
case folds oddly.
"""

from __future__ import annotations

import ipaddress
import random
import re
from dataclasses import replace

import phonenumbers
import pytest
from stdnum import ean

from tutela.discovery.detectors import coordinates, date_of_birth, ip_address, payment_card, phone
from tutela.discovery.detectors.windows import Window, digit_windows, whole
from tutela.discovery.models import CONTEXT_WINDOW, Pattern, PatternDetector

DIGITISH = [
    *("0", "1", "7", "12", "123", "2024", "0477", "4111", "٣", "٣٤", "１２", "(030)", "+32 (0)"),
    *(" ", "  ", "\u00a0", ".", "-", "/", "(", ")", "+", ":", ",", ";", "%", "€", "#", "\n"),
    *("a", "Tel", "x", "é", "İ", "ı", "ſ", "K", "_", "@"),
]
"""Pieces that make digit runs, groups and their neighbours."""


def texts(pieces: list[str], count: int, seed: int, longest: int = 30) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(pieces, k=rng.randint(1, longest))) for _ in range(count)]


def windows_of(text: str) -> list[list[Window]]:
    return [digit_windows(text), whole(text)]


def matches(regex: re.Pattern[str], text: str, windows: list[Window]) -> list[tuple[int, int, str]]:
    return [
        (found.start(), found.end(), found.group(0))
        for start, end, _ in windows
        for found in regex.finditer(text, start, end)
    ]


# --- phone ------------------------------------------------------------------------------

PLAIN_GROUP = r"(?:(?:\d+[ \u00a0]?)?\(\d{1,5}\)[ \u00a0\-]?\d+|\d+)"
"""A digit group as first written: a parenthesis tried first, then the digits alone."""
PLAIN_SHAPE = re.compile(rf"(?:\+[ \u00a0]?)?{PLAIN_GROUP}(?:{phone._SEP}{PLAIN_GROUP})*")
PLAIN_CANDIDATE = re.compile(
    r"(?<![\w+.\-/,#$€£¥%])" + PLAIN_SHAPE.pattern + r"(?![\w%€$£]|[.,\-/:]\d)"
)
"""A phone candidate as first written: the look-behind first, so tried at every position."""


def test_phone_candidate_scan_finds_the_plain_expression_matches() -> None:
    found = 0
    for text in texts(DIGITISH, 3000, seed=1):
        for windows in windows_of(text):
            expected = matches(PLAIN_CANDIDATE, text, windows)
            assert matches(phone._CANDIDATE, text, windows) == expected, text
            found += len(expected)
    assert found > 2000


def test_phone_values_of_the_candidate_shape_are_those_of_the_first_shape() -> None:
    for text in texts(DIGITISH, 5000, seed=15, longest=12):
        assert (phone._SHAPE.fullmatch(text) is None) is (PLAIN_SHAPE.fullmatch(text) is None)


def test_phone_lead_class_holds_plus_parenthesis_and_every_decimal_digit() -> None:
    lead = re.compile(phone._LEAD)
    for code in range(0x110000):
        char = chr(code)
        if char in "+(" or char.isdecimal():
            assert lead.fullmatch(char), hex(code)


def bounded_words(words: tuple[str, ...], flags: int = 0) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:{phone._alternatives(words)})(?!\w)", flags)


def lowered(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(word.lower() for word in words)


PHONE_WORDS = bounded_words(phone.CONTEXT, re.IGNORECASE)
OTHER_WORDS = bounded_words(phone.NOT_PHONE_CONTEXT, re.IGNORECASE)
LOWER_PHONE_WORDS = bounded_words(lowered(phone.CONTEXT))
LOWER_OTHER_WORDS = bounded_words(lowered(phone.NOT_PHONE_CONTEXT))
WORDISH = [
    *("tel", "Tel", "TÉL", "phone", "telephone", "bel", "bellen", "order", "ref", "id"),
    *("ids", "xtel", "tel1", "_tel", "İd", "ıd", "ſms", "sms", "IBAN", "eur", "fax"),
    *(" ", ":", ".", "-", "\n", "0477 12 34 56", "12", "é", "€"),
]


def test_phone_words_near_a_candidate_are_what_the_word_searches_find() -> None:
    for text in texts(WORDISH, 2000, seed=2, longest=40):
        for start in range(0, len(text), 7):
            end = min(len(text), start + 5)
            near = text[max(0, start - CONTEXT_WINDOW) : end + CONTEXT_WINDOW]
            lower = near.lower()
            if len(lower) == len(near):  # lower-cased, searched case-sensitively
                phone_word = LOWER_PHONE_WORDS.search(lower) is not None
                other = LOWER_OTHER_WORDS.search(lower) is not None
            else:
                phone_word = PHONE_WORDS.search(near) is not None
                other = OTHER_WORDS.search(near) is not None
            expected = (True, False) if phone_word else (False, other)
            assert phone._words_near(text, start, end) == expected, (text, start)


def test_phone_plans_in_one_expression_accept_what_plan_after_plan_accepts() -> None:
    rng = random.Random(5)
    numbers = [str(rng.randint(10**6, 10**14)) for _ in range(3000)]
    numbers += ["0" + number for number in numbers[:1500]]
    accepted = 0
    for number in numbers:
        for size in (1, 2, 3):
            regions = tuple(phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(number[:size]), ()))
            national = number[size:]
            expected = any(phone.DETECTOR._plan(r).accepts_national(national) for r in regions)
            accepting = phone.DETECTOR._accepting(regions, len(national))
            found = accepting is not None and accepting.fullmatch(national) is not None
            assert found is expected, number
            accepted += expected
    assert 50 < accepted < len(numbers), "both valid and invalid numbers are tried"


def test_phone_regions_trunk_prefixes_are_one_digit_at_most() -> None:
    # _national leans on it: a plan accepting a number matches its general pattern on the
    # digits or on them without one leading digit, the screen the plans once needed.
    assert all(len(phone.DETECTOR._plan(region).trunk) <= 1 for region in phone.REGIONS)


# --- payment cards ----------------------------------------------------------------------

CARDISH = [
    *("4111", "1111", "411111", "4111111111111111", "378282246310005", "42222222222"),
    *("22", "5", "0", "٣٤٥٦", " ", "-", "  ", ".", "+", "@", "a", "x", "\n", "/", "_"),
]


@pytest.mark.parametrize("seed", [3, 4])
def test_card_scan_finds_what_the_three_pattern_scans_find(seed: int) -> None:
    detector = payment_card.DETECTOR
    found = 0
    for text in texts(CARDISH, 2000, seed=seed, longest=12):
        for windows in windows_of(text):
            one = matches(payment_card._CANDIDATE, text, windows)
            each = sorted(
                (start, end, found, pattern.name)
                for pattern in detector.patterns
                for start, end, found in matches(pattern.bounded, text, windows)
            )
            named = sorted(
                (start, end, found, detector._pattern_of(found).name) for start, end, found in one
            )
            assert named == each, text
            found += len(each)
    assert found > 300


def test_card_luhn_and_barcode_order_keep_every_verdict() -> None:
    rng = random.Random(6)
    for _ in range(20000):
        digits = "".join(rng.choices("0123456789", k=rng.randint(12, 19)))
        total = sum(
            (2 * int(c) - 9 * (2 * int(c) > 9)) if i % 2 else int(c)
            for i, c in enumerate(reversed(digits))
        )
        assert payment_card.luhn_valid(digits) is (total % 10 == 0)
        expected = (
            len(set(digits)) > 1
            and digits not in payment_card._CONSECUTIVE
            and digits not in payment_card._CONSECUTIVE[::-1]
            and not (len(digits) <= 13 and ean.is_valid(digits))
            and payment_card.issuer(digits) is not None
            and total % 10 == 0
        )
        assert payment_card.valid_card(digits) is expected, digits


CONTEXTISH = [*("card", "CARD", "Visa", "vısa", "ſ", "cc", "ip", "IP", "from", "İP", "x"), " ", "-"]


def test_context_of_ascii_text_lower_cased_is_the_case_blind_answer() -> None:
    for detector in (payment_card.DETECTOR, ip_address.DETECTOR):
        for text in texts(CONTEXTISH, 1500, seed=7, longest=12):
            expected = detector._context.search(text[:CONTEXT_WINDOW]) is not None
            assert detector._has_context(text, 0, 0) is expected, text


# --- IP addresses -----------------------------------------------------------------------

IPISH = [
    *("192.168.1.10", "10.0.0", "1.2", ".", ":", "::", "fe80", "2001:db8", "ab:", "12:30:45"),
    *("0", "255", "1", "%eth0", "a", "g", "v", " ", "-", "/", "+", "@", "1.2.3.4.5", "٣"),
]


@pytest.mark.parametrize("seed", [8, 9])
def test_ip_scans_around_marks_find_what_whole_windows_find(seed: int) -> None:
    found = hosts = 0
    for text in texts(IPISH, 2000, seed=seed, longest=14):
        for windows in windows_of(text):
            starts = [window.start for window in windows]
            for pattern in ip_address.DETECTOR.patterns:
                scan = ip_address._SCANS[pattern.name]
                every = replace(scan, worth=ip_address._always).regions(text, windows, starts)
                expected = matches(pattern.bounded, text, windows)
                assert matches(scan.expression, text, every) == expected, (pattern.name, text)
                worth = scan.regions(text, windows, starts)
                assert host_matches(scan.expression, text, worth) == host_matches(
                    pattern.bounded, text, windows
                ), (pattern.name, text)
                found += len(expected)
                hosts += len(host_matches(pattern.bounded, text, windows))
    assert found > 500 and hosts > 100


def host_matches(
    regex: re.Pattern[str], text: str, windows: list[Window]
) -> list[tuple[int, int, str]]:
    return [found for found in matches(regex, text, windows) if ip_address.host_score(found[2])]


def test_ip_group_count_test_only_turns_down_what_ipaddress_refuses() -> None:
    rng = random.Random(10)
    pieces = ["", "0", "1", "ab", "ffff", "1.2.3.4", "300.1.1.1"]
    for _ in range(20000):
        written = ":".join(rng.choices(pieces, k=rng.randint(2, 10)))
        if ip_address._too_few_groups(written):
            with pytest.raises(ValueError):
                ipaddress.IPv6Address(written)


# --- coordinates ------------------------------------------------------------------------

POINTISH = [
    *("geo:", "GEO:", "gEo:+", "POINT(", "point (", "PoİNT  (", "poınt\t(", "°", " °", "5°"),
    *("5 \u00a0°", "12.34567,", "-12.3456 ; +1.23456", ".", "1", "22", "333", "4444", ","),
    *(";", " ", "\n", "a", "P", "g", "-", "+", "(", "١٢.٣٤٥٦٧", "9.9999,9.9999"),
]


def test_coordinates_forms_found_from_rare_characters_are_the_expression_matches() -> None:
    found = 0
    for text in texts(POINTISH, 5000, seed=11, longest=14):
        expected = [(m.start(), m.end(), m.group()) for m in coordinates._TEXT_FORMS.finditer(text)]
        assert list(coordinates._text_forms(text)) == expected, text
        found += len(expected)
    assert found > 5000


# --- dates of birth ---------------------------------------------------------------------

BIRTHISH = [
    *("born", "birthday", "date of birth", "né", "née le", "Né", "NÉE", "geboren am", "geb."),
    *("nata", "nato", "nascita", "d.o.b", "dob", "DOB", "a", "n", "b", " ", ".", "ſ"),
]


def test_birth_words_found_letter_by_letter_are_the_alternations_matches() -> None:
    for text in texts(BIRTHISH, 3000, seed=12, longest=20):
        lowered = text.lower()
        expected = [found.span() for found in date_of_birth._ANY_CONTEXT.finditer(lowered)]
        assert date_of_birth._any_context(lowered) == expected, text


FLAT_MONTH = (
    "(?P<month_name>" + "|".join(sorted(date_of_birth.MONTH_NAMES, key=len, reverse=True)) + r")\.?"
)
DATEISH = [
    *("12 juli 1985", "July 30, 1985", "30 de julio de 1985", "30. Juli 1985", "Sept. 5th, 1999"),
    *("12 ", "1", " 2024", " 1985", " ", ", ", ".", "th", "de ", "juli ", "Juli", "jul", "JUL. "),
    *("mar ", "march ", "maart ", "mars 3", "Sept ", "september ", "sep", "dez ", "ıl", "x", "3 "),
]


def test_month_names_as_a_tree_match_what_the_longest_first_alternation_matches() -> None:
    found = 0
    for form in date_of_birth._TEXT_FORMS.values():
        flat = re.compile(form.pattern.replace(date_of_birth._MONTH, FLAT_MONTH), re.IGNORECASE)
        for text in texts(DATEISH, 1500, seed=13, longest=10):
            expected = [(m.span(), m.groupdict()) for m in flat.finditer(text)]
            assert [(m.span(), m.groupdict()) for m in form.finditer(text)] == expected, text
            found += len(expected)
    assert found > 100


def test_windows_near_a_birth_word_are_those_within_reach() -> None:
    found = 0
    for text in texts([*BIRTHISH, *DATEISH, "\n"], 500, seed=14, longest=60):
        windows = digit_windows(text)
        reach = [
            (start - date_of_birth._REACH, end + date_of_birth._REACH)
            for start, end in date_of_birth._any_context(text.lower())
        ]
        expected = [w for w in windows if any(a < w.end and b > w.start for a, b in reach)]
        if len(text.lower()) == len(text):
            assert date_of_birth._near_context(text, windows) == expected, text
            found += len(expected)
    assert found > 100


@pytest.mark.parametrize(
    ("detector", "pattern"),
    [
        (payment_card.DETECTOR, r"\d{16}"),
        (ip_address.DETECTOR, r"\d{1,3}(?:\.\d{1,3}){3}"),
    ],
)
def test_one_scan_detectors_refuse_patterns_their_scan_does_not_search(
    detector: PatternDetector, pattern: str
) -> None:
    with pytest.raises(ValueError, match="built-in patterns"):
        replace(detector, patterns=(Pattern("other", pattern, 0.9),))
