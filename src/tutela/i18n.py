"""tutela's own wording in the subjects' languages: gettext catalogues read with Babel.

The statement's fixed wording is written in English in the code, marked with
:func:`_` (or :func:`N_` where it is a constant translated at use), and translated in
``tutela/locale/<lang>/LC_MESSAGES/tutela.po``. The language is chosen per call with
:func:`language`; nothing reads the locale of the machine, so rendering stays
deterministic. ``make catalogues`` extracts new messages into the catalogues.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from functools import cache
from importlib.resources import files
from io import BytesIO

SOURCE_LANGUAGE = "en"
"""The language the messages are written in."""

LANGUAGES: tuple[str, ...] = ("en", "fr", "nl", "de")
"""The languages tutela's own wording is translated into."""

DOMAIN = "tutela"

_current: ContextVar[str] = ContextVar("tutela_language", default=SOURCE_LANGUAGE)


@contextmanager
def language(code: str) -> Iterator[str]:
    """Translate into ``code`` inside the block (``en`` for the messages as written)."""
    if code not in LANGUAGES:
        raise ValueError(f"no translation of tutela's wording into {code!r}")
    token = _current.set(code)
    try:
        yield code
    finally:
        _current.reset(token)


def current() -> str:
    """The language messages are translated into now."""
    return _current.get()


def catalogue_path(code: str) -> str:
    """Where the catalogue of ``code`` lives inside the package."""
    return str(files("tutela") / "locale" / code / "LC_MESSAGES" / f"{DOMAIN}.po")


@cache
def translations(code: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``code`` (empty for the source language or none)."""
    if code == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    source = files("tutela") / "locale" / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not source.is_file():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with source.open("rb") as handle:
        catalog = read_po(handle, locale=code, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def _(message: str) -> str:
    """``message`` in the current language."""
    return translations(current()).gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for translation where it is defined; translate it with :func:`_` at use."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    """``singular`` or ``plural`` for ``count``, in the current language."""
    return translations(current()).ngettext(singular, plural, count)


def country_name(code: str, english: str) -> str:
    """The name of country ``code`` in the current language; ``english`` in English.

    Babel's territory names (CLDR) give the other languages; a code CLDR does not know
    keeps ``english``.
    """
    language = current()
    if language == SOURCE_LANGUAGE:
        return english
    from babel import Locale

    return str(Locale.parse(language).territories.get(code, english))


def format_day(day: date) -> str:
    """``day`` written out in the current language (``1 December 2026``, ``1. Dezember 2026``).

    English keeps the day before the month; other languages use CLDR's long format.
    """
    from babel.dates import format_date

    language = current()
    pattern = "d MMMM y" if language == SOURCE_LANGUAGE else "long"
    return format_date(day, format=pattern, locale=language)
