"""What an access answer must tell THIS subject (GDPR Art. 15(1)(a)-(h), 15(2); AC-1..AC-9).

:func:`disclose` tailors the cover information to the categories found for the subject (AC-2,
EDPB-ACC §4.3; recipients named where possible, AC-3; profiling logic, AC-9; the complaint
route, CP-1). Each fact cites its article; nothing is rendered; unknown keys are reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tutela.i18n import _
from tutela.jurisdictions import Jurisdictions, packaged_jurisdictions
from tutela.programme.models import LegalBasis, Profiling, Programme, Purpose, Recipient
from tutela.requests.excessive import AuthorityContact, authorities
from tutela.statement.context import retention_period
from tutela.taxonomy.labels import CATEGORY_LABELS
from tutela.taxonomy.vocabulary import Vocabulary, covers

ARTICLES = (*(f"Art. 15(1)({letter})" for letter in "abcdefgh"), "Art. 15(2)")  # AC-2


@dataclass(frozen=True)
class CategoryFact:
    """A category of data found, with its label and where it was found (Art. 15(1)(b))."""

    key: str
    label: str
    found_in: tuple[str, ...] = ()
    article: str = "Art. 15(1)(b)"


@dataclass(frozen=True)
class PurposeFact:
    """A purpose using the subject's data, its basis and any interest relied on (15(1)(a))."""

    key: str
    name: str
    description: str
    legal_basis: str | None
    basis_article: str | None
    legitimate_interest: str | None
    categories: tuple[str, ...]
    article: str = "Art. 15(1)(a)"


@dataclass(frozen=True)
class RecipientFact:
    """A recipient of the subject's data; ``named`` False means a category (AC-3; 15(1)(c))."""

    key: str
    name: str
    named: bool
    kind: str
    countries: tuple[str, ...]
    categories: tuple[str, ...]
    article: str = "Art. 15(1)(c)"


@dataclass(frozen=True)
class RetentionFact:
    """How long one category is kept for one purpose: period or criterion (15(1)(d), RT-1)."""

    category: str
    purpose: str
    rule: str | None
    period: str | None
    criterion: str | None
    wording: str
    article: str = "Art. 15(1)(d)"


@dataclass(frozen=True)
class RightsFact:
    """The rights offered (15(1)(e)) and the channels to use them."""

    offered: tuple[str, ...]
    channels: tuple[str, ...]
    article: str = "Art. 15(1)(e)"


@dataclass(frozen=True)
class ComplaintFact:
    """The right to complain: the authorities the programme names (15(1)(f), Art. 77, CP-1)."""

    authorities: tuple[AuthorityContact, ...]
    controller_contact: str | None
    article: str = "Art. 15(1)(f)"


@dataclass(frozen=True)
class SourceFact:
    """Where the data came from (15(1)(g)); ``from_subject`` for data the subject gave."""

    key: str
    name: str
    kind: str
    provider: str | None
    from_subject: bool
    categories: tuple[str, ...]
    article: str = "Art. 15(1)(g)"


@dataclass(frozen=True)
class AutomatedFact:
    """Profiling or an automated decision: logic, significance, consequences (15(1)(h), AC-9)."""

    purpose: str
    profiling: bool
    automated_decision: bool
    logic: str | None
    significance: str | None
    consequences: str | None
    human_review: str | None
    article: str = "Art. 15(1)(h)"


@dataclass(frozen=True)
class TransferFact:
    """A recipient's country outside the EEA and the Chapter V tool (15(2), Art. 46)."""

    recipient: str
    country: str
    country_name: str
    mechanism: str | None
    reference: str | None
    article: str = "Art. 15(2)"


@dataclass(frozen=True)
class Disclosure:
    """The Art. 15 cover information for one subject (AC-1, AC-2); ``processed`` confirms.

    For staff: ``unknown`` found keys, and ``without_purpose`` keys no purpose uses.
    """

    processed: bool
    categories: tuple[CategoryFact, ...]
    purposes: tuple[PurposeFact, ...]
    recipients: tuple[RecipientFact, ...]
    retention: tuple[RetentionFact, ...]
    rights: RightsFact
    complaint: ComplaintFact
    sources: tuple[SourceFact, ...]
    automated: tuple[AutomatedFact, ...]
    transfers: tuple[TransferFact, ...]
    unknown: tuple[str, ...] = ()
    without_purpose: tuple[str, ...] = ()

    def by_article(self) -> dict[str, tuple[object, ...]]:
        """Each item of :data:`ARTICLES` and the facts answering it (empty: "none", AC-1)."""
        rows: tuple[tuple[object, ...], ...] = (self.purposes, self.categories, self.recipients)
        rows += (self.retention, (self.rights,))
        rows += ((self.complaint,), self.sources, self.automated, self.transfers)
        return dict(zip(ARTICLES, rows, strict=True))


def _matching(keys: list[str], found: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(k for k in found if any(covers(i, k) or covers(k, i) for i in keys))


def disclose(
    programme: Programme,
    found: Iterable[str],
    collections: Mapping[str, Iterable[str]] | None = None,
    places: Jurisdictions | None = None,
) -> Disclosure:
    """The Art. 15 facts for ``found`` categories (``collections``: key -> where found)."""
    vocabulary = Vocabulary.with_extensions(
        (c.key, c.name, c.parent, c.special, c.criminal) for c in programme.categories
    )
    items = [found] if isinstance(found, str) else found
    keys = tuple(dict.fromkeys(k if isinstance(k, str) else repr(k) for k in items))
    known = tuple(k for k in keys if k in vocabulary.categories)
    where = collections if isinstance(collections, Mapping) else {}
    purposes = [p for p in programme.purposes if _matching(p.categories, known)]
    used = {k for p in purposes for k in _matching(p.categories, known)}
    label, places = Labels(programme, vocabulary), places or packaged_jurisdictions()
    recipients = _recipients(programme, purposes, known, label)
    complaints, rights = programme.complaints, programme.rights
    offered, channels = (rights.offered, rights.channels) if rights else ([], [])
    return Disclosure(
        processed=bool(known),
        categories=tuple(CategoryFact(k, label[k], _places(where.get(k, ()))) for k in known),
        purposes=tuple(_purpose(p, known, label) for p in purposes),
        recipients=tuple(fact for _, fact in recipients),
        retention=_retention(programme, purposes, known),
        rights=RightsFact(tuple(offered), tuple(map(str, channels))),
        complaint=ComplaintFact(
            authorities(complaints, places), complaints.contact_email if complaints else None
        ),
        sources=_sources(programme, purposes, known, label),
        automated=tuple(_automated(p.key, p.profiling) for p in purposes if p.profiling),
        transfers=_transfers([r for r, _ in recipients], places),
        unknown=tuple(k for k in keys if k not in known),
        without_purpose=tuple(k for k in known if k not in used),
    )


def _places(value: object) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value if isinstance(value, list | tuple) else []
    return tuple(str(item) for item in items)


class Labels(dict[str, str]):
    """Category labels: the programme's names, else tutela's plain labels (Art. 12(1))."""

    def __init__(self, programme: Programme, vocabulary: Vocabulary) -> None:
        super().__init__({c.key: str(c.name) for c in programme.categories})
        self.vocabulary = vocabulary

    def __missing__(self, key: str) -> str:
        found = CATEGORY_LABELS.get(key)
        return _(found) if found else self.vocabulary.category_name(key)

    def of(self, keys: Iterable[str]) -> tuple[str, ...]:
        """The labels of ``keys``, in order."""
        return tuple(self[k] for k in keys)


def _purpose(purpose: Purpose, known: tuple[str, ...], label: Labels) -> PurposeFact:
    basis, interest = purpose.legal_basis, purpose.legitimate_interest
    relied = str(interest.interest) if interest and basis == "legitimate_interests" else None
    article = f"Art. 6(1)({'abcdef'[list(LegalBasis).index(basis)]})" if basis else None
    name, text, labels = (
        str(purpose.name),
        str(purpose.description),
        label.of(_matching(purpose.categories, known)),
    )
    return PurposeFact(purpose.key, name, text, basis and str(basis), article, relied, labels)


def _recipients(
    programme: Programme, purposes: list[Purpose], known: tuple[str, ...], label: Labels
) -> list[tuple[Recipient, RecipientFact]]:
    """Who receives the found categories (its own list, else its purposes'), for 15(1)(c)."""
    serving, found = {p.key for p in purposes}, []
    for r in programme.recipients:
        own = r.categories or [k for p in purposes if p.key in r.purposes for k in p.categories]
        received = _matching(own, known)
        if received and (not r.purposes or serving & set(r.purposes)):
            where, labels = tuple(r.countries), label.of(received)
            found.append((r, RecipientFact(r.key, str(r.name), r.named, r.kind, where, labels)))
    return found


def _retention(
    programme: Programme, purposes: list[Purpose], known: tuple[str, ...]
) -> tuple[RetentionFact, ...]:
    rules = {rule.key: rule for rule in programme.retention}
    facts = []
    for purpose in purposes:
        rule = rules.get(purpose.retention or "")
        criterion = str(rule.criterion) if rule and rule.criterion else None
        wording = retention_period(rule, criterion or "") if rule else _("not stated")
        name, period = (rule.key, rule.period) if rule else (None, None)
        for key in _matching(purpose.categories, known):
            facts.append(RetentionFact(key, purpose.key, name, period, criterion, wording))
    return tuple(facts)


def _sources(
    programme: Programme, purposes: list[Purpose], known: tuple[str, ...], label: Labels
) -> tuple[SourceFact, ...]:
    named = {k for p in purposes for k in p.sources}
    facts = []
    for src in (item for item in programme.sources if item.key in named):
        keys, own = _matching(src.categories, known), src.kind == "subject"
        if keys or not src.categories:
            provider, labels = str(src.provider) if src.provider else None, label.of(keys)
            facts.append(SourceFact(src.key, str(src.name), src.kind, provider, own, labels))
    return tuple(facts)


def _automated(key: str, p: Profiling) -> AutomatedFact:
    logic, weight, effect, review = (
        str(t) if t else None for t in (p.logic, p.significance, p.consequences, p.human_review)
    )
    return AutomatedFact(key, p.profiling, p.automated_decision, logic, weight, effect, review)


def _transfers(recipients: list[Recipient], places: Jurisdictions) -> tuple[TransferFact, ...]:
    return tuple(
        TransferFact(r.key, code, places.country(code), *_tool(r, code, places))
        for r in recipients
        for code in r.countries
        if not places.in_eea(code)
    )


def _tool(r: Recipient, code: str, places: Jurisdictions) -> tuple[str | None, str | None]:
    """The Chapter V tool: the recipient's safeguard, the DPF, else a country adequacy decision."""
    if r.safeguard is not None:
        reference = r.safeguard.reference or r.safeguard.scc_decision
        return r.safeguard.mechanism, str(reference) if reference else None
    if r.dpf_certified:
        return "adequacy", "EU-US Data Privacy Framework"
    return ("adequacy", None) if places.adequacy_decision(code) else (None, None)
