"""The building blocks of programme models: constrained strings and the strict base model.

Programme texts that people read (:data:`Text`, :data:`Label`) may be written once, or
per language as a mapping (``{en: ..., fr: ...}``); either way they validate to a
:class:`LocalText`, a ``str`` holding the first value with every language's value beside it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    PlainSerializer,
    StringConstraints,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)

Key = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.\-]*$", min_length=1, max_length=120)
]
"""A programme key: lower-case letters, digits, ``_``, ``-`` and dots (dotted keys nest)."""

CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
"""ISO 3166-1 alpha-2 country code, upper case (``BE``, ``US``)."""

LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Z]{2})?$")
"""A language tag as programmes write it: ``en``, ``fr``, ``nl``, ``de``, ``fr-BE``."""

LanguageCode = Annotated[str, StringConstraints(pattern=LANGUAGE.pattern)]


class LocalText(str):
    """A programme text: the ``str`` is its first value, :attr:`translations` every value.

    A text written as a plain string has no translations: it is taken to be in the
    statement's first language, and ``tutela check`` reports it as untranslated for
    the others.
    """

    translations: Mapping[str, str]

    def __new__(cls, value: str, translations: Mapping[str, str] | None = None) -> LocalText:
        """``value`` with ``translations`` (language -> text) beside it."""
        text = super().__new__(cls, value)
        text.translations = MappingProxyType(dict(translations or {}))
        return text

    def in_language(self, language: str | None) -> str:
        """The text in ``language``; the first value when it has none in that language."""
        if language is None:
            return str(self)
        return self.translations.get(language, str(self))

    def has(self, language: str) -> bool:
        """Whether the text is given in ``language``."""
        return language in self.translations

    def __reduce__(self) -> tuple[Any, ...]:
        return (LocalText, (str(self), dict(self.translations)))


def in_language(value: str, language: str | None) -> str:
    """``value`` in ``language`` when it is a :class:`LocalText`, else ``value`` itself."""
    return value.in_language(language) if isinstance(value, LocalText) else value


def _localised(value: Any, handler: ValidatorFunctionWrapHandler) -> LocalText:
    if isinstance(value, LocalText) and value.translations:
        value = dict(value.translations)
    if not isinstance(value, Mapping):
        return LocalText(handler(value))
    if not value:
        raise ValueError("give the text in at least one language, e.g. {en: ..., fr: ...}")
    texts: dict[str, str] = {}
    for language, text in value.items():
        if not isinstance(language, str) or not LANGUAGE.match(language):
            raise ValueError(
                f"{language!r} is not a language code: write the text per language "
                "as {en: ..., fr: ..., nl: ..., de: ...}"
            )
        texts[language] = handler(text)
    return LocalText(next(iter(texts.values())), texts)


def _dumped(value: str) -> str | dict[str, str]:
    if isinstance(value, LocalText) and value.translations:
        return dict(value.translations)
    return str(value)


_LOCAL = (WrapValidator(_localised), PlainSerializer(_dumped, return_type=Any))

Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000), *_LOCAL]
"""Prose people read (descriptions, notices), in one language or per language."""

Label = Annotated[str, StringConstraints(min_length=1, max_length=500), *_LOCAL]
"""A short name people read (a purpose's or a category's name), in one or per language."""

ShortText = Annotated[str, StringConstraints(min_length=1, max_length=500)]
"""A short value that is not translated (a name of a company, a reference, an address)."""

Note = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
"""Internal prose the statement does not show (an assessment's reasoning): not translated."""

EnvName = Annotated[str, StringConstraints(pattern=r"^[A-Z_][A-Z0-9_]*$", max_length=200)]


class Model(BaseModel):
    """Base of every programme model: immutable and strict about unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)
