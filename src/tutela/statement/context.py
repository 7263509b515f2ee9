"""What the section builders of the statement share: the programme and its names."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tutela.jurisdictions import Jurisdictions
from tutela.programme.models import Address, Programme, Purpose, RetentionRule
from tutela.programme.published import PublishedProgramme, published
from tutela.statement import wording
from tutela.taxonomy.vocabulary import Vocabulary, covers


@dataclass(frozen=True)
class StatementContext:
    """The programme with the vocabulary and jurisdictions that name its keys.

    Unknown keys are shown as written (the ``check`` command reports them), so a
    broken reference never stops the statement from rendering.
    """

    programme: PublishedProgramme
    vocabulary: Vocabulary
    places: Jurisdictions

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

    @property
    def we(self) -> str:
        """The name the organisation goes by (trading name, else legal name)."""
        organisation = self.programme.organisation
        return organisation.trading_name or organisation.legal_name

    def category(self, key: str) -> str:
        """Display name of a data category."""
        return self.vocabulary.category_name(key)

    def categories(self, keys: Iterable[str]) -> str:
        """Display names of data categories, joined in words."""
        return wording.join_words(wording.unique(self.category(key) for key in keys))

    def subjects(self, keys: Iterable[str]) -> str:
        """Display names of data subjects, joined in words."""
        names = {subject.key: subject.name for subject in self.programme.subjects}
        return wording.join_words(
            wording.unique(names.get(key) or self._default_subject(key) for key in keys)
        )

    def purposes(self, keys: Iterable[str]) -> str:
        """Names of purposes, joined in words."""
        names = {purpose.key: purpose.name for purpose in self.programme.purposes}
        return wording.join_words(wording.unique(names.get(key, key) for key in keys))

    def sources(self, keys: Iterable[str]) -> str:
        """Names of sources, joined in words."""
        names = {source.key: source.name for source in self.programme.sources}
        return wording.join_words(wording.unique(names.get(key, key) for key in keys))

    def uses(self, keys: Iterable[str]) -> str:
        """Display names of data uses, joined in words."""
        return wording.join_words(wording.unique(self.vocabulary.use_name(key) for key in keys))

    def countries(self, codes: Iterable[str]) -> str:
        """Country names, joined in words."""
        return wording.join_words(wording.unique(self.places.country(code) for code in codes))

    def address(self, value: Address) -> str:
        """A postal address on one line, with the country's name."""
        return wording.address(value, self.places.country(value.country))

    def channels(self) -> str:
        """The channels through which rights are exercised, joined with "or"."""
        return wording.join_words((wording.inline(c) for c in self.programme.rights.channels), "or")

    def purposes_about(self, category: str) -> list[Purpose]:
        """Purposes that process ``category`` or a category above or below it."""
        return [
            purpose
            for purpose in self.programme.purposes
            if any(covers(key, category) or covers(category, key) for key in purpose.categories)
        ]

    def rule(self, key: str | None) -> RetentionRule | None:
        """The retention rule ``key`` (None when there is no such rule)."""
        rules = {rule.key: rule for rule in self.programme.retention}
        return rules.get(key) if key else None

    def _default_subject(self, key: str) -> str:
        term = self.vocabulary.subjects.get(key)
        return term.name if term else key


def retention_period(rule: RetentionRule) -> str:
    """How long a rule keeps data, in words: ``7 years after contract end``."""
    after = wording.event(rule.trigger)
    parts = []
    if rule.choices:
        default = f" ({wording.duration(rule.period)} by default)" if rule.period else ""
        parts.append(f"{choices(rule)} after {after}, as the customer chooses{default}")
    elif rule.period:
        parts.append(f"{wording.duration(rule.period)} after {after}")
    if rule.criterion:
        parts.append(wording.one_line(rule.criterion).rstrip("."))
    return "; ".join(parts) or "as long as needed for the purpose"


def choices(rule: RetentionRule) -> str:
    """The periods a customer may choose between, in words: ``24 hours or 48 hours``."""
    return wording.durations(rule.choices, "or")


def retention_summary(rule: RetentionRule) -> str:
    """A rule in one phrase: period, then what happens at its end."""
    end = "then anonymised" if rule.action == "anonymise" else "then deleted"
    return f"{retention_period(rule)}, {end}"
