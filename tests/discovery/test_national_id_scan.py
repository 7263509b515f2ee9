"""The national-id family's start scan finds what trying every pattern everywhere finds.

The scan (:func:`~tutela.discovery.detectors.national_id_scan.start_scan`) reads each
pattern's leading digit run and a case-free writing of it from the parsed expression;
these tests hold it to the plain search, on texts written to catch its edges: numbers
glued to letters or signs, cut by a window's end, next to non-ASCII letters and digits.
"""

from __future__ import annotations

import random
import re

import pytest

from tutela.discovery.detectors import national_id_checks as checks
from tutela.discovery.detectors.national_id import (
    DETECTORS,
    LONGEST,
    NationalIdDetector,
    _compact,
    _digit_count,
    _min_digits,
    search_together,
)
from tutela.discovery.detectors.national_id_scan import leading_runs, uncased
from tutela.discovery.detectors.national_id_schemes import COMMON_CONTEXT, SCHEMES
from tutela.discovery.detectors.windows import Window, digit_windows, whole
from tutela.discovery.models import Pattern, Span

NUMBERS = (
    "85073003328",
    "85.07.30-033.28",
    "85 07 30 033 28",
    "111222333",
    "1112.22.333",
    "2 95 10 99 126 111 93",
    "295109912611193",
    "2951099126111",
    "1 95 2A 99 126 111 93",
    "36574261809",
    "36 574 261 809",
    "RCCMNL83S18D969H",
    "rccmnl83s18d969h",
    "RſſMNL83S18D969H",
    "RCCMNLLMSMNDSRVH",
    "54362315K",
    "54362315-K",
    "X2482300W",
    "x-2482300-w",
    "AB 12 34 56 C",
    "AB123456C",
    "ab 12 34 56 c",
    "\u212aB123456C",
    "536-90-4399",
    "536 90 4399",
    "536904399",
    "123456789",
    "00000000 0 ZZ4",
    "880320-0016",
    "19880320-0016",
    "198803200016",
    "211062-5629",
    "131052-308T",
    "131052A308T",
    "1237 010180",
    "6433435F",
    "6433435FA",
    "1985073012341",
    "1985 07 30 123 41",
    "710319/2745",
    "1630615123457",
    "7523169263",
    "36805280109",
    "01013099997",
    "33392005961",
    "0101006500006",
    "15108695088",
    "756.1234.5678.97",
    "7561234567897",
    "\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661",
    "٣٤٥٦٧٨٩٠١٢٣",
    "12\u0663456789",
)
"""Numbers of every scheme's shapes (valid or not), some in other cases and scripts."""

BEFORE = ("", " ", "\n", "+", "@", ".", "-", "a", "é", "(", "ID: ", "٣", "_", "/", "€")
AFTER = ("", " ", ".", ".5", ". ", "-x", "-", "@", "a", "é", ",", "\n", "7", "٣", "/1")
WORDS = (
    "BSN",
    "SSN",
    "NIR",
    "Steuer-ID",
    "codice fiscale",
    "national insurance",
    "rijksregisternummer",
    "PESEL",
    "order",
    "the",
    "Bestellung",
    "ſocial ſecurity",
    "İD NUMBER",
    "2024-07-30",
    "12:00",
    "+32 475 12 34 56",
    "€ 45.90",
    "v1.22.3",
)


def _text(rng: random.Random, pieces: int) -> str:
    parts = []
    for _ in range(pieces):
        if rng.random() < 0.6:
            parts.append(rng.choice(BEFORE) + rng.choice(NUMBERS) + rng.choice(AFTER))
        else:
            parts.append(rng.choice(WORDS))
        parts.append(rng.choice((" ", " ", "  ", "\n", ", ", "")))
    return "".join(parts)


def _windows(rng: random.Random, text: str) -> list[Window]:
    """Random windows, in order and apart: they may start or end anywhere."""
    cuts = sorted(rng.sample(range(len(text) + 1), min(len(text) + 1, 2 * rng.randint(1, 6))))
    return [
        Window(start, end, sum(char.isdecimal() for char in text[start:end]))
        for start, end in zip(cuts[::2], cuts[1::2], strict=False)
    ]


def _plain(detectors: list[NationalIdDetector], text: str, windows: list[Window]) -> list[Span]:
    """Every pattern of every scheme tried at every position of every window."""
    patterns: dict[tuple[str, int], list[tuple[NationalIdDetector, Pattern]]] = {}
    for detector in detectors:
        for pattern in detector.scheme.patterns:
            patterns.setdefault((pattern.regex, pattern.flags), []).append((detector, pattern))
    digits_of = {key: _min_digits(key[0]) for key in patterns}
    fewest = min(digits_of.values())
    found: list[Span] = []
    for start, end, digits in windows:
        if digits < fewest:
            continue
        ends = dict.fromkeys(patterns, 0)
        for at in range(start, end):
            ahead = _digit_count(text[at : min(end, at + LONGEST)])
            for key, users in patterns.items():
                if digits_of[key] > ahead or at < ends[key]:
                    continue
                match = users[0][1].bounded.match(text, at, end)
                if match is None:
                    continue
                ends[key] = match.end()
                found.extend(
                    span
                    for detector, pattern in users
                    if (span := detector.span_at(text, match, pattern)) is not None
                )
    return found


@pytest.mark.parametrize("seed", range(40))
def test_the_family_finds_what_every_pattern_tried_everywhere_finds(seed: int) -> None:
    rng = random.Random(seed)
    text = _text(rng, 60)
    family = search_together(DETECTORS)
    for windows in (digit_windows(text), whole(text), _windows(rng, text)):
        assert list(family.find_spans_within(text, windows)) == _plain(DETECTORS, text, windows)


def test_a_family_of_a_few_schemes_finds_what_they_find_alone() -> None:
    rng = random.Random(99)
    text = _text(rng, 80)
    chosen = [DETECTORS[index] for index in (2, 9, 10, 14)]
    windows = digit_windows(text)
    expected = _plain(chosen, text, windows)
    assert expected
    assert list(search_together(chosen).find_spans_within(text, windows)) == expected


def test_the_scan_cases_hold_numbers_of_many_schemes() -> None:
    rng = random.Random(5)
    text = _text(rng, 200)
    spans = search_together(DETECTORS).find_spans_within(text, digit_windows(text))
    found = {span.detector for span in spans}
    assert len(found) >= 10, found


def _bounded_run_lengths(regex: str) -> frozenset[int] | None:
    return leading_runs(Pattern("p", regex, 1.0).bounded.pattern, re.IGNORECASE)


@pytest.mark.parametrize(
    ("regex", "runs"),
    [
        (r"\d{11}", {11}),
        (r"\d{2}\.\d{2}\.\d{2}", {2}),
        (r"[12] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}", {1, 3, 5, 6, 7, 10, 13, 15}),
        (r"[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]", {0}),
        (r"(?:19|20)?\d{6}[-+]\d{4}", {6, 8}),
        (r"\d{8} ?\d ?[A-Z]{2}\d", {8, 9}),
        (r"[\dA-F]{4}", {0, 1, 2, 3, 4}),
        (r"\d{2,3}(?:-\d)?", {2, 3}),
        (r"(?>\d{3})x", {3}),
    ],
)
def test_leading_runs_are_read_from_the_bounded_pattern(regex: str, runs: set[int]) -> None:
    assert _bounded_run_lengths(regex) == runs


@pytest.mark.parametrize(
    "regex",
    [
        r"\d{4}",  # not bounded: the run may go on after the match
        r"(\d)\d{3}\1",  # a back-reference is not read
    ],
)
def test_leading_runs_are_unknown_when_unsure(regex: str) -> None:
    assert leading_runs(regex, re.IGNORECASE) is None


def test_an_unbounded_run_reaches_the_cap() -> None:
    runs = _bounded_run_lengths(r"\d+")
    assert runs is not None and max(runs) == 64


def test_every_bounded_match_starts_with_a_run_its_pattern_allows() -> None:
    rng = random.Random(11)
    text = _text(rng, 300)
    for scheme in SCHEMES:
        for pattern in scheme.patterns:
            runs = leading_runs(pattern.bounded.pattern, pattern.bounded.flags)
            assert runs is not None, pattern.name
            for at in range(len(text)):
                if pattern.bounded.match(text, at):
                    run = re.compile(r"\d*").match(text, at)
                    assert run is not None and run.end() - at in runs, (pattern.name, at)


SPECIAL = ("\u017f", "\u212a", "\u0131", "\u0130", "é", "ß", "Σ", "ς")


@pytest.mark.parametrize(
    "pattern", [pattern for scheme in SCHEMES for pattern in scheme.patterns], ids=str
)
def test_the_uncased_writing_matches_all_the_pattern_matches(pattern: Pattern) -> None:
    wider = uncased(pattern.regex, pattern.flags)
    assert wider is not None
    compiled = re.compile(wider)
    assert not compiled.flags & re.IGNORECASE
    rng = random.Random(pattern.name)
    samples = [*NUMBERS, *(number.lower() for number in NUMBERS)]
    for number in list(samples):
        for _ in range(3):  # letters swapped for their case-folding look-alikes
            at = rng.randrange(len(number))
            samples.append(number[:at] + rng.choice(SPECIAL) + number[at + 1 :])
    for sample in samples:
        if pattern.compiled.fullmatch(sample):
            assert compiled.fullmatch(sample), (pattern.name, sample)


@pytest.mark.parametrize(
    ("regex", "flags", "text"),
    [
        (r"[A-Z]", re.IGNORECASE, "\u017f"),
        (r"k", re.IGNORECASE, "\u212a"),
        (r"[^a]b", re.IGNORECASE, "éB"),
        (r"a.b", re.IGNORECASE | re.DOTALL, "A\nB"),
        (r"(?P<x>\d)+\b(?=-)-", 0, "12-"),
        (r"\w+?c", re.IGNORECASE, "abC"),
    ],
)
def test_the_uncased_writing_keeps_what_case_folding_matched(
    regex: str, flags: int, text: str
) -> None:
    wider = uncased(regex, flags)
    assert wider is not None and re.compile(regex, flags).fullmatch(text)
    assert re.fullmatch(wider, text), wider


def test_the_uncased_writing_is_unsure_of_back_references() -> None:
    assert uncased(r"(a)\1", re.IGNORECASE) is None


def test_context_words_are_found_where_the_plain_expression_finds_them() -> None:
    rng = random.Random(3)
    text = _text(rng, 400) + " ssn"
    for detector in DETECTORS:
        words = COMMON_CONTEXT + detector.scheme.context
        plain = re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, words))})(?!\w)", re.IGNORECASE)
        for _ in range(300):
            start = rng.randrange(len(text))
            end = start + rng.randrange(0, 120)
            expected = plain.search(text, start, end) is not None
            assert (detector._context.search(text, start, end) is not None) is expected


@pytest.mark.parametrize(
    "value", ["", "123", "12 34.56-7/8+9", "٣٤5", "a1\ud8002", "85.07.30-033.28", "x" * 40]
)
def test_digit_counts_and_compact_forms_are_those_of_translate(value: str) -> None:
    assert _digit_count(value) == sum(char in "0123456789" for char in value)
    assert _compact(value) == value.translate(str.maketrans("", "", " .-/+")).upper()


def test_weighted_sums_count_each_digit_as_its_code_point_less_48() -> None:
    rng = random.Random(8)
    for _ in range(2000):
        number = "".join(rng.choice("0123456789٣²A ") for _ in range(rng.randrange(15)))
        weights = tuple(rng.randrange(-3, 12) for _ in range(rng.randrange(14)))
        expected = sum(
            weight * (ord(digit) - 48) for weight, digit in zip(weights, number, strict=False)
        )
        assert checks._weighted(number, weights) == expected
