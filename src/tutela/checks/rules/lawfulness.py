"""Lawfulness rules: a basis for every purpose, and what each basis needs (Arts. 6, 8, 9, 10).

Whose law grounds an obligation (Art. 6(3), 10), which Art. 9(2) condition fits whom, and
what consent asked of children needs (Art. 8): the ages per member state come from
``tutela/jurisdictions/data/digital_consent_ages.yml``.
"""

from __future__ import annotations

from collections.abc import Iterator

from tutela.checks.facts import foreign_laws, includes_children, subjects_of
from tutela.checks.findings import CheckContext, Rule, Violation, rule
from tutela.jurisdictions import Jurisdictions, packaged_jurisdictions
from tutela.programme.models import Art9Condition, ChildConsent, LegalBasis, Purpose

LAW_BASES = (LegalBasis.LEGAL_OBLIGATION, LegalBasis.PUBLIC_TASK)
"""The bases Art. 6(3) requires to be laid down by Union or Member State law."""

CONDITION_SUBJECTS: dict[Art9Condition, frozenset[str]] = {
    Art9Condition.EMPLOYMENT: frozenset({"employee", "job_applicant", "trainee"}),
    Art9Condition.NOT_FOR_PROFIT: frozenset({"member"}),
    Art9Condition.HEALTH_CARE: frozenset({"patient", "employee"}),
}
"""The Art. 9(2) conditions that fit only some people, with the fideslang subjects they fit.

(b) employment, social security and social protection law: employees, applicants, trainees;
(d) a not-for-profit body: its members and those in regular contact with it (tutela's
subject ``member``); (h) health or social care: patients, and employees for occupational
medicine. The other conditions do not depend on who the subjects are.
"""


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
    severity="error",
    title="Criminal-offence data without a legal authorisation",
    source="GDPR Art. 10, 6(3)",
)
def criminal_data_without_authority(context: CheckContext) -> Iterator[Violation]:
    """Criminal-offence data needs official authority or EU or member-state law (Art. 10).

    Official authority is the ``public_task`` basis; otherwise ``legal_obligation`` names
    the authorising law and ``law_of`` says it is Union (``EU``) or an EEA state's law.
    """
    places = packaged_jurisdictions()
    for index, purpose in enumerate(context.programme.purposes):
        criminal = [c for c in purpose.categories if context.vocabulary.is_criminal(c)]
        if not criminal or purpose.legal_basis is LegalBasis.PUBLIC_TASK:
            continue
        what = f"purpose '{purpose.key}' processes criminal-offence data ({', '.join(criminal)})"
        if purpose.legal_obligation is None or not purpose.law_of:
            missing = "legal_obligation" if purpose.legal_obligation is None else "law_of"
            yield Violation(
                ("purposes", index, missing),
                f"{what} without naming the EU or member-state law that authorises it",
                "name the law in legal_obligation and whose it is in law_of (EU or an EEA "
                "country code), or remove the category",
            )
        elif foreign := foreign_laws(places, purpose.law_of):
            yield Violation(
                ("purposes", index, "law_of"),
                f"{what} under the law of {', '.join(foreign)}, which is neither Union nor "
                "member-state law",
                "only Union or member-state law can authorise it (Art. 10): name that law, or "
                "stop processing the category",
            )


@rule(
    "lawfulness/legal-obligation-not-eu-law",
    severity="error",
    title="Legal obligation or public task not laid down by EU or member-state law",
    source="GDPR Art. 6(1)(c), 6(1)(e), 6(3); GDPR.md LB-1",
)
def legal_obligation_not_eu_law(context: CheckContext) -> Iterator[Violation]:
    """An Art. 6(1)(c) or (e) basis is laid down by Union or Member State law (Art. 6(3)).

    ``law_of`` says whose law it is: ``EU`` or an EEA country code. The law of a third
    country (a Canadian tax act, a US subpoena) is no Art. 6(1)(c) obligation.
    """
    places = packaged_jurisdictions()
    for index, purpose in enumerate(context.programme.purposes):
        if purpose.legal_basis not in LAW_BASES:
            continue
        basis = str(purpose.legal_basis).replace("_", " ")
        if not purpose.law_of:
            yield Violation(
                ("purposes", index, "law_of"),
                f"purpose '{purpose.key}' relies on a {basis} without saying whose law lays "
                "it down",
                "set law_of to EU or to the EEA country whose law it is, e.g. law_of: [BE]",
            )
        elif foreign := foreign_laws(places, purpose.law_of):
            yield Violation(
                ("purposes", index, "law_of", purpose.law_of.index(foreign[0])),
                f"purpose '{purpose.key}' relies on a {basis} under the law of "
                f"{', '.join(foreign)}, which is neither Union nor member-state law",
                "name the EU or member-state law that requires the processing; a duty under "
                "a third country's law is no Art. 6(1)(c) basis (consider legitimate_interests "
                "with an assessment)",
            )


@rule(
    "lawfulness/art9-condition-does-not-fit-subjects",
    severity="error",
    title="Art. 9(2) condition that does not fit the purpose's subjects",
    source="GDPR Art. 9(2)(b), 9(2)(d), 9(2)(h)",
)
def art9_condition_does_not_fit_subjects(context: CheckContext) -> Iterator[Violation]:
    """The Art. 9(2) condition covers every subject of the purpose (Art. 9(2)).

    ``employment`` (b) fits employees, job applicants and trainees; ``not_for_profit`` (d)
    members (``member``); ``health_care`` (h) patients and employees. A subject fits when
    one of its ``taxonomy`` keys does.
    """
    for index, purpose in enumerate(context.programme.purposes):
        condition = purpose.special_category_condition
        fits = CONDITION_SUBJECTS.get(condition) if condition is not None else None
        if fits is None:
            continue
        misfits = [s.key for s in subjects_of(context, purpose) if not set(s.taxonomy) & fits]
        if misfits:
            yield Violation(
                ("purposes", index, "special_category_condition"),
                f"purpose '{purpose.key}' relies on Art. 9(2) '{condition}', which does not "
                f"cover subject(s) {', '.join(misfits)}",
                f"'{condition}' fits subjects typed {', '.join(sorted(fits))}: correct the "
                "subjects' taxonomy, or split the purpose and choose a condition for the "
                "others (e.g. explicit_consent)",
            )


def _children_on_consent(context: CheckContext) -> Iterator[tuple[int, Purpose]]:
    for index, purpose in enumerate(context.programme.purposes):
        basis = purpose.legal_basis
        if basis is LegalBasis.CONSENT and includes_children(context, purpose):
            yield index, purpose


def _age_gaps(places: Jurisdictions, consent: ChildConsent) -> list[str]:
    """Member states where the purpose applies no age, or one below the law's (Art. 8(1))."""
    ages = {places.code(code): age for code, age in consent.age_thresholds.items()}
    gaps = []
    for code in sorted({places.code(c) for c in consent.countries} or places.eea):
        law = places.digital_consent_age(code)
        applied = ages.get(code, consent.age_threshold)
        if law is not None and applied is None:
            gaps.append(f"{code} none (law: {law})")
        elif law is not None and applied is not None and applied < law:
            gaps.append(f"{code} {applied} (law: {law})")
    return gaps


@rule(
    "lawfulness/child-consent-without-age-threshold",
    severity="error",
    title="Consent asked of children without the member states' age thresholds",
    source="GDPR Art. 8(1), Recital 38",
)
def child_consent_without_age_threshold(context: CheckContext) -> Iterator[Violation]:
    """A consent purpose reaching children applies each member state's age (Art. 8(1)).

    The age of digital consent is 16, or lower (not below 13) where a member state's law
    says so; below it a parent consents. Children: a subject with ``children: true``, or
    the category ``user.childrens``.
    """
    places = packaged_jurisdictions()
    for index, purpose in _children_on_consent(context):
        gaps = _age_gaps(places, purpose.child_consent or ChildConsent())
        if gaps:
            yield Violation(
                ("purposes", index, "child_consent"),
                f"purpose '{purpose.key}' asks children for consent with no age threshold, or "
                f"one below the age of digital consent, in {len(gaps)} member state(s): "
                + "; ".join(gaps[:5])
                + ("; ..." if len(gaps) > 5 else ""),
                "set child_consent.age_threshold (16 meets every member state) or "
                "age_thresholds per member state at least the law's age, and countries where "
                "the service is offered to children",
            )


@rule(
    "lawfulness/child-consent-without-parental-authorisation",
    severity="error",
    title="Consent asked of children without a parental-authorisation method",
    source="GDPR Art. 8(1)-(2)",
)
def child_consent_without_parental_authorisation(context: CheckContext) -> Iterator[Violation]:
    """Below the age, a parent gives or authorises consent, verified with reasonable efforts.

    (Art. 8(1) second sentence, 8(2).)
    """
    for index, purpose in _children_on_consent(context):
        consent = purpose.child_consent
        if consent is None or consent.parental_authorisation is None:
            yield Violation(
                ("purposes", index, "child_consent"),
                f"purpose '{purpose.key}' asks children for consent without saying how a "
                "parent gives or authorises it below the age of digital consent",
                "set child_consent.parental_authorisation: how the holder of parental "
                "responsibility consents and how you verify it (e.g. a confirmation e-mail to "
                "the parent's address and a small card payment)",
            )


RULES: tuple[Rule, ...] = (
    no_legal_basis,
    legitimate_interest_without_assessment,
    legal_obligation_not_named,
    special_category_without_condition,
    criminal_data_without_authority,
    legal_obligation_not_eu_law,
    art9_condition_does_not_fit_subjects,
    child_consent_without_age_threshold,
    child_consent_without_parental_authorisation,
)
"""The lawfulness rules, in documentation order."""
