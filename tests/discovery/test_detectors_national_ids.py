"""National identification numbers: valid numbers of every scheme, and their look-alikes."""

from __future__ import annotations

import random

import pytest

from tutela.discovery.detectors import national_id_checks as checks
from tutela.discovery.detectors.national_id import (
    CATEGORY,
    DETECTORS,
    MIN_SPAN_SCORE,
    NationalIdDetector,
)

BY_NAME = {detector.name: detector for detector in DETECTORS}

VALID = [
    ("national_id_be", "85073003328"),
    ("national_id_be", "85.07.30-033.28"),
    ("national_id_be", "85 07 30 033 28"),
    ("national_id_nl", "111222333"),
    ("national_id_nl", "1112.22.333"),
    ("national_id_fr", "2 95 10 99 126 111 93"),
    ("national_id_fr", "295109912611193"),
    ("national_id_de", "36574261809"),
    ("national_id_de", "36 574 261 809"),
    ("national_id_it", "RCCMNL83S18D969H"),
    ("national_id_es_dni", "54362315K"),
    ("national_id_es_dni", "54362315-K"),
    ("national_id_es_nie", "X2482300W"),
    ("national_id_pl", "44051401359"),
    ("national_id_gb", "AB 12 34 56 C"),
    ("national_id_gb", "AB123456C"),
    ("national_id_us", "536-90-4399"),
    ("national_id_us", "536904399"),
    ("national_id_pt_nif", "123456789"),
    ("national_id_pt_cc", "00000000 0 ZZ4"),
    ("national_id_se", "880320-0016"),
    ("national_id_dk", "211062-5629"),
    ("national_id_fi", "131052-308T"),
    ("national_id_at", "1237 010180"),
    ("national_id_ie", "6433435F"),
    ("national_id_lu", "1985073012341"),
    ("national_id_cz", "710319/2745"),
    ("national_id_ro", "1630615123457"),
    ("national_id_bg", "7523169263"),
    ("national_id_ee", "36805280109"),
    ("national_id_ee", "33309240064"),
    ("national_id_gr", "01013099997"),
    ("national_id_hr", "33392005961"),
    ("national_id_si", "0101006500006"),
    ("national_id_no", "15108695088"),
    ("national_id_ch", "756.1234.5678.97"),
]


@pytest.mark.parametrize(("name", "number"), VALID)
def test_a_valid_number_of_each_scheme_scores(name: str, number: str) -> None:
    found = BY_NAME[name].score_value(number)
    assert found.score > 0, (name, number)
    assert found.pattern


NO_CHECK_DIGIT = ("national_id_us", "national_id_gb")
"""The SSN and the NINO have no check digit: a changed digit may still be a valid number."""


@pytest.mark.parametrize(("name", "number"), [c for c in VALID if c[0] not in NO_CHECK_DIGIT])
def test_one_digit_changed_fails_the_check(name: str, number: str) -> None:
    last_digit = max(i for i, char in enumerate(number) if char.isdigit())
    digit = int(number[last_digit])
    for other in {str((digit + 1) % 10), str((digit + 3) % 10)}:
        changed = number[:last_digit] + other + number[last_digit + 1 :]
        if name == "national_id_dk":  # CPR has no check digit: change the month instead
            changed = number[:2] + "13" + number[4:]
        assert BY_NAME[name].score_value(changed).score == 0, changed


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("national_id_us", "666-12-3456"),
        ("national_id_us", "000-12-3456"),
        ("national_id_us", "912-12-3456"),
        ("national_id_us", "123-00-4567"),
        ("national_id_us", "078-05-1120"),
        ("national_id_gb", "QQ 12 34 56 C"),
        ("national_id_gb", "GB 12 34 56 A"),
        ("national_id_gb", "AB 12 34 56 E"),
        ("national_id_gb", "DA 12 34 56 A"),
        ("national_id_it", "RCCMNL83S18D969A"),
        ("national_id_es_dni", "54362315A"),
        ("national_id_pl", "02381307589"),  # checks out, but a 38th month
        ("national_id_be", "85143003328"),
    ],
)
def test_numbers_breaking_the_scheme_rules_do_not_score(name: str, number: str) -> None:
    assert BY_NAME[name].score_value(number).score == 0


LOOKALIKES = [
    "ORD-2024-000123",
    "INV-12345678",
    "978-3-16-148410-0",
    "9783161484100",
    "5901234123457",
    "+32 475 12 34 56",
    "1234567.89",
    "2024-07-30 12:00:00",
    "1700000000",
    "550e8400-e29b-41d4-a716-446655440000",
    "v1.22.3-build.45678",
    "192.168.100.200",
    "John Smith",
    "",
]


@pytest.mark.parametrize("value", LOOKALIKES)
def test_lookalikes_never_score_like_an_identifier(value: str) -> None:
    scores = {d.name: d.score_value(value).score for d in DETECTORS}
    assert max(scores.values()) < MIN_SPAN_SCORE, scores


def test_weak_schemes_score_low_and_strong_ones_high() -> None:
    assert BY_NAME["national_id_nl"].score_value("111222333").score < MIN_SPAN_SCORE
    assert BY_NAME["national_id_us"].score_value("536904399").score < MIN_SPAN_SCORE
    assert BY_NAME["national_id_it"].score_value("RCCMNL83S18D969H").score >= 0.9
    assert BY_NAME["national_id_be"].score_value("85.07.30-033.28").score >= 0.9
    assert BY_NAME["national_id_fr"].score_value("2 95 10 99 126 111 93").score >= 0.9


def test_a_number_stored_as_an_integer_keeps_its_scheme_with_a_lower_score() -> None:
    padded = BY_NAME["national_id_dk"].score_value("0101901234")
    integer = BY_NAME["national_id_dk"].score_value("101901234")
    assert 0 < integer.score < padded.score


@pytest.mark.parametrize(
    ("name", "text", "number"),
    [
        (
            "national_id_be",
            "Mijn rijksregisternummer is 85.07.30-033.28, dank u.",
            "85.07.30-033.28",
        ),
        ("national_id_nl", "Mijn BSN: 111222333.", "111222333"),
        ("national_id_us", "SSN 536-90-4399 on file", "536-90-4399"),
        ("national_id_it", "codice fiscale RCCMNL83S18D969H grazie", "RCCMNL83S18D969H"),
        ("national_id_gb", "Her NI number is AB 12 34 56 C.", "AB 12 34 56 C"),
        ("national_id_fr", "NIR : 2 95 10 99 126 111 93 merci", "2 95 10 99 126 111 93"),
    ],
)
def test_spans_give_the_offsets_of_the_number(name: str, text: str, number: str) -> None:
    spans = list(BY_NAME[name].find_spans(text))
    start = text.index(number)
    assert [(span.start, span.end) for span in spans] == [(start, start + len(number))]
    assert spans[0].category == CATEGORY


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("national_id_nl", "Order 111222333 shipped today."),
        ("national_id_us", "Tracking 536904399 in transit."),
        ("national_id_de", "Invoice 36574261809 paid."),
        ("national_id_hr", "Reference 33392005961 closed."),
    ],
)
def test_a_bare_number_of_a_weak_scheme_needs_a_context_word_in_text(name: str, text: str) -> None:
    assert list(BY_NAME[name].find_spans(text)) == []


def test_every_detector_has_the_national_id_category_and_a_unique_name() -> None:
    assert all(isinstance(d, NationalIdDetector) and d.category == CATEGORY for d in DETECTORS)
    assert len({d.name for d in DETECTORS}) == len(DETECTORS) >= 20


@pytest.mark.parametrize(
    ("precheck", "module", "length"),
    [
        (checks.be_national_number, "stdnum.be.nn", 11),
        (checks.nl_bsn, "stdnum.nl.bsn", 9),
        (checks.pl_pesel, "stdnum.pl.pesel", 11),
        (checks.iso7064_mod_11_10, "stdnum.de.idnr", 11),
        (checks.iso7064_mod_11_10, "stdnum.hr.oib", 11),
        (checks.luhn_with_date, "stdnum.gr.amka", 11),
        (checks.no_fodselsnummer, "stdnum.no.fodselsnummer", 11),
        (checks.ddmmyy, "stdnum.dk.cpr", 10),
        (checks.se_personnummer, "stdnum.se.personnummer", 10),
        (checks.cz_rodne_cislo, "stdnum.cz.rc", 10),
        (checks.bg_egn, "stdnum.bg.egn", 10),
        (checks.at_vnr, "stdnum.at.vnr", 10),
        (checks.ro_cnp, "stdnum.ro.cnp", 13),
        (checks.si_emso, "stdnum.si.emso", 13),
        (checks.fr_nir, "stdnum.fr.nir", 15),
    ],
)
def test_a_precheck_never_rejects_a_number_stdnum_accepts(
    precheck: object, module: str, length: int
) -> None:
    import importlib

    is_valid = importlib.import_module(module).is_valid
    rng = random.Random(20)
    accepted = 0
    for _ in range(5000):
        number = str(rng.randrange(10**length)).zfill(length)
        if is_valid(number):
            accepted += 1
            assert precheck(number), number  # type: ignore[operator]
    assert accepted > 0
