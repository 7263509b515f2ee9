"""Statement sections on purposes and their legal bases (GDPR Art. 13(1)(c)-(d), 13(2)(f)).

Every purpose is shown with its basis (LB-1); legitimate interests are named
(LB-2); consent comes with how to withdraw it (CO-3); direct marketing with its
unsubscribe route and soft opt-in (MK-1, MK-2); profiling and automated decisions
with their logic (AD-1, AC-9).
"""

from __future__ import annotations

from collections.abc import Iterator

from tutela.programme.models import (
    ConsentNotice,
    DirectMarketing,
    LegalBasis,
    Profiling,
    Purpose,
)
from tutela.statement import wording
from tutela.statement.context import StatementContext, retention_summary
from tutela.statement.view import Block, Fact, Facts, Paragraph, Subsection, Table

_CHANNELS = {"email": "e-mail", "sms": "SMS", "phone": "phone", "post": "post", "push": "push"}


def purposes(context: StatementContext) -> tuple[Block, ...]:
    """Every purpose with its description, data, basis and the details its basis needs."""
    if not context.programme.purposes:
        return (Paragraph("We do not process personal data for any purpose."),)
    intro = Paragraph(
        "We process personal data only for specific purposes, and only the data needed for each."
    )
    return (intro, *(_purpose(context, purpose) for purpose in context.programme.purposes))


def _purpose(context: StatementContext, purpose: Purpose) -> Subsection:
    blocks: list[Block] = [Paragraph(text) for text in wording.paragraphs(purpose.description)]
    blocks.append(Facts(tuple(_purpose_facts(context, purpose))))
    return Subsection(purpose.name, tuple(blocks))


def _purpose_facts(context: StatementContext, purpose: Purpose) -> Iterator[Fact]:
    if purpose.categories:
        yield Fact("Personal data", context.categories(purpose.categories))
    if purpose.subjects:
        yield Fact("About", context.subjects(purpose.subjects))
    if purpose.sources:
        yield Fact("Collected from", context.sources(purpose.sources))
    if purpose.data_uses:
        yield Fact("Data uses", context.uses(purpose.data_uses))
    yield from _basis_facts(purpose)
    if purpose.profiling:
        yield _profiling_fact(purpose.profiling)
    if purpose.direct_marketing:
        yield from _marketing_facts(purpose.direct_marketing)
    yield from _outcome_facts(context, purpose)


def _basis_facts(purpose: Purpose) -> Iterator[Fact]:
    basis = purpose.legal_basis
    yield Fact("Legal basis", wording.BASIS_TITLES[basis] if basis else "Not yet recorded")
    if purpose.legitimate_interest:
        assessment = purpose.legitimate_interest
        yield Fact("Our legitimate interest", wording.sentence(assessment.interest))
        yield Fact("Weighed against your interests", wording.sentence(assessment.balancing))
    if purpose.consent:
        yield from _consent_facts(purpose.consent)
    if purpose.legal_obligation:
        yield Fact("Legal obligation", wording.sentence(purpose.legal_obligation))
    if purpose.special_category_condition:
        condition = wording.ART9_CONDITIONS[purpose.special_category_condition]
        yield Fact("Special categories of data", f"Processed on the basis of {condition}.")


def _consent_facts(consent: ConsentNotice) -> Iterator[Fact]:
    how = wording.join_words(consent.methods, "or")
    yield Fact("How we ask for consent", f"{wording.sentence(consent.notice)} (By {how}.)")
    yield Fact(
        "Withdrawing your consent",
        f"{wording.sentence(consent.withdrawal)} You can withdraw at any time; this does not"
        " affect the processing that took place before.",
    )
    if consent.expires_after:
        yield Fact("Consent lasts", f"{wording.duration(consent.expires_after)}.")


def _profiling_fact(profiling: Profiling) -> Fact:
    parts = []
    if profiling.automated_decision:
        parts.append(
            "We take decisions based solely on automated processing, including profiling,"
            " which can produce legal effects for you or similarly significantly affect you."
        )
    elif profiling.profiling:
        parts.append("This purpose involves profiling.")
    for label, text in (
        ("How it works", profiling.logic),
        ("What it means for you", profiling.significance),
        ("Possible consequences", profiling.consequences),
    ):
        if text:
            parts.append(f"{label}: {wording.sentence(text)}")
    parts.append(_human_review(profiling))
    return Fact("Profiling and automated decisions", " ".join(parts))


def _human_review(profiling: Profiling) -> str:
    if not profiling.automated_decision:
        return (
            "We take no decision about you based solely on automated processing that produces"
            " legal or similarly significant effects."
        )
    review = f" {wording.sentence(profiling.human_review)}" if profiling.human_review else ""
    return (
        "You can obtain human intervention, express your point of view and contest the"
        f" decision (Art. 22(3) GDPR).{review}"
    )


def _marketing_facts(marketing: DirectMarketing) -> Iterator[Fact]:
    channels = wording.join_words((_CHANNELS[channel] for channel in marketing.channels), "and")
    text = f"We send direct marketing by {channels}."
    if marketing.soft_opt_in:
        text += (
            " If you are a customer, we may send you marketing about our own similar products"
            " and services without asking for your consent first (soft opt-in); you can refuse"
            " this when we collect your details and in every message."
        )
    yield Fact("Direct marketing", text)
    unsubscribe = wording.sentence(marketing.unsubscribe) + " " if marketing.unsubscribe else ""
    yield Fact(
        "Unsubscribing",
        f"{unsubscribe}You can object to direct marketing at any time, free of charge (Art. 21(2)"
        " GDPR).",
    )


def _outcome_facts(context: StatementContext, purpose: Purpose) -> Iterator[Fact]:
    recipients = [r.name for r in context.programme.recipients if purpose.key in r.purposes]
    if recipients:
        yield Fact("Shared with", wording.join_words(recipients))
    rule = context.rule(purpose.retention)
    if rule is not None:
        yield Fact("Kept", f"{retention_summary(rule)} ({rule.name}).")
    if purpose.anonymised_output:
        yield Fact("Anonymised results", "We anonymise the results before sharing them.")


def legal_bases(context: StatementContext) -> tuple[Block, ...]:
    """The legal bases in use, what they mean and which purposes rely on each (LB-1, LB-2)."""
    all_purposes = context.programme.purposes
    if not all_purposes:
        return (Paragraph("We do not process personal data, so we rely on no legal basis."),)
    rows = [
        (wording.BASIS_TITLES[basis], wording.BASIS_MEANINGS[basis], _names(all_purposes, basis))
        for basis in LegalBasis
        if any(purpose.legal_basis == basis for purpose in all_purposes)
    ]
    if any(purpose.legal_basis is None for purpose in all_purposes):
        rows.append(("Not yet recorded", "", _names(all_purposes, None)))
    blocks: list[Block] = [
        Paragraph("Each purpose relies on one of the legal bases of Art. 6(1) GDPR:"),
        Table(("Legal basis", "What it means", "Purposes"), tuple(rows)),
    ]
    blocks += _interests(all_purposes)
    blocks += _obligations(all_purposes)
    if any(purpose.legal_basis == LegalBasis.CONSENT for purpose in all_purposes):
        blocks.append(
            Paragraph(
                "Where we rely on your consent, you can withdraw it at any time, as easily as"
                " you gave it. Withdrawal does not affect the lawfulness of the processing"
                " before it (Art. 7(3) GDPR)."
            )
        )
    return tuple(blocks)


def _names(all_purposes: list[Purpose], basis: LegalBasis | None) -> str:
    return wording.join_words(p.name for p in all_purposes if p.legal_basis == basis)


def _interests(all_purposes: list[Purpose]) -> list[Block]:
    facts = tuple(
        Fact(p.name, wording.sentence(p.legitimate_interest.interest))
        for p in all_purposes
        if p.legitimate_interest and p.legal_basis == LegalBasis.LEGITIMATE_INTERESTS
    )
    if not facts:
        return []
    closing = Paragraph(
        "For each of these interests we have verified that your interests, fundamental rights"
        " and freedoms do not override it. You can object to this processing at any time."
    )
    return [Subsection("Our legitimate interests", (Facts(facts), closing))]


def _obligations(all_purposes: list[Purpose]) -> list[Block]:
    facts = tuple(
        Fact(p.name, wording.sentence(p.legal_obligation))
        for p in all_purposes
        if p.legal_obligation
    )
    return [Subsection("Our legal obligations", (Facts(facts),))] if facts else []
