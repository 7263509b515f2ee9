"""Statement sections on the reader's rights and where to complain.

The six rights of GDPR Arts. 15-21 explained, how to exercise them (Art. 12,
ID-1, FEE-1, FEE-2), the right to object set apart from everything else (Art. 21(4),
OB-3), and the right to complain to a supervisory authority (Art. 77, CP-1).
"""

from __future__ import annotations

from collections.abc import Iterator

from tutela.programme.models import ALL_RIGHTS, LegalBasis, Purpose, RightName
from tutela.statement import wording
from tutela.statement.context import StatementContext
from tutela.statement.view import Block, Fact, Facts, Notice, Paragraph, Subsection, Table

_OBJECTABLE = (LegalBasis.LEGITIMATE_INTERESTS, LegalBasis.PUBLIC_TASK)


def rights(context: StatementContext) -> tuple[Block, ...]:
    """The rights, the right to object apart, and how requests are handled."""
    programme = context.programme
    offered = set(programme.rights.offered)
    rows = tuple(
        (wording.RIGHTS[right][0], _right_text(right, right in offered)) for right in ALL_RIGHTS
    )
    blocks: list[Block] = [
        Paragraph(
            "The GDPR gives you the following rights when we process your personal data as a"
            f" controller. You can exercise them through {context.channels()}."
        ),
        Table(("Right", "What it means"), rows),
        Notice("Your right to object", _objection_text(context)),
    ]
    blocks += _consent_and_decisions(programme.purposes)
    blocks.append(Subsection("How we handle your request", (Facts(tuple(_handling(context))),)))
    if "ccpa" in programme.rights.regimes:
        blocks.append(Subsection("California residents", (Paragraph(_ccpa_text(context)),)))
    blocks.append(
        Paragraph("You can also lodge a complaint with a supervisory authority (see “Complaints”).")
    )
    return tuple(blocks)


def _right_text(right: RightName, offered: bool) -> str:
    text = wording.RIGHTS[right][1]
    if offered:
        return text
    return f"{text} This right does not apply to the processing described in this statement."


def _objection_text(context: StatementContext) -> str:
    all_purposes = context.programme.purposes
    interests = [p.name for p in all_purposes if p.legal_basis in _OBJECTABLE]
    marketing = [p.name for p in all_purposes if _is_marketing(p)]
    parts = []
    if interests:
        parts.append(
            "You have the right to object at any time, on grounds relating to your particular"
            " situation, to the processing of your personal data based on our legitimate"
            " interests, including profiling based on them. This concerns:"
            f" {wording.join_words(interests)}. We will then stop, unless we demonstrate"
            " compelling legitimate grounds that override your interests, rights and freedoms,"
            " or need the data for legal claims."
        )
    if marketing:
        parts.append(
            "You have the right to object at any time, free of charge and without giving"
            " reasons, to the use of your personal data for direct marketing, including"
            f" profiling related to it ({wording.join_words(marketing)}). We will then stop"
            " using your personal data for direct marketing."
        )
    if not parts:
        parts.append(
            "You have the right to object to processing based on legitimate interests or a"
            " public task, and at any time to direct marketing. We currently process no"
            " personal data on these grounds."
        )
    parts.append(f"To object, contact us through {context.channels()}.")
    if context.programme.rights.unsubscribe:
        parts.append(wording.sentence(context.programme.rights.unsubscribe))
    return " ".join(parts)


def _is_marketing(purpose: Purpose) -> bool:
    uses_marketing = any(use.split(".")[0] == "marketing" for use in purpose.data_uses)
    return purpose.direct_marketing is not None or uses_marketing


def _consent_and_decisions(all_purposes: list[Purpose]) -> list[Block]:
    blocks: list[Block] = []
    if any(purpose.legal_basis == LegalBasis.CONSENT for purpose in all_purposes):
        blocks.append(
            Paragraph(
                "Where we process your personal data on the basis of your consent, you can"
                " withdraw it at any time, as easily as you gave it (Art. 7(3) GDPR)."
            )
        )
    if any(purpose.profiling and purpose.profiling.automated_decision for purpose in all_purposes):
        blocks.append(
            Paragraph(
                "Where we take a decision about you based solely on automated processing, you"
                " can obtain human intervention, express your point of view and contest the"
                " decision (Art. 22(3) GDPR)."
            )
        )
    return blocks


def _handling(context: StatementContext) -> Iterator[Fact]:
    policy = context.programme.rights
    yield Fact("Where to send your request", context.channels())
    yield Fact(
        "When we answer",
        f"Within {policy.response_time} of receiving your request. If a request is complex or"
        " we receive many, we may extend this by up to two further months; we then tell you"
        " why within the first month.",
    )
    yield Fact("Checking your identity", wording.sentence(policy.identity_verification))
    yield Fact("Fees", wording.sentence(policy.fees))
    yield Fact("Unfounded or excessive requests", wording.sentence(policy.refusals))
    if policy.unsubscribe:
        yield Fact("Unsubscribing", wording.sentence(policy.unsubscribe))


def _ccpa_text(context: StatementContext) -> str:
    return (
        "If you are a California resident, the CCPA/CPRA gives you the right to know what"
        " personal information we hold about you, to have it deleted or corrected, to opt out"
        " of its sale or sharing and to limit the use of sensitive personal information. We"
        " do not discriminate against you for using these rights. Send your request through"
        f" {context.channels()}; we answer within 45 days."
    )


def complaints(context: StatementContext) -> tuple[Block, ...]:
    """Our complaints contact and the supervisory authorities (Art. 77, CP-1)."""
    desk = context.programme.complaints
    where = desk.contact_email
    if desk.postal_address:
        where += f" or by sending a letter to {context.address(desk.postal_address)}"
    blocks: list[Block] = [
        Paragraph(
            "Are you dissatisfied with how we collect, use or protect your personal data? Please"
            f" contact us so we can try to resolve it: write to {where}."
        )
    ]
    if desk.notes:
        blocks += [Paragraph(text) for text in wording.paragraphs(desk.notes)]
    blocks.append(
        Paragraph(
            "You also have the right to lodge a complaint with a supervisory authority, in"
            " particular in the EU or EEA Member State of your habitual residence, of your place"
            " of work or of the alleged infringement (Art. 77 GDPR), and the right to an"
            " effective judicial remedy (Arts. 78 and 79 GDPR):"
        )
    )
    blocks.append(Facts(tuple(_authorities(context))))
    return tuple(blocks)


def _authorities(context: StatementContext) -> Iterator[Fact]:
    places = context.places
    lead = places.code(context.programme.organisation.lead_supervisory_authority)
    named = context.programme.complaints.authorities
    for code in wording.unique(places.code(c) for c in [*named, lead]):
        authority = places.authority(code)
        role = ", our lead supervisory authority" if code == lead else ""
        text = f"Supervisory authority for {places.country(code)}{role}"
        if authority.websites:
            text += f"; website https://{authority.websites[0]}"
        yield Fact(authority.name, text)
