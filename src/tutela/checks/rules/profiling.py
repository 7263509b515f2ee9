"""Profiling and automated decision rules (GDPR Art. 13(2)(f), 21, 22)."""

from __future__ import annotations

from collections.abc import Iterator

from tutela.checks.findings import CheckContext, Rule, Violation, rule
from tutela.checks.sites import uses_any
from tutela.programme.models import Art9Condition, LegalBasis, Profiling, Purpose

PROFILING_USES = (
    "personalize.profiling",
    "personalize.content.profiling",
    "personalize.content.profiled",
    "marketing.advertising.profiling",
)
"""fideslang data uses that amount to profiling (Art. 4(4))."""

ADM_BASES = {LegalBasis.CONTRACT, LegalBasis.CONSENT, LegalBasis.LEGAL_OBLIGATION}
"""Bases that can carry an Art. 22(2) exception: contract, explicit consent, authorised by law."""

ADM_SPECIAL_CONDITIONS = {
    Art9Condition.EXPLICIT_CONSENT,
    Art9Condition.SUBSTANTIAL_PUBLIC_INTEREST,
}
"""Art. 22(4): special categories in automated decisions only under Art. 9(2)(a) or (g)."""


def _automated(context: CheckContext) -> Iterator[tuple[int, Purpose, Profiling]]:
    for index, purpose in enumerate(context.programme.purposes):
        if purpose.profiling is not None and purpose.profiling.automated_decision:
            yield index, purpose, purpose.profiling


@rule(
    "profiling/decision-logic-not-disclosed",
    severity="error",
    title="Automated decision without the logic, significance and consequences",
    source="GDPR Art. 13(2)(f), 14(2)(g), 15(1)(h); C-203/22; GDPR.md AD-1, AC-9",
)
def decision_logic_not_disclosed(context: CheckContext) -> Iterator[Violation]:
    """An Art. 22 decision discloses its logic, significance and consequences (Art. 13(2)(f))."""
    for index, purpose, profiling in _automated(context):
        missing = [
            name
            for name in ("logic", "significance", "consequences")
            if getattr(profiling, name) is None
        ]
        if missing:
            yield Violation(
                ("purposes", index, "profiling", missing[0]),
                f"purpose '{purpose.key}' makes automated decisions without disclosing its "
                + ", ".join(missing),
                "describe in profiling.logic the procedure and principles actually applied, and "
                "set profiling.significance and profiling.consequences",
            )


@rule(
    "profiling/logic-not-disclosed",
    severity="warning",
    title="Profiling without a description of its logic",
    source="GDPR Art. 13(2)(f), 21(1), Recital 60; GDPR.md AD-1",
)
def logic_not_disclosed(context: CheckContext) -> Iterator[Violation]:
    """Profiling is described in the statement so a subject can object (Art. 21(1); AD-1)."""
    for index, purpose in enumerate(context.programme.purposes):
        profiling = purpose.profiling
        if profiling is None or profiling.automated_decision:
            continue
        if profiling.profiling and profiling.logic is None:
            yield Violation(
                ("purposes", index, "profiling", "logic"),
                f"purpose '{purpose.key}' profiles people without describing the logic",
                "set profiling.logic to a plain description of what is inferred and how",
            )


@rule(
    "profiling/undeclared-profiling",
    severity="warning",
    title="Profiling data use without a profiling block",
    source="GDPR Art. 4(4), 13(2)(f), 21(1); GDPR.md AD-1",
)
def undeclared_profiling(context: CheckContext) -> Iterator[Violation]:
    """A purpose with a profiling data use declares its profiling (Art. 21(1); AD-1)."""
    for index, purpose in enumerate(context.programme.purposes):
        if purpose.profiling is None and uses_any(purpose, *PROFILING_USES):
            yield Violation(
                ("purposes", index, "data_uses"),
                f"purpose '{purpose.key}' has a profiling data use but no profiling block",
                "add profiling: {profiling: true, logic: ...} (and automated_decision if it "
                "decides with legal or similar effects)",
            )


@rule(
    "profiling/no-human-review",
    severity="error",
    title="Automated decision without human review",
    source="GDPR Art. 22(3); GDPR.md AD-1",
)
def no_human_review(context: CheckContext) -> Iterator[Violation]:
    """On contract or consent, the subject can obtain human intervention (Art. 22(3))."""
    for index, purpose, profiling in _automated(context):
        on_contract_or_consent = purpose.legal_basis in {LegalBasis.CONTRACT, LegalBasis.CONSENT}
        if on_contract_or_consent and profiling.human_review is None:
            yield Violation(
                ("purposes", index, "profiling", "human_review"),
                f"purpose '{purpose.key}' makes automated decisions without a human review route",
                "set profiling.human_review: how a person can obtain human intervention, give "
                "their view and contest the decision",
            )


@rule(
    "profiling/decision-basis-not-allowed",
    severity="error",
    title="Automated decision on a basis Art. 22(2) does not allow",
    source="GDPR Art. 22(1)-(2); GDPR.md AD-1",
)
def decision_basis_not_allowed(context: CheckContext) -> Iterator[Violation]:
    """Solely automated decisions need contract, explicit consent or a law (Art. 22(2))."""
    for index, purpose, _ in _automated(context):
        basis = purpose.legal_basis
        if basis is not None and basis not in ADM_BASES:
            yield Violation(
                ("purposes", index, "legal_basis"),
                f"purpose '{purpose.key}' makes automated decisions on basis '{basis.value}'",
                "base it on contract, explicit consent or a law (legal_obligation), or add "
                "meaningful human involvement and set automated_decision: false",
            )


@rule(
    "profiling/decision-on-special-categories",
    severity="error",
    title="Automated decision on special categories without Art. 9(2)(a) or (g)",
    source="GDPR Art. 22(4); GDPR.md AD-1",
)
def decision_on_special_categories(context: CheckContext) -> Iterator[Violation]:
    """Automated decisions on special categories need 9(2)(a) or (g) (Art. 22(4))."""
    for index, purpose, _ in _automated(context):
        special = [c for c in purpose.categories if context.vocabulary.is_special(c)]
        if special and purpose.special_category_condition not in ADM_SPECIAL_CONDITIONS:
            yield Violation(
                ("purposes", index, "special_category_condition"),
                f"purpose '{purpose.key}' makes automated decisions on special categories "
                f"({', '.join(special)})",
                "use special_category_condition explicit_consent or substantial_public_interest, "
                "or leave the special categories out of the decision",
            )


RULES: tuple[Rule, ...] = (
    decision_logic_not_disclosed,
    logic_not_disclosed,
    undeclared_profiling,
    no_human_review,
    decision_basis_not_allowed,
    decision_on_special_categories,
)
"""The profiling and automated-decision rules, in documentation order."""
