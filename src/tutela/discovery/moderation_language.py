"""Guessing a post's language from its function words, when the caller does not say.

Each lexicon declares ``guess_words`` (articles, pronouns, auxiliaries: the words a
short text cannot avoid). The guess is the language with the most of them among the
post's words; a post with too few to tell (``Jan is homo``) is read in every language
that ties, so a short post is not allowed because it was guessed wrong.
"""

from __future__ import annotations

import re

from tutela.discovery.moderation_lexicon import LANGUAGES, lexicon

_WORD = re.compile(r"(?<!\w)[^\W\d_]+(?:'[^\W\d_]+)?(?!\w)")
_SURE = 2
"""How many more function words the best language needs than the next to be read alone."""


def is_supported(language: str | None) -> bool:
    """True when ``language`` (``en``, ``fr-BE``, ``NL``...) has a lexicon."""
    return language is not None and _base(language) in LANGUAGES


def languages_for(text: str, language: str | None) -> tuple[str, ...]:
    """The lexicons to read ``text`` with, best first: the one given, else the guess(es)."""
    if language is not None and _base(language) in LANGUAGES:
        return (_base(language),)
    return guess(text)


def guess(text: str) -> tuple[str, ...]:
    """The likeliest language(s) of ``text``: one when clear, every close one otherwise."""
    words = [word.lower().replace("’", "'") for word in _WORD.findall(text[:4000])]
    scores = {code: sum(word in lexicon(code).guess_words for word in words) for code in LANGUAGES}
    ranked = sorted(LANGUAGES, key=lambda code: -scores[code])
    best = scores[ranked[0]]
    close = tuple(code for code in ranked if scores[code] > best - _SURE)
    return close if close else ("en",)


def _base(language: str) -> str:
    return language.strip().lower().replace("_", "-").split("-", 1)[0]
