"""International transfer rules (GDPR Chapter V, Arts. 44-49; GDPR.md TR-1..TR-5).

Whether a country is in the EEA or has an adequacy decision comes from the reference data in
``tutela/jurisdictions/data``, asked through :func:`tutela.jurisdictions.packaged_jurisdictions`;
the statement and the records ask the same lookup, so all give one answer per country. What an
adequacy decision covers is :mod:`.coverage`; the rules on adequacy scopes, hosting and Art. 49
derogations are in :mod:`.transfer_grounds` and listed here, after the others.
"""

from __future__ import annotations

from collections.abc import Iterator

from tutela.checks.coverage import (
    covered_by_adequacy,
    needs_art46_tool,
    relies_on_dpf,
    third_countries,
    why_not_adequate,
)
from tutela.checks.findings import CheckContext, Rule, Violation, rule
from tutela.jurisdictions import packaged_jurisdictions
from tutela.programme.models import Recipient

ART46_TOOLS = {"scc", "bcr", "certification", "code_of_conduct", "ad_hoc"}
"""Art. 46 tools; each needs a transfer impact assessment (TR-5)."""

CURRENT_SCC_DECISION = "2021/914"
"""The SCC decision in force; the 2001/497, 2004/915 and 2010/87 clauses lapsed on 27 Dec 2022."""

SCC_MODULE_FOR_KIND = {"processor": ("M2", "M3"), "controller": ("M1", "M4")}
"""Modules that fit an importer: M2/M3 send to a processor, M1/M4 to a controller (TR-4)."""


@rule(
    "transfers/recipient-without-country",
    severity="warning",
    title="Recipient without a country",
    source="GDPR Art. 13(1)(f), 30(1)(e), 44; GDPR.md TR-1",
)
def recipient_without_country(context: CheckContext) -> Iterator[Violation]:
    """A recipient's countries are known, so transfers can be found (Art. 13(1)(f); TR-1)."""
    for index, recipient in enumerate(context.programme.recipients):
        if not recipient.countries:
            yield Violation(
                ("recipients", index, "countries"),
                f"recipient '{recipient.key}' has no country, so tutela cannot tell whether "
                "data leaves the EEA",
                "list the countries where it stores or accesses the data (remote access counts)",
            )


@rule(
    "transfers/no-safeguard",
    severity="error",
    title="Transfer to a third country without adequacy or a safeguard",
    source="GDPR Art. 44-46; EDPB Guidelines 05/2021; GDPR.md TR-1, TR-2",
)
def no_safeguard(context: CheckContext) -> Iterator[Violation]:
    """A flow outside the EEA needs adequacy or an Art. 46/49 tool (Art. 44; TR-1, TR-2)."""
    for index, recipient, position, country in third_countries(context):
        if recipient.safeguard is None and not covered_by_adequacy(
            recipient, country, context.today
        ):
            why = why_not_adequate(recipient, country, context.today)
            yield Violation(
                ("recipients", index, "countries", position),
                f"recipient '{recipient.key}' receives data in {country} ({why}) and no "
                "safeguard is recorded",
                "add safeguard: {mechanism: scc, scc_module: M2, tia: {...}} (or bcr, "
                "certification); for US importers, record the DPF certification instead",
            )


@rule(
    "transfers/adequacy-not-available",
    severity="error",
    title="Adequacy claimed for a country without a decision in force",
    source="GDPR Art. 45(1), 45(3); GDPR.md TR-2",
)
def adequacy_not_available(context: CheckContext) -> Iterator[Violation]:
    """Adequacy is a tool only where the Commission decided it and it is in force (Art. 45)."""
    places = packaged_jurisdictions()
    for index, recipient, position, country in third_countries(context):
        safeguard = recipient.safeguard
        uses_adequacy = safeguard is not None and safeguard.mechanism == "adequacy"
        if uses_adequacy and places.adequacy_in_force(country, context.today) is None:
            yield Violation(
                ("recipients", index, "countries", position),
                f"recipient '{recipient.key}' relies on adequacy for {country}, which has no EU "
                "adequacy decision in force",
                "use an Art. 46 safeguard (SCCs with a TIA, BCRs, certification) instead",
            )


@rule(
    "transfers/us-adequacy-without-dpf",
    severity="error",
    title="US transfer on adequacy without a DPF certification and expiry date",
    source="Implementing Decision (EU) 2023/1795; GDPR Art. 45; GDPR.md TR-3",
)
def us_adequacy_without_dpf(context: CheckContext) -> Iterator[Violation]:
    """US adequacy covers only DPF-certified importers with a recorded expiry (TR-3)."""
    for index, recipient, _, country in third_countries(context):
        if not relies_on_dpf(recipient, country):
            continue
        if not recipient.dpf_certified or recipient.dpf_expires is None:
            yield Violation(
                ("recipients", index, "dpf_certified"),
                f"recipient '{recipient.key}' relies on adequacy for {country} without a DPF "
                "certification with an expiry date",
                "check the DPF List (dataprivacyframework.gov) and set dpf_certified: true and "
                "dpf_expires; otherwise use SCCs with a TIA",
            )


@rule(
    "transfers/dpf-certification-expired",
    severity="error",
    title="DPF certification expired",
    source="Implementing Decision (EU) 2023/1795; GDPR.md TR-3",
)
def dpf_certification_expired(context: CheckContext) -> Iterator[Violation]:
    """A lapsed DPF certification no longer carries US adequacy (TR-3)."""
    for index, recipient, _, country in third_countries(context):
        expires = recipient.dpf_expires
        if relies_on_dpf(recipient, country) and expires is not None and expires < context.today:
            yield Violation(
                ("recipients", index, "dpf_expires"),
                f"recipient '{recipient.key}': DPF certification expired on {expires.isoformat()}",
                "check the DPF List for a renewal and update dpf_expires, or switch to SCCs "
                "with a TIA",
            )


def _recipients_with(context: CheckContext, mechanism: str) -> Iterator[tuple[int, Recipient]]:
    for index, recipient in enumerate(context.programme.recipients):
        safeguard = recipient.safeguard
        if safeguard is not None and safeguard.mechanism == mechanism:
            yield index, recipient


@rule(
    "transfers/scc-without-module",
    severity="error",
    title="SCCs without a module",
    source="SCC (Implementing Decision (EU) 2021/914) Annex, Clause 1; GDPR.md TR-4",
)
def scc_without_module(context: CheckContext) -> Iterator[Violation]:
    """The 2021 SCCs are signed in a module: M1, M2, M3 or M4 (TR-4)."""
    for index, recipient in _recipients_with(context, "scc"):
        if recipient.safeguard is not None and recipient.safeguard.scc_module is None:
            yield Violation(
                ("recipients", index, "safeguard", "scc_module"),
                f"recipient '{recipient.key}': SCCs without a module",
                "set scc_module: M1 (to a controller), M2 (to a processor), M3 (processor to "
                "sub-processor) or M4 (processor to controller)",
            )


@rule(
    "transfers/scc-repealed-decision",
    severity="error",
    title="SCCs under a repealed decision",
    source="Implementing Decision (EU) 2021/914 Art. 4; GDPR.md TR-4",
)
def scc_repealed_decision(context: CheckContext) -> Iterator[Violation]:
    """The pre-2021 SCCs ceased to be valid after 27 Dec 2022 (SCC Art. 4; TR-4)."""
    for index, recipient in _recipients_with(context, "scc"):
        decision = recipient.safeguard.scc_decision if recipient.safeguard else None
        if decision is not None and CURRENT_SCC_DECISION not in decision:
            yield Violation(
                ("recipients", index, "safeguard", "scc_decision"),
                f"recipient '{recipient.key}': SCCs under '{decision}', which ceased to be valid "
                "after 27 Dec 2022",
                "sign the SCCs of Implementing Decision (EU) 2021/914 and set "
                "scc_decision: '(EU) 2021/914'",
            )


@rule(
    "transfers/scc-module-mismatch",
    severity="warning",
    title="SCC module that does not fit the recipient's role",
    source="Implementing Decision (EU) 2021/914 Annex; GDPR.md TR-4",
)
def scc_module_mismatch(context: CheckContext) -> Iterator[Violation]:
    """The module matches the importer: a processor gets M2/M3, a controller M1/M4 (TR-4)."""
    for index, recipient in _recipients_with(context, "scc"):
        module = recipient.safeguard.scc_module if recipient.safeguard else None
        kind = "controller" if recipient.kind == "joint_controller" else recipient.kind
        fitting = SCC_MODULE_FOR_KIND.get(kind)
        if module is not None and fitting is not None and module not in fitting:
            yield Violation(
                ("recipients", index, "safeguard", "scc_module"),
                f"recipient '{recipient.key}' is a {recipient.kind} but the SCCs use module "
                f"{module}",
                f"use module {' or '.join(fitting)} for a {kind} importer",
            )


@rule(
    "transfers/no-tia",
    severity="error",
    title="Art. 46 safeguard without a transfer impact assessment",
    source="SCC Clause 14; C-311/18 Schrems II; EDPB-REC; GDPR.md TR-5",
)
def no_tia(context: CheckContext) -> Iterator[Violation]:
    """SCCs, BCRs, codes and certification need a documented TIA (SCC Clause 14; TR-5)."""
    for index, recipient in enumerate(context.programme.recipients):
        safeguard = recipient.safeguard
        if safeguard is None or safeguard.mechanism not in ART46_TOOLS or safeguard.tia:
            continue
        if needs_art46_tool(recipient, context.today):
            yield Violation(
                ("recipients", index, "safeguard", "tia"),
                f"recipient '{recipient.key}': {safeguard.mechanism} transfer without a transfer "
                "impact assessment",
                "add safeguard.tia: {reference, assessed_on, review_on} and record any "
                "supplementary measures",
            )


@rule(
    "transfers/tia-review-overdue",
    severity="warning",
    title="Transfer impact assessment past its review date",
    source="EDPB-REC step 6; GDPR.md TR-5",
)
def tia_review_overdue(context: CheckContext) -> Iterator[Violation]:
    """A TIA is re-evaluated by its review date (EDPB-REC step 6; TR-5)."""
    for index, recipient in enumerate(context.programme.recipients):
        tia = recipient.safeguard.tia if recipient.safeguard else None
        if tia is not None and tia.review_on is not None and tia.review_on < context.today:
            yield Violation(
                ("recipients", index, "safeguard", "tia", "review_on"),
                f"recipient '{recipient.key}': TIA {tia.reference} was due for review on "
                f"{tia.review_on.isoformat()}",
                "re-assess the law and practice of the destination and set a new review_on",
            )


@rule(
    "transfers/tia-without-review-date",
    severity="warning",
    title="Transfer impact assessment without a review date",
    source="EDPB-REC step 6; GDPR.md TR-5",
)
def tia_without_review_date(context: CheckContext) -> Iterator[Violation]:
    """A TIA carries a review date, since assessments are repeated (EDPB-REC; TR-5)."""
    for index, recipient in enumerate(context.programme.recipients):
        tia = recipient.safeguard.tia if recipient.safeguard else None
        if tia is not None and tia.review_on is None:
            yield Violation(
                ("recipients", index, "safeguard", "tia"),
                f"recipient '{recipient.key}': TIA {tia.reference} has no review date",
                "set tia.review_on (e.g. one year after assessed_on)",
            )


RULES: tuple[Rule, ...] = (
    recipient_without_country,
    no_safeguard,
    adequacy_not_available,
    us_adequacy_without_dpf,
    dpf_certification_expired,
    scc_without_module,
    scc_repealed_decision,
    scc_module_mismatch,
    no_tia,
    tia_review_overdue,
    tia_without_review_date,
)
"""The transfer rules, in documentation order."""
