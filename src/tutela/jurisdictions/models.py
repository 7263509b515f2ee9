"""The jurisdictions reference data as typed models, and the one lookup built from them.

The file models (:class:`EeaList`, :class:`AdequacyList`, :class:`AuthorityList`,
:class:`CountryList`) mirror the YAML files in ``tutela/jurisdictions/data`` and forbid
unknown keys. :class:`Jurisdictions` is the lookup the checks, the statement and the records
use: it resolves code aliases (``EL`` for ``GR``) before every question, so they all get one
answer per country. No I/O here; :mod:`tutela.jurisdictions.loader` reads the files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def canonical_code(code: str, aliases: Mapping[str, str]) -> str:
    """The ISO 3166-1 alpha-2 code ``code`` stands for (``EL`` → ``GR``), else ``code``."""
    return aliases.get(code, code)


T = TypeVar("T")


def _keyed(table: Mapping[str, T], aliases: Mapping[str, str]) -> dict[str, T]:
    return {canonical_code(code, aliases): value for code, value in table.items()}


class EeaList(_Data):
    """``eea.yml``: EU member states, the three EFTA states of the EEA, and code aliases.

    ``aliases`` maps a code some documents use to its ISO code (``EL: GR``); it applies to
    every lookup of :class:`Jurisdictions`, not only to EEA membership.
    """

    checked: date
    source: str
    eu: dict[str, str]
    efta: dict[str, str]
    aliases: dict[str, str] = {}

    def contains(self, country: str) -> bool:
        """True if ``country`` (ISO code, or an alias such as ``EL``) is in the EEA (TR-1)."""
        code = canonical_code(country, self.aliases)
        return code in self.eu or code in self.efta


class AdequacyDecision(_Data):
    """One Art. 45 decision: what it is, what it covers, what the recipient must meet."""

    name: str
    decision: str
    scope: str
    requires: Literal["dpf"] | None = None
    valid_until: date | None = None

    def in_force(self, today: date) -> bool:
        """True if the decision has not lapsed on ``today`` (``valid_until`` included)."""
        return self.valid_until is None or today <= self.valid_until


class AdequacyList(_Data):
    """``adequacy.yml``: adequacy decisions for countries (ISO codes) and organisations."""

    checked: date
    source: str
    countries: dict[str, AdequacyDecision]
    organisations: dict[str, AdequacyDecision] = {}

    def decision(self, country: str, today: date) -> AdequacyDecision | None:
        """The decision in force for the ISO code ``country`` on ``today``, or None."""
        found = self.countries.get(country)
        return found if found is not None and found.in_force(today) else None


class Authority(_Data):
    """A data protection supervisory authority (GDPR Art. 51; GDPR.md §10)."""

    name: str
    domains: tuple[str, ...]

    @field_validator("name")
    @classmethod
    def _one_line(cls, value: str) -> str:
        return " ".join(value.split())

    @property
    def websites(self) -> tuple[str, ...]:
        """The authority's web domains, main site first (the statement links the first)."""
        return self.domains


class AuthorityList(_Data):
    """``supervisory_authorities.yml``: the EU/EEA supervisory authorities by ISO code."""

    checked: date
    source: str
    authorities: dict[str, Authority]


class CountryList(_Data):
    """``countries.yml``: English names of countries in neither the EEA nor adequacy lists."""

    checked: date
    source: str
    names: dict[str, str]


ConsentAge = Annotated[int, Field(ge=13, le=16)]
"""An age of digital consent: 16 unless a member state set a lower one, never below 13."""


class ConsentAgeList(_Data):
    """``digital_consent_ages.yml``: the Art. 8(1) age per EEA member state, and the default.

    Below the age, consent to an information society service offered directly to a child
    needs the holder of parental responsibility (GDPR Art. 8(1)).
    """

    checked: date
    source: str
    default: ConsentAge = 16
    ages: dict[str, ConsentAge]


@dataclass(frozen=True)
class Jurisdictions:
    """Country names, the EEA, adequacy decisions and supervisory authorities by ISO code.

    Every method first resolves aliases (:meth:`code`). ``Jurisdictions()`` knows no country
    (a country is then shown by its code); the packaged data is
    :func:`tutela.jurisdictions.packaged_jurisdictions`.
    """

    names: Mapping[str, str] = field(default_factory=dict)
    eea: frozenset[str] = frozenset()
    aliases: Mapping[str, str] = field(default_factory=dict)
    decisions: Mapping[str, AdequacyDecision] = field(default_factory=dict)
    authorities: Mapping[str, Authority] = field(default_factory=dict)
    consent_ages: Mapping[str, int] = field(default_factory=dict)
    default_consent_age: int = 16

    @classmethod
    def of(
        cls,
        eea: EeaList,
        adequacy: AdequacyList,
        authorities: AuthorityList,
        countries: CountryList,
        consent_ages: ConsentAgeList | None = None,
    ) -> Jurisdictions:
        """The lookup over the data files; keys written as aliases are resolved."""
        aliases = dict(eea.aliases)
        members = _keyed({**eea.eu, **eea.efta}, aliases)
        names = {
            **countries.names,
            **{code: decision.name for code, decision in adequacy.countries.items()},
        }
        return cls(
            names={**_keyed(names, aliases), **members},
            eea=frozenset(members),
            aliases=aliases,
            decisions=_keyed(adequacy.countries, aliases),
            authorities=_keyed(authorities.authorities, aliases),
            consent_ages=_keyed(consent_ages.ages, aliases) if consent_ages else {},
            default_consent_age=consent_ages.default if consent_ages else 16,
        )

    def code(self, code: str) -> str:
        """The ISO code ``code`` stands for (``EL`` → ``GR``); ``code`` when not an alias."""
        return canonical_code(code, self.aliases)

    def country(self, code: str) -> str:
        """The English name of ``code`` (``code`` itself when no data file names it)."""
        return self.names.get(self.code(code), code)

    def in_eea(self, code: str) -> bool:
        """True for EU and EEA member states: not third countries for Chapter V (TR-1)."""
        return self.code(code) in self.eea

    def digital_consent_age(self, code: str) -> int | None:
        """The Art. 8(1) age of ``code`` for an EEA member state (16 unless lowered), else None."""
        if not self.in_eea(code):
            return None
        return self.consent_ages.get(self.code(code), self.default_consent_age)

    def adequacy_decision(self, code: str) -> AdequacyDecision | None:
        """The adequacy decision listed for ``code``, whether or not still in force (Art. 45)."""
        return self.decisions.get(self.code(code))

    def adequacy_in_force(self, code: str, on: date) -> AdequacyDecision | None:
        """The adequacy decision for ``code`` in force on ``on``, or None (TR-2)."""
        decision = self.adequacy_decision(code)
        return decision if decision is not None and decision.in_force(on) else None

    def known_authority(self, code: str) -> Authority | None:
        """The EU/EEA supervisory authority of ``code``, or None if it has none listed (CP-1)."""
        return self.authorities.get(self.code(code))

    def authority(self, code: str) -> Authority:
        """The authority of ``code``; a generic one named after the country when none is listed."""
        known = self.known_authority(code)
        if known is not None:
            return known
        country = self.country(code)
        where = f"{country} ({code})" if country != code else code
        return Authority(name=f"the data protection authority of {where}", domains=())
