"""Statement sections about the processing itself: who, which data, from where.

Covers GDPR Art. 13(1)(a)-(b) and 14(1)(d), 14(2)(f): the controller, its DPO and
representative, the categories of data and subjects, and the sources (LB-3).
"""

from __future__ import annotations

from collections.abc import Iterator

from tutela.programme.models import Contact, Source, SourceKind, System
from tutela.statement import wording
from tutela.statement.context import StatementContext
from tutela.statement.view import (
    Block,
    BulletList,
    Fact,
    Facts,
    Paragraph,
    Subsection,
    Table,
)

SOURCE_KINDS: tuple[tuple[SourceKind, str], ...] = (
    ("subject", "Data you give us"),
    ("observed", "Data we record automatically"),
    ("third_party", "Data we receive from third parties"),
    ("derived", "Data we derive from other data"),
)
"""The kinds of source, in the order the statement lists them (Art. 13 before Art. 14)."""


def controller(context: StatementContext) -> tuple[Block, ...]:
    """The controller's identity and contacts, DPO, representative, processor role."""
    organisation = context.programme.organisation
    blocks: list[Block] = [Paragraph(_identity(context)), Facts(tuple(_contacts(context)))]
    if len(organisation.affiliates) == 1:
        blocks.append(Paragraph(f"Our affiliate: {organisation.affiliates[0]}."))
    elif organisation.affiliates:
        blocks += [Paragraph("Our affiliates:"), BulletList(tuple(organisation.affiliates))]
    processor_systems = [s for s in context.programme.systems if s.role == "processor"]
    if processor_systems:
        blocks.append(Subsection("When we act as a processor", _processor_role(processor_systems)))
    return tuple(blocks)


def _identity(context: StatementContext) -> str:
    organisation = context.programme.organisation
    form = f", a {organisation.legal_form}," if organisation.legal_form else ","
    also = f" (“{organisation.trading_name}”)" if organisation.trading_name else ""
    where = context.address(organisation.registered_address)
    return (
        f"{organisation.legal_name}{also}{form} with registered address at {where},"
        f" registered under number {organisation.registration_number}, is the controller of"
        " your personal data (“we” or “us”): it decides why and how your personal data is"
        " collected and used, and this statement applies where it does so."
    )


def _contacts(context: StatementContext) -> Iterator[Fact]:
    organisation = context.programme.organisation
    if organisation.website:
        yield Fact("Website", organisation.website)
    yield Fact("Privacy questions", organisation.privacy_email)
    yield Fact("By post", context.address(organisation.privacy_postal_address))
    if organisation.dpo:
        yield Fact("Data protection officer", _contact(context, organisation.dpo))
    if organisation.eu_representative:
        yield Fact(
            "Representative in the EU (Art. 27 GDPR)",
            _contact(context, organisation.eu_representative),
        )


def _contact(context: StatementContext, contact: Contact) -> str:
    address = context.address(contact.address) if contact.address else None
    details = [part for part in (contact.email, contact.phone, address) if part]
    return f"{contact.name} ({'; '.join(details)})" if details else contact.name


def _processor_role(systems: list[System]) -> tuple[Block, ...]:
    names = wording.join_words(system.name for system in systems)
    blocks: list[Block] = [
        Paragraph(
            f"When we provide {names}, we process personal data on behalf of our customers, as"
            f" a processor. The customer is then the controller: it decides why and how"
            " that data is processed. A data processing agreement (DPA, Art. 28 GDPR) is signed"
            " between us and the controller, and we process the data only on its documented"
            " instructions. For more information, please refer to the privacy statement of that"
            " controller; we forward requests about this data to it."
        )
    ]
    activities = [_activity(system) for system in systems]
    blocks.append(Facts(tuple(activities)))
    return tuple(blocks)


def _activity(system: System) -> Fact:
    parts = [wording.sentence(system.description)] if system.description else []
    if system.controller:
        parts.append(f"Controller: {wording.sentence(system.controller)}")
    if system.processing_activities:
        parts.append(f"Processing: {wording.join_words(system.processing_activities)}.")
    if system.dpa:
        parts.append(f"DPA reference: {system.dpa.reference}.")
    return Fact(system.name, " ".join(parts) or "Processing on the customer's instructions.")


def personal_data(context: StatementContext) -> tuple[Block, ...]:
    """The categories of personal data, whom they are about, and the subjects."""
    keys = _category_keys(context)
    if not keys:
        return (Paragraph("We do not process personal data."),)
    rows = tuple(_category_row(context, key) for key in keys)
    blocks: list[Block] = [
        Paragraph("We process the following categories of personal data:"),
        Table(("Personal data", "What it is", "About whom"), rows),
    ]
    special = [key for key in keys if context.vocabulary.is_special(key)]
    if special:
        blocks.append(Paragraph(_special_text(context, special)))
    blocks += _subjects(context)
    return tuple(blocks)


def _category_keys(context: StatementContext) -> tuple[str, ...]:
    programme = context.programme
    keys = [item.key for item in programme.categories]
    keys += [key for purpose in programme.purposes for key in purpose.categories]
    keys += [key for source in programme.sources for key in source.categories]
    keys += [key for recipient in programme.recipients for key in recipient.categories]
    return wording.unique(keys)


def _category_row(context: StatementContext, key: str) -> tuple[str, str, str]:
    declared = {item.key: item.description for item in context.programme.categories}
    term = context.vocabulary.categories.get(key)
    description = declared.get(key) or (term.description if term else "") or ""
    subjects = [s for purpose in context.purposes_about(key) for s in purpose.subjects]
    about = context.subjects(subjects) or "—"
    return context.category(key), wording.one_line(description), about


def _special_text(context: StatementContext, special: list[str]) -> str:
    purposes = [p for key in special for p in context.purposes_about(key)]
    conditions = wording.unique(
        wording.ART9_CONDITIONS[p.special_category_condition]
        for p in purposes
        if p.special_category_condition
    )
    text = f"{context.categories(special)} are special categories of personal data (Art. 9 GDPR)."
    if conditions:
        text += f" We process them only on the basis of {wording.join_words(conditions)}."
    return text


def _subject_keys(context: StatementContext) -> tuple[str, ...]:
    declared = [subject.key for subject in context.programme.subjects]
    used = [key for purpose in context.programme.purposes for key in purpose.subjects]
    return wording.unique(declared + used)


def _subjects(context: StatementContext) -> list[Block]:
    keys = _subject_keys(context)
    if not keys:
        return []
    described = {s.key: s.description for s in context.programme.subjects if s.description}
    if not described:
        return [Paragraph(f"The people whose personal data we process: {context.subjects(keys)}.")]
    facts = tuple(
        Fact(context.subjects([key]), wording.sentence(described[key]) if key in described else "")
        for key in keys
    )
    return [Paragraph("The people whose personal data we process are:"), Facts(facts)]


def collection(context: StatementContext) -> tuple[Block, ...]:
    """Where personal data comes from, grouped by kind, with notices at collection (LB-3)."""
    sources = context.programme.sources
    if not sources:
        return (Paragraph("We do not collect personal data."),)
    blocks: list[Block] = [Paragraph("We collect personal data in the following ways.")]
    for kind, title in SOURCE_KINDS:
        of_kind = [source for source in sources if source.kind == kind]
        if of_kind:
            facts = Facts(tuple(_source_fact(context, source) for source in of_kind))
            blocks.append(Subsection(title, (facts,)))
    blocks += _notices(context)
    blocks += _requirement(context)
    return tuple(blocks)


def _source_fact(context: StatementContext, source: Source) -> Fact:
    parts = [wording.sentence(source.description)] if source.description else []
    if source.provider:
        parts.append(f"Provided by {wording.inline(source.provider)}.")
    if source.categories:
        parts.append(f"Personal data: {context.categories(source.categories)}.")
    if source.subjects:
        parts.append(f"About: {context.subjects(source.subjects)}.")
    if source.notice:
        parts.append(wording.sentence(source.notice))
    return Fact(source.name, " ".join(parts))


def _notices(context: StatementContext) -> list[Block]:
    notices = [
        f"{purpose.name}: {wording.sentence(purpose.notice_at_collection)}"
        for purpose in context.programme.purposes
        if purpose.notice_at_collection
    ]
    if not notices:
        return []
    return [Subsection("What we tell you when we collect data", (BulletList(tuple(notices)),))]


def _requirement(context: StatementContext) -> list[Block]:
    needed = [
        purpose.name
        for purpose in context.programme.purposes
        if purpose.legal_basis in ("contract", "legal_obligation")
    ]
    if not needed:
        return []
    return [
        Paragraph(
            "We need some personal data for contractual or legal reasons"
            f" ({wording.join_words(needed)}). If you do not provide it when we ask, we may not"
            " be able to provide the service or to meet our legal obligations."
        )
    ]
