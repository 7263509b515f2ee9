"""Spans of personal data in free text: exact offsets, no overlaps, multilingual tickets."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise

import pytest

from tutela.discovery.models import Span
from tutela.discovery.registry import Installed, detectors
from tutela.discovery.text import Regions, find_spans, resolve_overlaps

EMAIL = "user.contact.email"
PHONE = "user.contact.phone_number"
BANK = "user.financial.bank_account"


@pytest.fixture(scope="module")
def installed() -> Installed:
    return detectors()


@dataclass
class FixedDetector:
    """A fake detector returning fixed spans and counting how often it is asked."""

    name: str
    category: str | None
    spans: list[tuple[int, int, float]]
    countries: tuple[str, ...] = ()
    lookalike: bool = False
    calls: list[str] = field(default_factory=list)

    def score_value(self, value: str) -> object:
        raise AssertionError("not used in text")

    def find_spans(self, text: str) -> Iterator[Span]:
        self.calls.append(text)
        for start, end, score in self.spans:
            yield Span(start, end, str(self.category), score, self.name)


def span(start: int, end: int, confidence: float, category: str = EMAIL) -> Span:
    return Span(start, end, category, confidence, "fake")


@pytest.mark.parametrize(
    ("spans", "kept"),
    [
        ([span(0, 10, 0.9), span(5, 15, 0.8)], [(0, 10)]),
        ([span(0, 10, 0.7), span(5, 15, 0.8)], [(5, 15)]),
        ([span(0, 10, 0.8), span(2, 20, 0.8)], [(2, 20)]),
        ([span(0, 5, 0.8), span(5, 9, 0.8)], [(0, 5), (5, 9)]),
        ([span(10, 12, 0.5), span(0, 3, 0.5), span(2, 11, 0.9)], [(2, 11)]),
        ([span(4, 4, 0.9)], []),
        ([], []),
    ],
)
def test_overlaps_go_to_the_most_confident_then_the_longest(
    spans: list[Span], kept: list[tuple[int, int]]
) -> None:
    assert [(s.start, s.end) for s in resolve_overlaps(spans)] == kept


def _ranked_over_all(spans: list[Span]) -> list[Span]:
    """The plain rule: take spans most confident first, then longest, skip any overlap."""
    kept: list[Span] = []
    for candidate in sorted(spans, key=lambda s: (-s.confidence, s.start - s.end, s.start)):
        clash = any(k.start < candidate.end and candidate.start < k.end for k in kept)
        if candidate.end > candidate.start and not clash:
            kept.append(candidate)
    return sorted(kept, key=lambda s: s.start)


def test_overlaps_settled_group_by_group_are_those_the_ranking_keeps() -> None:
    chooser = random.Random(20)
    for _ in range(2_000):
        spans = []
        for _ in range(chooser.randint(0, 25)):
            start = chooser.randint(0, 80)
            confidence = chooser.choice((0.5, 0.7, 0.9, 1.0))
            spans.append(span(start, start + chooser.randint(-1, 14), confidence))
        assert resolve_overlaps(spans) == _ranked_over_all(spans), spans


@pytest.mark.parametrize(
    ("text", "category", "found"),
    [
        ("Please write to jan.peeters@example.be about it.", EMAIL, "jan.peeters@example.be"),
        ("Bonjour, rappelez-moi au +33 6 12 34 56 78 svp.", PHONE, "+33 6 12 34 56 78"),
        ("Mijn IBAN is NL91ABNA0417164300, graag terugstorten.", BANK, "NL91ABNA0417164300"),
        ("Bitte rufen Sie mich an: +49 151 23456789. Danke!", PHONE, "+49 151 23456789"),
        ("Hi, my email is anna.smith@example.org, thanks.", EMAIL, "anna.smith@example.org"),
    ],
)
def test_span_offsets_are_exact_in_multilingual_tickets(
    installed: Installed, text: str, category: str, found: str
) -> None:
    spans = find_spans(text, installed)
    matching = [s for s in spans if s.category == category]
    assert [text[s.start : s.end] for s in matching] == [found]


@pytest.mark.parametrize(
    "text",
    [
        "The build 1.2.840.113549 failed on node 10.0.0.0/8 yesterday.",
        "Order ref 9f1c2a6e-5b7d-4c1e-9a7f-0d3b2e1f4a5c shipped.",
        "Just a friendly reminder about the meeting tomorrow at the office.",
    ],
)
def test_texts_without_personal_data_give_no_contact_spans(installed: Installed, text: str) -> None:
    categories = {s.category for s in find_spans(text, installed)}
    assert not categories & {EMAIL, PHONE, BANK}


def test_spans_are_sorted_and_never_overlap(installed: Installed) -> None:
    text = (
        "Contact: lisa@example.com or +32 470 12 34 56. Refund to BE68539007547034. "
        "Nouveau numéro: 06 12 34 56 78, courriel marc.dupont@example.fr."
    )
    spans = find_spans(text, installed)
    assert len(spans) >= 4
    for before, after in pairwise(spans):
        assert before.end <= after.start


def test_gate_skips_the_email_detector_when_there_is_no_at_sign() -> None:
    email = FixedDetector("fake_email", EMAIL, [(0, 4, 0.9)])
    other = FixedDetector("fake_other", "user.name", [(5, 9, 0.9)])
    installed = Installed(values=(email, other), names=())  # type: ignore[arg-type]
    spans = find_spans("Anna Berg wrote", installed)
    assert email.calls == [] and len(other.calls) == 1
    assert [(s.start, s.end, s.category) for s in spans] == [(5, 9, "user.name")]


def test_look_alike_detectors_are_not_asked_for_spans() -> None:
    uuid = FixedDetector("fake_uuid", None, [(0, 4, 0.9)], lookalike=True)
    installed = Installed(values=(uuid,), names=())  # type: ignore[arg-type]
    assert find_spans("abcd-1234", installed) == []
    assert uuid.calls == []


def test_regions_around_digits_map_offsets_back_to_the_original() -> None:
    words = "nothing personal here just words " * 8
    text = f"{words}call +32 470 12 34 56 now {words}and NL91ABNA0417164300 {words}"
    regions = Regions.around_digits(text)
    assert len(regions.text) < len(text)
    for needle in ("+32 470 12 34 56", "NL91ABNA0417164300"):
        at = regions.text.index(needle)
        mapped = regions.original(Span(at, at + len(needle), PHONE, 1.0, "x"))
        assert text[mapped.start : mapped.end] == needle


def test_long_text_gives_the_same_spans_as_each_detector_on_the_whole_text(
    installed: Installed,
) -> None:
    filler = "The delivery was late again and the support team did not answer my messages. "
    text = (
        filler * 6
        + "Call me on +31 6 12345678 please. "
        + filler * 6
        + "Refund to NL91ABNA0417164300. "
        + filler * 6
        + "Mail: eva.jansen@example.nl"
    )
    whole: list[Span] = []
    for detector in installed.values:
        if not detector.lookalike:
            whole.extend(detector.find_spans(text))
    expected = [(s.start, s.end, s.category) for s in resolve_overlaps(whole)]
    assert [(s.start, s.end, s.category) for s in find_spans(text, installed)] == expected
    assert {EMAIL, PHONE, BANK} <= {category for _, _, category in expected}


def test_empty_text_has_no_spans(installed: Installed) -> None:
    assert find_spans("", installed) == []
