"""Governance rules: DPIAs, the DPO, joint controllers, the representative, the lead authority.

Sources: GDPR Arts. 4(16), 26, 27, 35, 36, 37, 56; WP248 rev.01 (DPIA), WP243 rev.01
(DPO), EDPB Guidelines 07/2020 (joint controllers) and 8/2022 (lead supervisory authority).
What the programme's facts imply (risk, DPO triggers, establishments) is worked out in
:mod:`tutela.checks.facts`.
"""

from __future__ import annotations

from collections.abc import Iterator

from tutela.checks.facts import (
    art35_cases,
    dpia_covers,
    dpo_reasons,
    sensitive,
    wp248_criteria,
)
from tutela.checks.findings import CheckContext, Rule, Violation, rule
from tutela.jurisdictions import packaged_jurisdictions
from tutela.programme.establishments import established_in_eea, main_establishment_countries

DPIA_HINT = (
    "carry out a DPIA before the processing starts and record it under dpias: "
    "{reference, purposes: [%s], assessed_on, outcome}"
)


@rule(
    "governance/dpia-required",
    severity="error",
    title="Processing that Art. 35(3) names without a DPIA",
    source="GDPR Art. 35(1), 35(3); WP248 rev.01",
)
def dpia_required(context: CheckContext) -> Iterator[Violation]:
    """A purpose under Art. 35(3)(a), (b) or (c) is covered by a recorded DPIA (Art. 35(1)).

    (a) automated decisions with legal or similarly significant effects
    (``profiling.automated_decision``); (b) special categories or criminal-offence data on a
    large scale; (c) systematic monitoring of a publicly accessible area on a large scale.
    """
    for index, purpose in enumerate(context.programme.purposes):
        cases = art35_cases(context, purpose)
        if cases and not dpia_covers(context, purpose):
            yield Violation(
                ("purposes", index),
                f"purpose '{purpose.key}' falls under Art. 35(3){', '.join(cases)}, and no "
                "DPIA covers it",
                DPIA_HINT % purpose.key,
            )


@rule(
    "governance/dpia-likely-required",
    severity="warning",
    title="Processing meeting two WP248 criteria without a DPIA",
    source="GDPR Art. 35(1); WP248 rev.01 §III.B.a",
)
def dpia_likely_required(context: CheckContext) -> Iterator[Violation]:
    """A purpose meeting two or more WP248 criteria is covered by a DPIA (WP248 rev.01).

    tutela counts the criteria the programme shows: scoring or profiling, automated
    decisions, systematic monitoring, special or criminal data, large scale, third-party
    data combined with other sources, vulnerable subjects (children, employees, patients).
    """
    for index, purpose in enumerate(context.programme.purposes):
        criteria = wp248_criteria(context, purpose)
        if len(criteria) < 2 or art35_cases(context, purpose) or dpia_covers(context, purpose):
            continue
        yield Violation(
            ("purposes", index),
            f"purpose '{purpose.key}' meets {len(criteria)} WP248 criteria "
            f"({', '.join(criteria)}) and no DPIA covers it",
            (DPIA_HINT % purpose.key)
            + "; if you conclude no DPIA is needed, record that assessment as a DPIA whose "
            "outcome says why",
        )


@rule(
    "governance/prior-consultation-missing",
    severity="error",
    title="High residual risk without consulting the supervisory authority",
    source="GDPR Art. 36(1), 36(3)",
)
def prior_consultation_missing(context: CheckContext) -> Iterator[Violation]:
    """A DPIA that leaves a high risk records the prior consultation of the authority (Art. 36)."""
    for index, dpia in enumerate(context.programme.dpias):
        if dpia.residual_high_risk and dpia.prior_consultation is None:
            yield Violation(
                ("dpias", index, "prior_consultation"),
                f"DPIA '{dpia.reference}' leaves a high residual risk and records no prior "
                "consultation of the supervisory authority",
                "consult the lead (or competent) supervisory authority before processing and "
                "record prior_consultation: {authority, consulted_on}, or add measures until "
                "the risk is no longer high and set residual_high_risk: false",
            )


@rule(
    "governance/dpia-review-overdue",
    severity="warning",
    title="DPIA past its review date",
    source="GDPR Art. 35(11); WP248 rev.01",
)
def dpia_review_overdue(context: CheckContext) -> Iterator[Violation]:
    """A DPIA is reviewed by its review date: a DPIA is a continual process (Art. 35(11))."""
    for index, dpia in enumerate(context.programme.dpias):
        if dpia.review_on is not None and dpia.review_on < context.today:
            yield Violation(
                ("dpias", index, "review_on"),
                f"DPIA '{dpia.reference}' was due for review on {dpia.review_on.isoformat()}",
                "review the DPIA against the processing as it is now, then set assessed_on to "
                "the review date and review_on to the next one",
            )


@rule(
    "governance/dpo-required",
    severity="error",
    title="No DPO where Art. 37(1) requires one",
    source="GDPR Art. 37(1); WP243 rev.01 §2.1",
)
def dpo_required(context: CheckContext) -> Iterator[Violation]:
    """Art. 37(1)(a)-(c) cases designate a DPO (Art. 37(1); WP243 §2.1).

    A public authority, or core activities of large-scale regular and systematic monitoring
    or of large-scale special-category or criminal-offence data.
    """
    organisation = context.programme.organisation
    if organisation is None or organisation.dpo is not None:
        return
    reasons = dpo_reasons(context)
    if reasons:
        yield Violation(
            ("organisation", "dpo"),
            "a DPO is required under Art. 37(1) and none is designated: " + "; ".join(reasons),
            "designate a DPO and set organisation.dpo: {name, email}; if a purpose is not a "
            "core activity or not large-scale, correct core_activity or large_scale",
        )


@rule(
    "governance/dpo-contact-missing",
    severity="error",
    title="DPO without an e-mail or postal address",
    source="GDPR Art. 37(7), 13(1)(b), 14(1)(b), 38(4); WP243 rev.01 §2.6",
)
def dpo_contact_missing(context: CheckContext) -> Iterator[Violation]:
    """The DPO's contact details are published: an e-mail or a postal address (Art. 37(7))."""
    organisation = context.programme.organisation
    dpo = organisation.dpo if organisation is not None else None
    if dpo is not None and dpo.email is None and dpo.address is None:
        yield Violation(
            ("organisation", "dpo"),
            f"the DPO '{dpo.name}' has neither an e-mail nor a postal address",
            "set organisation.dpo.email (a role address such as dpo@example.com is fine) or "
            "organisation.dpo.address, so people and the authority can write to the DPO",
        )


@rule(
    "governance/joint-controller-without-arrangement",
    severity="error",
    title="Joint controller without an arrangement or its essence",
    source="GDPR Art. 26(1)-(2); EDPB Guidelines 07/2020 Part II §2",
)
def joint_controller_without_arrangement(context: CheckContext) -> Iterator[Violation]:
    """Joint controllers record their arrangement and make its essence available (Art. 26)."""
    for index, recipient in enumerate(context.programme.recipients):
        if recipient.kind != "joint_controller":
            continue
        arrangement = recipient.arrangement
        if arrangement is None:
            yield Violation(
                ("recipients", index, "arrangement"),
                f"joint controller '{recipient.key}' has no recorded arrangement",
                "agree who does what (information, requests, contact point) and set "
                "arrangement: {reference, signed, essence}",
            )
        elif arrangement.essence is None:
            yield Violation(
                ("recipients", index, "arrangement", "essence"),
                f"the arrangement with joint controller '{recipient.key}' does not say its "
                "essence, which must be made available to data subjects",
                "set arrangement.essence to a summary of the respective responsibilities, "
                "as the statement shows it (Art. 26(2))",
            )


@rule(
    "governance/representative-exemption-not-available",
    severity="error",
    title="Art. 27(2) exemption claimed for processing it does not cover",
    source="GDPR Art. 27(2)(a), 3(2); EDPB Guidelines 3/2018 §4",
)
def representative_exemption_not_available(context: CheckContext) -> Iterator[Violation]:
    """The Art. 27(2)(a) exemption covers only low-risk processing (Art. 27(2)(a)).

    Occasional processing, without large-scale special-category or criminal-offence data,
    unlikely to result in a risk: a purpose that needs a DPIA or leaves a high risk is not.
    """
    organisation = context.programme.organisation
    if organisation is None or organisation.representative_exemption is None:
        return
    if organisation.eu_representative is not None or organisation.public_authority:
        return
    if established_in_eea(organisation, packaged_jurisdictions()):
        return
    risky = _risky_purposes(context)
    if risky:
        yield Violation(
            ("organisation", "representative_exemption"),
            "the Art. 27(2)(a) exemption covers only occasional processing unlikely to result "
            "in a risk, not " + "; ".join(risky),
            "designate a representative in the Union and set organisation.eu_representative "
            "(and remove representative_exemption)",
        )


def _risky_purposes(context: CheckContext) -> list[str]:
    """Purposes with large-scale sensitive data, under Art. 35(3), or left at a high risk."""
    high = {
        key for dpia in context.programme.dpias if dpia.residual_high_risk for key in dpia.purposes
    }
    risky = []
    for purpose in context.programme.purposes:
        if purpose.large_scale and sensitive(context, purpose):
            risky.append(f"'{purpose.key}' (special or criminal data on a large scale)")
        elif art35_cases(context, purpose):
            risky.append(f"'{purpose.key}' (a DPIA is required, Art. 35(3))")
        elif purpose.key in high:
            risky.append(f"'{purpose.key}' (its DPIA leaves a high risk)")
    return risky


@rule(
    "governance/lead-authority-without-main-establishment",
    severity="error",
    title="Lead supervisory authority without a main establishment there",
    source="GDPR Art. 4(16)(a), 56(1); EDPB Guidelines 8/2022; GDPR.md CP-1, BR-4",
)
def lead_authority_without_main_establishment(context: CheckContext) -> Iterator[Violation]:
    """The lead authority is that of the main establishment (Art. 4(16)(a), 56(1)).

    The main establishment is the EEA establishment that decides purposes and means; where
    none does, there is no one-stop shop (EDPB Guidelines 8/2022) and no lead authority.
    """
    organisation = context.programme.organisation
    places = packaged_jurisdictions()
    lead = organisation.lead_supervisory_authority if organisation is not None else None
    if organisation is None or lead is None or not places.in_eea(lead):
        return  # complaints/lead-authority-not-eea reports a lead outside the EEA
    main = main_establishment_countries(organisation, places)
    if not main:
        yield Violation(
            ("organisation", "lead_supervisory_authority"),
            f"lead supervisory authority '{lead}' is claimed, but no establishment in the EEA "
            "takes the decisions on purposes and means: there is no one-stop shop",
            "mark the EEA establishment that decides (establishments[].decides_purposes_and_"
            "means: true), or remove lead_supervisory_authority (each authority concerned is "
            "then competent, BR-4)",
        )
    elif places.code(lead) not in main:
        yield Violation(
            ("organisation", "lead_supervisory_authority"),
            f"lead supervisory authority '{lead}' is not where the main establishment decides "
            f"({', '.join(sorted(main))})",
            "set lead_supervisory_authority to the country of the main establishment",
        )


RULES: tuple[Rule, ...] = (
    dpia_required,
    dpia_likely_required,
    prior_consultation_missing,
    dpia_review_overdue,
    dpo_required,
    dpo_contact_missing,
    joint_controller_without_arrangement,
    representative_exemption_not_available,
    lead_authority_without_main_establishment,
)
"""The governance rules, in documentation order."""
