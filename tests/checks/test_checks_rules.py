"""Every check rule: one programme that trips it, one that passes (see conftest.py)."""

from __future__ import annotations

from datetime import date

import pytest
from checkcases import (
    ALL_TERMS,
    CASE_MODULES,
    CONTACT_FIELDS,
    COOKIE,
    FULL_ADM,
    LIA,
    NOTE_FIELDS,
    PURPOSE_0,
    RECIPIENT_0,
    RELEASE,
    SCC,
    THIRD_PARTY,
    TIA,
    TODAY,
    Case,
    Edit,
    add,
    both,
    cases_of,
    country,
    findings_of,
    minimal,
    nothing,
    safeguard,
    set_,
)

from tutela.checks import BUILTIN_RULES, run_checks

CRM_QUERY = {
    "method": "k_anonymity",
    "k": 5,
    "source": {"system": "crm", "query": "SELECT full_name, zip FROM contact"},
}
STATS_CSV = {"method": "k_anonymity", "k": 5, "source": {"csv": "stats.csv"}}
CASES: list[Case] = [
    # lawfulness
    ("LB-1", "lawfulness/no-legal-basis", set_(f"{PURPOSE_0}.legal_basis", None), nothing),
    (
        "LB-2",
        "lawfulness/legitimate-interest-without-assessment",
        set_(f"{PURPOSE_0}.legal_basis", "legitimate_interests"),
        both(
            set_(f"{PURPOSE_0}.legal_basis", "legitimate_interests"),
            set_(f"{PURPOSE_0}.legitimate_interest", LIA),
        ),
    ),
    (
        "LB-1-art6-1c",
        "lawfulness/legal-obligation-not-named",
        set_(f"{PURPOSE_0}.legal_basis", "legal_obligation"),
        both(
            set_(f"{PURPOSE_0}.legal_basis", "legal_obligation"),
            set_(f"{PURPOSE_0}.legal_obligation", "Belgian VAT Code art. 60"),
        ),
    ),
    (
        "art9",
        "lawfulness/special-category-without-condition",
        add(f"{PURPOSE_0}.categories", "user.health_and_medical"),
        both(
            add(f"{PURPOSE_0}.categories", "user.health_and_medical"),
            set_(f"{PURPOSE_0}.special_category_condition", "employment"),
        ),
    ),
    (
        "art10",
        "lawfulness/criminal-data-without-authority",
        add(f"{PURPOSE_0}.categories", "user.criminal_history"),
        both(
            add(f"{PURPOSE_0}.categories", "user.criminal_history"),
            set_(f"{PURPOSE_0}.legal_obligation", "Law of 8 Dec 1992, art. 8"),
            set_(f"{PURPOSE_0}.law_of", ["BE"]),
        ),
    ),
    # consent and marketing
    ("CO-3", "consent/no-notice-or-withdrawal", set_("purposes.1.consent", None), nothing),
    (
        "MK-1",
        "marketing/basis-not-consent-or-soft-opt-in",
        both(
            set_("purposes.1.legal_basis", "legitimate_interests"), set_("purposes.1.consent", None)
        ),
        both(
            set_("purposes.1.legal_basis", "legitimate_interests"),
            set_("purposes.1.legitimate_interest", LIA),
            set_("purposes.1.direct_marketing.soft_opt_in", True),
        ),
    ),
    (
        "MK-2",
        "marketing/no-unsubscribe",
        set_("purposes.1.direct_marketing.unsubscribe", None),
        both(
            set_("purposes.1.direct_marketing.unsubscribe", None),
            set_("rights.unsubscribe", "Unsubscribe link in every e-mail."),
        ),
    ),
    # profiling and automated decisions
    (
        "AD-1-13-2-f",
        "profiling/decision-logic-not-disclosed",
        set_(f"{PURPOSE_0}.profiling", {"automated_decision": True, "human_review": "Ask us."}),
        set_(f"{PURPOSE_0}.profiling", FULL_ADM),
    ),
    (
        "AD-1-profiling",
        "profiling/logic-not-disclosed",
        set_(f"{PURPOSE_0}.profiling", {"profiling": True}),
        set_(f"{PURPOSE_0}.profiling", {"profiling": True, "logic": "Usage scores."}),
    ),
    (
        "AD-1-data-use",
        "profiling/undeclared-profiling",
        add(f"{PURPOSE_0}.data_uses", "personalize.profiling"),
        both(
            add(f"{PURPOSE_0}.data_uses", "personalize.profiling"),
            set_(f"{PURPOSE_0}.profiling", {"logic": "Usage scores."}),
        ),
    ),
    (
        "AD-1-22-3",
        "profiling/no-human-review",
        set_(f"{PURPOSE_0}.profiling", {**FULL_ADM, "human_review": None}),
        set_(f"{PURPOSE_0}.profiling", FULL_ADM),
    ),
    (
        "AD-1-22-2",
        "profiling/decision-basis-not-allowed",
        both(
            set_(f"{PURPOSE_0}.profiling", FULL_ADM),
            set_(f"{PURPOSE_0}.legal_basis", "legitimate_interests"),
            set_(f"{PURPOSE_0}.legitimate_interest", LIA),
        ),
        set_(f"{PURPOSE_0}.profiling", FULL_ADM),
    ),
    (
        "AD-1-22-4",
        "profiling/decision-on-special-categories",
        both(
            set_(f"{PURPOSE_0}.profiling", FULL_ADM),
            add(f"{PURPOSE_0}.categories", "user.health_and_medical"),
            set_(f"{PURPOSE_0}.special_category_condition", "employment"),
        ),
        both(
            set_(f"{PURPOSE_0}.profiling", FULL_ADM),
            add(f"{PURPOSE_0}.categories", "user.health_and_medical"),
            set_(f"{PURPOSE_0}.special_category_condition", "explicit_consent"),
        ),
    ),
    # inventory and requests
    (
        "LB-1-art5-1b",
        "inventory/field-category-without-purpose",
        set_(f"{CONTACT_FIELDS}.2.data_categories", ["user.contact.phone_number"]),
        both(
            set_(f"{CONTACT_FIELDS}.2.data_categories", ["user.contact.phone_number"]),
            add(f"{PURPOSE_0}.categories", "user.contact"),
        ),
    ),
    (
        "AC-2",
        "inventory/category-not-held",
        add(f"{PURPOSE_0}.categories", "user.financial"),
        both(
            add(f"{PURPOSE_0}.categories", "user.financial"),
            add(CONTACT_FIELDS, {"name": "iban", "data_categories": ["user.financial"]}),
        ),
    ),
    (
        "AC-4",
        "inventory/identity-without-primary-key",
        set_(f"{CONTACT_FIELDS}.0.primary_key", False),
        nothing,
    ),
    (
        "AC-1",
        "requests/unreachable-data",
        set_("systems.0.datasets.0.collections.1.fields.1.references", []),
        nothing,
    ),
    # retention
    (
        "RT-1-purpose",
        "retention/purpose-without-retention",
        set_(f"{PURPOSE_0}.retention", None),
        nothing,
    ),
    (
        "RT-1-dataset",
        "retention/dataset-without-retention",
        set_("systems.0.purposes", []),
        both(set_("systems.0.purposes", []), set_("systems.0.retention", "two_years")),
    ),
    (
        "RT-1-rule",
        "retention/rule-without-period-or-criterion",
        set_("retention.1.period", None),
        both(
            set_("retention.1.period", None), set_("retention.1.criterion", "Until unsubscribed.")
        ),
    ),
    # transfers
    ("TR-1-country", "transfers/recipient-without-country", country(), nothing),
    (
        "TR-1",
        "transfers/no-safeguard",
        country("IN"),
        both(country("IN"), safeguard(**SCC)),
    ),
    (
        "TR-2",
        "transfers/adequacy-not-available",
        both(country("IN"), safeguard(mechanism="adequacy")),
        both(country("JP"), safeguard(mechanism="adequacy")),
    ),
    (
        "TR-3",
        "transfers/us-adequacy-without-dpf",
        both(country("US"), safeguard(mechanism="adequacy")),
        both(
            country("US"),
            safeguard(mechanism="adequacy"),
            set_(f"{RECIPIENT_0}.dpf_certified", True),
            set_(f"{RECIPIENT_0}.dpf_expires", date(2027, 3, 1)),
        ),
    ),
    (
        "TR-3-expired",
        "transfers/dpf-certification-expired",
        both(
            country("US"),
            set_(f"{RECIPIENT_0}.dpf_certified", True),
            set_(f"{RECIPIENT_0}.dpf_expires", date(2026, 1, 1)),
        ),
        both(
            country("US"),
            set_(f"{RECIPIENT_0}.dpf_certified", True),
            set_(f"{RECIPIENT_0}.dpf_expires", date(2027, 3, 1)),
        ),
    ),
    (
        "TR-4-module",
        "transfers/scc-without-module",
        both(country("IN"), safeguard(**{**SCC, "scc_module": None})),
        both(country("IN"), safeguard(**SCC)),
    ),
    (
        "TR-4-decision",
        "transfers/scc-repealed-decision",
        both(country("IN"), safeguard(**SCC, scc_decision="Decision 2010/87/EU")),
        both(country("IN"), safeguard(**SCC, scc_decision="Implementing Decision (EU) 2021/914")),
    ),
    (
        "TR-4-mismatch",
        "transfers/scc-module-mismatch",
        both(country("IN"), safeguard(**{**SCC, "scc_module": "M1"})),
        both(country("IN"), safeguard(**SCC)),
    ),
    (
        "TR-5",
        "transfers/no-tia",
        both(country("IN"), safeguard(**{**SCC, "tia": None})),
        both(country("IN"), safeguard(**SCC)),
    ),
    (
        "TR-5-review",
        "transfers/tia-review-overdue",
        both(country("IN"), safeguard(**{**SCC, "tia": {**TIA, "review_on": "2026-06-30"}})),
        both(country("IN"), safeguard(**SCC)),
    ),
    (
        "TR-5-no-review",
        "transfers/tia-without-review-date",
        both(country("IN"), safeguard(**{**SCC, "tia": {**TIA, "review_on": None}})),
        both(country("IN"), safeguard(**SCC)),
    ),
    (
        "TR-2-art49",
        "transfers/derogation-not-named",
        both(country("IN"), safeguard(mechanism="derogation")),
        both(country("IN"), safeguard(mechanism="derogation", derogation="Art. 49(1)(b)")),
    ),
    # processors
    (
        "PR-1",
        "processors/system-without-controller-or-dpa",
        set_("systems.0.role", "processor"),
        both(
            set_("systems.0.role", "processor"),
            set_("systems.0.controller", "The customer"),
            set_("systems.0.dpa", {"reference": "DPA-2026", "terms": ALL_TERMS}),
        ),
    ),
    (
        "PR-1-terms",
        "processors/dpa-missing-terms",
        set_(f"{RECIPIENT_0}.dpa", {"reference": "DPA-1", "terms": ["confidentiality"]}),
        set_(f"{RECIPIENT_0}.dpa", {"reference": "DPA-1", "terms": ALL_TERMS}),
    ),
    (
        "art28-3-a",
        "processors/recipient-without-purposes",
        set_(f"{RECIPIENT_0}.purposes", []),
        nothing,
    ),
    (
        "PR-1-recipient",
        "processors/recipient-without-dpa",
        nothing,
        set_(f"{RECIPIENT_0}.dpa", {"reference": "DPA-1", "terms": ALL_TERMS}),
    ),
    # cookies
    (
        "CK-1",
        "cookies/no-consent-purpose",
        add("cookies", COOKIE),
        add("cookies", {**COOKIE, "purpose": "newsletter"}),
    ),
    (
        "CK-1-basis",
        "cookies/purpose-not-consent",
        add("cookies", {**COOKIE, "purpose": "supply_services"}),
        add("cookies", {**COOKIE, "category": "necessary", "purpose": "supply_services"}),
    ),
    # statement, rights, complaints, sources
    ("NT-1", "statement/not-versioned", set_("statement.version", None), nothing),
    (
        "NT-1-change-log",
        "statement/change-log-mismatch",
        set_("statement.version", "1.1"),
        both(
            set_("statement.version", "1.1"),
            add(
                "statement.change_log", {"version": "1.1", "date": "2026-06-01", "summary": "New."}
            ),
        ),
    ),
    (
        "art13-1-a",
        "statement/no-privacy-contact",
        set_("organisation.privacy_email", "the privacy team"),
        nothing,
    ),
    ("art37-7", "statement/dpo-unreachable", set_("organisation.dpo", {"name": "DPO"}), nothing),
    (
        "art27",
        "statement/no-eu-representative",
        set_("organisation.establishment_country", "CA"),
        both(
            set_("organisation.establishment_country", "CA"),
            set_("organisation.eu_representative", {"name": "Rep BV", "email": "rep@example.test"}),
        ),
    ),
    (
        "art13-2-b",
        "rights/missing-right",
        # no purpose relies on consent, contract or legitimate interests: portability and
        # objection are not required (no error), yet the statement should still explain them
        both(
            set_("purposes", []),
            set_("rights.offered", ["access", "rectification", "erasure", "restriction"]),
        ),
        set_("purposes", []),
    ),
    (
        "CP-1-lead",
        "complaints/lead-authority-not-eea",
        set_("organisation.lead_supervisory_authority", "US"),
        nothing,
    ),
    (
        "CP-1-named",
        "complaints/lead-authority-not-named",
        set_("complaints.authorities", ["FR"]),
        set_("complaints.authorities", ["FR", "BE"]),
    ),
    (
        "CP-1-unknown",
        "complaints/unknown-authority",
        set_("complaints.authorities", ["BE", "US"]),
        set_("complaints.authorities", ["BE", "EL", "NO"]),
    ),
    ("art13-sections", "transparency/missing-section", set_("complaints", None), nothing),
    (
        "art12-1-todo",
        "transparency/todo-placeholder",
        set_("systems.0.owner", "TODO: who answers for this system"),
        set_("systems.0.owner", "Engineering (owner of the TODO list app)".replace("TODO", "todo")),
    ),
    (
        "art12-1-country",
        "transparency/todo-placeholder",
        set_("systems.0.hosting_country", "ZZ"),
        set_("systems.0.hosting_country", "BE"),
    ),
    (
        "LB-3",
        "sources/no-art14-notice",
        add("sources", {**THIRD_PARTY, "provider": "Acme Data"}),
        add(
            "sources", {**THIRD_PARTY, "provider": "Acme Data", "notice": "E-mail within 30 days."}
        ),
    ),
    (
        "LB-3-provider",
        "sources/provider-not-named",
        add("sources", {**THIRD_PARTY, "notice": "E-mail within 30 days."}),
        add("sources", {**THIRD_PARTY, "notice": "E-mail within 30 days.", "provider": "Acme"}),
    ),
    # secrets
    (
        "art32-url",
        "secrets/password-in-connector-url",
        set_("systems.0.connector", {"url": "postgresql://crm:s3cret@db.internal/crm"}),
        set_(
            "systems.0.connector",
            {"url": "postgresql://crm@db.internal/crm", "password_env": "CRM_PW"},
        ),
    ),
    (
        "art32-options",
        "secrets/secret-in-connector-options",
        set_("systems.0.connector", {"url_env": "CRM_URL", "options": {"api_token": "abc123"}}),
        set_(
            "systems.0.connector", {"url_env": "CRM_URL", "options": {"api_token_env": "CRM_TOKEN"}}
        ),
    ),
    # erasure
    (
        "ER-1-null",
        "erasure/null-on-required-field",
        set_(f"{CONTACT_FIELDS}.2.nullable", False),
        both(
            set_(f"{CONTACT_FIELDS}.2.nullable", False),
            set_(f"{CONTACT_FIELDS}.2.masking", "fixed"),
        ),
    ),
    (
        "ER-1-fixed",
        "erasure/fixed-value-too-long",
        both(
            set_(f"{CONTACT_FIELDS}.2.masking", "fixed"),
            set_(f"{CONTACT_FIELDS}.2.length", 5),
        ),
        both(
            set_(f"{CONTACT_FIELDS}.2.masking", "fixed"),
            set_(f"{CONTACT_FIELDS}.2.length", 50),
        ),
    ),
    (
        "ER-1-key",
        "erasure/masks-key-column",
        set_(f"{NOTE_FIELDS}.1.data_categories", ["user.unique_id"]),
        set_(f"{NOTE_FIELDS}.1.data_categories", ["system.operations"]),
    ),
    # rectification
    (
        "RE-1-protected",
        "rectification/protected-field",
        set_(f"{CONTACT_FIELDS}.1.rectifiable", True),
        set_(f"{CONTACT_FIELDS}.2.rectifiable", True),
    ),
    # anonymisation
    (
        "AN-3-k",
        "anonymisation/small-k",
        add(
            "anonymisation",
            {**RELEASE, "method": "k_anonymity", "k": 3, "quasi_identifiers": ["zip"]},
        ),
        add(
            "anonymisation",
            {**RELEASE, "method": "k_anonymity", "k": 5, "quasi_identifiers": ["zip"]},
        ),
    ),
    (
        "AN-3-qi",
        "anonymisation/no-quasi-identifiers",
        add("anonymisation", {**RELEASE, "method": "k_anonymity", "k": 5}),
        add(
            "anonymisation",
            {**RELEASE, "method": "k_anonymity", "k": 5, "quasi_identifiers": ["zip"]},
        ),
    ),
    (
        "AN-3-l",
        "anonymisation/no-l",
        add(
            "anonymisation",
            {**RELEASE, "method": "l_diversity", "k": 5, "quasi_identifiers": ["zip"]},
        ),
        add(
            "anonymisation",
            {**RELEASE, "method": "l_diversity", "k": 5, "l": 2, "quasi_identifiers": ["zip"]},
        ),
    ),
    (
        "AN-3-cells",
        "anonymisation/no-small-cell-suppression",
        add("anonymisation", {**RELEASE, "method": "aggregation"}),
        add("anonymisation", {**RELEASE, "method": "aggregation", "min_cell": 5}),
    ),
    (
        "AN-1-declared",
        "anonymisation/direct-identifier-as-quasi-identifier",
        add("anonymisation", {**RELEASE, **CRM_QUERY, "quasi_identifiers": ["full_name"]}),
        add("anonymisation", {**RELEASE, **CRM_QUERY, "quasi_identifiers": ["zip"]}),
    ),
    (
        "AN-1-named",
        "anonymisation/direct-identifier-as-quasi-identifier",
        add("anonymisation", {**RELEASE, **STATS_CSV, "quasi_identifiers": ["zip", "E-mail"]}),
        add("anonymisation", {**RELEASE, **STATS_CSV, "quasi_identifiers": ["zip", "age"]}),
    ),
]


ALL_CASES: list[Case] = [
    *CASES,
    *(case for name in CASE_MODULES if name != "test_checks_rules" for case in cases_of(name)),
]
"""Every area's cases (each module lists its own in ``CASES``; see conftest.py)."""


@pytest.mark.parametrize(
    ("rule_id", "bad"), [pytest.param(c[1], c[2], id=f"{c[0]} {c[1]}") for c in ALL_CASES]
)
def test_rule_trips_on_a_programme_that_breaks_it(rule_id: str, bad: Edit) -> None:
    found = findings_of(rule_id, bad)
    assert found, f"{rule_id} did not fire"
    finding = found[0]
    assert finding.severity == BUILTIN_RULES[rule_id].severity
    assert finding.message and finding.hint
    assert finding.location is not None


@pytest.mark.parametrize(
    ("rule_id", "good"), [pytest.param(c[1], c[3], id=f"{c[0]} {c[1]}") for c in ALL_CASES]
)
def test_rule_passes_a_programme_that_complies(rule_id: str, good: Edit) -> None:
    assert findings_of(rule_id, good) == []


def test_every_builtin_rule_has_a_case() -> None:
    proven = {case[1] for case in ALL_CASES}
    assert sorted(BUILTIN_RULES) == sorted(proven)


def test_minimal_fixture_has_no_errors() -> None:
    findings = run_checks(minimal(), today=TODAY)
    assert [f for f in findings if f.severity == "error"] == []
