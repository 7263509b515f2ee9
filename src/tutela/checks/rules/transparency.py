"""Transparency rules: a versioned statement with contacts, rights and complaint routes.

Sources: GDPR Arts. 12-14 (information), 27 (representative), 77 (complaints).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tutela.checks.facts import representative_required
from tutela.checks.findings import CheckContext, Rule, Violation, rule
from tutela.checks.rules.rights import required_rights
from tutela.jurisdictions import packaged_jurisdictions
from tutela.programme.models import ALL_RIGHTS

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@rule(
    "statement/not-versioned",
    severity="error",
    title="Statement without a version or effective date",
    source="GDPR Art. 12(1), 13(3); WP260; GDPR.md NT-1",
)
def not_versioned(context: CheckContext) -> Iterator[Violation]:
    """Each statement version is immutable and dated; records point to it (NT-1)."""
    statement = context.programme.statement
    if statement is None:
        return  # transparency/missing-section reports it
    missing = [name for name in ("version", "effective_date") if getattr(statement, name) is None]
    if missing:
        yield Violation(
            ("statement", missing[0]),
            "the statement has no " + " and no ".join(missing),
            "set statement.version (e.g. '2.1') and statement.effective_date (YYYY-MM-DD)",
        )


@rule(
    "statement/change-log-mismatch",
    severity="error",
    title="Latest change-log entry does not match the statement version",
    source="GDPR Art. 13(3), 14(4); WP260; GDPR.md NT-1",
)
def change_log_mismatch(context: CheckContext) -> Iterator[Violation]:
    """The newest change-log entry describes the version in force (NT-1)."""
    statement = context.programme.statement
    if statement is None or not statement.change_log or statement.version is None:
        return
    latest_index, latest = max(enumerate(statement.change_log), key=lambda e: (e[1].date, e[0]))
    if latest.version != statement.version:
        yield Violation(
            ("statement", "change_log", latest_index, "version"),
            f"the latest change-log entry is version '{latest.version}' "
            f"({latest.date.isoformat()}) but the statement is version '{statement.version}'",
            "add a change_log entry for the current version (date and summary), or correct "
            "statement.version",
        )


@rule(
    "statement/no-privacy-contact",
    severity="error",
    title="No usable privacy contact",
    source="GDPR Art. 12(2), 13(1)(a)",
)
def no_privacy_contact(context: CheckContext) -> Iterator[Violation]:
    """The statement gives a contact where people exercise their rights (Art. 13(1)(a))."""
    organisation = context.programme.organisation
    if organisation is None:
        return  # transparency/missing-section reports it
    email = organisation.privacy_email
    if not EMAIL.match(email):
        yield Violation(
            ("organisation", "privacy_email"),
            f"the privacy contact '{email}' is not an e-mail address",
            "set organisation.privacy_email to a monitored address, e.g. privacy@example.com",
        )


@rule(
    "statement/dpo-unreachable",
    severity="warning",
    title="DPO without contact details",
    source="GDPR Art. 13(1)(b), 37(7)",
)
def dpo_unreachable(context: CheckContext) -> Iterator[Violation]:
    """The DPO's contact details are published (Art. 13(1)(b), 37(7))."""
    organisation = context.programme.organisation
    dpo = organisation.dpo if organisation is not None else None
    if dpo is not None and dpo.email is None and dpo.phone is None and dpo.address is None:
        yield Violation(
            ("organisation", "dpo"),
            f"the DPO '{dpo.name}' has no e-mail, phone or address",
            "add organisation.dpo.email (a role address such as dpo@example.com is fine)",
        )


@rule(
    "statement/no-eu-representative",
    severity="error",
    title="Controller outside the EEA without an EU representative",
    source="GDPR Art. 27(1), 13(1)(a)",
)
def no_eu_representative(context: CheckContext) -> Iterator[Violation]:
    """A controller not established in the Union designates a representative (Art. 27).

    Established: an EEA entry in ``establishments`` (else ``establishment_country``);
    exempt: a public authority, or an Art. 27(2)(a) ground in ``representative_exemption``.
    """
    organisation = context.programme.organisation
    if organisation is None:
        return  # transparency/missing-section reports it
    country = organisation.establishment_country
    if representative_required(organisation, packaged_jurisdictions()):
        yield Violation(
            ("organisation", "eu_representative"),
            f"the controller is established in {country}, has no establishment in the EEA "
            "and names no EU representative",
            "set organisation.eu_representative, list the EEA establishment under "
            "organisation.establishments, or record the Art. 27(2)(a) ground in "
            "organisation.representative_exemption",
        )


@rule(
    "rights/missing-right",
    severity="warning",
    title="A data-subject right is not offered",
    source="GDPR Art. 13(2)(b), 15-18, 20, 21",
)
def missing_right(context: CheckContext) -> Iterator[Violation]:
    """The statement lists all six rights of Arts. 15-18, 20, 21 (Art. 13(2)(b)).

    A right the law grants for this programme is an error of
    ``rights/required-right-not-offered`` instead; this warning names only the others.
    """
    if context.programme.rights is None:
        return  # transparency/missing-section reports it
    offered = context.programme.rights.offered
    required = required_rights(context.programme)
    missing = [r for r in ALL_RIGHTS if r not in offered and r not in required]
    if missing:
        yield Violation(
            ("rights", "offered"),
            "the statement does not offer the right(s) to " + ", ".join(missing),
            "add them to rights.offered; a right that does not apply (e.g. portability without "
            "consent or contract) is still explained with its conditions",
        )


@rule(
    "complaints/lead-authority-not-eea",
    severity="error",
    title="Lead supervisory authority is not an EEA authority",
    source="GDPR Art. 56(1), 77; GDPR.md CP-1",
)
def lead_authority_not_eea(context: CheckContext) -> Iterator[Violation]:
    """The lead SA is the EEA authority of the main establishment (Art. 56(1); CP-1)."""
    organisation = context.programme.organisation
    if organisation is None:
        return  # transparency/missing-section reports it
    lead = organisation.lead_supervisory_authority
    if lead is not None and packaged_jurisdictions().known_authority(lead) is None:
        yield Violation(
            ("organisation", "lead_supervisory_authority"),
            f"lead supervisory authority '{lead}' is not an EU/EEA supervisory authority",
            "set the ISO code of the EEA country of the main establishment (e.g. BE for the "
            "APD/GBA)",
        )


@rule(
    "complaints/lead-authority-not-named",
    severity="warning",
    title="Complaints section does not name the lead authority",
    source="GDPR Art. 13(2)(d), 77; GDPR.md CP-1",
)
def lead_authority_not_named(context: CheckContext) -> Iterator[Violation]:
    """The statement names the lead SA among the authorities to complain to (CP-1)."""
    organisation, complaints = context.programme.organisation, context.programme.complaints
    if organisation is None or complaints is None:
        return  # transparency/missing-section reports it
    lead = organisation.lead_supervisory_authority
    places = packaged_jurisdictions()
    named = {places.code(code) for code in complaints.authorities}
    if lead is not None and places.code(lead) not in named:
        yield Violation(
            ("complaints", "authorities"),
            f"complaints.authorities does not include the lead authority {lead}",
            f"add {lead} to complaints.authorities",
        )


@rule(
    "complaints/unknown-authority",
    severity="warning",
    title="Complaint authority that is not an EU/EEA supervisory authority",
    source="GDPR Art. 51, 77; GDPR.md CP-1",
)
def unknown_authority(context: CheckContext) -> Iterator[Violation]:
    """Each authority named for complaints is an EU/EEA supervisory authority (CP-1)."""
    places = packaged_jurisdictions()
    complaints = context.programme.complaints
    for index, code in enumerate(complaints.authorities if complaints is not None else ()):
        if places.known_authority(code) is None:
            yield Violation(
                ("complaints", "authorities", index),
                f"complaints.authorities lists '{code}', which has no EU/EEA supervisory authority",
                "use the ISO code of an EEA country (the list is in "
                "tutela/jurisdictions/data/supervisory_authorities.yml)",
            )


@rule(
    "sources/no-art14-notice",
    severity="error",
    title="Third-party source without an Art. 14 notice route or exemption",
    source="GDPR Art. 14(1)-(3), 14(5); GDPR.md LB-3",
)
def no_art14_notice(context: CheckContext) -> Iterator[Violation]:
    """Data from third parties is notified within a month, or an exemption is recorded (LB-3)."""
    for index, source in enumerate(context.programme.sources):
        if source.kind == "third_party" and source.notice is None and not source.art14_exemption:
            yield Violation(
                ("sources", index, "notice"),
                f"third-party source '{source.key}' has no Art. 14 notice route and no exemption",
                "set notice (how and when people are told, at most one month after obtaining "
                "the data) or art14_exemption with its justification (Art. 14(5))",
            )


@rule(
    "sources/provider-not-named",
    severity="warning",
    title="Third-party source without its provider",
    source="GDPR Art. 14(2)(f), 15(1)(g); GDPR.md LB-3, AC-2",
)
def provider_not_named(context: CheckContext) -> Iterator[Violation]:
    """People are told the source their data came from (Art. 14(2)(f))."""
    for index, source in enumerate(context.programme.sources):
        if source.kind == "third_party" and source.provider is None:
            yield Violation(
                ("sources", index, "provider"),
                f"third-party source '{source.key}' does not name its provider",
                "set provider to the company the data comes from (e.g. the enrichment vendor)",
            )


RULES: tuple[Rule, ...] = (
    not_versioned,
    change_log_mismatch,
    no_privacy_contact,
    dpo_unreachable,
    no_eu_representative,
    missing_right,
    lead_authority_not_eea,
    lead_authority_not_named,
    unknown_authority,
    no_art14_notice,
    provider_not_named,
)
"""The transparency rules, in documentation order."""
