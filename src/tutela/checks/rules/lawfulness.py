"""Lawfulness rules: a basis for every purpose, and what each basis needs (Arts. 6, 9, 10)."""

from __future__ import annotations

from collections.abc import Iterator

from tutela.checks.findings import CheckContext, Rule, Violation, rule
from tutela.programme.models import LegalBasis


@rule(
    "lawfulness/no-legal-basis",
    severity="error",
    title="Purpose without a legal basis",
    source="GDPR Art. 6(1), 13(1)(c); GDPR.md LB-1",
)
def no_legal_basis(context: CheckContext) -> Iterator[Violation]:
    """Every purpose records exactly one Art. 6(1) basis (GDPR Art. 6(1); GDPR.md LB-1)."""
    for index, purpose in enumerate(context.programme.purposes):
        if purpose.legal_basis is None:
            yield Violation(
                ("purposes", index, "legal_basis"),
                f"purpose '{purpose.key}' has no legal basis",
                "set legal_basis to one of: " + ", ".join(b.value for b in LegalBasis),
            )


@rule(
    "lawfulness/legitimate-interest-without-assessment",
    severity="error",
    title="Legitimate interests without a balancing test",
    source="GDPR Art. 6(1)(f), 13(1)(d); EDPB-LI; GDPR.md LB-2",
)
def legitimate_interest_without_assessment(context: CheckContext) -> Iterator[Violation]:
    """A legitimate-interest purpose records the three-step test (Art. 6(1)(f); LB-2)."""
    for index, purpose in enumerate(context.programme.purposes):
        basis = purpose.legal_basis
        if basis is LegalBasis.LEGITIMATE_INTERESTS and purpose.legitimate_interest is None:
            yield Violation(
                ("purposes", index, "legitimate_interest"),
                f"purpose '{purpose.key}' relies on legitimate interests without an assessment",
                "add legitimate_interest: {interest, necessity, balancing} (the interest is "
                "named in the statement, Art. 13(1)(d))",
            )


@rule(
    "lawfulness/legal-obligation-not-named",
    severity="error",
    title="Legal obligation basis without naming the obligation",
    source="GDPR Art. 6(1)(c), 6(3); GDPR.md LB-1",
)
def legal_obligation_not_named(context: CheckContext) -> Iterator[Violation]:
    """A legal-obligation purpose names the Union or Member State law (Art. 6(1)(c), 6(3))."""
    for index, purpose in enumerate(context.programme.purposes):
        basis = purpose.legal_basis
        if basis is LegalBasis.LEGAL_OBLIGATION and purpose.legal_obligation is None:
            yield Violation(
                ("purposes", index, "legal_obligation"),
                f"purpose '{purpose.key}' relies on a legal obligation but does not name it",
                "set legal_obligation to the law that imposes it, e.g. 'Belgian VAT Code art. 60'",
            )


@rule(
    "lawfulness/special-category-without-condition",
    severity="error",
    title="Special categories without an Art. 9(2) condition",
    source="GDPR Art. 9(1)-(2); GDPR.md LB-1",
)
def special_category_without_condition(context: CheckContext) -> Iterator[Violation]:
    """Special-category data needs an Art. 9(2) condition besides the Art. 6 basis (Art. 9)."""
    for index, purpose in enumerate(context.programme.purposes):
        special = [c for c in purpose.categories if context.vocabulary.is_special(c)]
        if special and purpose.special_category_condition is None:
            yield Violation(
                ("purposes", index, "special_category_condition"),
                f"purpose '{purpose.key}' processes special categories ({', '.join(special)}) "
                "without an Art. 9(2) condition",
                "set special_category_condition (e.g. explicit_consent, employment, legal_claims) "
                "or remove the special categories",
            )


@rule(
    "lawfulness/criminal-data-without-authority",
    severity="warning",
    title="Criminal-offence data without a legal authorisation",
    source="GDPR Art. 10",
)
def criminal_data_without_authority(context: CheckContext) -> Iterator[Violation]:
    """Criminal-offence data needs official authority or authorisation by law (Art. 10)."""
    for index, purpose in enumerate(context.programme.purposes):
        criminal = [c for c in purpose.categories if context.vocabulary.is_criminal(c)]
        if criminal and purpose.legal_obligation is None:
            yield Violation(
                ("purposes", index, "legal_obligation"),
                f"purpose '{purpose.key}' processes criminal-offence data "
                f"({', '.join(criminal)}) without naming the law that authorises it",
                "name the Union or Member State law in legal_obligation, or remove the category",
            )


RULES: tuple[Rule, ...] = (
    no_legal_basis,
    legitimate_interest_without_assessment,
    legal_obligation_not_named,
    special_category_without_condition,
    criminal_data_without_authority,
)
"""The lawfulness rules, in documentation order."""
