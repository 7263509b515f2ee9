"""Processor rules: Art. 28 contracts on both sides (our processors, and us as processor)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import get_args

from tutela.checks.findings import CheckContext, ModelPath, Rule, Violation, rule
from tutela.programme.models import ProcessingAgreement

ART28_TERMS: tuple[str, ...] = get_args(
    get_args(ProcessingAgreement.model_fields["terms"].annotation)[0]
)
"""The eight Art. 28(3)(a)-(h) terms a DPA records (GDPR.md PR-1)."""


def _agreements(context: CheckContext) -> Iterator[tuple[ModelPath, str, ProcessingAgreement]]:
    for index, system in enumerate(context.programme.systems):
        if system.dpa is not None:
            yield ("systems", index, "dpa"), f"system '{system.key}'", system.dpa
    for index, recipient in enumerate(context.programme.recipients):
        if recipient.dpa is not None:
            yield ("recipients", index, "dpa"), f"recipient '{recipient.key}'", recipient.dpa


@rule(
    "processors/system-without-controller-or-dpa",
    severity="error",
    title="Processor system without its controller and DPA",
    source="GDPR Art. 28(3), 30(2)(a); GDPR.md PR-1, PR-2",
)
def system_without_controller_or_dpa(context: CheckContext) -> Iterator[Violation]:
    """Data we process for a customer names the controller and the DPA (Art. 28(3); PR-1)."""
    for index, system in enumerate(context.programme.systems):
        if system.role != "processor":
            continue
        missing = [name for name in ("controller", "dpa") if getattr(system, name) is None]
        if missing:
            yield Violation(
                ("systems", index, missing[0]),
                f"system '{system.key}' is processed for a controller but records no "
                + " and no ".join(missing),
                "set controller (and controller_contact, where requests are forwarded, PR-2) and "
                "dpa: {reference, terms}",
            )


@rule(
    "processors/dpa-missing-terms",
    severity="warning",
    title="DPA without all Art. 28(3) terms",
    source="GDPR Art. 28(3)(a)-(h); GDPR.md PR-1",
)
def dpa_missing_terms(context: CheckContext) -> Iterator[Violation]:
    """A DPA contains the eight terms of Art. 28(3)(a)-(h) (PR-1)."""
    for path, owner, agreement in _agreements(context):
        missing = [term for term in ART28_TERMS if term not in agreement.terms]
        if missing:
            yield Violation(
                (*path, "terms"),
                f"{owner}: DPA {agreement.reference} does not record the Art. 28(3) terms "
                + ", ".join(missing),
                "check the agreement and list every term it contains under dpa.terms; "
                "amend the agreement where a term is missing",
            )


@rule(
    "processors/recipient-without-purposes",
    severity="error",
    title="Processor recipient without purposes",
    source="GDPR Art. 28(3)(a), 13(1)(e), 30(1)(d)",
)
def recipient_without_purposes(context: CheckContext) -> Iterator[Violation]:
    """A processor acts only on documented instructions for named purposes (Art. 28(3)(a))."""
    for index, recipient in enumerate(context.programme.recipients):
        if recipient.kind == "processor" and not recipient.purposes:
            yield Violation(
                ("recipients", index, "purposes"),
                f"processor '{recipient.key}' serves no purpose",
                "list the purposes it processes data for, or remove the recipient",
            )


@rule(
    "processors/recipient-without-dpa",
    severity="warning",
    title="Processor recipient without a recorded DPA",
    source="GDPR Art. 28(3), 28(9); GDPR.md PR-1",
)
def recipient_without_dpa(context: CheckContext) -> Iterator[Violation]:
    """Processing by a processor is governed by a written contract (Art. 28(3), 28(9))."""
    for index, recipient in enumerate(context.programme.recipients):
        if recipient.kind == "processor" and recipient.dpa is None:
            yield Violation(
                ("recipients", index, "dpa"),
                f"processor '{recipient.key}' has no data processing agreement recorded",
                "add dpa: {reference, signed, terms} for the signed agreement",
            )


RULES: tuple[Rule, ...] = (
    system_without_controller_or_dpa,
    dpa_missing_terms,
    recipient_without_purposes,
    recipient_without_dpa,
)
"""The processor rules, in documentation order."""
