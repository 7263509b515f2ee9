"""Countries, adequacy decisions and supervisory authorities as the statement names them.

Read from the data files shipped in ``tutela/jurisdictions/data/`` (``eea.yml``,
``adequacy.yml``, ``supervisory_authorities.yml``). A missing or unreadable file
is not an error: the statement then falls back to country codes, so rendering
never depends on those files being present.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

_OTHER_COUNTRIES: Mapping[str, str] = {
    "AU": "Australia",
    "CN": "China",
    "IN": "India",
    "MX": "Mexico",
    "PH": "the Philippines",
    "SG": "Singapore",
    "UA": "Ukraine",
    "ZA": "South Africa",
}
"""Third countries without an adequacy decision that processors commonly use."""


@dataclass(frozen=True)
class Authority:
    """A data protection supervisory authority (GDPR Art. 51; GDPR.md §10)."""

    country: str
    name: str
    websites: tuple[str, ...] = ()


@dataclass(frozen=True)
class Jurisdictions:
    """Country names, the EEA, adequacy decisions and authorities, keyed by ISO code."""

    names: Mapping[str, str] = field(default_factory=dict)
    eea: frozenset[str] = frozenset()
    adequacy: Mapping[str, str] = field(default_factory=dict)
    authorities: Mapping[str, Authority] = field(default_factory=dict)

    def country(self, code: str) -> str:
        """The English name of ``code`` (the code itself when unknown)."""
        return self.names.get(code) or _OTHER_COUNTRIES.get(code) or code

    def in_eea(self, code: str) -> bool:
        """True for EU and EEA member states (no Chapter V transfer, TR-1)."""
        return code in self.eea

    def authority(self, code: str) -> Authority:
        """The authority of ``code``; a generic one named after the country if unknown."""
        known = self.authorities.get(code)
        if known is not None:
            return known
        country = self.country(code)
        where = f"{country} ({code})" if country != code else code
        return Authority(code, f"the data protection authority of {where}")


@cache
def packaged_jurisdictions() -> Jurisdictions:
    """The jurisdictions of the data files shipped with tutela (read once)."""
    eea = _read("eea.yml")
    adequacy = _mapping(_read("adequacy.yml").get("countries"))
    members = {**_names(eea.get("eu")), **_names(eea.get("efta"))}
    names = {**_names_of(adequacy), **members}
    decisions = {code: str(entry.get("decision", "")) for code, entry in _entries(adequacy)}
    return Jurisdictions(
        names=names,
        eea=frozenset(members),
        adequacy=decisions,
        authorities=_authorities(_mapping(_read("supervisory_authorities.yml").get("authorities"))),
    )


def _read(name: str) -> dict[str, Any]:
    try:
        text = (resources.files("tutela.jurisdictions") / "data" / name).read_text(encoding="utf-8")
        data = YAML(typ="safe").load(text)
    except (OSError, YAMLError):  # a missing or broken data file means codes, not a crash
        return {}
    return data if isinstance(data, dict) else {}


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _names(value: object) -> dict[str, str]:
    return {str(code): str(name) for code, name in _mapping(value).items()}


def _entries(value: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(str(code), entry) for code, entry in value.items() if isinstance(entry, dict)]


def _names_of(value: Mapping[str, Any]) -> dict[str, str]:
    return {code: str(entry["name"]) for code, entry in _entries(value) if "name" in entry}


def _authorities(value: Mapping[str, Any]) -> dict[str, Authority]:
    result = {}
    for code, entry in _entries(value):
        if "name" in entry:
            domains = entry.get("domains") or []
            websites = tuple(str(domain) for domain in domains if isinstance(domain, str))
            result[code] = Authority(code, " ".join(str(entry["name"]).split()), websites)
    return result
