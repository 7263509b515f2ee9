"""Which transfers an adequacy decision covers (GDPR Art. 45; GDPR.md TR-1..TR-3).

Shared by the transfer rules (``rules/transfers.py``, ``rules/transfer_grounds.py``).
Whether a country is in the EEA or has a decision comes from ``tutela/jurisdictions/data`` through
:func:`tutela.jurisdictions.packaged_jurisdictions`. A decision covers a recipient only when
the recipient meets its condition: DPF certification for the United States (``requires:
dpf``, TR-3), and, where the decision's ``scope`` names the law the recipient must be
subject to (Canada: PIPEDA, Japan: APPI, Korea: PIPA), the recipient's ``subject_to``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from tutela.checks.findings import CheckContext
from tutela.jurisdictions import packaged_jurisdictions
from tutela.jurisdictions.models import AdequacyDecision
from tutela.programme.models import Recipient

SCOPED_LAWS = ("PIPEDA", "APPI", "PIPA")
"""Laws an adequacy decision's ``scope`` may limit it to: Decision 2002/2/EC (Canada),
Implementing Decisions (EU) 2019/419 (Japan) and 2022/254 (Korea)."""


def third_countries(context: CheckContext) -> Iterator[tuple[int, Recipient, int, str]]:
    """Each recipient country outside the EEA: (recipient index, recipient, position, code)."""
    places = packaged_jurisdictions()
    for index, recipient in enumerate(context.programme.recipients):
        for position, country in enumerate(recipient.countries):
            if not places.in_eea(country):
                yield index, recipient, position, country


def scope_law(decision: AdequacyDecision) -> str | None:
    """The law the decision covers only the recipients of, as its ``scope`` names it."""
    return next((law for law in SCOPED_LAWS if re.search(rf"\b{law}\b", decision.scope)), None)


def scope_met(recipient: Recipient, decision: AdequacyDecision) -> bool:
    """True unless the decision's scope names a law the recipient does not say it is under."""
    law = scope_law(decision)
    if law is None:
        return True
    return any(re.search(rf"\b{law}\b", item, re.IGNORECASE) for item in recipient.subject_to)


def covered_by_adequacy(recipient: Recipient, country: str, today: date) -> bool:
    """True if an adequacy decision in force covers ``country`` for a DPF-certified importer.

    The decision's scope is not asked here: ``transfers/adequacy-scope-not-met`` reports a
    recipient that relies on a scoped decision without saying it is in scope, once.
    """
    decision = packaged_jurisdictions().adequacy_in_force(country, today)
    if decision is None:
        return False
    return decision.requires != "dpf" or recipient.dpf_certified


def adequacy_covers(recipient: Recipient, country: str, today: date) -> bool:
    """True if adequacy covers ``recipient`` in ``country`` with every condition met (Art. 45)."""
    decision = packaged_jurisdictions().adequacy_in_force(country, today)
    return covered_by_adequacy(recipient, country, today) and (
        decision is not None and scope_met(recipient, decision)
    )


def relies_on_adequacy(recipient: Recipient) -> bool:
    """True if the recipient's transfers rest on adequacy: no safeguard, or ``adequacy``."""
    return recipient.safeguard is None or recipient.safeguard.mechanism == "adequacy"


def why_not_adequate(recipient: Recipient, country: str, today: date) -> str:
    """Why adequacy does not cover ``recipient`` in ``country``, in words for a message."""
    decision = packaged_jurisdictions().adequacy_decision(country)
    if decision is None:
        return "no EU adequacy decision"
    if not decision.in_force(today):
        return f"its adequacy decision lapsed after {decision.valid_until}"
    if decision.requires == "dpf" and not recipient.dpf_certified:
        return "adequacy covers only DPF-certified importers, and this one is not certified"
    return (
        f"adequacy covers only organisations subject to {scope_law(decision)}, and "
        "subject_to does not say this one is"
    )


def needs_art46_tool(recipient: Recipient, today: date) -> bool:
    """True if a recipient country is outside the EEA and not covered by adequacy."""
    places = packaged_jurisdictions()
    return any(
        not places.in_eea(c) and not covered_by_adequacy(recipient, c, today)
        for c in recipient.countries
    )


def relies_on_dpf(recipient: Recipient, country: str) -> bool:
    """True if the transfer to ``country`` rests on the EU-US DPF (TR-3)."""
    decision = packaged_jurisdictions().adequacy_decision(country)
    if decision is None or decision.requires != "dpf":
        return False
    safeguard = recipient.safeguard
    if safeguard is None:
        return recipient.dpf_certified
    return safeguard.mechanism == "adequacy"
