"""The well-known cookies of ``tutela/checks/data/known_cookies.yml`` and their real category.

Read once per process and validated; the file ships with tutela, so a missing or invalid
file is a :class:`~tutela.errors.ConfigurationError` naming it, never a silent empty list.
The rule ``cookies/known-tracker-declared-exempt`` asks :func:`known_category` (ePD
Art. 5(3); WP194; GDPR.md CK-1, CK-2).
"""

from __future__ import annotations

from datetime import date
from fnmatch import fnmatchcase
from functools import cache
from importlib.resources import files
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from tutela.errors import ConfigurationError

DATA_FILE = "known_cookies.yml"


class KnownCookie(BaseModel):
    """One well-known cookie: its name (``*`` for any text), category and provider."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    category: Literal["necessary", "preferences", "statistics", "marketing"]
    provider: str

    def matches(self, cookie_name: str) -> bool:
        """True if ``cookie_name`` is this cookie (case-sensitive, ``*`` matches any text)."""
        return fnmatchcase(cookie_name, self.name)


class KnownCookies(BaseModel):
    """``known_cookies.yml``: the list, when it was checked and where it comes from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    checked: date
    source: str
    cookies: tuple[KnownCookie, ...]

    def find(self, cookie_name: str) -> KnownCookie | None:
        """The first entry that matches ``cookie_name``, or None."""
        return next((known for known in self.cookies if known.matches(cookie_name)), None)


@cache
def known_cookies() -> KnownCookies:
    """The packaged list; ConfigurationError if it cannot be read or is invalid."""
    try:
        text = files("tutela.checks").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
        raw = YAML(typ="safe").load(text)
    except (OSError, UnicodeDecodeError, YAMLError) as error:
        raise ConfigurationError(f"checks data file {DATA_FILE} cannot be read: {error}") from None
    try:
        return KnownCookies.model_validate(raw)
    except ValidationError as error:
        raise ConfigurationError(f"checks data file {DATA_FILE} is invalid: {error}") from None


def known_category(cookie_name: str) -> KnownCookie | None:
    """The well-known cookie ``cookie_name`` is, with its real category; None if unknown."""
    return known_cookies().find(cookie_name)
