"""The one reader of the jurisdictions data files shipped in ``tutela/jurisdictions/data``.

Each file is read once per process (cached) and validated against its model. The data ships
with tutela, so a missing, unreadable or invalid file raises :class:`ConfigurationError`
naming the file: a broken file is a bug to fix, never a reason to fall back to bare codes.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from tutela.errors import ConfigurationError
from tutela.jurisdictions.models import (
    AdequacyList,
    AuthorityList,
    ConsentAgeList,
    CountryList,
    EeaList,
    Jurisdictions,
)

DATA_FILES = (
    "eea.yml",
    "adequacy.yml",
    "supervisory_authorities.yml",
    "countries.yml",
    "digital_consent_ages.yml",
)
"""The data files in ``tutela/jurisdictions/data``, each with ``checked`` and ``source``."""

M = TypeVar("M", bound=BaseModel)


def data_file_text(name: str) -> str:
    """The text of the packaged data file ``name``; OSError when it cannot be opened."""
    return files("tutela.jurisdictions").joinpath("data", name).read_text(encoding="utf-8")


def _validated(model: type[M], name: str) -> M:
    try:
        raw = YAML(typ="safe").load(data_file_text(name))
    except (OSError, UnicodeDecodeError, YAMLError) as error:
        message = f"jurisdictions data file {name} cannot be read: {error}"
        raise ConfigurationError(message) from None
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise ConfigurationError(f"jurisdictions data file {name} is invalid: {error}") from None


@cache
def eea() -> EeaList:
    """``eea.yml``: the EEA members and code aliases (TR-1). ConfigurationError if broken."""
    return _validated(EeaList, "eea.yml")


@cache
def adequacy() -> AdequacyList:
    """``adequacy.yml``: the EU adequacy decisions (Art. 45; TR-2, TR-3)."""
    return _validated(AdequacyList, "adequacy.yml")


@cache
def supervisory_authorities() -> AuthorityList:
    """``supervisory_authorities.yml``: the EU/EEA supervisory authorities (CP-1)."""
    return _validated(AuthorityList, "supervisory_authorities.yml")


@cache
def other_countries() -> CountryList:
    """``countries.yml``: names of countries in neither the EEA nor the adequacy list."""
    return _validated(CountryList, "countries.yml")


@cache
def digital_consent_ages() -> ConsentAgeList:
    """``digital_consent_ages.yml``: the Art. 8(1) age of digital consent per member state."""
    return _validated(ConsentAgeList, "digital_consent_ages.yml")


@cache
def packaged_jurisdictions() -> Jurisdictions:
    """The lookup over the packaged data files; every country question goes through it.

    Raises ConfigurationError naming the first data file that is missing or invalid.
    """
    return Jurisdictions.of(
        eea(), adequacy(), supervisory_authorities(), other_countries(), digital_consent_ages()
    )


def clear_cache() -> None:
    """Forget the files read so far, so the next lookup reads them again (tests)."""
    for reader in (eea, adequacy, supervisory_authorities, other_countries, digital_consent_ages):
        reader.cache_clear()
    packaged_jurisdictions.cache_clear()
