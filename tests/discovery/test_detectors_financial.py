"""IBAN and payment-card detectors: check digits, issuer ranges, look-alikes rejected."""

from __future__ import annotations

import pytest
from faker import Faker

from tutela.discovery.detectors.iban import DETECTOR as IBAN
from tutela.discovery.detectors.iban import LENGTHS, valid_iban
from tutela.discovery.detectors.payment_card import DETECTOR as CARD
from tutela.discovery.detectors.payment_card import issuer, luhn_valid
from tutela.discovery.models import Detector
from tutela.plugins import DETECTORS


def spans(detector: Detector, text: str) -> list[str]:
    found = list(detector.find_spans(text))
    for span in found:
        assert span.category == detector.category
        assert 0.0 < span.confidence <= 1.0
    return [text[span.start : span.end] for span in sorted(found, key=lambda s: s.start)]


@pytest.mark.parametrize("name", ["iban", "payment_card"])
def test_builtin_entry_points_at_the_detector(name: str) -> None:
    module, _, attribute = DETECTORS.builtins[name].partition(":")
    detector = getattr(__import__(module, fromlist=[attribute]), attribute)
    assert isinstance(detector, Detector)
    assert detector.name == name and detector.source


# --- IBAN -------------------------------------------------------------------

IBANS = [
    "NL91 ABNA 0417 1643 00",
    "NL91ABNA0417164300",
    "BE71 0961 2345 6769",
    "DE89370400440532013000",
    "DE89 3704 0044 0532 0130 00",
    "GB82 WEST 1234 5698 7654 32",
    "FR14 2004 1010 0505 0001 3M02 606",
    "ES91 2100 0418 4502 0005 1332",
    "IT60 X054 2811 1010 0000 0123 456",
    "LU28 0019 4006 4475 0000",
    "CH93 0076 2011 6238 5295 7",
    "NO93 8601 1117 947",
    "nl91abna0417164300",
]
NOT_IBANS = [
    "NL91ABNA0417164301",  # check digits fail
    "NL92ABNA0417164300",
    "NL91 ABNA 0417 1643",  # too short for NL
    "NL91ABNA04171643000",  # too long for NL
    "XX91ABNA0417164300",  # no such country
    "BE7109612345676",
    "GB82-WEST-1234-5698-7654-32",
    "NLXXABNA0417164300",
    "1Z999AA10123456784",
    "4111111111111111",
    "550e8400e29b41d4a716446655440000",
]


@pytest.mark.parametrize("value", IBANS)
def test_iban_whole_values_pass_mod_97_at_their_country_length(value: str) -> None:
    assert IBAN.score_value(value).score >= 0.9


@pytest.mark.parametrize("value", NOT_IBANS)
def test_iban_rejects_wrong_check_digits_lengths_and_countries(value: str) -> None:
    assert IBAN.score_value(value).score == 0.0


def test_iban_accepts_generated_ibans_of_many_countries() -> None:
    locales = ["nl_NL", "fr_FR", "de_DE", "en_GB", "es_ES", "it_IT", "pl_PL", "fr_BE", "pt_PT"]
    for locale in locales:
        fake = Faker(locale)
        fake.seed_instance(13)
        for _ in range(20):
            value = fake.iban()
            assert IBAN.score_value(value).score > 0, (locale, value)


def test_iban_any_single_digit_change_breaks_the_check() -> None:
    compact = "DE89370400440532013000"
    for position in range(4, len(compact)):
        digit = compact[position]
        changed = compact[:position] + str((int(digit) + 1) % 10) + compact[position + 1 :]
        assert not valid_iban(changed), changed


def test_iban_registry_lengths_are_iso_13616_bounds() -> None:
    assert all(15 <= length <= 34 for length in LENGTHS.values())
    assert LENGTHS["BE"] == 16 and LENGTHS["FR"] == 27 and LENGTHS["NL"] == 18


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pay to IBAN BE71 0961 2345 6769 BIC GEBABEBB.", ["BE71 0961 2345 6769"]),
        ("rekening NL91ABNA0417164300, dank", ["NL91ABNA0417164300"]),
        ("Konto DE89 3704 0044 0532 0130 00 bei", ["DE89 3704 0044 0532 0130 00"]),
        ("IBAN NO93 8601 1117 947 2024", ["NO93 8601 1117 947"]),
        (
            "two: FR14 2004 1010 0505 0001 3M02 606 and GB82 WEST 1234 5698 7654 32",
            [
                "FR14 2004 1010 0505 0001 3M02 606",
                "GB82 WEST 1234 5698 7654 32",
            ],
        ),
        ("bad NL91ABNA0417164301 here", []),
        ("ticket AB12CDEF34567890 opened", []),
        ("see https://bank.example/NL91ABNA0417164300", []),
    ],
)
def test_iban_spans_in_text_have_exact_offsets(text: str, expected: list[str]) -> None:
    assert spans(IBAN, text) == expected


# --- payment cards ----------------------------------------------------------

CARDS = [
    ("4111111111111111", "digits"),  # Visa
    ("4111 1111 1111 1111", "grouped"),
    ("4012-8888-8888-1881", "grouped"),
    ("5555555555554444", "digits"),  # Mastercard 55
    ("2223003122003222", "digits"),  # Mastercard 2-series
    ("378282246310005", "digits"),  # Amex
    ("3782 822463 10005", "grouped"),
    ("6011111111111117", "digits"),  # Discover
    ("3530111333300000", "digits"),  # JCB
    ("30569309025904", "digits"),  # Diners 14
    ("6759649826438453", "digits"),  # Maestro
    ("6200000000000005", "digits"),  # UnionPay
    ("4222222222222", "short"),  # 13-digit Visa
    (str(4111111111111111), "digits"),  # stored as an integer
]
NOT_CARDS = [
    "4111111111111112",  # Luhn fails
    "1234567812345670",  # no issuer 1
    "0000000000000000",
    "4444444444444444",
    "1234567890123452",
    "7992739871300000",  # Luhn-valid, no issuer 7
    "490154203237518",  # IMEI: 15 digits, Visa prefix, wrong length
    "356938035643809",  # IMEI
    "4006381333931",  # EAN-13 that is Visa-shaped
    "5901234123457",  # EAN-13 (Poland)
    "036000291452",  # UPC-A
    "4111 1111 1111 111",
    "4111-1111 1111-1111",  # mixed separators
    "4111111111111111111111",
    "NL91ABNA0417164300",
]


@pytest.mark.parametrize(("value", "pattern"), CARDS)
def test_card_whole_values_pass_luhn_with_an_issuer(value: str, pattern: str) -> None:
    score = CARD.score_value(value)
    assert score.pattern == pattern and score.score >= 0.6


@pytest.mark.parametrize("value", NOT_CARDS)
def test_card_rejects_luhn_failures_imeis_barcodes_and_sequences(value: str) -> None:
    assert CARD.score_value(value).score == 0.0


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        ("4111111111111111", "visa"),
        ("5105105105105100", "mastercard"),
        ("2720990000000007", "mastercard"),
        ("371449635398431", "amex"),
        ("6445644564456445", "discover"),
        ("3566002020360505", "jcb"),
        ("36227206271667", "diners"),
        ("6250941006528599", "unionpay"),
        ("2200000000000004", "mir"),
        ("2721000000000006", None),  # past the Mastercard 2-series
        ("371449635398431000", None),  # Amex is 15 digits only
        ("9111111111111111", None),
    ],
)
def test_card_issuer_ranges_and_lengths(digits: str, expected: str | None) -> None:
    assert issuer(digits) == expected


def test_card_luhn_detects_every_single_digit_error() -> None:
    assert luhn_valid("79927398713")
    for position in range(11):
        for replacement in "0123456789":
            changed = "79927398713"[:position] + replacement + "79927398713"[position + 1 :]
            assert luhn_valid(changed) == (changed == "79927398713")


def test_card_accepts_most_generated_card_numbers() -> None:
    fake = Faker()
    fake.seed_instance(7)
    numbers = [fake.credit_card_number() for _ in range(500)]
    accepted = sum(CARD.score_value(number).score > 0 for number in numbers)
    assert accepted >= 0.9 * len(numbers)


FULL_WIDTH_CARD = "".join(chr(0xFF10 + int(c)) if c.isdigit() else c for c in "4111 1111 1111 1111")
ARABIC_INDIC_NOT_A_CARD = "".join(chr(0x0660 + int(c)) for c in "4111111111111112")
"""Other scripts' digits: ``\\d`` matches them, so the Luhn check must read them too."""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Card 4111 1111 1111 1111 exp 12/26", ["4111 1111 1111 1111"]),
        ("paid with 5555555555554444.", ["5555555555554444"]),
        ("Amex 3782 822463 10005, ok", ["3782 822463 10005"]),
        ("visa card 4222222222222", ["4222222222222"]),
        ("product 4222222222222 in stock", []),  # a 13-digit number needs a card word
        ("IMEI: 490154203237518", []),
        ("imei no. 4012888888881881", []),
        ("order 4111111111111112", []),
        ("EAN 4006381333931", []),
        ("ref 4111111111111111111111", []),
        (f"card {FULL_WIDTH_CARD}", [FULL_WIDTH_CARD]),
        (f"card {ARABIC_INDIC_NOT_A_CARD}", []),
    ],
)
def test_card_spans_in_text_have_exact_offsets(text: str, expected: list[str]) -> None:
    assert spans(CARD, text) == expected
