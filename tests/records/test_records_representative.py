"""The representative column of the records follows the establishments (Arts. 27, 30(1)(a))."""

from __future__ import annotations

from pathlib import Path

from tutela.programme.loader import load_programme
from tutela.programme.models import Organisation
from tutela.records.wording import representative_text

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"


def organisation(**changes: object) -> Organisation:
    programme = load_programme(MINIMAL)
    assert programme.organisation is not None
    return Organisation.model_validate({**programme.organisation.model_dump(), **changes})


def test_art27_an_eea_establishment_needs_no_representative() -> None:
    canadian = organisation(
        establishment_country="CA",
        establishments=[
            {"name": "Head office", "country": "CA"},
            {"name": "Customer service", "country": "BE", "decides_purposes_and_means": False},
        ],
    )
    assert representative_text(canadian) == "Not required (established in the EEA, Art. 27)"


def test_art27_2_a_recorded_exemption_is_given_as_the_reason() -> None:
    remote = organisation(
        establishment_country="CA",
        establishments=[],
        representative_exemption="Occasional processing, no special categories, low risk.",
    )
    assert representative_text(remote).startswith("Not required (Art. 27(2)): Occasional")


def test_art27_without_establishment_or_exemption_none_is_designated() -> None:
    assert representative_text(organisation(establishment_country="CA")) == "None designated"
