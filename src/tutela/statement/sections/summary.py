"""The first layer of the statement: the essentials on one screen (GDPR Art. 12(1)).

WP260 ¶35-38 recommends a layered notice whose first layer says who the controller is,
what data it processes and why, who else receives it, and the rights of the reader,
with the detail one link away. :func:`summary` answers those questions, plus how long
data is kept, in six short parts built from the same programme facts as the full
sections (Art. 13(1)(a), (c), (e), (f); 13(2)(a)-(d); 14(1)(d)).
"""

from __future__ import annotations

from collections.abc import Iterator

from tutela.i18n import _
from tutela.programme.durations import Duration
from tutela.programme.models import LegalBasis, Recipient
from tutela.statement import wording
from tutela.statement.context import StatementContext, safeguard_kind
from tutela.statement.phrases import (
    BASIS_REASONS,
    RECIPIENT_GROUPS,
    RIGHT_NAMES,
    SAFEGUARD_KINDS,
    USE_PHRASES,
)
from tutela.statement.view import Block, BulletList, Paragraph, Subsection

_NAMED_PER_KIND = 3
"""How many recipients of one kind the summary names."""
_LONGEST_SENTENCE = 40
"""Longer lists of kinds of data are a bulleted list, not a sentence (Art. 12(1))."""


def summary(context: StatementContext) -> tuple[Block, ...]:
    """The six answers: who, what, why, who else, how long, your rights."""
    return (
        Subsection(_("Who we are"), (Paragraph(_who(context)),)),
        Subsection(_("What data we use"), _what(context)),
        Subsection(_("Why we use it"), _why(context)),
        Subsection(_("Who else receives it"), _who_else(context)),
        Subsection(_("How long we keep it"), (Paragraph(_how_long(context)),)),
        Subsection(_("Your rights"), (Paragraph(_rights(context)),)),
    )


def _who(context: StatementContext) -> str:
    organisation = context.programme.organisation
    name = organisation.legal_name
    if organisation.trading_name:
        name = _("{name} (“{trading_name}”)").format(
            name=name, trading_name=organisation.trading_name
        )
    text = _("{name} is the controller of your personal data.").format(name=name)
    text += " " + _("Contact us at {email}.").format(email=organisation.privacy_email)
    if organisation.dpo and organisation.dpo.email:
        text += " " + _("Our data protection officer: {email}.").format(
            email=organisation.dpo.email
        )
    return text


def _what(context: StatementContext) -> tuple[Block, ...]:
    groups = wording.unique(
        wording.lowered(context.group_label(context.group(k))) for k in context.all_categories
    )
    if not groups:
        return (Paragraph(_("We do not process personal data.")),)
    text = _("We process {groups}.").format(groups=wording.join_words(groups))
    if len(text.split()) <= _LONGEST_SENTENCE:
        return (Paragraph(text),)
    return (BulletList(tuple(wording.capitalised(group) for group in groups)),)


def _why(context: StatementContext) -> tuple[Block, ...]:
    reasons = list(_reasons(context))
    if not reasons:
        return (Paragraph(_("We do not process personal data for any purpose.")),)
    bases = wording.unique(
        _(BASIS_REASONS[basis])
        for basis in LegalBasis
        if any(p.legal_basis == basis for p in context.programme.purposes)
    )
    closing = _("{section} lists every purpose and its legal basis.").format(
        section=wording.capitalised(context.see("purposes"))
    )
    if bases:
        closing = " ".join(
            (_("We rely on {bases}.").format(bases=wording.join_words(bases, "or")), closing)
        )
    return (BulletList(tuple(wording.capitalised(r) for r in reasons)), Paragraph(closing))


def _reasons(context: StatementContext) -> Iterator[str]:
    order = {prefix: index for index, (prefix, _phrase) in enumerate(USE_PHRASES)}
    found: dict[str, str] = {}
    unmatched: list[str] = []
    for purpose in context.programme.purposes:
        prefixes = [_prefix(use) for use in purpose.data_uses]
        matched = [prefix for prefix in prefixes if prefix is not None]
        for prefix in matched:
            found.setdefault(_(dict(USE_PHRASES)[prefix]), prefix)
        if not matched:
            unmatched.append(context.text(purpose.name))
    phrases = sorted(found, key=lambda phrase: order[found[phrase]])
    yield from wording.unique([*phrases, *unmatched])


def _prefix(use: str) -> str | None:
    matching = [p for p, _phrase in USE_PHRASES if use == p or use.startswith(p + ".")]
    return max(matching, key=len) if matching else None


def _who_else(context: StatementContext) -> tuple[Block, ...]:
    recipients = context.programme.recipients
    if not recipients:
        return (Paragraph(_("We do not share your personal data with others.")),)
    items = [
        _group_item(_(group), [r for r in recipients if r.kind == kind])
        for kind, group in RECIPIENT_GROUPS.items()
        if any(r.kind == kind for r in recipients)
    ]
    return (BulletList(tuple(items)), Paragraph(_transfers(context)))


def _group_item(group: str, recipients: list[Recipient]) -> str:
    named = [r.name for r in recipients if r.named]
    if not named:
        return _("{group}.").format(group=group)
    shown = named[:_NAMED_PER_KIND]
    return _("{group}, such as {names}.").format(group=group, names=wording.join_words(shown))


def _transfers(context: StatementContext) -> str:
    places = context.places
    abroad = [
        (recipient, [c for c in recipient.countries if not places.in_eea(c)])
        for recipient in context.programme.recipients
    ]
    abroad = [(recipient, codes) for recipient, codes in abroad if codes]
    if not abroad:
        return _("Your data stays in the European Economic Area (EEA).")
    countries = context.countries(code for _r, codes in abroad for code in codes)
    kinds = [safeguard_kind(recipient) for recipient, _codes in abroad]
    tools = wording.unique(_(SAFEGUARD_KINDS[kind]) for kind in kinds if kind)
    text = _("Some are outside the European Economic Area (EEA), in {countries}.").format(
        countries=countries
    )
    if tools:
        text += " " + _("We protect these transfers with {tools}.").format(
            tools=wording.join_words(tools)
        )
    return text


def _how_long(context: StatementContext) -> str:
    periods = [
        Duration.parse(text)
        for rule in context.programme.retention
        for text in [*([rule.period] if rule.period else []), *rule.choices]
    ]
    see = wording.capitalised(context.see("retention"))
    if not periods:
        return _("Only as long as each purpose needs it. {section} gives the details.").format(
            section=see
        )
    shortest, longest = min(periods), max(periods)
    return " ".join(
        (
            _("Between {shortest} and {longest}, depending on the data and the law.").format(
                shortest=wording.duration(str(shortest)), longest=wording.duration(str(longest))
            ),
            _("{section} gives each period.").format(section=see),
        )
    )


def _rights(context: StatementContext) -> str:
    policy = context.programme.rights
    asked = [_(RIGHT_NAMES[r]) for r in policy.offered if r != "objection"]
    parts = []
    if asked:
        parts.append(
            _("You can ask for {rights} of your personal data.").format(
                rights=wording.join_words(asked, "or")
            )
        )
    if "objection" in policy.offered:
        parts.append(_("You can object to its use, and to direct marketing at any time."))
    parts.append(_("Contact us through {channels}.").format(channels=context.channels()))
    if any(p.legal_basis == LegalBasis.CONSENT for p in context.programme.purposes):
        parts.append(_("You can withdraw your consent at any time."))
    parts.append(_complaint(context))
    return " ".join(parts)


def _complaint(context: StatementContext) -> str:
    lead = context.programme.organisation.lead_supervisory_authority
    if lead:
        authority = context.places.authority(context.places.code(lead)).name
        return _(
            "You can complain to {authority} or to the authority where you live or work."
        ).format(authority=authority)
    return _("You can complain to the data protection authority where you live or work.")
