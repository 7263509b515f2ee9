"""Statement sections on the reader's rights and where to complain.

The six rights of GDPR Arts. 15-21 explained, how to exercise them (Art. 12,
ID-1, FEE-1, FEE-2), the right to object set apart from everything else (Art. 21(4),
OB-3), and the right to complain to a supervisory authority (Art. 77, CP-1).
"""

from __future__ import annotations

from collections.abc import Iterator

from tutela.i18n import _
from tutela.programme.models import ALL_RIGHTS, LegalBasis, Purpose, RightName
from tutela.statement import wording
from tutela.statement.context import StatementContext
from tutela.statement.phrases import RIGHTS
from tutela.statement.view import Block, Fact, Facts, Notice, Paragraph, Subsection, Table

_OBJECTABLE = (LegalBasis.LEGITIMATE_INTERESTS, LegalBasis.PUBLIC_TASK)


def rights(context: StatementContext) -> tuple[Block, ...]:
    """The rights, the right to object apart, and how requests are handled."""
    programme = context.programme
    offered = set(programme.rights.offered)
    rows = tuple(
        (_(RIGHTS[right][0]), _right_text(right, right in offered)) for right in ALL_RIGHTS
    )
    blocks: list[Block] = [
        Paragraph(
            _("These rights apply where we are the controller.")
            + " "
            + _("To use them, contact us through {channels}.").format(channels=context.channels())
        ),
        Table((_("Right"), _("What it means")), rows),
        Notice(_("Your right to object"), _objection_text(context)),
    ]
    blocks += _decisions(programme.purposes)
    blocks.append(Subsection(_("How we handle your request"), (Facts(tuple(_handling(context))),)))
    if "ccpa" in programme.rights.regimes:
        blocks.append(Subsection(_("California residents"), (Paragraph(_ccpa_text(context)),)))
    blocks.append(
        Paragraph(
            _("You can also complain to a supervisory authority ({section}).").format(
                section=context.see("complaints")
            )
        )
    )
    return tuple(blocks)


def _right_text(right: RightName, offered: bool) -> str:
    text = " ".join(_(part) for part in RIGHTS[right][1])
    if offered:
        return text
    return text + " " + _("This right does not apply to the processing described here.")


def _objection_text(context: StatementContext) -> str:
    all_purposes = context.programme.purposes
    interests = any(p.legal_basis in _OBJECTABLE for p in all_purposes)
    marketing = any(_is_marketing(p) for p in all_purposes)
    parts = []
    if interests:
        parts += [
            _(
                "You can object at any time, on grounds relating to your situation, to processing"
                " based on our legitimate interests, including profiling ({section} lists it)."
            ).format(section=context.see("legal-bases")),
            _(
                "We then stop, unless our compelling legitimate grounds override your interests,"
                " rights and freedoms, or we need the data for legal claims."
            ),
        ]
    if marketing:
        parts += [
            _(
                "You can object at any time, free of charge and without any justification, to"
                " direct marketing, including profiling for it."
            ),
            _("We then stop using your personal data for direct marketing."),
        ]
    if not parts:
        parts.append(
            _("We process no personal data on grounds you could object to (Art. 21 GDPR).")
        )
    parts.append(_("To object, contact us through {channels}.").format(channels=context.channels()))
    if context.programme.rights.unsubscribe:
        parts.append(wording.sentence(context.text(context.programme.rights.unsubscribe)))
    return " ".join(parts)


def _is_marketing(purpose: Purpose) -> bool:
    uses_marketing = any(use.split(".")[0] == "marketing" for use in purpose.data_uses)
    return purpose.direct_marketing is not None or uses_marketing


def _decisions(all_purposes: list[Purpose]) -> list[Block]:
    if any(purpose.profiling and purpose.profiling.automated_decision for purpose in all_purposes):
        return [
            Paragraph(
                _(
                    "Where we take a decision about you based solely on automated processing, you"
                    " can obtain human intervention, express your view and contest the decision"
                    " (Art. 22(3) GDPR)."
                )
            )
        ]
    return []


def _handling(context: StatementContext) -> Iterator[Fact]:
    policy = context.programme.rights
    yield Fact(
        _("When we answer"),
        _(
            "Within {period}; for complex or many requests up to two months more, and we tell"
            " you why."
        ).format(period=wording.duration(policy.response_time)),
    )
    yield Fact(
        _("Checking your identity"), wording.sentence(context.text(policy.identity_verification))
    )
    yield Fact(_("Fees"), wording.sentence(context.text(policy.fees)))
    yield Fact(
        _("Unfounded or excessive requests"), wording.sentence(context.text(policy.refusals))
    )


def _ccpa_text(context: StatementContext) -> str:
    return " ".join(
        (
            _(
                "If you live in California, the CCPA/CPRA lets you know, delete and correct the"
                " personal information we hold about you."
            ),
            _("You can opt out of its sale or sharing and limit the use of sensitive information."),
            _("We do not discriminate against you for using these rights."),
            _("Send your request through {channels}; we answer within 45 days.").format(
                channels=context.channels()
            ),
        )
    )


def complaints(context: StatementContext) -> tuple[Block, ...]:
    """Our complaints contact and the supervisory authorities (Art. 77, CP-1)."""
    desk = context.programme.complaints
    if desk.postal_address:
        text = _(
            "Unhappy with how we handle your personal data? Please tell us first: write to"
            " {email} or to {address}."
        ).format(email=desk.contact_email, address=context.address(desk.postal_address))
    else:
        text = _(
            "Unhappy with how we handle your personal data? Please tell us first: write to {email}."
        ).format(email=desk.contact_email)
    blocks: list[Block] = [Paragraph(text)]
    if desk.notes:
        blocks += [Paragraph(text) for text in wording.paragraphs(context.text(desk.notes))]
    blocks.append(
        Paragraph(
            _(
                "You can complain to a supervisory authority, in particular where you live, work"
                " or where the infringement took place (Art. 77 GDPR)."
            )
            + " "
            + _("You also have the right to go to court (Arts. 78 and 79 GDPR).")
        )
    )
    blocks.append(Facts(tuple(_authorities(context))))
    return tuple(blocks)


def _authorities(context: StatementContext) -> Iterator[Fact]:
    places = context.places
    written = context.programme.organisation.lead_supervisory_authority
    lead = places.code(written) if written else None  # no main establishment: no lead
    named = context.programme.complaints.authorities
    for code in wording.unique(places.code(c) for c in [*named, *([lead] if lead else [])]):
        authority = places.authority(code)
        if code == lead:
            text = _("Supervisory authority for {country}, our lead supervisory authority")
        else:
            text = _("Supervisory authority for {country}")
        text = text.format(country=context.country(code))
        if authority.websites:
            text = _("{authority}; website https://{website}").format(
                authority=text, website=authority.websites[0]
            )
        yield Fact(authority.name, text)
