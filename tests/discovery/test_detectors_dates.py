"""Dates of birth: plausible dates in many formats, told apart from event dates and timestamps."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tutela.discovery.detectors.date_of_birth import (
    CATEGORY,
    DETECTOR,
    PLAUSIBLE,
    DateOfBirthDetector,
)

TODAY = date(2025, 6, 1)
DOB = DateOfBirthDetector(today=TODAY)


@pytest.mark.parametrize(
    "value",
    [
        "1985-07-30",
        "30/07/1985",
        "07/30/1985",
        "30.07.1985",
        "30-07-1985",
        "30 juillet 1985",
        "30. Juli 1985",
        "30 juli 1985",
        "July 30, 1985",
        "Jul 30 1985",
        "30 de julio de 1985",
        "30 luglio 1985",
        "1er mai 1950",
        str(date(1985, 7, 30)),
        str(datetime(1985, 7, 30)),
        "1985-07-30T00:00:00+00:00",
    ],
)
def test_a_plausible_birth_date_scores_modestly_in_any_format(value: str) -> None:
    assert DOB.score_value(value).score == PLAUSIBLE


@pytest.mark.parametrize(
    "value",
    [
        "2030-01-15",  # future
        "2021-03-04",  # too recent to be a birth date
        "1899-12-31",  # before 1900
        "1985-07-30 13:45:00",  # a timestamp with a time of day
        "1985-07-30T08:15:00Z",
        "1985-13-30",  # no 13th month
        "31/02/1985",  # no 31 February
        "30/31/1985",
        "July 32, 1985",
        "1985",
        "12345678",
        "2019-05",
        "v1.2.1985",
        "INV-1985-07-30",
        "30 Foo 1985",
        "",
    ],
)
def test_implausible_dates_and_non_dates_score_zero(value: str) -> None:
    assert DOB.score_value(value).score == 0


def test_first_of_january_and_compact_dates_score_less_than_a_plain_date() -> None:
    assert 0 < DOB.score_value("1985-01-01").score < PLAUSIBLE
    assert 0 < DOB.score_value("19850730").score < PLAUSIBLE
    assert DOB.score_value("20240730").score == 0


def test_the_default_detector_uses_todays_date() -> None:
    assert DETECTOR.score_value("1970-05-17").score == PLAUSIBLE
    assert DETECTOR.score_value(str(date.today())).score == 0


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Patient born on 30/07/1985, seen today.", "30/07/1985"),
        ("Né le 30 juillet 1985 à Lyon.", "30 juillet 1985"),
        ("Geboren am 30. Juli 1985 in Köln.", "30. Juli 1985"),
        ("Geboortedatum: 30-07-1985", "30-07-1985"),
        ("DOB July 30, 1985.", "July 30, 1985"),
        ("Fecha de nacimiento: 30 de julio de 1985", "30 de julio de 1985"),
    ],
)
def test_a_date_near_a_birth_word_is_a_span_with_its_offsets(text: str, found: str) -> None:
    spans = list(DOB.find_spans(text))
    start = text.index(found)
    assert [(span.start, span.end) for span in spans] == [(start, start + len(found))]
    assert spans[0].category == CATEGORY


@pytest.mark.parametrize(
    "text",
    [
        "The meeting on 30/07/1985 was cancelled.",
        "Invoice dated 1985-07-30, due in 30 days.",
        "Born to run, released 2024-01-05.",  # a birth word, but the date is recent
        "Born in 1985, she moved at 1985-07-30 13:45:00.",
        "Ticket 12/03/1990-44 was closed.",
    ],
)
def test_dates_without_a_birth_word_or_implausible_ones_are_not_spans(text: str) -> None:
    assert list(DOB.find_spans(text)) == []
