"""``leading_digits``: the digits every match starts with, behind the national-id scan guard."""

from __future__ import annotations

import re

import pytest

from tutela.discovery.detectors.national_id import SCHEMES
from tutela.discovery.pattern_start import LEADING_GUARD, leading_digits


@pytest.mark.parametrize(
    ("regex", "digits"),
    [
        (r"\d{2}\.\d{2}\.\d{2}[- ]\d{3}[. ]\d{2}", 11),
        (r"\d{3}-\d{2}-\d{4}", 9),
        (r"[1-9]\d{3} \d{6}", 10),
        (r"756\.\d{4}", 7),
        (r"\d{6}[-+A-FU-Y]\d{3}", 6),
        (r"\d{8} ?\d ?[A-Z]{2}\d", 9),
        (r"\d{3}--\d{6}", 3),  # two separators in a row: the guard cannot cross them
        (r"\d{3}[-x]\d{6}", 3),  # a letter may stand there
        (r"[A-Z]{2} ?\d{2}", 0),
        (r"(?:19|20)?\d{6}", 0),  # a group: unsure
        (r"\d{0,3}\d{4}", 4),
        (r"[0-9a]\d{5}", 0),
    ],
)
def test_leading_digits_counts_only_digits_every_match_starts_with(regex: str, digits: int) -> None:
    assert leading_digits(regex) == digits


SAMPLES = (
    "12.34.56-789.01",
    "123-45-6789",
    "1234 567890",
    "7561234567890",
    "123456-1234",
    "12345678 9 ZZ4",
    "1234 56 78 901 23",
    "12345678901234",
)
"""Numbers of the national schemes' shapes, formatted as people write them."""

GUARDED = [
    pytest.param(pattern.regex, sample, id=f"{pattern.name}-{sample}")
    for scheme in SCHEMES
    for pattern in scheme.patterns
    if leading_digits(pattern.regex) > 0
    for sample in SAMPLES
    if re.fullmatch(pattern.regex, sample, re.IGNORECASE)
]
"""Every (guarded national pattern, sample it matches) pair."""


def test_the_guard_cases_cover_several_schemes() -> None:
    assert len({regex for regex, *_ in (case.values for case in GUARDED)}) >= 5


@pytest.mark.parametrize(("regex", "sample"), GUARDED)
def test_every_national_pattern_match_passes_its_leading_guard(regex: str, sample: str) -> None:
    guard = re.compile(LEADING_GUARD.format(leading_digits(regex) - 1))
    assert guard.match(sample), (regex, sample)
