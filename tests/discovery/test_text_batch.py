"""Texts searched in batches give the spans each text gives alone; faster scans find the same.

``find_spans_many`` joins short documents with a separator no detector crosses; the
scan rewrites (a pattern's first character before its look-behind, word-led start
scans, ``@`` and ``.tld/`` stretches) must change speed only, never a span.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tutela.cli import discover_text
from tutela.cli.main import app
from tutela.discovery.detectors import coordinates, postcode
from tutela.discovery.detectors.windows import Window, stretches_with
from tutela.discovery.models import BEFORE_MATCH, CONTEXT_WINDOW
from tutela.discovery.pattern_start import consume_first
from tutela.discovery.registry import Installed, detectors
from tutela.discovery.text import DOCUMENT_SEPARATOR, find_spans, find_spans_many

PIECES = [
    "ann.lee@example.com",
    "Jan Peeters",
    "Mr. Dubois",
    "Dear Sophie Martin,",
    "+32 477 12 34 56",
    "0477 12 34 56",
    "NL91 ABNA 0417 1643 00",
    "4111 1111 1111 1111",
    "85.07.30-033.28",
    "123-45-6789",
    "192.168.10.7",
    "Rue de la Loi 16, 1000 Bruxelles",
    "born 12/03/1985",
    "linkedin.com/in/jdoe",
    "geo:50.8503,4.3517",
    "build 4.2.1",
    "order 88123",
    "call me",
    "postcode 1012 AB",
    "2024",
    "-",
    ",",
    ".",
    "\n",
    "@",
    "|",
    "é",
]
"""Pieces of tickets: personal data, look-alikes, and bare punctuation at the edges."""

TRICKY_DOCUMENTS = [
    "",
    " ",
    "4111111111111111",
    "0477123456",
    "ann@example.com",
    "Jan Peeters",
    "+32 477 12 34 56 and 0032 2 555 12 12",
    "IBAN NL91ABNA0417164300",
    "Mr. Dubois|",
    "|123-45-6789",
    "2024",
    "ends with a digit 4",
    "5 starts with a digit",
    "Sehr geehrter Herr Müller, meine Steuer-ID 65929970489.",
]


@pytest.fixture(scope="module")
def installed() -> Installed:
    return detectors()


def _document(rng: random.Random) -> str:
    return " ".join(rng.choice(PIECES) for _ in range(rng.randint(0, 7)))


def test_batch_gives_the_spans_of_each_text_searched_alone(installed: Installed) -> None:
    rng = random.Random(20)
    texts = TRICKY_DOCUMENTS + [_document(rng) for _ in range(300)]
    alone = [find_spans(text, installed) for text in texts]
    assert find_spans_many(texts, installed) == alone
    assert sum(map(len, alone)) > 300, "the documents hold personal data to find"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=6).map(" ".join), max_size=8))
def test_batch_equals_text_by_text_for_any_documents(texts: list[str]) -> None:
    installed = detectors()
    assert find_spans_many(texts, installed) == [find_spans(text, installed) for text in texts]


def test_no_span_of_the_joined_text_crosses_a_separator(installed: Installed) -> None:
    texts = [_document(random.Random(seed)) for seed in range(200)] + TRICKY_DOCUMENTS
    joined = DOCUMENT_SEPARATOR.join(texts)
    bounds, offset = [], 0
    for text in texts:
        bounds.append((offset, offset + len(text)))
        offset += len(text) + len(DOCUMENT_SEPARATOR)
    spans = find_spans(joined, installed)
    assert spans
    for span in spans:
        assert any(start <= span.start and span.end <= end for start, end in bounds), span


def test_the_separator_is_beyond_context_reach_and_holds_no_letter_or_digit() -> None:
    assert len(DOCUMENT_SEPARATOR) > CONTEXT_WINDOW
    assert not any(char.isalnum() for char in DOCUMENT_SEPARATOR)
    assert DOCUMENT_SEPARATOR.startswith("\n") and DOCUMENT_SEPARATOR.endswith("\n")


@pytest.mark.parametrize("texts", [[], [""], ["", ""], ["no personal data", ""]])
def test_batches_without_findings_give_one_empty_list_per_text(
    texts: list[str], installed: Installed
) -> None:
    assert find_spans_many(texts, installed) == [[] for _ in texts]


# --- scan rewrites ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("regex", "rewritten"),
    [
        (r"\$2[abxy]?\$", r"\$(?<!B[\s\S])2[abxy]?\$"),
        (r"\d{3}-\d{2}", r"\d(?<!B[\s\S])\d{2}-\d{2}"),
        (r"[A-Z]{2,4}\d", r"[A-Z](?<!B[\s\S])[A-Z]{1,3}\d"),
        (r"\d{1,}x", r"\d(?<!B[\s\S])\d{0,}x"),
        (r"\d+x", r"\d(?<!B[\s\S])\d*x"),
        (r"L-?[0-9]{4}", r"L(?<!B[\s\S])-?[0-9]{4}"),
        (r"[^\W_](?:a|b)", r"[^\W_](?<!B[\s\S])(?:a|b)"),
        (r"(?:ab|c{2})x", r"(?:a(?<!B[\s\S])b|c(?<!B[\s\S])c{1})x"),
        (r"(?:ab|c)?x", None),
        (r"(?:a|\d?)x", None),
        (r"(?:a|b)+x", None),
        (r"\d?x", None),
        (r"\d*x", None),
        (r"\d{0,3}x", None),
        (r"\d+?x", None),
        (r"(?:19|20)\d", r"(?:1(?<!B[\s\S])9|2(?<!B[\s\S])0)\d"),
        (r"a|b", None),
        (r"ab|c", None),
        (r"\bword", None),
        (r"\1x", None),
        (r"(?=x)x", None),
    ],
)
def test_a_pattern_starting_with_one_character_takes_it_before_the_lookbehind(
    regex: str, rewritten: str | None
) -> None:
    assert consume_first(regex, "B") == rewritten


def test_every_bounded_pattern_finds_what_the_lookbehind_first_form_finds(
    installed: Installed,
) -> None:
    rng = random.Random(7)
    text = "\n".join(_document(rng) for _ in range(400)) + " $2b$12$" + "a" * 53
    patterns = {
        pattern
        for detector in installed.values
        for pattern in getattr(detector, "patterns", ())
        or getattr(getattr(detector, "scheme", None), "patterns", ())
    }
    assert len(patterns) > 50
    for pattern in patterns:
        plain = re.compile(rf"(?<!{BEFORE_MATCH}){pattern.regex}(?![\w@\-]|\.\w)", pattern.flags)
        found = [m.span() for m in pattern.bounded.finditer(text)]
        assert found == [m.span() for m in plain.finditer(text)], pattern.name


@pytest.mark.parametrize(
    ("text", "marker", "stretches"),
    [
        ("mail a@b.be now", "@", [(5, 11)]),
        ("a@b c@d", "@", [(0, 3), (4, 7)]),
        ("x@y@z tail", "@", [(0, 5)]),
        ("no marker here", "@", []),
        ("tab\ta@b\nnext", "@", [(4, 7)]),
        ("@", "@", [(0, 1)]),
        ("see linkedin.com/in/x.", r"\.[a-z]{2,12}/", [(4, 22)]),
    ],
)
def test_stretches_with_a_marker_run_between_whitespace(
    text: str, marker: str, stretches: list[tuple[int, int]]
) -> None:
    found = stretches_with(text, re.compile(marker))
    assert [(w.start, w.end) for w in found] == stretches
    assert all(isinstance(w, Window) for w in found)


@pytest.mark.parametrize(
    ("taken", "start", "end", "overlaps"),
    [
        ([(0, 4), (10, 14)], 3, 6, True),
        ([(0, 4), (10, 14)], 4, 10, False),
        ([(0, 4), (10, 14)], 12, 13, True),
        ([(0, 4), (10, 14)], 14, 20, False),
        ([(0, 4), (10, 14)], 8, 11, True),
        ([], 0, 5, False),
    ],
)
def test_postcode_overlap_test_on_sorted_spans(
    taken: list[tuple[int, int]], start: int, end: int, overlaps: bool
) -> None:
    assert postcode._overlaps(taken, start, end) is overlaps


@pytest.mark.parametrize(
    ("text", "may"),
    [
        ("geo:50.85,4.35", True),
        ("GEO:50.85,4.35", True),
        ("SRID=4326;POINT (4.35 50.85)", True),
        ("50°51'N 4°21'E", True),
        ("50.8503, 4.3517", True),
        ("price 12.50, 3.99 at 10:30", False),
        ("the point is (mostly) moot", False),
        ("geography: 4 points", False),
    ],
)
def test_coordinates_first_test_passes_every_written_form(text: str, may: bool) -> None:
    assert coordinates._may_hold_point(text) is may


def test_coordinates_lead_scan_finds_what_the_combined_expression_finds() -> None:
    rng = random.Random(3)
    forms = ["geo:50.85,4.35", "POINT(4.3517 50.8503)", "50°51'N 4°21'E", "50.8503, 4.3517"]
    pieces = [*forms, "-12.34567;+7.12345", "v1.2345", "+32 2 555", "page 2", "GEO:1,2", "p"]
    text = " ".join(rng.choice(pieces) for _ in range(2000))
    expected = [(m.start(), m.end(), m.group()) for m in coordinates._TEXT_FORMS.finditer(text)]
    assert list(coordinates._text_forms(text)) == expected
    assert len(expected) > 1000


def test_discover_text_reads_documents_in_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, installed: Installed
) -> None:
    texts = [_document(random.Random(seed)) for seed in range(30)]
    path = tmp_path / "docs.jsonl"
    path.write_text("\n".join(json.dumps({"id": i, "text": t}) for i, t in enumerate(texts)))
    monkeypatch.setattr(discover_text, "BATCH_CHARACTERS", 200)
    result = CliRunner().invoke(app, ["discover", "text", str(path), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == list(range(30))
    for line, text in zip(lines, texts, strict=True):
        expected = [span.as_json(text) for span in find_spans(text, installed)]
        assert line["spans"] == expected


def test_phone_plans_indexed_by_length_accept_what_every_region_accepts() -> None:
    from tutela.discovery.detectors.phone import DETECTOR, REGIONS

    rng = random.Random(11)
    numbers = [
        *("0477123456", "024771234", "0612345678", "020 7946 0958", "2125550123", "0301234567"),
        *(str(rng.randint(10**5, 10**14)) for _ in range(3000)),
        *("0" + str(rng.randint(10**7, 10**11)) for _ in range(3000)),
    ]
    digits = [re.sub(r"\D", "", number) for number in numbers]
    by_region = [
        any(DETECTOR._plan(region).accepts_national(d) for region in REGIONS) for d in digits
    ]
    assert [DETECTOR._national(d) for d in digits] == by_region
    assert 50 < sum(by_region) < len(digits), "both valid and invalid numbers are tried"
