"""Person names: lexicon and shape, ambiguous common words, spans after titles and first names."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from tutela.discovery.detectors import person_name
from tutela.discovery.detectors.person_name import (
    CATEGORY,
    DETECTOR,
    is_first_name,
    is_last_name,
    word_kind,
)


@pytest.mark.parametrize(
    "value",
    [
        "John Smith",
        "Smith, John",
        "Anna de Vries",
        "Jean-Pierre Martin",
        "MARTIN Jean",
        "John F. Kennedy",
        "Ludwig van Beethoven",
        "Hans Müller",
        "José García",
        "Giulia Rossi",
        "Zbigniew Brzęczyszczykiewicz",
        "Ingrid Johansson",
        "john smith",
    ],
)
def test_full_names_with_a_known_name_score_high(value: str) -> None:
    assert DETECTOR.score_value(value).score >= 0.6, value


def test_a_known_first_name_alone_scores_modestly_and_ambiguous_words_lower() -> None:
    anna = DETECTOR.score_value("Anna").score
    assert 0.3 <= anna <= 0.6
    for word in ["Rose", "Will", "May", "Mark", "Bill", "Grant", "Paris", "Street"]:
        assert DETECTOR.score_value(word).score < anna, word


@pytest.mark.parametrize(
    "value",
    [
        "Annual Report",
        "Galaxy Note",
        "Order 12",
        "Samsung Galaxy S21",
        "The Quick Brown Fox",
        "Red Shoes",
        "Customer Service",
        "Sales Team",
        "info@example.com",
        "hello world",
        "Premium Plan",
        "12 rue de la Paix",
        "A B",
        "Lorem ipsum dolor sit amet",
        "N/A",
        "",
    ],
)
def test_products_headings_and_non_names_are_not_names(value: str) -> None:
    assert DETECTOR.score_value(value).score < 0.3, value


@pytest.mark.parametrize(
    ("token", "first", "last"),
    [
        ("Anna", True, False),
        ("anna", True, False),
        ("José", True, False),
        ("Jose", True, False),
        ("Müller", False, True),
        ("Muller", False, True),
        ("Report", False, False),
    ],
)
def test_first_and_last_name_helpers_ignore_case_and_accents(
    token: str, first: bool, last: bool
) -> None:
    assert is_first_name(token) is first
    if last:
        assert is_last_name(token)


def test_common_words_are_not_names_and_ambiguous_names_are_marked() -> None:
    assert word_kind("report") == "common"
    assert word_kind("Rose") == "ambiguous"
    assert word_kind("Anna") == "first"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "Hello, my colleague Anna de Vries called about Jean-Pierre Martin yesterday.",
            ["Anna de Vries", "Jean-Pierre Martin"],
        ),
        ("Please contact Mr Smith or Frau Müller.", ["Smith", "Müller"]),
        ("Bonjour, je m'appelle Marie Dubois.", ["Marie Dubois"]),
        ("Beste, ik heet Jan Janssens en ik woon in Gent.", ["Jan Janssens"]),
        ("Thanks Peter Schmidt for the help", ["Peter Schmidt"]),
    ],
)
def test_name_spans_with_offsets(text: str, names: list[str]) -> None:
    spans = list(DETECTOR.find_spans(text))
    expected = [(text.index(name), text.index(name) + len(name)) for name in names]
    assert [(span.start, span.end) for span in spans] == expected
    assert {span.category for span in spans} == {CATEGORY}


@pytest.mark.parametrize(
    "text",
    [
        "Annual General Meeting Of The Board",
        "The Quick Brown Fox jumps.",
        "Will you call me?",
        "Paris Street Market opens in May.",
        "We shipped the Galaxy Note yesterday.",
        "Visit New York City soon.",
    ],
)
def test_headings_and_common_capitalised_words_are_not_name_spans(text: str) -> None:
    assert list(DETECTOR.find_spans(text)) == []


def test_the_shipped_lexicon_holds_what_faker_gives() -> None:
    """The lexicon file is faker's words; written again when faker's version changes."""
    from importlib.metadata import version

    stored = json.loads(gzip.decompress(person_name.LEXICON_FILE.read_bytes()))
    first, last, words = person_name.faker_words()
    if stored["faker"] == version("faker"):
        assert (set(stored["first"]), set(stored["last"]), set(stored["words"])) == (
            first,
            last,
            words,
        ), "python -m tutela.discovery.detectors.person_name writes the lexicon again"
    else:  # another faker: its lists change a little, never wholesale
        assert len(set(stored["first"]) & first) >= 0.9 * len(first)
        assert len(set(stored["last"]) & last) >= 0.9 * len(last)


def test_the_lexicon_is_read_from_faker_when_its_file_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = person_name.lexicon()
    monkeypatch.setattr(person_name, "LEXICON_FILE", tmp_path / "missing.json.gz")
    person_name.lexicon.cache_clear()
    try:
        read = person_name.lexicon()
    finally:
        person_name.lexicon.cache_clear()
    assert read == shipped
    assert "anna" in read.first and "rose" in read.ambiguous


def test_write_lexicon_is_reproducible(tmp_path: Path) -> None:
    person_name.write_lexicon(tmp_path / "one.json.gz")
    person_name.write_lexicon(tmp_path / "two.json.gz")
    assert (tmp_path / "one.json.gz").read_bytes() == (tmp_path / "two.json.gz").read_bytes()
