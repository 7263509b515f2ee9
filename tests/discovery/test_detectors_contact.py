"""E-mail and phone detectors: positives across countries and formats, look-alikes rejected."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from tutela.discovery.detectors.email import DETECTOR as EMAIL
from tutela.discovery.detectors.phone import DETECTOR as PHONE
from tutela.discovery.detectors.phone import REGIONS
from tutela.discovery.models import Detector
from tutela.plugins import DETECTORS


def spans(detector: Detector, text: str) -> list[str]:
    found = list(detector.find_spans(text))
    for span in found:
        assert span.category == detector.category
        assert 0.0 < span.confidence <= 1.0
    return [text[span.start : span.end] for span in sorted(found, key=lambda s: s.start)]


@pytest.mark.parametrize("name", ["email", "phone"])
def test_builtin_entry_points_at_the_detector(name: str) -> None:
    module, _, attribute = DETECTORS.builtins[name].partition(":")
    detector = getattr(__import__(module, fromlist=[attribute]), attribute)
    assert isinstance(detector, Detector)
    assert detector.name == name and not detector.lookalike


# --- e-mail -----------------------------------------------------------------

EMAILS = [
    "john.doe@example.com",
    "Jean-Luc.O'Neil+news@sub.mail.co.uk",
    "josé.müller@exemple.fr",
    "an@b.io",
    "user_1%dept@corp.example.org",
    "info@société.fr",
    "user@xn--80ak6aa92e.xn--p1ai",
    "JAN.JANSEN@BEDRIJF.NL",
]
NOT_EMAILS = [
    "user@localhost",
    "root@localhost.localdomain",
    "logo@2x.png",
    "icon@1.5x.webp",
    "sprite@3x.svg",
    "git@github.com:org/repo.git",
    "john..doe@example.com",
    "john.@example.com",
    ".john@example.com",
    "@handle",
    "john@example",
    "john@192.168.1.10",
    "@babel/core@7.1.0",
    "image@sha256:9f86d081884c7d65",
    "john@sub_domain.com",
    "john@example.c",
    "john@-example.com",
    "a" * 65 + "@example.com",
    "john doe@example.com",
    "mailto:",
    "john(at)example.com",
]


@pytest.mark.parametrize("value", EMAILS)
def test_email_whole_values_score(value: str) -> None:
    assert EMAIL.score_value(value).score >= 0.9


@pytest.mark.parametrize("value", NOT_EMAILS)
def test_email_rejects_infrastructure_and_file_names(value: str) -> None:
    assert EMAIL.score_value(value).score == 0.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Write to john.doe@example.com, thanks.", ["john.doe@example.com"]),
        ("(jane@corp.example.org)", ["jane@corp.example.org"]),
        ("Mail: <piet.de.vries@bedrijf.nl>.", ["piet.de.vries@bedrijf.nl"]),
        ("mailto:bob@exemple.fr ou anna@firma.de", ["bob@exemple.fr", "anna@firma.de"]),
        ("Clone git@github.com:org/repo.git first", []),
        ("ssh://git@gitlab.com/group/project and https://user:pw@host.example.com/p", []),
        ("See logo@2x.png and root@localhost", []),
        ("Version @7.1.0 of @babel/core", []),
    ],
)
def test_email_spans_in_text_have_exact_offsets(text: str, expected: list[str]) -> None:
    assert spans(EMAIL, text) == expected


def test_email_context_word_raises_the_span_score() -> None:
    plain = next(EMAIL.find_spans("reach jan@bedrijf.nl today"))
    near = next(EMAIL.find_spans("e-mail: jan@bedrijf.nl"))
    assert near.confidence > plain.confidence


# --- phone ------------------------------------------------------------------

PHONES = [
    ("+32 470 12 34 56", "international"),
    ("0032 470 12 34 56", "international"),
    ("+33 6 12 34 56 78", "international"),
    ("+33612345678", "international"),
    ("+49 (0)30 1234567", "international"),
    ("+44 7911 123456", "international"),
    ("+1 212 555 0123", "international"),
    ("+34 612 34 56 78", "international"),
    ("+352 621 123 456", "international"),
    ("0470 12 34 56", "national"),  # BE
    ("02 512 34 56", "national"),  # BE
    ("06 12 34 56 78", "national"),  # FR
    ("01.42.68.53.00", "national"),  # FR
    ("020 123 4567", "national"),  # NL
    ("06-12345678", "national"),  # NL
    ("030/1234567", "national"),  # DE
    ("0151 23456789", "national"),  # DE
    ("020 7946 0958", "national"),  # GB
    ("07911 123456", "national"),  # GB
    ("(212) 555-0123", "national"),  # US
    ("212.555.0123", "national"),  # US
    ("612 345 678", "national"),  # ES
    ("06 1234 5678", "national"),  # IT
    ("512 345 678", "national"),  # PL
    ("044 668 18 00", "national"),  # CH
    ("0664 1234567", "national"),  # AT
    ("087 123 4567", "national"),  # IE
    ("912 345 678", "national"),  # PT
    ("070-123 45 67", "national"),  # SE
    ("20 12 34 56", "national"),  # DK
    ("040 1234567", "national"),  # FI
    ("(416) 555-0199", "national"),  # CA
    ("0612345678", "national"),
    ("612345678", "digits"),
]
NOT_PHONES = [
    "2024-01-15",
    "15.01.2024",
    "01/02/2024",
    "2024-05-01T10:00:00Z",
    "12:30:45",
    "192.168.1.10",
    "10.0.0.1",
    "1.2.840.113549",
    "10.15.7",
    "v1.2.3",
    "12345678",
    "1234567",
    "2024-000123",
    "202401151030",
    "20240115103000",
    "4111111111111111",
    "4111 1111 1111 1111",
    "NL91ABNA0417164300",
    "1 234 567,89",
    "123456.78",
    "978-3-16-148410-0",
    "0-306-40615-2",
    "036000291452",
    "4006381333931",
    "000000000",
    "0123456789",
    "123456789",
    "+999 123 456 789",
    "ORD-612345678",
    "612345678 EUR",
]


@pytest.mark.parametrize(("value", "form"), PHONES)
def test_phone_whole_values_validate_per_region(value: str, form: str) -> None:
    score = PHONE.score_value(value)
    assert score.pattern == form
    assert score.score >= (0.5 if form == "digits" else 0.75)


@pytest.mark.parametrize("value", NOT_PHONES)
def test_phone_rejects_dates_ips_versions_amounts_and_ids(value: str) -> None:
    assert PHONE.score_value(value).score == 0.0


def test_phone_scores_international_over_national_over_bare_digits() -> None:
    scores = [PHONE.score_value(v).score for v in ("+33612345678", "06 12 34 56 78", "612345678")]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Call me on +32 470 12 34 56 tomorrow.", ["+32 470 12 34 56"]),
        ("Bel me: 06-12345678 of 020 123 4567", ["06-12345678", "020 123 4567"]),
        ("Tel:0612345678.", ["0612345678"]),
        ("Rufen Sie 030/1234567 an", ["030/1234567"]),
        ("Handy 0151 23456789, Festnetz +49 (0)30 1234567", ["0151 23456789", "+49 (0)30 1234567"]),
        ("téléphone : 612345678", ["612345678"]),
        ("US office (212) 555-0123; Toronto (416) 555-0199", ["(212) 555-0123", "(416) 555-0199"]),
        ("Order 612345678 shipped on 2024-01-15", []),
        ("IBAN NL91 ABNA 0417 1643 00 please", []),
        ("Invoice 0612345678 total", []),
        ("At 2024-05-01T10:00:00Z from 192.168.1.10 (v1.2.840.113549)", []),
        ("It cost 1 234 567,89 EUR, ref 20240115", []),
        ("IMEI 356938035643809", []),
        ("ISBN 978-3-16-148410-0", []),
    ],
)
def test_phone_spans_in_text_have_exact_offsets(text: str, expected: list[str]) -> None:
    assert spans(PHONE, text) == expected


def test_phone_bare_digit_run_needs_a_phone_word_in_text() -> None:
    assert spans(PHONE, "customer 612345678 wrote") == []
    assert spans(PHONE, "portable 612345678") == ["612345678"]


@pytest.mark.parametrize("region", REGIONS)
def test_phone_accepts_libphonenumber_example_numbers_of_every_region(region: str) -> None:
    for kind in (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE):
        example = phonenumbers.example_number_for_type(region, kind)
        assert example is not None
        for form in (
            phonenumbers.PhoneNumberFormat.INTERNATIONAL,
            phonenumbers.PhoneNumberFormat.E164,
        ):
            written = phonenumbers.format_number(example, form)
            assert PHONE.score_value(written).score == 0.95, written


def test_phone_international_check_agrees_with_phonenumbers_is_valid_number() -> None:
    rng = random.Random(20)
    codes = ["1", "31", "32", "33", "34", "39", "41", "43", "44", "45", "46", "48", "49", "351"]
    for _ in range(1500):
        number = "+" + rng.choice(codes) + str(rng.randrange(10**7, 10**11))
        expected = phonenumbers.is_valid_number(phonenumbers.parse(number, None))
        assert (PHONE.score_value(number).score > 0) == expected, number
