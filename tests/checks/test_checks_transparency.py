"""Rights, fees, Art. 14 timing and records rules of issue 14, and the example's one warning.

GDPR Arts. 12(5), 14(3), 15-21, 30(1)(c); C-307/22; GDPR.md FEE-1, LB-3, OB-1, OB-2, PO-1
(see conftest.py for the case format; consent and retention wording: test_checks_consent.py).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from checkcases import (
    LIA,
    THIRD_PARTY,
    Case,
    Edit,
    add,
    both,
    findings_of,
    minimal,
    nothing,
    set_,
)

from tutela.checks import run_checks
from tutela.programme.loader import load

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cloudockit"
SEED_FEES = (
    "If processing your request requires unreasonable measures (e.g. it is technically or "
    "organisationally almost impossible or extremely costly) then we can charge you "
    "reasonable compensation in light of the administrative costs involved."
)
ALL_BUT_OBJECTION = ["access", "rectification", "erasure", "restriction", "portability"]


def source_notified_within(duration: str, kind: str = "third_party") -> Edit:
    fields = {"provider": "Acme Data", "notice": "E-mail.", "notice_within": duration}
    return add("sources", {**THIRD_PARTY, "kind": kind, **fields})


CASES: list[Case] = [
    (
        "LB-3-14-3-a",
        "sources/art14-notice-too-late",
        source_notified_within("2m"),
        source_notified_within("1m"),
    ),
    (
        "OB-2-art21",
        "rights/required-right-not-offered",
        set_("rights.offered", ALL_BUT_OBJECTION),
        nothing,
    ),
    ("FEE-1", "rights/fee-beyond-art12-5", set_("rights.fees", SEED_FEES), nothing),
    (
        "art30-1-c",
        "records/purpose-without-subjects-or-categories",
        set_("purposes.0.subjects", []),
        nothing,
    ),
]


# --- LB-3: Art. 14 information within one month -----------------------------------------------


@pytest.mark.parametrize("duration", ["5w", "30d", "6 weeks", "1y"])
def test_LB_3_longer_than_a_calendar_month_is_too_late(duration: str) -> None:
    found = findings_of("sources/art14-notice-too-late", source_notified_within(duration))
    assert [f.path for f in found] == [("sources", 1, "notice_within")]


@pytest.mark.parametrize("duration", ["1m", "4w", "28d", "72h"])
def test_LB_3_within_a_month_is_in_time(duration: str) -> None:
    assert findings_of("sources/art14-notice-too-late", source_notified_within(duration)) == []


def test_LB_3_data_from_the_subject_is_not_art_14() -> None:
    edit = source_notified_within("3m", kind="subject")
    assert findings_of("sources/art14-notice-too-late", edit) == []


# --- Arts. 15-21: rights the law grants -----------------------------------------------------


@pytest.mark.parametrize(
    ("right", "reason"),
    [
        ("access", "Art. 15"),
        ("restriction", "Art. 18"),
        ("portability", "'supply_services' relies on contract (Art. 20(1))"),
        ("objection", "'newsletter' is direct marketing (Art. 21(2)-(3)"),
    ],
)
def test_art15_21_a_granted_right_switched_off_names_its_reason(right: str, reason: str) -> None:
    offered = [r for r in ("access", "rectification", "erasure", "restriction") if r != right]
    offered += [r for r in ("objection", "portability") if r != right]
    found = findings_of("rights/required-right-not-offered", set_("rights.offered", offered))
    assert len(found) == 1 and reason in found[0].message and right in found[0].hint


def test_OB_1_legitimate_interests_need_the_objection() -> None:
    edit = both(
        set_("purposes.1.direct_marketing", None),
        set_("purposes.1.data_uses", ["essential.service"]),
        set_("purposes.1.legal_basis", "legitimate_interests"),
        set_("purposes.1.legitimate_interest", LIA),
        set_("rights.offered", ALL_BUT_OBJECTION),
    )
    found = findings_of("rights/required-right-not-offered", edit)
    assert len(found) == 1 and "legitimate_interests (Art. 21(1))" in found[0].message


def test_PO_1_without_consent_or_contract_portability_may_be_left_out() -> None:
    obligation = {"legal_basis": "legal_obligation", "legal_obligation": "Belgian VAT Code art. 60"}
    edit = both(
        set_("purposes", [{**_purpose(0), **obligation}]),
        set_("rights.offered", ["access", "rectification", "erasure", "restriction"]),
    )
    assert findings_of("rights/required-right-not-offered", edit) == []


def _purpose(index: int) -> dict[str, object]:
    return minimal().programme.purposes[index].model_dump()


# --- FEE-1: fees only where Art. 12(5) and 15(3) allow -------------------------------------


@pytest.mark.parametrize(
    "fees",
    [
        "Nous pouvons demander une compensation si la demande exige des mesures déraisonnables.",
        "Wij kunnen kosten aanrekenen als het verzoek onredelijke maatregelen vraagt.",
        "Wir können ein Entgelt verlangen, wenn die Anfrage unzumutbare Maßnahmen erfordert.",
        "A fee applies if answering would be extremely costly for us.",
        "For further copies or unreasonable requests we may charge a reasonable fee.",
    ],
)
def test_FEE_1_fees_for_effort_or_cost_are_reported_in_four_languages(fees: str) -> None:
    found = findings_of("rights/fee-beyond-art12-5", set_("rights.fees", fees))
    assert len(found) == 1 and found[0].severity == "warning"
    assert "Art. 12(5)" in found[0].hint and "Art. 15(3)" in found[0].hint


def test_FEE_1_the_lawful_grounds_pass() -> None:
    fees = (
        "Exercising your rights is free. We may charge a reasonable fee for further copies, or "
        "for manifestly unfounded or excessive requests."
    )
    assert findings_of("rights/fee-beyond-art12-5", set_("rights.fees", fees)) == []


def test_FEE_1_the_cloudockit_example_shows_only_the_seed_fee_warning() -> None:
    findings = run_checks(load(EXAMPLE), today=date(2026, 11, 25))
    assert [(f.rule, f.severity, f.path) for f in findings] == [
        ("rights/fee-beyond-art12-5", "warning", ("rights", "fees"))
    ]


# --- Art. 30(1)(c): who and what each purpose is about ----------------------------------------


def test_art30_1_c_a_purpose_without_categories_is_reported() -> None:
    found = findings_of(
        "records/purpose-without-subjects-or-categories", set_("purposes.1.categories", [])
    )
    assert [f.path for f in found] == [("purposes", 1, "categories")]
    assert "categories" in found[0].message
