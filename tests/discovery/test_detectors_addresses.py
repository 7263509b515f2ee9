"""Postcodes and street lines: distinctive formats, bare numbers only with context, look-alikes."""

from __future__ import annotations

import pytest

from tutela.discovery.detectors import postcode, street_address

POSTCODE = postcode.DETECTOR
STREET = street_address.DETECTOR


@pytest.mark.parametrize(
    ("value", "pattern"),
    [
        ("SW1A 1AA", "gb"),
        ("EC1A 1BB", "gb"),
        ("M1 1AE", "gb"),
        ("NW1 6XE", "gb"),
        ("1012 AB", "nl"),
        ("1012AB", "nl"),
        ("K1A 0B1", "ca"),
        ("D02 X285", "ie_eircode"),
        ("L-1234", "lu"),
        ("B-1000", "prefixed"),
        ("00-950", "pl"),
        ("10001-1234", "us_zip4"),
    ],
)
def test_distinctive_postcodes_score_high(value: str, pattern: str) -> None:
    found = POSTCODE.score_value(value)
    assert (found.pattern, found.score >= 0.5) == (pattern, True)


@pytest.mark.parametrize("value", ["1000", "75001", "10115", "28013", "90210"])
def test_bare_numbers_are_postcodes_only_weakly(value: str) -> None:
    assert 0 < POSTCODE.score_value(value).score <= postcode.BARE_NUMBER


@pytest.mark.parametrize(
    "value",
    [
        "1000 MB",
        "2048 GB",
        "0123",
        "123",
        "123456",
        "12345678",
        "ABC 123",
        "Q1A 0B1",
        "1.000",
        "SW1A",
        "v1.2.3",
        "1012 SA",
        "C12 3456",
        "€1000",
        "",
    ],
)
def test_lookalikes_are_not_postcodes(value: str) -> None:
    assert POSTCODE.score_value(value).score == 0


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Kerkstraat 12, 1000 Brussel", "1000"),
        ("send it to 75001 Paris please", "75001"),
        ("PLZ: 10115 Berlin", "10115"),
        ("221B Baker Street, London NW1 6XE.", "NW1 6XE"),
        ("Postcode 1012 AB Amsterdam", "1012 AB"),
        ("Adresse : 2 rue X, L-1234 Luxembourg", "L-1234"),
    ],
)
def test_postcode_spans_with_offsets(text: str, found: str) -> None:
    spans = list(POSTCODE.find_spans(text))
    start = text.index(found)
    assert [(span.start, span.end) for span in spans] == [(start, start + len(found))]


@pytest.mark.parametrize(
    "text",
    [
        "In 2019 Anna went home",
        "She moved in 2019 Anna said",
        "It costs 1500 EUR",
        "Lot 1234 shipped",
        "We sold 25000 units.",
        "Error 40400 Server",
        "uses 1024 MB of memory",
    ],
)
def test_bare_numbers_in_text_without_context_are_not_postcodes(text: str) -> None:
    assert list(POSTCODE.find_spans(text)) == []


@pytest.mark.parametrize(
    "value",
    [
        "221B Baker Street",
        "10 Downing St",
        "1600 Pennsylvania Avenue NW",
        "12 rue de la Paix",
        "12 bis, avenue des Champs-Élysées",
        "Kerkstraat 12",
        "Hauptstraße 5a",
        "Berliner Straße 5",
        "Kaiser-Wilhelm-Ring 12",
        "Calle Mayor 3",
        "Via Roma 10",
        "Avenue Louise 54 bte 3",
        "Rue de la Loi 16, 1000 Bruxelles",
        "221b baker street",
    ],
)
def test_street_lines_with_a_house_number_score_high(value: str) -> None:
    assert STREET.score_value(value).score >= 0.7, value


def test_a_street_name_without_a_number_scores_low() -> None:
    assert 0 < STREET.score_value("Baker Street").score <= street_address.NAME_ONLY


@pytest.mark.parametrize(
    "value",
    [
        "Street Fighter 2",
        "Route 66",
        "Spring 2",
        "Samsung Galaxy S21",
        "The street was busy",
        "Order 12 Items",
        "Wait 3 days",
        "Via DHL 2 days",
        "12 Road Bikes",
        "Version 2",
        "Apple iPad 2",
        "Building 5",
        "John Smith",
        "1000",
        "Amsterdam 2",
        "",
    ],
)
def test_product_names_and_sentences_are_not_street_lines(value: str) -> None:
    assert STREET.score_value(value).score == 0


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Please ship it to 221B Baker Street, London NW1 6XE.", "221B Baker Street"),
        ("Ik woon in de Kerkstraat 12 bus 3 te Gent.", "Kerkstraat 12 bus 3"),
        ("Je vis au 12 rue de la Paix à Paris.", "12 rue de la Paix"),
        ("Wir treffen uns in der Hauptstraße 5a morgen.", "Hauptstraße 5a"),
        ("Vivo en Calle Mayor 3, Madrid.", "Calle Mayor 3"),
    ],
)
def test_street_spans_with_offsets(text: str, found: str) -> None:
    spans = list(STREET.find_spans(text))
    start = text.index(found)
    assert [(span.start, span.end) for span in spans] == [(start, start + len(found))]


@pytest.mark.parametrize(
    "text",
    [
        "Send via DHL 2 days ago.",
        "The street was busy for 3 hours.",
        "Play Street Fighter 2 now.",
        "Get your kicks on Route 66.",
    ],
)
def test_sentences_mentioning_streets_have_no_street_span(text: str) -> None:
    assert list(STREET.find_spans(text)) == []
