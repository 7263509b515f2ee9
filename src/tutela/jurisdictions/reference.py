"""Reference data the checks rely on: the EEA, EU adequacy decisions, supervisory authorities.

The lists ship as YAML in ``tutela/jurisdictions/data`` with the date they were last checked and
their source, so updating them is a data change, not a code change. Each loader reads its
file once (cached) and validates it; a broken file raises :class:`ConfigurationError`.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib.resources import files
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from tutela.errors import ConfigurationError


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EeaList(_Data):
    """The EEA: EU member states, the three EFTA states of the EEA, and code aliases."""

    checked: date
    source: str
    eu: dict[str, str]
    efta: dict[str, str]
    aliases: dict[str, str] = {}

    def contains(self, country: str) -> bool:
        """True if ``country`` (ISO code, or an alias such as ``EL``) is in the EEA."""
        code = self.aliases.get(country, country)
        return code in self.eu or code in self.efta


class AdequacyDecision(_Data):
    """One Art. 45 decision: what it is, what it covers, what the recipient must meet."""

    name: str
    decision: str
    scope: str
    requires: Literal["dpf"] | None = None
    valid_until: date | None = None

    def in_force(self, today: date) -> bool:
        """True if the decision has not lapsed on ``today``."""
        return self.valid_until is None or today <= self.valid_until


class AdequacyList(_Data):
    """Every adequacy decision, for countries (ISO codes) and international organisations."""

    checked: date
    source: str
    countries: dict[str, AdequacyDecision]
    organisations: dict[str, AdequacyDecision] = {}

    def decision(self, country: str, today: date) -> AdequacyDecision | None:
        """The decision in force for ``country`` on ``today``, or None."""
        found = self.countries.get(country)
        return found if found is not None and found.in_force(today) else None


class Authority(_Data):
    """A data protection supervisory authority (Art. 51)."""

    name: str
    domains: list[str]


class AuthorityList(_Data):
    """The EU/EEA supervisory authorities keyed by ISO country code."""

    checked: date
    source: str
    authorities: dict[str, Authority]


def _read(name: str) -> Any:
    resource = files("tutela.jurisdictions").joinpath("data", name)
    try:
        return YAML(typ="safe").load(resource.read_text(encoding="utf-8"))
    except (OSError, YAMLError) as error:
        raise ConfigurationError(f"reference data file {name} cannot be read: {error}") from None


D = TypeVar("D", bound=_Data)


def _validated(model: type[D], name: str) -> D:
    try:
        return model.model_validate(_read(name))
    except ValidationError as error:
        raise ConfigurationError(f"reference data file {name} is invalid: {error}") from None


@cache
def eea() -> EeaList:
    """The EEA member list from ``data/eea.yml`` (TR-1: not third countries)."""
    return _validated(EeaList, "eea.yml")


@cache
def adequacy() -> AdequacyList:
    """The EU adequacy decisions from ``data/adequacy.yml`` (Art. 45; TR-2, TR-3)."""
    return _validated(AdequacyList, "adequacy.yml")


@cache
def supervisory_authorities() -> AuthorityList:
    """The EU/EEA supervisory authorities from ``data/supervisory_authorities.yml`` (CP-1)."""
    return _validated(AuthorityList, "supervisory_authorities.yml")
