"""Governance rules: DPIAs (Arts. 35-36), DPO (37), joint controllers (26), representative
(27), lead authority (4(16), 56). CASES as in conftest.py, then the finer points."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from checkcases import (
    FULL_ADM,
    PURPOSE_0,
    RECIPIENT_0,
    THIRD_PARTY,
    Case,
    Edit,
    add,
    both,
    findings_of,
    set_,
    variant,
)

from tutela.programme.assumptions import resolve
from tutela.programme.loader import load
from tutela.statement.build import render_statement

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cloudockit"
HEALTH = add(f"{PURPOSE_0}.categories", "user.health_and_medical")
SPECIAL = both(HEALTH, set_(f"{PURPOSE_0}.special_category_condition", "explicit_consent"))
LARGE = set_(f"{PURPOSE_0}.large_scale", True)
STAFF = set_("subjects.0.taxonomy", ["employee"])
ADM = set_(f"{PURPOSE_0}.profiling", FULL_ADM)
NO_LEAD = set_("organisation.lead_supervisory_authority", None)
CANADA = both(set_("organisation.establishment_country", "CA"), NO_LEAD)
JOINT = set_(f"{RECIPIENT_0}.kind", "joint_controller")
EXEMPT = set_("organisation.representative_exemption", "Occasional; no sensitive data; low risk.")
IN_CANADA = set_("organisation.establishment_country", "CA")
BELGIAN_NV = {"name": "Example NV", "country": "BE", "decides_purposes_and_means": True}


def dpia(**fields: Any) -> Edit:
    record = {"reference": "DPIA-1", "purposes": ["supply_services"], "assessed_on": "2026-05-01"}
    return add("dpias", {**record, **fields})


def monitoring(kind: str) -> Edit:
    return set_(f"{PURPOSE_0}.monitoring", kind)


CASES: list[Case] = [
    (
        "art35-3-a",
        "governance/dpia-required",
        ADM,
        both(ADM, dpia()),
    ),
    (
        "art35-1-wp248",
        "governance/dpia-likely-required",
        both(monitoring("systematic"), STAFF),
        both(monitoring("systematic"), STAFF, dpia()),
    ),
    (
        "art36-1",
        "governance/prior-consultation-missing",
        dpia(residual_high_risk=True),
        dpia(
            residual_high_risk=True,
            prior_consultation={"authority": "BE", "consulted_on": "2026-06-01"},
        ),
    ),
    (
        "art35-11",
        "governance/dpia-review-overdue",
        dpia(review_on="2026-06-30"),
        dpia(review_on="2027-06-30"),
    ),
    (
        "art37-1-a",
        "governance/dpo-required",
        both(set_("organisation.public_authority", True), set_("organisation.dpo", None)),
        set_("organisation.public_authority", True),
    ),
    (
        "art37-7",
        "governance/dpo-contact-missing",
        set_("organisation.dpo", {"name": "DPO", "phone": "+32 2 000 00 00"}),
        set_("organisation.dpo", {"name": "DPO", "email": "dpo@example.test"}),
    ),
    (
        "art26",
        "governance/joint-controller-without-arrangement",
        JOINT,
        both(
            JOINT, set_(f"{RECIPIENT_0}.arrangement", {"reference": "J-1", "essence": "We answer."})
        ),
    ),
    (
        "art27-2-a",
        "governance/representative-exemption-not-available",
        both(CANADA, EXEMPT, SPECIAL, LARGE),
        both(CANADA, EXEMPT),
    ),
    (
        "art56-1",
        "governance/lead-authority-without-main-establishment",
        IN_CANADA,
        both(IN_CANADA, set_("organisation.establishments", [BELGIAN_NV])),
    ),
]


# --- Art. 35: DPIA triggers -------------------------------------------------------------------

DPIA = "governance/dpia-required"
LIKELY = "governance/dpia-likely-required"


def test_art35_3_b_special_categories_on_a_large_scale() -> None:
    (finding,) = findings_of(DPIA, SPECIAL, LARGE)
    assert "(b)" in finding.message and finding.path == ("purposes", 0)
    assert findings_of(DPIA, SPECIAL) == []  # not large-scale: no Art. 35(3) case


def test_art35_3_b_criminal_data_on_a_large_scale() -> None:
    criminal = add(f"{PURPOSE_0}.categories", "user.criminal_history")
    assert findings_of(DPIA, criminal, LARGE)


def test_art35_3_c_publicly_accessible_area_on_a_large_scale() -> None:
    (finding,) = findings_of(DPIA, monitoring("publicly_accessible_area"), LARGE)
    assert "(c)" in finding.message
    assert findings_of(DPIA, monitoring("publicly_accessible_area")) == []


def test_art35_3_dpia_for_another_purpose_does_not_cover() -> None:
    other = dpia(purposes=["newsletter"])
    assert findings_of(DPIA, ADM, other)


def test_art35_wp248_one_criterion_is_not_enough() -> None:
    assert findings_of(LIKELY, monitoring("systematic")) == []


def test_art35_wp248_is_not_reported_twice_when_art35_3_applies() -> None:
    edits = (monitoring("publicly_accessible_area"), LARGE, STAFF)
    assert findings_of(DPIA, *edits) and findings_of(LIKELY, *edits) == []


def test_art35_wp248_scoring_on_third_party_data_combined_with_other_sources() -> None:
    source = {**THIRD_PARTY, "provider": "Acme Data", "notice": "E-mail within 30 days."}
    edits = (
        add("sources", source),
        add(f"{PURPOSE_0}.sources", "enrichment"),
        set_(f"{PURPOSE_0}.profiling", {"profiling": True, "logic": "Lead score."}),
    )
    (finding,) = findings_of(LIKELY, *edits)
    assert "evaluation or scoring" in finding.message and "combined datasets" in finding.message


def test_art35_wp248_children_are_vulnerable_subjects() -> None:
    (finding,) = findings_of(LIKELY, set_("subjects.0.children", True), LARGE)
    assert "vulnerable data subjects" in finding.message and "large scale" in finding.message


# --- Art. 37: the DPO; Art. 26: joint controllers ---------------------------------------------

DPO = "governance/dpo-required"
NO_DPO = set_("organisation.dpo", None)
CORE = set_(f"{PURPOSE_0}.core_activity", True)


def test_art37_1_b_core_large_scale_monitoring_needs_a_dpo() -> None:
    (finding,) = findings_of(DPO, NO_DPO, CORE, LARGE, monitoring("systematic"))
    assert "(b)" in finding.message and "supply_services" in finding.message
    assert finding.path == ("organisation", "dpo")


def test_art37_1_c_core_large_scale_special_categories_need_a_dpo() -> None:
    (finding,) = findings_of(DPO, NO_DPO, CORE, LARGE, SPECIAL)
    assert "(c)" in finding.message


def test_art37_1_ancillary_or_small_processing_needs_no_dpo() -> None:
    assert not findings_of(DPO, NO_DPO, LARGE, monitoring("systematic"))  # not core
    assert not findings_of(DPO, NO_DPO, CORE, monitoring("systematic"))  # not large


def test_art37_7_postal_address_is_enough() -> None:
    address = {"street": "Rue de la Loi 1", "city": "Brussels", "country": "BE"}
    dpo = set_("organisation.dpo", {"name": "DPO", "address": address})
    assert findings_of("governance/dpo-contact-missing", dpo) == []


def test_art26_2_arrangement_without_its_essence() -> None:
    arrangement = set_(f"{RECIPIENT_0}.arrangement", {"reference": "JCA-1"})
    (finding,) = findings_of("governance/joint-controller-without-arrangement", JOINT, arrangement)
    assert finding.path == ("recipients", 0, "arrangement", "essence")


# --- Art. 27: the representative (statement/no-eu-representative) ---------------------------

REPRESENTATIVE = "statement/no-eu-representative"


def test_art27_1_controller_outside_the_eea_needs_a_representative() -> None:
    (finding,) = findings_of(REPRESENTATIVE, CANADA)
    assert "CA" in finding.message and "representative_exemption" in finding.hint


@pytest.mark.parametrize(
    "edit",
    [
        set_("organisation.establishments", [{**BELGIAN_NV, "decides_purposes_and_means": False}]),
        EXEMPT,
        set_("organisation.public_authority", True),
    ],
    ids=["art3-1-eea-establishment", "art27-2-a-exemption", "art27-2-b-public-authority"],
)
def test_art27_representative_not_required(edit: Edit) -> None:
    assert findings_of(REPRESENTATIVE, CANADA, edit) == []


def test_art27_2_a_exemption_excludes_what_needed_a_high_risk_dpia() -> None:
    edits = (
        CANADA,
        EXEMPT,
        dpia(residual_high_risk=True),
    )
    (finding,) = findings_of("governance/representative-exemption-not-available", *edits)
    assert "'supply_services'" in finding.message


# --- Arts. 4(16), 56: the lead authority ------------------------------------------------------

LEAD = "governance/lead-authority-without-main-establishment"


def test_art56_1_no_deciding_establishment_in_the_eea_means_no_one_stop_shop() -> None:
    branch = {**BELGIAN_NV, "decides_purposes_and_means": False}
    (finding,) = findings_of(LEAD, set_("organisation.establishments", [branch]))
    assert "no one-stop shop" in finding.message


def test_art56_1_lead_must_be_where_the_main_establishment_decides() -> None:
    (finding,) = findings_of(LEAD, set_("organisation.lead_supervisory_authority", "FR"))
    assert "(BE)" in finding.message


def test_art56_1_no_lead_claimed_without_a_main_establishment_passes() -> None:
    assert findings_of(LEAD, CANADA) == []


def test_CP_1_statement_without_a_lead_authority_still_names_the_authorities() -> None:
    programme = variant(NO_LEAD).programme
    page = render_statement(programme, "md")
    assert "Autorité de protection des données" in page
    assert "our lead supervisory authority" not in page
    for rule_id in ("complaints/lead-authority-not-eea", "complaints/lead-authority-not-named"):
        assert findings_of(rule_id, NO_LEAD) == []


# --- the example ------------------------------------------------------------------------------


def test_CP_1_example_belgian_establishment_decides_and_is_an_assumption() -> None:
    loaded = load(EXAMPLE)
    organisation = loaded.programme.organisation
    assert organisation is not None and organisation.lead_supervisory_authority == "BE"
    (belgian,) = [e for e in organisation.establishments if e.country == "BE"]
    assert belgian.decides_purposes_and_means and belgian.name == "Lansweeper NV"
    paths = {a.path for a in loaded.programme.assumptions}
    decides = "organisation.establishments.Lansweeper NV.decides_purposes_and_means"
    assert decides in paths and resolve(loaded.programme, decides).value is True


def test_art35_example_cctv_and_profiling_are_covered_by_dpias() -> None:
    programme = load(EXAMPLE).programme
    covered = {key for record in programme.dpias for key in record.purposes}
    profiling = {p.key for p in programme.purposes if p.profiling is not None}
    assert {"office_cctv", *profiling} <= covered
    marked = {resolve(programme, a.path).model_path for a in programme.assumptions}
    assert {("dpias", index) for index in range(len(programme.dpias))} <= marked
