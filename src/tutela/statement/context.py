"""What the section builders of the statement share: the programme and its names.

Every programme text a reader sees passes through :meth:`StatementContext.text`, the one
place where the statement's language will pick the right value of a
:class:`~tutela.programme.types.LocalText`. Categories are named with the programme's own
names or tutela's labels (:mod:`tutela.taxonomy.labels`), never with raw keys (GDPR
Art. 12(1)); which categories concern which subjects follows the subjects' declared
``categories`` (Art. 13(1), 14(1)(d)).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from tutela.i18n import _, country_name
from tutela.jurisdictions import Jurisdictions
from tutela.programme.models import (
    Address,
    Programme,
    Purpose,
    Recipient,
    RetentionRule,
    Source,
)
from tutela.programme.published import PublishedProgramme, published
from tutela.statement import wording
from tutela.taxonomy.labels import CATEGORY_LABELS, GROUP_LABELS, group_of
from tutela.taxonomy.vocabulary import Vocabulary, covers


@dataclass(frozen=True)
class StatementContext:
    """The programme with the vocabulary and jurisdictions that name its keys.

    ``numbers`` maps each section id to its number, for cross-references. Unknown keys
    are shown as written (the ``check`` command reports them), so a broken reference
    never stops the statement from rendering.
    """

    programme: PublishedProgramme
    vocabulary: Vocabulary
    places: Jurisdictions
    numbers: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, programme: Programme, places: Jurisdictions) -> StatementContext:
        """Context for ``programme``, with its category extensions in the vocabulary.

        Raises :class:`~tutela.errors.PolicyErrors` naming each legal section the
        programme lacks (organisation, statement, rights, complaints).
        """
        complete = published(programme, needed_by="the privacy statement")
        extensions = [
            (item.key, item.name, item.parent, item.special, item.criminal)
            for item in programme.categories
        ]
        return cls(complete, Vocabulary.with_extensions(extensions), places)

    def text(self, value: str) -> str:
        """A programme text as the reader sees it (one place to choose its language)."""
        return str(value)

    @property
    def we(self) -> str:
        """The name the organisation goes by (trading name, else legal name)."""
        return self.programme.organisation.known_as

    def see(self, section_id: str) -> str:
        """A cross-reference to a section: ``section 5``."""
        return _("section {number}").format(number=self.numbers.get(section_id, "?"))

    # --- categories -------------------------------------------------------------------

    @cached_property
    def _declared(self) -> dict[str, str]:
        return {item.key: self.text(item.name) for item in self.programme.categories}

    def category(self, key: str) -> str:
        """The label of a category: the programme's name, else tutela's label (Art. 12(1))."""
        if key in self._declared:
            return self._declared[key]
        if key in CATEGORY_LABELS:
            return _(CATEGORY_LABELS[key])
        return self.vocabulary.category_name(key)

    def categories(self, keys: Iterable[str]) -> str:
        """Labels of data categories joined in words: ``name and e-mail address``.

        A programme's name written as a heading (``Professional data``) reads in lower
        case inside the sentence; acronyms (``IT-asset scan data``) keep theirs.
        """
        labels = (wording.lowered(self.category(key)) for key in keys)
        return wording.join_words(wording.unique(labels))

    def category_list(self, keys: Iterable[str]) -> str:
        """Labels of data categories as a list, each capitalised: ``Name, E-mail address``."""
        labels = wording.unique(wording.capitalised(self.category(key)) for key in keys)
        return wording.listing(labels)

    def group(self, key: str) -> str:
        """The group a category is shown in (its ancestor directly under ``user``)."""
        parents = {item.key: item.parent for item in self.programme.categories}
        return group_of(key, parents)

    def group_label(self, group: str) -> str:
        """The label of a group of categories."""
        if group in GROUP_LABELS and group not in self._declared:
            return _(GROUP_LABELS[group])
        return self.category(group)

    @cached_property
    def all_categories(self) -> tuple[str, ...]:
        """Every category the programme names, in the order it first names them."""
        programme = self.programme
        keys = [key for subject in programme.subjects for key in subject.categories]
        keys += [key for purpose in programme.purposes for key in purpose.categories]
        keys += [key for source in programme.sources for key in source.categories]
        keys += [key for recipient in programme.recipients for key in recipient.categories]
        return wording.unique(keys)

    @cached_property
    def subject_categories(self) -> dict[str, tuple[str, ...]]:
        """The categories that concern each subject (declared, else paired by use).

        A subject that declares ``categories`` gets the categories its purposes and
        sources name that fall under a declared one (or the declared one a broader
        category covers); one without declarations gets every category of every purpose
        and source naming it.
        """
        declared = {s.key: list(s.categories) for s in self.programme.subjects}
        found: dict[str, list[str]] = {key: list(keys) for key, keys in declared.items()}
        users: list[Purpose | Source] = [*self.programme.purposes, *self.programme.sources]
        for user in users:
            for subject in user.subjects:
                bucket = found.setdefault(subject, [])
                for key in user.categories:
                    bucket += _paired(key, declared.get(subject) or [])
        return {key: wording.unique(keys) for key, keys in found.items()}

    def purposes_about(self, category: str) -> list[Purpose]:
        """Purposes that process ``category`` or a category above or below it."""
        return [
            purpose
            for purpose in self.programme.purposes
            if any(covers(key, category) or covers(category, key) for key in purpose.categories)
        ]

    # --- names of other programme elements --------------------------------------------

    def subject(self, key: str) -> str:
        """The name of a data subject."""
        for item in self.programme.subjects:
            if item.key == key:
                return self.text(item.name)
        term = self.vocabulary.subjects.get(key)
        return term.name if term else key

    def subjects(self, keys: Iterable[str]) -> str:
        """Names of data subjects, joined in words."""
        return wording.join_words(wording.unique(self.subject(key) for key in keys))

    def purposes(self, keys: Iterable[str]) -> str:
        """Names of purposes, joined in words."""
        names = {purpose.key: purpose.name for purpose in self.programme.purposes}
        return wording.join_words(wording.unique(self.text(names.get(k, k)) for k in keys))

    def country(self, code: str) -> str:
        """A country's name in the language rendered (``Belgique`` in French)."""
        return country_name(self.places.code(code), self.places.country(code))

    def countries(self, codes: Iterable[str]) -> str:
        """Country names, joined in words."""
        return wording.join_words(wording.unique(self.country(code) for code in codes))

    def address(self, value: Address) -> str:
        """A postal address on one line, with the country's name."""
        return wording.address(value, self.country(value.country))

    def channels(self) -> str:
        """The channels through which rights are exercised, joined with "or"."""
        channels = self.programme.rights.channels
        return wording.join_words((wording.inline(self.text(c)) for c in channels), "or")

    def rule(self, key: str | None) -> RetentionRule | None:
        """The retention rule ``key`` (None when there is no such rule)."""
        rules = {rule.key: rule for rule in self.programme.retention}
        return rules.get(key) if key else None


def safeguard_kind(recipient: Recipient) -> str | None:
    """The transfer tool a recipient relies on: ``dpf``, a safeguard mechanism, or None."""
    if recipient.dpf_certified:
        return "dpf"
    return recipient.safeguard.mechanism if recipient.safeguard else None


def _paired(key: str, declared: list[str]) -> list[str]:
    if not declared:
        return [key]
    if any(covers(item, key) for item in declared):
        return [key]
    return [item for item in declared if covers(key, item)]


def retention_period(rule: RetentionRule, text: str = "") -> str:
    """How long a rule keeps data, in words: ``7 years after contract end``.

    ``text`` is the rule's criterion as the reader sees it (see
    :meth:`StatementContext.text`).
    """
    after = wording.event(rule.trigger)
    parts = []
    if rule.choices:
        default = rule.period and wording.duration(rule.period)
        chosen = _("{periods} after {event}, as the customer chooses").format(
            periods=choices(rule), event=after
        )
        if default:
            chosen = _("{choice} ({period} by default)").format(choice=chosen, period=default)
        parts.append(chosen)
    elif rule.period:
        parts.append(
            _("{period} after {event}").format(period=wording.duration(rule.period), event=after)
        )
    if text:
        parts.append(wording.one_line(text).rstrip("."))
    return "; ".join(parts) or _("as long as needed for the purpose")


def choices(rule: RetentionRule) -> str:
    """The periods a customer may choose between, in words: ``24 or 48 hours``."""
    return wording.durations(rule.choices, "or")
