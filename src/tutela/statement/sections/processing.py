"""Statement sections about the processing itself: who, which data, from where.

Covers GDPR Art. 13(1)(a)-(b) and 14(1)(d), 14(2)(f): the controller, its DPO and
representative, the categories of data per kind of subject (each subject only with the
categories that concern it), and the sources (LB-3).
"""

from __future__ import annotations

from collections.abc import Iterator

from tutela.i18n import N_, _
from tutela.programme.models import Contact, Source, SourceKind, System
from tutela.statement import wording
from tutela.statement.context import StatementContext
from tutela.statement.phrases import ART9_CONDITIONS
from tutela.statement.view import Block, BulletList, Fact, Facts, Paragraph, Subsection, Table
from tutela.taxonomy.vocabulary import covers

SOURCE_KINDS: tuple[tuple[SourceKind, str], ...] = (
    ("subject", N_("Data you give us")),
    ("observed", N_("Data we record automatically")),
    ("third_party", N_("Data we receive from others")),
    ("derived", N_("Data we derive from other data")),
)
"""The kinds of source, in the order the statement lists them (Art. 13 before Art. 14)."""


def controller(context: StatementContext) -> tuple[Block, ...]:
    """The controller's identity and contacts, DPO, representative, processor role."""
    organisation = context.programme.organisation
    blocks: list[Block] = [*_identity(context), Facts(tuple(_contacts(context)))]
    affiliates = [context.text(item) for item in organisation.affiliates]
    if affiliates:
        blocks += [Paragraph(_("Our affiliates:")), BulletList(tuple(affiliates))]
    processor_systems = [s for s in context.programme.systems if s.role == "processor"]
    if processor_systems:
        blocks.append(
            Subsection(_("When we act as a processor"), _processor_role(context, processor_systems))
        )
    return tuple(blocks)


def _identity(context: StatementContext) -> Iterator[Paragraph]:
    organisation = context.programme.organisation
    name = organisation.legal_name
    if organisation.trading_name:
        name = _("{name} (“{trading_name}”)").format(
            name=name, trading_name=organisation.trading_name
        )
    yield Paragraph(
        _(
            "{name} decides why and how your personal data is processed: it is the controller"
            " (“we”)."
        ).format(name=name)
    )
    where = context.address(organisation.registered_address)
    number = organisation.registration_number
    if organisation.legal_form:
        text = _("It is a {form}, registered under number {number}, at {address}.").format(
            form=context.text(organisation.legal_form), number=number, address=where
        )
    else:
        text = _("It is registered under number {number}, at {address}.").format(
            number=number, address=where
        )
    yield Paragraph(text)


def _contacts(context: StatementContext) -> Iterator[Fact]:
    organisation = context.programme.organisation
    if organisation.website:
        yield Fact(_("Website"), organisation.website)
    yield Fact(_("Privacy questions"), organisation.privacy_email)
    yield Fact(_("By post"), context.address(organisation.privacy_postal_address))
    if organisation.dpo:
        yield Fact(_("Data protection officer"), _contact(context, organisation.dpo))
    if organisation.eu_representative:
        yield Fact(
            _("Representative in the EU (Art. 27 GDPR)"),
            _contact(context, organisation.eu_representative),
        )


def _contact(context: StatementContext, contact: Contact) -> str:
    address = context.address(contact.address) if contact.address else None
    details = [part for part in (contact.email, contact.phone, address) if part]
    if not details:
        return contact.name
    return _("{name} ({details})").format(name=contact.name, details="; ".join(details))


def _processor_role(context: StatementContext, systems: list[System]) -> tuple[Block, ...]:
    names = wording.join_words(system.name for system in systems)
    paragraph = " ".join(
        (
            _("For {systems} we are a processor: the customer is the controller.").format(
                systems=names
            ),
            _("A data processing agreement (Art. 28 GDPR) binds us to its instructions."),
            _("For more information, refer to the privacy statement of that controller."),
        )
    )
    facts = Facts(tuple(_activity(context, system) for system in systems))
    return (Paragraph(paragraph), facts)


def _activity(context: StatementContext, system: System) -> Fact:
    parts = [wording.sentence(context.text(system.description))] if system.description else []
    if system.controller:
        controller_text = wording.sentence(context.text(system.controller))
        parts.append(_("Controller: {controller}").format(controller=controller_text))
    return Fact(system.name, " ".join(parts) or _("Processing on the customer's instructions."))


def personal_data(context: StatementContext) -> tuple[Block, ...]:
    """The kinds of personal data, and for each kind of subject the data about them."""
    keys = context.all_categories
    if not keys:
        return (Paragraph(_("We do not process personal data.")),)
    rows = tuple(_group_rows(context, keys))
    blocks: list[Block] = [Table((_("Personal data"), _("What it includes")), rows)]
    special = [key for key in keys if context.vocabulary.is_special(key)]
    if special:
        blocks.append(Paragraph(_special_text(context, special)))
    subjects = tuple(_subject_row(context, key) for key in _subject_keys(context))
    if subjects:
        blocks.append(Table((_("Whose data"), _("Which data")), subjects))
    return tuple(blocks)


def _group_rows(context: StatementContext, keys: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """One row per group of categories; a category is left out where a narrower one is shown.

    Groups whose only category has the group's own label are listed together on a last
    row, so no row repeats its label as its content.
    """
    shown = [key for key in keys if not any(o != key and covers(key, o) for o in keys)]
    groups: dict[str, list[str]] = {}
    for key in shown:
        groups.setdefault(context.group(key), []).append(key)
    others: list[str] = []
    for group, members in groups.items():
        label = wording.capitalised(context.group_label(group))
        listed = context.category_list(members)
        if listed == label:
            others.append(label)
        else:
            yield label, listed
    if others:
        yield _("Other personal data"), ", ".join(others)


def _special_text(context: StatementContext, special: list[str]) -> str:
    purposes = [p for key in special for p in context.purposes_about(key)]
    conditions = wording.unique(
        _(ART9_CONDITIONS[p.special_category_condition])
        for p in purposes
        if p.special_category_condition
    )
    text = _("{categories} are special categories of personal data (Art. 9 GDPR).").format(
        categories=wording.capitalised(context.categories(special))
    )
    if conditions:
        text += " " + _("We process them only on the basis of {conditions}.").format(
            conditions=wording.join_words(conditions)
        )
    return text


def _subject_keys(context: StatementContext) -> tuple[str, ...]:
    declared = [subject.key for subject in context.programme.subjects]
    used = [key for purpose in context.programme.purposes for key in purpose.subjects]
    return wording.unique(declared + used)


def _subject_row(context: StatementContext, key: str) -> tuple[str, str]:
    """A kind of subject, who they are, and the groups of data about them (Art. 14(1)(d))."""
    described = {s.key: s.description for s in context.programme.subjects if s.description}
    who = context.subject(key)
    if key in described:
        who = _("{subject}: {description}").format(
            subject=who, description=wording.sentence(context.text(described[key]))
        )
    categories = context.subject_categories.get(key, ())
    groups = wording.unique(context.group_label(context.group(c)) for c in categories)
    return who, wording.listing(groups) or "—"


def collection(context: StatementContext) -> tuple[Block, ...]:
    """Where personal data comes from, grouped by kind, with notices at collection (LB-3)."""
    sources = context.programme.sources
    if not sources:
        return (Paragraph(_("We do not collect personal data.")),)
    blocks: list[Block] = []
    for kind, title in SOURCE_KINDS:
        of_kind = [source for source in sources if source.kind == kind]
        if of_kind:
            facts = Facts(tuple(_source_fact(context, source) for source in of_kind))
            blocks.append(Subsection(_(title), (facts,)))
    blocks += _requirement(context)
    return tuple(blocks)


def _source_fact(context: StatementContext, source: Source) -> Fact:
    name = context.text(source.name)
    parts = [wording.sentence(context.text(source.description))] if source.description else []
    if source.kind == "third_party":
        provider = source.provider
        if provider and provider.casefold() not in name.casefold():
            parts.append(_("Provided by {provider}.").format(provider=wording.inline(provider)))
    if source.notice:
        parts.append(wording.sentence(context.text(source.notice)))
    return Fact(name, " ".join(parts))


def _requirement(context: StatementContext) -> list[Block]:
    needed = [
        context.text(purpose.name)
        for purpose in context.programme.purposes
        if purpose.legal_basis in ("contract", "legal_obligation")
    ]
    if not needed:
        return []
    return [
        Paragraph(
            _("We need some data for a contract or a legal duty: {purposes}.").format(
                purposes=wording.join_words(needed)
            )
            + " "
            + _("Without it, we may be unable to provide the service or meet the duty.")
        )
    ]
