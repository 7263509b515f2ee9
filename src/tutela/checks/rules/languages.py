"""Language rules: the statement is given in each language it declares (Art. 12(1); WP260 ¶13).

A controller that addresses people in several languages gives them the information in
those languages. ``statement.languages`` declares them; every text of the programme
that the statement or the subject's answers show must then have a value in each, and
tutela must have its own wording in each (:data:`tutela.i18n.LANGUAGES`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tutela.checks.findings import CheckContext, Violation, rule
from tutela.i18n import LANGUAGES
from tutela.programme.durations import Duration
from tutela.programme.translations import texts
from tutela.programme.types import LocalText

_ADDRESS = re.compile(
    r"^(?:[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?:https?://|www\.)\S+|[\w-]+(?:\.[\w-]+)*\.[a-z]{2,})$"
)
"""An e-mail address, a web address or a domain: the same in every language."""


def _is_duration(text: str) -> bool:
    """Whether ``text`` is a duration (``12 months``): tutela words it in each language."""
    try:
        Duration.parse(text)
    except ValueError:
        return False
    return True


def missing_languages(text: LocalText, languages: list[str]) -> list[str]:
    """The declared languages ``text`` has no value in (a plain text is in the first).

    An e-mail or web address alone is the same in every language; a duration
    (``12 months``) is worded by tutela in each.
    """
    if _ADDRESS.match(text) or _is_duration(text):
        return []
    if not text.translations:
        return languages[1:]
    return [language for language in languages if not text.has(language)]


@rule(
    "languages/missing-translation",
    severity="error",
    title="A text is not given in a language the statement declares",
    source="GDPR Art. 12(1); WP260 rev.01 ¶13 (translations into the languages addressed)",
)
def missing_translation(context: CheckContext) -> Iterator[Violation]:
    """Each text people read has a value in every declared language (Art. 12(1); WP260 ¶13).

    A text written once is taken to be in the first declared language. Write the
    others where the text is (``{en: ..., fr: ...}``) or in a ``translations:`` entry.
    """
    statement = context.programme.statement
    if statement is None or not statement.languages:
        return
    languages = list(statement.languages)
    for path, text in texts(context.programme):
        missing = missing_languages(text, languages)
        if missing:
            yield Violation(
                path,
                f"text {_quote(text)} has no {', '.join(missing)} version, and the "
                f"statement is published in {', '.join(languages)}",
                f"give it per language ({{{languages[0]}: ..., {missing[0]}: ...}}) or add it "
                f"to a `translations:` entry for {missing[0]}",
            )


@rule(
    "languages/no-wording",
    severity="error",
    title="tutela has no wording in a language the statement declares",
    source="GDPR Art. 12(1); WP260 rev.01 ¶13",
)
def no_wording(context: CheckContext) -> Iterator[Violation]:
    """Every declared language is one tutela's own wording is in (Art. 12(1); WP260 ¶13)."""
    statement = context.programme.statement
    if statement is None:
        return
    for index, language in enumerate(statement.languages):
        if language not in LANGUAGES:
            yield Violation(
                ("statement", "languages", index),
                f"tutela's own wording (headings, rights, legal bases) has no {language!r} "
                "translation, so the statement cannot be rendered in it",
                f"declare languages among {', '.join(LANGUAGES)}, or contribute a catalogue "
                f"(src/tutela/locale/{language}/LC_MESSAGES/tutela.po)",
            )


def _quote(text: str) -> str:
    short = " ".join(text.split())
    return repr(short if len(short) <= 60 else short[:57] + "...")


RULES = (missing_translation, no_wording)
"""The language rules, in documentation order."""
