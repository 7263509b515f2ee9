"""Identities as people write them: names in any case, values normalised per kind (ID-3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from tutela.errors import RequestError
from tutela.programme.loader import load_programme
from tutela.programme.models import Identity, Programme
from tutela.programme.references import check_references
from tutela.rights.identities import comparable, normalisation, normalise, normalise_requests
from tutela.rights.intake import request_from
from tutela.rights.models import Normalisation, SubjectRequest, parse_identity

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"
EMAIL = Normalisation("email", lower=True)
PHONE_BE = Normalisation("phone", region="BE")


def _programme(*, phone: bool = False, **changes: Any) -> Programme:
    """The minimal programme with ``changes``; ``phone``: ``contact.phone`` is identity phone."""
    data = load_programme(MINIMAL).model_dump(mode="json", exclude_defaults=True)
    data.update(changes)
    if phone:
        fields = data["systems"][0]["datasets"][0]["collections"][0]["fields"]
        fields.append({"name": "phone", "identity": "phone"})
    return Programme.model_validate(data)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("EMAIL=a@b.c", ("email", "a@b.c")),
        ("Email=  A@B.C  ", ("email", "A@B.C")),
        ("customer_ID=42", ("customer_id", "42")),
        ("  phone=+32 470 12 34 56 ", ("phone", "+32 470 12 34 56")),
    ],
)
def test_ID_3_identity_names_are_read_in_any_case(text: str, expected: tuple[str, str]) -> None:
    assert parse_identity(text) == expected


def test_ID_3_upper_case_name_makes_the_same_request() -> None:
    assert request_from("access", ["EMAIL=a@b.c"]) == request_from("access", ["email=a@b.c"])


@pytest.mark.parametrize(
    ("value", "how", "expected"),
    [
        ("  ALF.PETERSON@EXAMPLE.TEST ", EMAIL, "alf.peterson@example.test"),
        ("Zoë@Example.Test", EMAIL, "zoë@example.test"),
        ("0470 12 34 56", PHONE_BE, "+32470123456"),
        ("+32 (0)470 12.34.56", PHONE_BE, "+32470123456"),
        ("+33 6 12 34 56 78", PHONE_BE, "+33612345678"),
        ("+32470123456", Normalisation("phone"), "+32470123456"),
        (" AbC-12 ", Normalisation("exact"), "AbC-12"),
        (" AbC-12 ", Normalisation("exact", lower=True), "abc-12"),
    ],
)
def test_ID_3_values_are_normalised_per_kind(value: str, how: Normalisation, expected: str) -> None:
    assert normalise(value, how) == expected
    assert normalise(expected, how) == expected  # idempotent: normalising twice changes nothing


@pytest.mark.parametrize(
    ("value", "how", "message"),
    [
        ("0470 12 34 56", Normalisation("phone"), "with its country code"),
        ("call me maybe", PHONE_BE, "not a phone number"),
        ("' OR 1=1 --", PHONE_BE, "not a phone number"),
        ("4" * 100_000, PHONE_BE, "not a phone number"),
        ("0470\x00123456", PHONE_BE, "not a phone number"),
    ],
)
def test_ID_3_a_phone_that_is_no_number_is_a_clear_error(
    value: str, how: Normalisation, message: str
) -> None:
    with pytest.raises(RequestError, match=message) as caught:
        normalise(value, how, "phone")
    assert value not in str(caught.value)  # the value is personal data: never echoed
    assert comparable(value, how) is None  # in resolve it simply matches nothing


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("email", "email"),
        ("contact_email", "email"),
        ("phone", "phone"),
        ("phone_number", "phone"),
        ("mobile", "phone"),
        ("customer_id", "exact"),
        ("cookie_id", "exact"),
    ],
)
def test_ID_3_undeclared_identities_are_inferred_from_their_key(key: str, kind: str) -> None:
    assert Identity.inferred(key).kind == kind
    assert _programme().identity(key).kind == kind  # the minimal fixture declares none


def test_ID_3_declared_identities_override_the_inference() -> None:
    programme = _programme(
        identities=[
            {"key": "email", "kind": "exact"},
            {"key": "customer_id", "kind": "exact", "normalise": ["trim", "lower"]},
        ]
    )
    assert normalisation(programme, "email") == Normalisation("exact")
    assert normalisation(programme, "customer_id") == Normalisation("exact", lower=True)
    assert check_references(programme) == []


def test_ID_3_phone_region_defaults_to_the_organisations_country() -> None:
    programme = _programme()
    country = programme.organisation.establishment_country
    assert normalisation(programme, "phone") == Normalisation("phone", region=country)
    declared = _programme(identities=[{"key": "phone", "kind": "phone", "region": "FR"}])
    assert normalisation(declared, "phone").region == "FR"


@pytest.mark.parametrize(
    ("identity", "message"),
    [
        ({"key": "email", "kind": "email", "normalise": ["lower"]}, "`normalise` is for kind"),
        ({"key": "id", "kind": "exact", "region": "BE"}, "`region` is for kind `phone`"),
        ({"key": "id", "kind": "uuid"}, "kind"),
        ({"key": "id", "normalise": ["upper"]}, "normalise"),
        ({"key": "Email"}, "key"),
    ],
)
def test_ID_3_bad_identity_declarations_are_refused(identity: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _programme(identities=[identity])


def test_ID_3_with_a_section_every_field_identity_is_declared_once() -> None:
    programme = _programme(
        identities=[{"key": "emial", "kind": "email"}, {"key": "emial", "kind": "email"}]
    )
    messages = [error.message for error in check_references(programme)]
    assert "identity `emial` is declared twice" in messages
    assert "unknown identity `email`" in messages
    assert "unknown identity `customer_id`" in messages


def test_ID_3_identities_no_field_declares_are_left_for_planning_to_refuse() -> None:
    request = SubjectRequest("access", (("phone", " not a number "),))
    (kept,) = normalise_requests(_programme(), [request])  # no error: planning says "unknown"
    assert kept.identities == (("phone", "not a number"),)
    with pytest.raises(RequestError, match="not a phone number"):
        normalise_requests(_programme(phone=True), [request])


def test_ID_3_requests_are_normalised_and_merge_when_written_alike() -> None:
    programme = _programme()
    request = SubjectRequest(
        "access", (("email", " Ann@Example.TEST "), ("email", "ann@example.test"))
    )
    (normalised,) = normalise_requests(programme, [request])
    assert normalised.identities == (("email", "ann@example.test"),)


def test_ID_3_a_bad_phone_in_a_batch_names_its_request() -> None:
    programme = _programme(phone=True)
    good = SubjectRequest("access", (("phone", "+32 470 12 34 56"),))
    bad = SubjectRequest("access", (("phone", "not a number"),))
    with pytest.raises(RequestError, match=r"^request 2: identity phone: the value is not a phone"):
        normalise_requests(programme, [good, bad])
