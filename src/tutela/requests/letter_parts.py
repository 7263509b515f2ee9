"""The parts of the access cover letter: one per item of GDPR Art. 15(1)(a)-(h) and 15(2).

Each part words the facts a :class:`~tutela.requests.disclosure.Disclosure` holds for one
subject (AC-2, EDPB-ACC §4.3): purposes with their legal basis and any legitimate interest,
the categories and where they were found, the recipients by name (AC-3), retention, the
rights, the complaint route (CP-1), the sources, the logic of automated decisions (AC-9) and
the safeguard of each transfer. An empty part reads "None." in the letter. Pure: call it
inside a :func:`tutela.i18n.language` block.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tutela.i18n import N_, _, country_name
from tutela.jurisdictions import packaged_jurisdictions
from tutela.programme.models import LegalBasis
from tutela.requests.disclosure import (
    ARTICLES,
    AutomatedFact,
    Disclosure,
    PurposeFact,
    RecipientFact,
    SourceFact,
    TransferFact,
)
from tutela.rights.outcomes import RetainedField
from tutela.statement.phrases import BASIS_TITLES, RECIPIENT_KINDS, RIGHTS, SAFEGUARDS
from tutela.statement.wording import sentence

LAW_RIGHTS = ("rectification", "erasure", "restriction", "objection")
"""The rights Art. 15(1)(e) names: always listed, whatever the programme offers."""

OBJECTION = N_(
    "You can object at any time to processing based on our legitimate interests, on grounds"
    " relating to your particular situation, and to direct marketing without giving reasons."
)
"""The right to object in a letter (the statement's wording points to one of its sections)."""

HEADINGS = (
    N_("Why we use your data"),
    N_("Which personal data we process"),
    N_("Who receives your data"),
    N_("How long we keep your data"),
    N_("Your rights"),
    N_("Your right to lodge a complaint"),
    N_("Where your data comes from"),
    N_("Automated decisions and profiling"),
    N_("Transfers outside the EEA"),
)
"""The heading of each item of :data:`tutela.requests.disclosure.ARTICLES`, in order."""


@dataclass(frozen=True)
class Part:
    """A section of a letter: a heading, the article it answers, an intro and its lines."""

    heading: str
    article: str
    intro: str
    lines: tuple[str, ...]


def cover_parts(disclosure: Disclosure) -> tuple[Part, ...]:
    """The Art. 15 parts of the cover letter, in the order of the article, then the files."""
    names = {p.key: p.name for p in disclosure.purposes}
    recipients = {r.key: r.name for r in disclosure.recipients}
    labels = {c.key: c.label for c in disclosure.categories}
    complaint = disclosure.complaint
    lines = (
        tuple(_purpose(p) for p in disclosure.purposes),
        tuple(_category(c.label, c.found_in) for c in disclosure.categories),
        tuple(_recipient(r) for r in disclosure.recipients),
        tuple(
            _("{category}, for {purpose}: {period}").format(
                category=labels.get(r.category, r.category),
                purpose=names.get(r.purpose, r.purpose),
                period=r.wording,
            )
            for r in disclosure.retention
        ),
        _rights(disclosure.rights.offered),
        (),
        tuple(_source(s) for s in disclosure.sources),
        tuple(_automated(a, names.get(a.purpose, a.purpose)) for a in disclosure.automated),
        tuple(_transfer(t, recipients.get(t.recipient, t.recipient)) for t in disclosure.transfers),
    )
    parts = [
        Part(_(heading), article, "", items)
        for heading, article, items in zip(HEADINGS, ARTICLES, lines, strict=True)
    ]
    channels = ", ".join(disclosure.rights.channels)
    if channels:
        intro = _("To use your rights, write to: {channels}.").format(channels=channels)
        parts[4] = Part(parts[4].heading, parts[4].article, intro, parts[4].lines)
    authorities = tuple(
        f"{a.name} ({', '.join(a.websites)})" if a.websites else a.name
        for a in complaint.authorities
    )
    parts[5] = complaint_part(authorities, complaint.controller_contact, article=ARTICLES[5])
    return (*parts, _files())


def complaint_part(
    authorities: tuple[str, ...],
    contact: str | None,
    *,
    judicial: bool = False,
    article: str = "Art. 77 GDPR",
) -> Part:
    """The right to complain to a supervisory authority (CP-1), and to a court (DL-7)."""
    intro = _(
        "You have the right to lodge a complaint with a supervisory authority, in particular"
        " in the Member State where you live or work or where the alleged infringement took"
        " place. The authority we answer to:"
    )
    lines = list(authorities)
    if judicial:
        lines.append(
            _("You also have the right to an effective judicial remedy before a court (Art. 79).")
        )
    if contact:
        lines.append(_("You can also write to us first at {contact}.").format(contact=contact))
    return Part(_("Your right to lodge a complaint"), article, intro, tuple(lines))


def _basis(fact: PurposeFact) -> str:
    basis = fact.legal_basis
    if basis in set(LegalBasis):
        return _(BASIS_TITLES[LegalBasis(basis)])
    return basis or _("not stated")


def _purpose(fact: PurposeFact) -> str:
    text = [
        _("{purpose}: {description}").format(
            purpose=fact.name, description=sentence(fact.description)
        ),
        _("Legal basis: {basis}.").format(basis=_basis(fact)),
    ]
    if fact.legitimate_interest:
        interest = sentence(fact.legitimate_interest)
        text.append(_("Our legitimate interest: {interest}").format(interest=interest))
    if fact.categories:
        text.append(
            _("Data concerned: {categories}.").format(categories=", ".join(fact.categories))
        )
    return " ".join(text)


def _category(label: str, places: tuple[str, ...]) -> str:
    if not places:
        return label
    return _("{category}, found in: {places}").format(category=label, places=", ".join(places))


def _recipient(fact: RecipientFact) -> str:
    kind = RECIPIENT_KINDS.get(fact.kind)
    text = [f"{fact.name} ({_(kind)})." if kind else sentence(fact.name)]
    if not fact.named:
        text.append(_("We cannot name these recipients individually."))
    if fact.countries:
        places = packaged_jurisdictions()
        countries = ", ".join(country_name(c, places.country(c)) for c in fact.countries)
        text.append(_("Countries: {countries}.").format(countries=countries))
    if fact.categories:
        text.append(_("Data received: {categories}.").format(categories=", ".join(fact.categories)))
    return " ".join(text)


def _rights(offered: tuple[str, ...]) -> tuple[str, ...]:
    names = (*LAW_RIGHTS, *(o for o in offered if o not in LAW_RIGHTS))
    lines = []
    for name in names:
        title, sentences = RIGHTS.get(name, ("", ()))  # type: ignore[call-overload]
        if name == "objection":
            sentences = (OBJECTION,)
        if title:
            lines.append(" ".join((f"{_(title)}:", *(_(s) for s in sentences))))
    return tuple(lines)


def _source(fact: SourceFact) -> str:
    data = ", ".join(fact.categories)
    if fact.from_subject:
        text = _("{source}: you gave it to us.").format(source=fact.name)
    else:
        text = sentence(fact.name)
    if fact.provider:
        text += " " + _("Provided by {provider}.").format(provider=fact.provider)
    if data:
        text += " " + _("Data concerned: {categories}.").format(categories=data)
    return text


def _automated(fact: AutomatedFact, purpose: str) -> str:
    if fact.automated_decision:
        kind = _("An automated decision with legal or similarly significant effects (Art. 22).")
    else:
        kind = _("Profiling, with no decision based solely on it.")
    text = [f"{purpose}: {kind}"]
    shown = (
        (N_("How it works: {text}"), fact.logic),
        (N_("Why it matters: {text}"), fact.significance),
        (N_("What it means for you: {text}"), fact.consequences),
        (N_("Human review: {text}"), fact.human_review),
    )
    text += [_(label).format(text=sentence(value)) for label, value in shown if value]
    return " ".join(text)


def _transfer(fact: TransferFact, recipient: str) -> str:
    safeguard = SAFEGUARDS.get(fact.mechanism or "")
    tool = _(safeguard) if safeguard else _("no safeguard stated")
    if fact.reference:
        tool = f"{tool} ({fact.reference})"
    country = country_name(fact.country, fact.country_name)
    return _("{recipient}, in {country}: {safeguard}.").format(
        recipient=recipient, country=country, safeguard=tool.rstrip(".")
    )


def _files() -> Part:
    lines = (
        _("letter.html: this letter."),
        _(
            "data.json: all the data we found about you, with the categories and purposes of"
            " each field, in a machine-readable format (JSON)."
        ),
        _("data/<collection>.csv: the rows of one collection, to open in a spreadsheet (CSV)."),
        _("manifest.json: the size and SHA-256 digest of each file, to check that none changed."),
    )
    return Part(_("The files in this answer"), "Art. 15(3) GDPR", "", lines)


def held_part(kept: Sequence[RetainedField]) -> Part:
    """What a legal hold keeps from an erasure, with its reason (Art. 17(3)(e) GDPR).

    One line per hold: its reason, then the fields it keeps per collection. The data is
    erased when the hold is lifted.
    """
    holds: dict[str, list[RetainedField]] = {}
    for field in kept:
        if field.hold:
            holds.setdefault(field.hold, []).append(field)
    lines = []
    for fields in holds.values():
        reason = fields[0].reason or _("a claim we must be able to establish or defend")
        places: dict[str, list[str]] = {}
        for field in fields:
            places.setdefault(field.collection.rsplit(".", 1)[-1], []).append(field.field)
        where = "; ".join(f"{name}: {', '.join(dict.fromkeys(f))}" for name, f in places.items())
        text = _("Kept because of a legal claim: {reason} Data kept: {fields}.")
        lines.append(text.format(reason=sentence(reason), fields=where))
    intro = _(
        "We may not erase the data below yet: we need it to establish, exercise or defend"
        " legal claims. We use it for nothing else and erase it when the hold is lifted."
    )
    return Part(_("What we keep for legal claims"), "Art. 17(3)(e) GDPR", intro, tuple(lines))
