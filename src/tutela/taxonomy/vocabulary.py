"""Data categories, data uses and data subjects known to a programme.

The default vocabulary is fideslang's default taxonomy (dotted keys such as
``user.contact.email``, read from the snapshot of :mod:`tutela.taxonomy.snapshot`) plus
the few terms the GDPR needs and fideslang lacks (:data:`TUTELA_CATEGORIES`,
:data:`TUTELA_SUBJECTS`); a programme adds its own categories under any parent.
A key covers every key below it: ``user.contact`` covers ``user.contact.email``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from tutela.taxonomy import snapshot

SPECIAL_CATEGORIES: frozenset[str] = frozenset(
    {
        "user.biometric",
        "user.health_and_medical",
        "user.demographic.political_opinion",
        "user.demographic.race_ethnicity",
        "user.demographic.religious_belief",
        "user.demographic.sexual_orientation",
        "user.authorization.biometric",
        "user.demographic.trade_union_membership",
    }
)
"""Default categories that are special categories under GDPR Art. 9(1)."""

TUTELA_CATEGORIES: tuple[tuple[str, str, str, str], ...] = (
    (
        "user.demographic.trade_union_membership",
        "Trade Union Membership",
        "Membership of a trade union, a special category of GDPR Art. 9(1).",
        "user.demographic",
    ),
)
"""Categories tutela adds to fideslang's defaults (key, name, description, parent).

fideslang 3 has no key for trade-union membership, which Art. 9(1) names among the
special categories; tutela adds it under ``user.demographic``.
"""

TUTELA_SUBJECTS: tuple[tuple[str, str, str], ...] = (
    (
        "member",
        "Member",
        "A member or former member of a not-for-profit body (foundation, association, union, "
        "church, party), or a person in regular contact with it (GDPR Art. 9(2)(d)).",
    ),
)
"""Data subjects tutela adds to fideslang's defaults (key, name, description).

Art. 9(2)(d) lifts the ban on special categories only for the members of a not-for-profit
body and those in regular contact with it; fideslang has no such subject.
"""

CRIMINAL_CATEGORIES: frozenset[str] = frozenset({"user.criminal_history"})
"""Default categories of criminal convictions and offences (GDPR Art. 10)."""


@dataclass(frozen=True)
class Term:
    """One entry of the vocabulary."""

    key: str
    name: str
    description: str = ""
    parent: str | None = None


@cache
def _defaults() -> tuple[dict[str, Term], dict[str, Term], dict[str, Term]]:
    def terms(rows: Iterable[tuple[str, str, str, str | None]]) -> dict[str, Term]:
        return {key: Term(key, name, text, parent) for key, name, text, parent in rows}

    shipped = snapshot.load()
    categories = terms(shipped["data_category"])
    for key, name, text, parent in TUTELA_CATEGORIES:
        categories[key] = Term(key, name, text, parent)
    subjects = terms(shipped["data_subject"])
    subjects.update({key: Term(key, name, text) for key, name, text in TUTELA_SUBJECTS})
    return categories, terms(shipped["data_use"]), subjects


@dataclass(frozen=True)
class Vocabulary:
    """Categories, uses and subjects: fideslang defaults plus programme extensions."""

    categories: dict[str, Term] = field(default_factory=lambda: dict(_defaults()[0]))
    uses: dict[str, Term] = field(default_factory=lambda: dict(_defaults()[1]))
    subjects: dict[str, Term] = field(default_factory=lambda: dict(_defaults()[2]))
    special: frozenset[str] = SPECIAL_CATEGORIES
    criminal: frozenset[str] = CRIMINAL_CATEGORIES

    @classmethod
    def with_extensions(
        cls,
        categories: Iterable[tuple[str, str, str | None, bool, bool]] = (),
    ) -> Vocabulary:
        """Defaults plus extension categories given as (key, name, parent, special, criminal)."""
        base = cls()
        extra = {key: Term(key, name, "", parent) for key, name, parent, _, _ in categories}
        special = {key for key, _, _, is_special, _ in categories if is_special}
        criminal = {key for key, _, _, _, is_criminal in categories if is_criminal}
        return cls(
            categories={**base.categories, **extra},
            special=SPECIAL_CATEGORIES | special,
            criminal=CRIMINAL_CATEGORIES | criminal,
        )

    def is_special(self, category: str) -> bool:
        """True if ``category`` is (or lies under) an Art. 9 special category."""
        return any(covers(special, category) for special in self.special)

    def is_criminal(self, category: str) -> bool:
        """True if ``category`` is (or lies under) an Art. 10 criminal-data category."""
        return any(covers(criminal, category) for criminal in self.criminal)

    def category_name(self, key: str) -> str:
        """The display name of a category (the key itself if unknown)."""
        term = self.categories.get(key)
        return term.name if term else key

    def use_name(self, key: str) -> str:
        """The display name of a data use (the key itself if unknown)."""
        term = self.uses.get(key)
        return term.name if term else key


def covers(general: str, specific: str) -> bool:
    """True if dotted key ``general`` is ``specific`` or one of its ancestors."""
    return specific == general or specific.startswith(general + ".")
