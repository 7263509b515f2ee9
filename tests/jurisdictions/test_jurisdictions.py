"""One lookup for every country question: the checks and the statement give one answer.

The checks' path is the rules run by :func:`run_checks`; the statement's path is
:func:`build_statement`. Both ask :func:`packaged_jurisdictions`, so a code (or an alias such
as ``EL``) is in the EEA for both or for neither.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tutela.checks import run_checks
from tutela.errors import ConfigurationError
from tutela.jurisdictions import (
    DATA_FILES,
    Jurisdictions,
    clear_cache,
    eea,
    loader,
    packaged_jurisdictions,
)
from tutela.programme.loader import LoadedProgramme, load
from tutela.statement.build import build_statement

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"
TODAY = date(2026, 11, 24)
EEA_CODES = sorted({*eea().eu, *eea().efta, *eea().aliases})
OUTSIDE = ["CH", "GB", "US", "AU"]


@pytest.fixture(scope="module")
def minimal() -> LoadedProgramme:
    return load(MINIMAL)


def _in(loaded: LoadedProgramme, country: str) -> LoadedProgramme:
    """The minimal programme established in ``country``, its one recipient there too."""
    programme = loaded.programme
    organisation = programme.organisation.model_copy(update={"establishment_country": country})
    recipient = programme.recipients[0].model_copy(update={"countries": [country]})
    moved = programme.model_copy(update={"organisation": organisation, "recipients": [recipient]})
    return dataclasses.replace(loaded, programme=moved)


def checks_say_eea(loaded: LoadedProgramme, country: str) -> bool:
    """The checks' answer: no EU representative is needed (Art. 27) only inside the EEA."""
    rules = {finding.rule for finding in run_checks(_in(loaded, country), today=TODAY)}
    return "statement/no-eu-representative" not in rules


def statement_says_eea(loaded: LoadedProgramme, country: str) -> bool:
    """The statement's answer: a recipient inside the EEA is not a transfer."""
    view = build_statement(_in(loaded, country).programme)
    recipient = loaded.programme.recipients[0].name
    return recipient not in view.section("transfers").text()


def test_TR_1_el_is_in_the_eea_for_checks_and_statement(minimal: LoadedProgramme) -> None:
    for code in ("EL", "GR"):
        assert packaged_jurisdictions().in_eea(code)
        assert checks_say_eea(minimal, code)
        assert statement_says_eea(minimal, code)
    recipients = build_statement(_in(minimal, "EL").programme).section("recipients").text()
    assert "Greece" in recipients


@pytest.mark.parametrize("code", EEA_CODES + OUTSIDE)
def test_TR_1_checks_and_statement_agree_on_every_eea_code(
    minimal: LoadedProgramme, code: str
) -> None:
    expected = code not in OUTSIDE
    assert packaged_jurisdictions().in_eea(code) is expected
    assert checks_say_eea(minimal, code) is expected
    assert statement_says_eea(minimal, code) is expected


def test_TR_1_every_eea_code_has_a_name_and_an_authority() -> None:
    places = packaged_jurisdictions()
    for code in EEA_CODES:
        assert places.country(code) != code
        assert places.known_authority(code) is not None
    assert places.code("EL") == "GR" and places.country("EL") == "Greece"


def test_TR_2_adequacy_in_force_by_date() -> None:
    places = packaged_jurisdictions()
    uk = places.adequacy_in_force("GB", date(2031, 12, 27))
    assert uk is not None and uk.name == "United Kingdom"
    assert places.adequacy_in_force("GB", date(2031, 12, 28)) is None
    assert places.adequacy_decision("GB") is uk  # listed, even once lapsed
    assert places.adequacy_in_force("JP", date(2099, 1, 1)) is not None  # no end date
    assert places.adequacy_in_force("AU", TODAY) is None
    assert places.adequacy_decision("AU") is None


def test_CP_1_authority_lookup_resolves_the_alias() -> None:
    places = packaged_jurisdictions()
    greek = places.known_authority("EL")
    assert greek is not None and greek is places.known_authority("GR")
    assert greek.name == "Hellenic Data Protection Authority"
    assert places.authority("EL").websites == ("dpa.gr",)
    assert places.known_authority("GB") is None
    assert places.known_authority("US") is None


def test_CP_1_statement_names_the_greek_authority_written_as_el(minimal: LoadedProgramme) -> None:
    complaints = minimal.programme.complaints.model_copy(update={"authorities": ["BE", "EL"]})
    programme = minimal.programme.model_copy(update={"complaints": complaints})
    text = build_statement(programme).section("complaints").text()
    assert "Hellenic Data Protection Authority" in text
    assert "Supervisory authority for Greece" in text


def test_CP_1_lead_authority_written_as_gr_is_named_by_el(minimal: LoadedProgramme) -> None:
    programme = minimal.programme
    organisation = programme.organisation.model_copy(
        update={"lead_supervisory_authority": "GR", "establishment_country": "GR"}
    )
    complaints = programme.complaints.model_copy(update={"authorities": ["EL"]})
    greek = programme.model_copy(update={"organisation": organisation, "complaints": complaints})
    found = run_checks(dataclasses.replace(minimal, programme=greek), today=TODAY)
    assert not {f.rule for f in found} & {
        "complaints/lead-authority-not-eea",
        "complaints/lead-authority-not-named",
        "complaints/unknown-authority",
    }
    text = build_statement(greek).section("complaints").text()
    assert text.count("Hellenic Data Protection Authority") == 1
    assert "Supervisory authority for Greece, our lead supervisory authority" in text


def test_country_names_cover_the_fallback_table() -> None:
    places = packaged_jurisdictions()
    assert places.country("PH") == "the Philippines"
    assert places.country("KR") == "Republic of Korea"  # from adequacy.yml
    assert places.country("ZZ") == "ZZ"
    assert Jurisdictions().country("AU") == "AU"


@pytest.fixture
def fresh_data() -> Iterator[None]:
    clear_cache()
    yield
    clear_cache()


BROKEN = [
    ("eea.yml", "eu: [AT, BE\n", "cannot be read"),
    ("eea.yml", "- a list\n- not a mapping\n", "is invalid"),
    ("adequacy.yml", "", "is invalid"),
    ("adequacy.yml", "checked: 2026-01-01\nsource: x\ncountries: {GB: yes}\n", "is invalid"),
    ("supervisory_authorities.yml", "source: x\nauthorities: {BE: {name: APD}}\n", "is invalid"),
    ("countries.yml", "checked: when\nsource: x\nnames: {}\n", "is invalid"),
]


@pytest.mark.parametrize(("broken", "text", "says"), BROKEN)
@pytest.mark.usefixtures("fresh_data")
def test_broken_data_file_is_a_configuration_error_naming_it(
    monkeypatch: pytest.MonkeyPatch, minimal: LoadedProgramme, broken: str, text: str, says: str
) -> None:
    real = loader.data_file_text
    monkeypatch.setattr(
        loader, "data_file_text", lambda name: text if name == broken else real(name)
    )
    with pytest.raises(ConfigurationError, match=f"data file {broken} {says}"):
        packaged_jurisdictions()
    with pytest.raises(ConfigurationError, match=broken):
        build_statement(minimal.programme)
    with pytest.raises(ConfigurationError, match=broken):
        run_checks(minimal, today=TODAY)


@pytest.mark.parametrize("missing", DATA_FILES)
@pytest.mark.usefixtures("fresh_data")
def test_missing_data_file_is_a_configuration_error_naming_it(
    monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    real = loader.data_file_text

    def without(name: str) -> str:
        if name == missing:
            raise FileNotFoundError(f"No such file: {name}")
        return real(name)

    monkeypatch.setattr(loader, "data_file_text", without)
    with pytest.raises(ConfigurationError, match=f"data file {missing} cannot be read"):
        packaged_jurisdictions()


def test_every_data_file_is_dated_and_sourced() -> None:
    for name in DATA_FILES:
        text = loader.data_file_text(name)
        assert "\nchecked: " in text and "\nsource: " in text, name
