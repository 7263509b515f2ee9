"""Look-alikes that used to pass, names that used to be missed, and windowed search offsets."""

from __future__ import annotations

import pytest

from tutela.discovery.detectors.windows import digit_windows
from tutela.discovery.evidence import prepare
from tutela.discovery.registry import Installed, detectors
from tutela.discovery.text import find_spans

PHONE = "user.contact.phone_number"
NAME = "user.name"
CARD = "user.financial.credit_card"
NATIONAL = "user.government_id.national_identification_number"


@pytest.fixture(scope="module")
def installed() -> Installed:
    return detectors()


def _found(text: str, installed: Installed, category: str) -> list[str]:
    return [text[s.start : s.end] for s in find_spans(text, installed) if s.category == category]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Build 2019.11.259 crashed on start", []),
        ("release 2024.10.311 is out", []),
        ("firmware 3.14.159 installed", []),
        ("SSN 536-22-1234 on file", []),
        ("call me on 415.555.0132 tonight", ["415.555.0132"]),
        ("bel 0470.12.34.56 na 17u", ["0470.12.34.56"]),
        ("Ticket 4411, order 88: call back on +32 477 77 45 58", ["+32 477 77 45 58"]),
        ("Order 123: reach me at 0033786594539", ["0033786594539"]),
        ("Order 4411 total 123456789", []),
    ],
)
def test_a_dotted_build_number_is_no_phone_and_an_international_one_survives_order_words(
    text: str, expected: list[str], installed: Installed
) -> None:
    assert _found(text, installed, PHONE) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kind regards, H. Drewes", ["H. Drewes"]),
        ("Beste J. van de Veen, bedankt voor uw bericht", ["J. van de Veen"]),
        ("Mr. C. Roy wrote to us", ["C. Roy"]),
        ("Cordialement,\nJ.-P. Martin", ["J.-P. Martin"]),
        ("Plan B. Please check the logs", []),
        ("Vitamin D. Bestellung folgt", []),
        ("Frau Bestellung", []),
        ("M. Rechnung", []),
        ("Dear Customer, thank you", []),
        ("please send me Invoice 12", []),
        ("Dear Anna, thanks", ["Anna"]),
    ],
)
def test_an_initial_and_surname_after_a_greeting_is_a_name_and_a_common_noun_is_not(
    text: str, expected: list[str], installed: Installed
) -> None:
    assert _found(text, installed, NAME) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("card 3449 2589 9139 441 was charged", ["3449 2589 9139 441"]),  # Amex, grouped by 4
        ("refund 4111 1111 1111 1111 please", ["4111 1111 1111 1111"]),
        ("refund 4111 1111 1111 1112 please", []),  # Luhn fails
        ("ref 5018 7128 4300 done", []),  # 12 digits, no card word: a reference
    ],
)
def test_cards_grouped_by_four_with_a_short_last_group_are_found(
    text: str, expected: list[str], installed: Installed
) -> None:
    assert _found(text, installed, CARD) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Build 2025.11.133 failed", []),
        ("BSN 2025.11.133", ["2025.11.133"]),
        ("Mijn BSN is 111222333.", ["111222333"]),
        ("SSN 536-22-1234 on file", ["536-22-1234"]),
    ],
)
def test_a_dotted_number_starting_with_a_year_is_an_id_only_with_a_context_word(
    text: str, expected: list[str], installed: Installed
) -> None:
    assert _found(text, installed, NATIONAL) == expected


def test_windowed_search_finds_what_a_whole_text_search_finds(installed: Installed) -> None:
    text = (
        "Hello, I moved to Kerkstraat 12, 1012 AB Amsterdam. Pay back to NL91 ABNA 0417 1643 00 "
        "or call +31 6 12345678. Born 15 septembre 1985. "
        + "Words without digits. " * 20
        + "Card 4111-1111-1111-1111, BSN 111222333."
    )
    windowed = {(s.start, s.end, s.category) for s in find_spans(text, installed)}
    whole = set()
    for detector in installed.values:
        if not detector.lookalike and detector.category is not None:
            whole |= {(s.start, s.end, s.category) for s in detector.find_spans(text)}
    assert windowed <= whole
    assert {c for _, _, c in windowed} >= {PHONE, CARD, NATIONAL, "user.financial.bank_account"}


@pytest.mark.parametrize(
    ("text", "windows"),
    [
        ("no digits at all", 0),
        ("one 12 and far later" + " x" * 40 + " 34", 2),
        ("+32 477 77 45 58", 1),
    ],
)
def test_digit_windows_join_close_runs_and_keep_distant_ones_apart(text: str, windows: int) -> None:
    found = digit_windows(text)
    assert len(found) == windows
    assert all(text[w.start : w.end].strip() for w in found)


def test_prepare_counts_distinct_values_and_skips_nulls_and_blanks() -> None:
    cells = prepare(["a", "a", " b ", None, "", bytearray(b"c"), 7])
    assert dict(cells.counts) == {"a": 2, "b": 1, "c": 1, "7": 1}
    assert cells.total == 5
