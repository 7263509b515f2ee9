"""Statement sections on purposes and their legal bases (GDPR Art. 13(1)(c)-(d), 13(2)(f)).

Every purpose is shown with its basis in one table (LB-1); legitimate interests are named
(LB-2); consent comes with how to withdraw it (CO-3); direct marketing with its
unsubscribe route and soft opt-in (MK-1, MK-2); profiling and automated decisions
with their logic (AD-1, AC-9). The details only some purposes have follow the table, so
nothing is repeated for the purposes that lack them.
"""

from __future__ import annotations

from collections.abc import Iterator

from tutela.i18n import _
from tutela.programme.models import ConsentNotice, DirectMarketing, LegalBasis, Profiling, Purpose
from tutela.statement import wording
from tutela.statement.context import StatementContext
from tutela.statement.phrases import (
    ART9_CONDITIONS,
    BASIS_MEANINGS,
    BASIS_SHORT,
    BASIS_TITLES,
    CHANNELS,
)
from tutela.statement.view import Block, Fact, Facts, Paragraph, Subsection, Table


def purposes(context: StatementContext) -> tuple[Block, ...]:
    """Every purpose with what it does, its data and basis; then the extra details."""
    all_purposes = context.programme.purposes
    if not all_purposes:
        return (Paragraph(_("We do not process personal data for any purpose.")),)
    columns = (_("Purpose"), _("What we do"), _("Legal basis"))
    rows = tuple(_purpose_row(context, purpose) for purpose in all_purposes)
    blocks: list[Block] = [
        Paragraph(_("We use only the personal data each purpose needs.")),
        Table(columns, rows),
    ]
    details = tuple(
        Fact(context.text(purpose.name), " ".join(parts))
        for purpose in all_purposes
        if (parts := list(_details(context, purpose)))
    )
    if details:
        blocks.append(Subsection(_("More about some purposes"), (Facts(details),)))
    return tuple(blocks)


def _purpose_row(context: StatementContext, purpose: Purpose) -> tuple[str, ...]:
    basis = _(BASIS_SHORT[purpose.legal_basis]) if purpose.legal_basis else _("Not yet recorded")
    return (
        context.text(purpose.name),
        " ".join(wording.paragraphs(context.text(purpose.description))),
        basis,
    )


def _details(context: StatementContext, purpose: Purpose) -> Iterator[str]:
    if purpose.notice_at_collection:
        yield wording.sentence(context.text(purpose.notice_at_collection))
    if purpose.consent:
        yield from _consent(context, purpose.consent)
    if purpose.special_category_condition:
        condition = _(ART9_CONDITIONS[purpose.special_category_condition])
        yield _("Special categories of data are processed on the basis of {condition}.").format(
            condition=condition
        )
    if purpose.direct_marketing:
        yield from _marketing(context, purpose.direct_marketing, purpose.consent is None)
    if purpose.profiling:
        yield from _profiling(context, purpose.profiling)
    if purpose.anonymised_output:
        yield _("We anonymise the results before sharing them.")


def _consent(context: StatementContext, consent: ConsentNotice) -> Iterator[str]:
    yield _("To withdraw your consent: {how}").format(
        how=wording.sentence(context.text(consent.withdrawal))
    )
    if consent.expires_after:
        yield _("We ask again after {period}.").format(
            period=wording.duration(consent.expires_after)
        )


def _marketing(
    context: StatementContext, marketing: DirectMarketing, unsubscribe: bool
) -> Iterator[str]:
    """Channels, soft opt-in and unsubscribe route (MK-1, MK-2).

    With consent, withdrawing it is the unsubscribe route, already said.
    """
    channels = wording.join_words(_(CHANNELS[channel]) for channel in marketing.channels)
    yield _("We send direct marketing by {channels}.").format(channels=channels)
    if marketing.soft_opt_in:
        yield _(
            "As a customer you may get offers for our own similar products without consenting"
            " first (soft opt-in); you can refuse them at sign-up and in every message."
        )
    if unsubscribe and marketing.unsubscribe:
        yield _("To unsubscribe: {how}").format(
            how=wording.sentence(context.text(marketing.unsubscribe))
        )


def _profiling(context: StatementContext, profiling: Profiling) -> Iterator[str]:
    if profiling.automated_decision:
        yield _(
            "We take decisions based solely on automated processing, including profiling, which"
            " can significantly affect you."
        )
    else:
        yield _("This purpose involves profiling.")
    for text in (profiling.logic, profiling.significance, profiling.consequences):
        if text:
            yield wording.sentence(context.text(text))
    if profiling.automated_decision:
        yield _(
            "You can obtain human intervention, express your point of view and contest the"
            " decision (Art. 22(3) GDPR)."
        )
        if profiling.human_review:
            yield wording.sentence(context.text(profiling.human_review))
    elif not profiling.consequences:
        yield _("No decision with legal or similarly significant effects is based on it alone.")


def legal_bases(context: StatementContext) -> tuple[Block, ...]:
    """The legal bases in use, what they mean and which purposes rely on each (LB-1, LB-2)."""
    all_purposes = context.programme.purposes
    if not all_purposes:
        return (Paragraph(_("We do not process personal data, so we rely on no legal basis.")),)
    rows = [
        (_(BASIS_TITLES[basis]), _(BASIS_MEANINGS[basis]), _basis_purposes(context, basis))
        for basis in LegalBasis
        if any(purpose.legal_basis == basis for purpose in all_purposes)
    ]
    if any(purpose.legal_basis is None for purpose in all_purposes):
        rows.append((_("Not yet recorded"), "—", _names(context, all_purposes, None)))
    columns = (_("Legal basis"), _("What it means"), _("Purposes"))
    blocks: list[Block] = [Table(columns, tuple(rows))]
    blocks += _interests(context, all_purposes)
    blocks += _obligations(context, all_purposes)
    if any(purpose.legal_basis == LegalBasis.CONSENT for purpose in all_purposes):
        blocks.append(
            Paragraph(
                _("You can withdraw your consent at any time, as easily as you gave it.")
                + " "
                + _("This does not affect the processing before (Art. 7(3) GDPR).")
            )
        )
    return tuple(blocks)


def _basis_purposes(context: StatementContext, basis: LegalBasis) -> str:
    """The purposes on ``basis``, or where they are listed below with their interest or law."""
    items = context.programme.purposes
    on_basis = [p for p in items if p.legal_basis == basis]
    if basis == LegalBasis.LEGITIMATE_INTERESTS and all(p.legitimate_interest for p in on_basis):
        return _("Listed below with each interest.")
    if basis == LegalBasis.LEGAL_OBLIGATION and all(p.legal_obligation for p in on_basis):
        return _("Listed below with each obligation.")
    return _names(context, items, basis)


def _names(context: StatementContext, items: list[Purpose], basis: LegalBasis | None) -> str:
    return wording.join_words(context.text(p.name) for p in items if p.legal_basis == basis)


def _interests(context: StatementContext, items: list[Purpose]) -> list[Block]:
    facts = tuple(
        Fact(context.text(p.name), wording.sentence(context.text(p.legitimate_interest.interest)))
        for p in items
        if p.legitimate_interest and p.legal_basis == LegalBasis.LEGITIMATE_INTERESTS
    )
    if not facts:
        return []
    closing = Paragraph(_("You can ask us how we weighed each interest against your rights."))
    return [Subsection(_("Our legitimate interests"), (Facts(facts), closing))]


def _obligations(context: StatementContext, items: list[Purpose]) -> list[Block]:
    facts = tuple(
        Fact(context.text(p.name), wording.sentence(context.text(p.legal_obligation)))
        for p in items
        if p.legal_obligation
    )
    return [Subsection(_("Our legal obligations"), (Facts(facts),))] if facts else []
