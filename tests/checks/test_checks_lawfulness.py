"""Lawfulness rules: whose law an obligation is (Arts. 6(3), 10), which Art. 9(2) condition
fits whom, consent asked of children (Art. 8). CASES as in conftest.py, then finer points."""

from __future__ import annotations

from typing import Any

import pytest
from checkcases import (
    PURPOSE_0,
    Case,
    Edit,
    add,
    both,
    findings_of,
    set_,
)

from tutela.checks import BUILTIN_RULES
from tutela.jurisdictions import packaged_jurisdictions
from tutela.taxonomy import Vocabulary

NEWSLETTER = "purposes.1"
"""The minimal programme's consent purpose (newsletter), about customer contacts."""

CHILDREN = set_("subjects.0.children", True)
PARENTS = (
    "A parent confirms by a link sent to their own e-mail address, with a 0.01 EUR card check."
)
HEALTH = add(f"{PURPOSE_0}.categories", "user.health_and_medical")


def obligation(law: str, *law_of: str, basis: str = "legal_obligation") -> Edit:
    return both(
        set_(f"{PURPOSE_0}.legal_basis", basis),
        set_(f"{PURPOSE_0}.legal_obligation", law),
        set_(f"{PURPOSE_0}.law_of", list(law_of)),
    )


def condition(name: str, *taxonomy: str) -> Edit:
    return both(
        HEALTH,
        set_(f"{PURPOSE_0}.special_category_condition", name),
        set_("subjects.0.taxonomy", list(taxonomy)),
    )


def child_consent(**fields: Any) -> Edit:
    return both(CHILDREN, set_(f"{NEWSLETTER}.child_consent", fields))


CASES: list[Case] = [
    (
        "LB-1-art6-3",
        "lawfulness/legal-obligation-not-eu-law",
        obligation("Canadian Income Tax Act s. 230", "CA"),
        obligation("Belgian VAT Code art. 60", "BE"),
    ),
    (
        "art9-2-b",
        "lawfulness/art9-condition-does-not-fit-subjects",
        condition("employment", "customer"),
        condition("employment", "employee"),
    ),
    (
        "art8-1",
        "lawfulness/child-consent-without-age-threshold",
        child_consent(parental_authorisation=PARENTS),
        child_consent(age_threshold=16, parental_authorisation=PARENTS),
    ),
    (
        "art8-2",
        "lawfulness/child-consent-without-parental-authorisation",
        child_consent(age_threshold=16),
        child_consent(age_threshold=16, parental_authorisation=PARENTS),
    ),
    (
        "art10-foreign-law",
        "lawfulness/criminal-data-without-authority",
        both(
            add(f"{PURPOSE_0}.categories", "user.criminal_history"),
            obligation("US Fair Credit Reporting Act", "US", basis="contract"),
        ),
        both(
            add(f"{PURPOSE_0}.categories", "user.criminal_history"),
            obligation("Belgian law of 30 July 2018, art. 10", "BE", basis="contract"),
        ),
    ),
]


# --- Art. 6(3): Union or Member State law ----------------------------------------------------

LAW_RULE = "lawfulness/legal-obligation-not-eu-law"


def test_LB_1_art6_3_canadian_income_tax_act_is_no_legal_obligation() -> None:
    (finding,) = findings_of(LAW_RULE, obligation("Canadian Income Tax Act s. 230", "CA"))
    assert finding.severity == "error"
    assert finding.path == ("purposes", 0, "law_of", 0)
    assert "CA" in finding.message and "neither Union nor member-state law" in finding.message


def test_LB_1_art6_3_law_without_saying_whose_is_reported() -> None:
    (finding,) = findings_of(LAW_RULE, obligation("Tax law"))
    assert finding.path == ("purposes", 0, "law_of")
    assert "whose law" in finding.message and "law_of" in finding.hint


@pytest.mark.parametrize("law_of", [["EU"], ["BE", "EU"], ["NO"], ["EL"]])
def test_LB_1_art6_3_union_and_eea_law_qualify(law_of: list[str]) -> None:
    assert findings_of(LAW_RULE, obligation("VAT law", *law_of)) == []


def test_LB_1_art6_3_points_at_the_foreign_law_in_a_list() -> None:
    (finding,) = findings_of(LAW_RULE, obligation("VAT and IRS rules", "EU", "US"))
    assert finding.path == ("purposes", 0, "law_of", 1)
    assert "US" in finding.message


def test_LB_1_art6_3_public_task_too_needs_union_or_member_state_law() -> None:
    (finding,) = findings_of(LAW_RULE, obligation("Municipal decree", basis="public_task"))
    assert "public task" in finding.message


def test_LB_1_art6_3_other_bases_need_no_law() -> None:
    assert findings_of(LAW_RULE, set_(f"{PURPOSE_0}.law_of", ["US"])) == []


# --- Art. 10: criminal-offence data ---------------------------------------------------------

ART10 = "lawfulness/criminal-data-without-authority"
CRIMINAL = add(f"{PURPOSE_0}.categories", "user.criminal_history")


def test_art10_is_an_error() -> None:
    assert BUILTIN_RULES[ART10].severity == "error"


def test_art10_law_named_without_whose_it_is_is_not_enough() -> None:
    named = set_(f"{PURPOSE_0}.legal_obligation", "Law of 8 Dec 1992, art. 8")
    (finding,) = findings_of(ART10, CRIMINAL, named)
    assert finding.path == ("purposes", 0, "law_of")


def test_art10_foreign_law_does_not_authorise() -> None:
    (finding,) = findings_of(ART10, CRIMINAL, obligation("US FCRA", "US"))
    assert "US" in finding.message and finding.path == ("purposes", 0, "law_of")


def test_art10_official_authority_needs_no_named_law() -> None:
    assert findings_of(ART10, CRIMINAL, set_(f"{PURPOSE_0}.legal_basis", "public_task")) == []


def test_art10_programme_category_marked_criminal_counts() -> None:
    category = {"key": "user.fraud_record", "name": "Fraud record", "criminal": True}
    found = findings_of(
        ART10, add("categories", category), add(f"{PURPOSE_0}.categories", category["key"])
    )
    assert found and "user.fraud_record" in found[0].message


# --- Art. 9(2): the condition fits the subjects ----------------------------------------------

FIT = "lawfulness/art9-condition-does-not-fit-subjects"


@pytest.mark.parametrize(
    ("name", "taxonomy"),
    [
        ("employment", "job_applicant"),
        ("not_for_profit", "member"),
        ("health_care", "patient"),
        ("health_care", "employee"),
        ("explicit_consent", "customer"),
        ("legal_claims", "visitor"),
    ],
)
def test_art9_2_condition_fits(name: str, taxonomy: str) -> None:
    assert findings_of(FIT, condition(name, taxonomy)) == []


@pytest.mark.parametrize(
    ("name", "taxonomy"),
    [("employment", "visitor"), ("not_for_profit", "customer"), ("health_care", "customer")],
)
def test_art9_2_condition_does_not_fit(name: str, taxonomy: str) -> None:
    (finding,) = findings_of(FIT, condition(name, taxonomy))
    assert finding.path == ("purposes", 0, "special_category_condition")
    assert f"'{name}'" in finding.message and "customer_contact" in finding.message


def test_art9_2_b_names_only_the_subjects_it_does_not_cover() -> None:
    staff = {"key": "staff", "name": "Staff", "taxonomy": ["employee"]}
    edits = (
        condition("employment", "customer"),
        add("subjects", staff),
        add(f"{PURPOSE_0}.subjects", "staff"),
    )
    (finding,) = findings_of(FIT, *edits)
    assert "customer_contact" in finding.message and "staff" not in finding.message


def test_art9_2_subject_without_taxonomy_does_not_fit() -> None:
    (finding,) = findings_of(FIT, condition("employment"))
    assert "employee" in finding.hint


def test_art9_1_trade_union_membership_is_a_special_category() -> None:
    vocabulary = Vocabulary()
    assert vocabulary.is_special("user.demographic.trade_union_membership")
    assert "user.demographic.trade_union_membership" in vocabulary.categories
    assert "member" in vocabulary.subjects
    union = add(f"{PURPOSE_0}.categories", "user.demographic.trade_union_membership")
    assert findings_of("lawfulness/special-category-without-condition", union)


# --- Art. 8: children's consent ---------------------------------------------------------------

AGES = "lawfulness/child-consent-without-age-threshold"
PARENTAL = "lawfulness/child-consent-without-parental-authorisation"


def test_art8_1_ages_per_member_state_are_shipped_as_data() -> None:
    places = packaged_jurisdictions()
    assert {code: places.digital_consent_age(code) for code in ("BE", "FR", "DE", "EL")} == {
        "BE": 13,
        "FR": 15,
        "DE": 16,
        "EL": 15,
    }
    assert all(13 <= (places.digital_consent_age(code) or 0) <= 16 for code in places.eea)
    assert places.digital_consent_age("US") is None


def test_art8_1_age_below_the_member_states_is_reported() -> None:
    edit = child_consent(countries=["FR", "BE"], age_thresholds={"FR": 13, "BE": 13})
    (finding,) = findings_of(AGES, edit)
    assert "FR 13 (law: 15)" in finding.message and "BE" not in finding.message


def test_art8_1_per_state_ages_met_pass() -> None:
    edit = child_consent(countries=["FR", "BE"], age_thresholds={"FR": 15, "BE": 13})
    assert findings_of(AGES, edit) == []


def test_art8_1_one_age_of_13_falls_short_where_states_kept_16() -> None:
    (finding,) = findings_of(AGES, child_consent(age_threshold=13))
    assert "DE 13 (law: 16)" in finding.message


def test_art8_1_a_state_without_an_age_is_reported() -> None:
    (finding,) = findings_of(AGES, child_consent(countries=["BE", "DE"], age_thresholds={"BE": 13}))
    assert "DE none (law: 16)" in finding.message


def test_art8_childrens_data_category_reaches_children_without_the_flag() -> None:
    category = add(f"{NEWSLETTER}.categories", "user.childrens")
    assert findings_of(AGES, category) and findings_of(PARENTAL, category)


def test_art8_applies_only_to_consent() -> None:
    assert findings_of(AGES, CHILDREN, set_(f"{NEWSLETTER}.legal_basis", "contract")) == []


def test_art8_adults_need_no_age_threshold() -> None:
    assert findings_of(AGES, set_(f"{NEWSLETTER}.child_consent", None)) == []
