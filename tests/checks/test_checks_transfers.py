"""Transfer rules of issue 14: adequacy scopes, hosting and Art. 49 derogations.

GDPR Arts. 44-46, 49; Decision 2002/2/EC (Canada, PIPEDA); EDPB Guidelines 05/2021 and
2/2018; GDPR.md TR-1, TR-2 (see conftest.py for the case format).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from checkcases import (
    RECIPIENT_0,
    SCC,
    Case,
    Edit,
    both,
    country,
    findings_of,
    safeguard,
    set_,
)

HOSTING = "systems.0.hosting_country"
PROVIDER = "systems.0.hosting_provider"


def hosted_in(code: str, *edits: Edit) -> Edit:
    """The CRM hosted in ``code``, with the recipient ``hosting`` changed by ``edits``."""
    return both(set_(HOSTING, code), *edits)


def by_host(*countries: str, **fields: Any) -> Edit:
    """The CRM names recipient ``hosting`` as its host, in ``countries``, with ``fields``."""
    extra = [set_(f"{RECIPIENT_0}.{name}", value) for name, value in fields.items()]
    return both(set_(PROVIDER, "hosting"), country(*countries), *extra)


OCCASIONAL_DEROGATION = {
    "mechanism": "derogation",
    "derogation": "Art. 49(1)(b) necessary for the contract",
    "occasional": True,
}

CASES: list[Case] = [
    (
        "TR-2-scope",
        "transfers/adequacy-scope-not-met",
        both(country("CA"), safeguard(mechanism="adequacy")),
        both(
            country("CA"),
            safeguard(mechanism="adequacy"),
            set_(f"{RECIPIENT_0}.subject_to", ["PIPEDA"]),
        ),
    ),
    (
        "TR-1-hosting",
        "transfers/hosting-without-safeguard",
        hosted_in("CN"),
        hosted_in("CN", by_host("DE", "CN", safeguard=SCC)),
    ),
    (
        "TR-2-art49-occasional",
        "transfers/derogation-for-regular-transfer",
        both(country("IN"), safeguard(**OCCASIONAL_DEROGATION)),
        both(
            country("IN"),
            safeguard(**OCCASIONAL_DEROGATION),
            set_(f"{RECIPIENT_0}.kind", "controller"),
        ),
    ),
]


# --- TR-2: adequacy decisions limited to organisations under one law ----------------------


@pytest.mark.parametrize(("code", "law"), [("CA", "PIPEDA"), ("JP", "APPI"), ("KR", "PIPA")])
def test_TR_2_scoped_adequacy_needs_the_recipient_to_be_under_its_law(code: str, law: str) -> None:
    found = findings_of(
        "transfers/adequacy-scope-not-met", country(code), safeguard(mechanism="adequacy")
    )
    assert len(found) == 1 and law in found[0].message and law in found[0].hint
    confirmed = set_(f"{RECIPIENT_0}.subject_to", [law])
    assert findings_of("transfers/adequacy-scope-not-met", country(code), confirmed) == []


def test_TR_2_a_recipient_without_safeguard_relies_on_adequacy_too() -> None:
    found = findings_of("transfers/adequacy-scope-not-met", country("CA"))
    assert [f.path for f in found] == [("recipients", 0, "countries", 0)]
    assert findings_of("transfers/no-safeguard", country("CA")) == []  # one report, not two


@pytest.mark.parametrize("code", ["CH", "GB", "NZ"])
def test_TR_2_adequacy_without_a_scope_needs_no_confirmation(code: str) -> None:
    assert findings_of("transfers/adequacy-scope-not-met", country(code)) == []


def test_TR_2_scope_is_not_asked_of_a_recipient_on_sccs() -> None:
    found = findings_of("transfers/adequacy-scope-not-met", country("CA"), safeguard(**SCC))
    assert found == []


# --- TR-1: hosting outside the EEA is a transfer to the host -------------------------------


def test_TR_1_hosting_in_china_without_a_host_names_the_missing_provider() -> None:
    found = findings_of("transfers/hosting-without-safeguard", set_(HOSTING, "CN"))
    assert len(found) == 1
    assert found[0].path == ("systems", 0, "hosting_country")
    assert "CN" in found[0].message and "hosting_provider" in found[0].message


@pytest.mark.parametrize("code", ["DE", "NO", "CH", "GB"])
def test_TR_1_hosting_in_the_eea_or_under_unconditional_adequacy_needs_nothing(code: str) -> None:
    assert findings_of("transfers/hosting-without-safeguard", set_(HOSTING, code)) == []


def test_TR_1_placeholder_country_is_left_to_the_placeholder_rule() -> None:
    assert findings_of("transfers/hosting-without-safeguard", set_(HOSTING, "ZZ")) == []


def test_TR_3_us_hosting_counts_only_with_a_dpf_certified_host() -> None:
    uncertified = hosted_in("US", by_host("US", safeguard={"mechanism": "adequacy"}))
    found = findings_of("transfers/hosting-without-safeguard", uncertified)
    assert len(found) == 1 and "DPF" in found[0].message
    certified = hosted_in(
        "US",
        by_host(
            "US",
            safeguard={"mechanism": "adequacy"},
            dpf_certified=True,
            dpf_expires=date(2027, 6, 30),
        ),
    )
    assert findings_of("transfers/hosting-without-safeguard", certified) == []


def test_TR_2_canadian_hosting_counts_only_under_pipeda() -> None:
    unconfirmed = hosted_in("CA", by_host("NL", "CA", safeguard={"mechanism": "adequacy"}))
    found = findings_of("transfers/hosting-without-safeguard", unconfirmed)
    assert len(found) == 1 and "PIPEDA" in found[0].message
    confirmed = hosted_in(
        "CA", by_host("NL", "CA", safeguard={"mechanism": "adequacy"}, subject_to=["PIPEDA"])
    )
    assert findings_of("transfers/hosting-without-safeguard", confirmed) == []


def test_TR_1_a_host_that_does_not_list_the_country_does_not_cover_it() -> None:
    found = findings_of("transfers/hosting-without-safeguard", hosted_in("IN", by_host("DE")))
    assert len(found) == 1 and "does not list IN" in found[0].message


def test_TR_1_a_host_key_that_names_no_recipient_is_reported() -> None:
    found = findings_of(
        "transfers/hosting-without-safeguard", hosted_in("IN", set_(PROVIDER, "nobody"))
    )
    assert len(found) == 1 and "'nobody'" in found[0].message


# --- TR-2: Art. 49 derogations are occasional -----------------------------------------------


@pytest.mark.parametrize(
    "text", ["Consent of the person", "necessary for the contract", "Art. 49 derogation"]
)
def test_TR_2_a_derogation_without_its_point_of_art_49_1_is_not_named(text: str) -> None:
    edit = both(country("IN"), safeguard(mechanism="derogation", derogation=text))
    assert len(findings_of("transfers/derogation-not-named", edit)) == 1


@pytest.mark.parametrize(
    "text",
    ["Art. 49(1)(a) explicit consent", "GDPR 49 (1) (c)", "Art. 49(1), second subparagraph"],
)
def test_TR_2_a_derogation_naming_its_ground_is_named(text: str) -> None:
    edit = both(country("IN"), safeguard(mechanism="derogation", derogation=text))
    assert findings_of("transfers/derogation-not-named", edit) == []


def test_TR_2_a_derogation_not_marked_occasional_is_regular() -> None:
    regular = {**OCCASIONAL_DEROGATION, "occasional": False}
    found = findings_of(
        "transfers/derogation-for-regular-transfer",
        country("IN"),
        safeguard(**regular),
        set_(f"{RECIPIENT_0}.kind", "controller"),
    )
    assert len(found) == 1 and "occasional" in found[0].message


def test_TR_2_a_host_on_a_derogation_is_regular_whatever_it_says() -> None:
    host = hosted_in(
        "IN",
        by_host("IN", safeguard=OCCASIONAL_DEROGATION, kind="controller"),
    )
    found = findings_of("transfers/derogation-for-regular-transfer", host)
    assert len(found) == 1 and "hosts system 'crm'" in found[0].message
    assert findings_of("transfers/hosting-without-safeguard", host) == []
