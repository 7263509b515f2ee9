"""Transfer rules on adequacy scopes, hosting and Art. 49 derogations (Arts. 44, 45, 49).

Part of the ``transfers`` area (listed in :data:`tutela.checks.rules.transfers.RULES`).
A system hosted outside the EEA transfers its data to the host (Art. 44; EDPB Guidelines
05/2021); the system names its host in ``hosting_provider``, a recipient whose countries
and safeguard then cover the hosting country. Adequacy limited to organisations under a
given law counts only for recipients that say they are (``subject_to``). Derogations are
for occasional, non-repetitive transfers (Art. 49; EDPB Guidelines 2/2018).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tutela.checks.coverage import (
    adequacy_covers,
    relies_on_adequacy,
    scope_law,
    scope_met,
    third_countries,
    why_not_adequate,
)
from tutela.checks.findings import CheckContext, Rule, Violation, rule
from tutela.jurisdictions import packaged_jurisdictions
from tutela.programme.models import Recipient, System
from tutela.programme.skeleton import COUNTRY_PLACEHOLDER

DEROGATION_GROUND = re.compile(
    r"49\s*\(\s*1\s*\)\s*(?:\(\s*[a-g]\s*\)|,?\s*(?:second|2nd)\s+sub-?paragraph)", re.IGNORECASE
)
"""How a derogation names its ground: ``Art. 49(1)(b)`` ... or the second subparagraph."""


@rule(
    "transfers/adequacy-scope-not-met",
    severity="error",
    title="Adequacy relied on for a recipient outside the decision's scope",
    source="GDPR Art. 45; Decision 2002/2/EC; Implementing Decisions (EU) 2019/419, 2022/254; "
    "GDPR.md TR-2",
)
def adequacy_scope_not_met(context: CheckContext) -> Iterator[Violation]:
    """Scoped adequacy covers only recipients under the named law (Art. 45; TR-2).

    Canada's decision covers organisations subject to PIPEDA, Japan's the private sector
    under the APPI, Korea's entities under PIPA (the ``scope`` in adequacy.yml). A recipient
    relies on adequacy when it has no safeguard or ``mechanism: adequacy``.
    """
    places = packaged_jurisdictions()
    for index, recipient, position, country in third_countries(context):
        decision = places.adequacy_in_force(country, context.today)
        if decision is None or not relies_on_adequacy(recipient):
            continue
        if not scope_met(recipient, decision):
            law = scope_law(decision)
            yield Violation(
                ("recipients", index, "countries", position),
                f"recipient '{recipient.key}' relies on adequacy for {country} "
                f"({decision.decision}), which covers only organisations subject to {law}, and "
                "the recipient does not say it is",
                f"check that the recipient is subject to {law} and set subject_to: [{law}]; "
                "otherwise use SCCs with a transfer impact assessment",
            )


def _hosting_fault(context: CheckContext, system: System) -> str | None:
    """Why the hosting of ``system`` is an unsafeguarded transfer, or None."""
    places, country = packaged_jurisdictions(), system.hosting_country
    if places.in_eea(country) or country == COUNTRY_PLACEHOLDER:
        return None
    decision = places.adequacy_in_force(country, context.today)
    if decision is not None and decision.requires is None and scope_law(decision) is None:
        return None
    key = system.hosting_provider
    host = next((r for r in context.programme.recipients if r.key == key), None)
    if key is None or host is None:
        named = "no hosting_provider" if key is None else f"hosting_provider '{key}' (no recipient)"
        return f"it names {named}, so no safeguard covers the host"
    if places.code(country) not in {places.code(c) for c in host.countries}:
        return f"its host '{key}' does not list {country} among its countries"
    if adequacy_covers(host, country, context.today):
        return None
    if host.safeguard is None or host.safeguard.mechanism == "adequacy":
        why = why_not_adequate(host, country, context.today)
        return f"its host '{key}' has no safeguard ({why})"
    return None


@rule(
    "transfers/hosting-without-safeguard",
    severity="error",
    title="System hosted in a third country without a safeguard",
    source="GDPR Art. 44-46; EDPB Guidelines 05/2021; GDPR.md TR-1, TR-2",
)
def hosting_without_safeguard(context: CheckContext) -> Iterator[Violation]:
    """Hosting outside the EEA is a transfer to the host and needs a tool (Art. 44; TR-1).

    Adequacy without conditions covers it; otherwise ``hosting_provider`` names the host
    (a recipient) whose countries include the hosting country and whose adequacy (with its
    DPF or scope condition met) or Art. 46/49 safeguard covers it.
    """
    for index, system in enumerate(context.programme.systems):
        fault = _hosting_fault(context, system)
        if fault is not None:
            yield Violation(
                ("systems", index, "hosting_country"),
                f"system '{system.key}' is hosted in {system.hosting_country}, outside the EEA, "
                f"and {fault}",
                "set hosting_provider to the key of the recipient that hosts it, with "
                f"{system.hosting_country} in its countries and a safeguard (e.g. scc with "
                "scc_module M2 and a tia); or host the system in the EEA",
            )


def _derogations(context: CheckContext) -> Iterator[tuple[int, Recipient]]:
    for index, recipient in enumerate(context.programme.recipients):
        safeguard = recipient.safeguard
        if safeguard is not None and safeguard.mechanism == "derogation":
            yield index, recipient


@rule(
    "transfers/derogation-not-named",
    severity="error",
    title="Art. 49 derogation without naming which one",
    source="GDPR Art. 49(1); GDPR.md TR-2",
)
def derogation_not_named(context: CheckContext) -> Iterator[Violation]:
    """A derogation transfer names its Art. 49(1) ground, point (a) to (g) (Art. 49(1)).

    A ground written as ``Art. 49(1)(b) ...`` (or the second subparagraph) counts.
    """
    for index, recipient in _derogations(context):
        derogation = recipient.safeguard.derogation if recipient.safeguard else None
        if derogation is None or not DEROGATION_GROUND.search(derogation):
            yield Violation(
                ("recipients", index, "safeguard", "derogation"),
                f"recipient '{recipient.key}': Art. 49 derogation without naming the ground "
                "(Art. 49(1)(a) to (g))",
                "set derogation, e.g. 'Art. 49(1)(b) necessary for the contract'; derogations "
                "are for occasional transfers only",
            )


def _regular(context: CheckContext, recipient: Recipient) -> str | None:
    """Why transfers to ``recipient`` are regular rather than occasional, or None."""
    if recipient.kind == "processor":
        return "it is a processor, which receives data as a matter of course"
    hosted = [s.key for s in context.programme.systems if s.hosting_provider == recipient.key]
    if hosted:
        return f"it hosts system '{hosted[0]}'"
    safeguard = recipient.safeguard
    if safeguard is None or not safeguard.occasional:
        return "the transfer is not marked occasional (safeguard.occasional)"
    return None


@rule(
    "transfers/derogation-for-regular-transfer",
    severity="error",
    title="Art. 49 derogation used for a regular transfer",
    source="GDPR Art. 49(1), Recital 111; EDPB Guidelines 2/2018; GDPR.md TR-2",
)
def derogation_for_regular_transfer(context: CheckContext) -> Iterator[Violation]:
    """Derogations are for occasional, non-repetitive transfers only (Art. 49; EDPB 2/2018).

    A processor, a host of a system or any transfer not marked ``occasional: true`` is a
    systematic flow, which needs adequacy or an Art. 46 safeguard (TR-2).
    """
    for index, recipient in _derogations(context):
        why = _regular(context, recipient)
        if why is not None:
            yield Violation(
                ("recipients", index, "safeguard", "mechanism"),
                f"recipient '{recipient.key}' relies on an Art. 49 derogation, but {why}",
                "use an Art. 46 safeguard (SCCs with a TIA, BCRs) for regular transfers; keep "
                "a derogation for occasional, non-repetitive transfers and set occasional: true",
            )


RULES: tuple[Rule, ...] = (
    adequacy_scope_not_met,
    hosting_without_safeguard,
    derogation_not_named,
    derogation_for_regular_transfer,
)
"""The adequacy-scope, hosting and derogation rules, in documentation order."""
