"""What a column's name says: a multilingual lexicon read word by word.

The lexicon is data (``tutela/discovery/data/column_names.yml``): terms per fideslang
category in English, French, Dutch, German, Spanish, Italian and Portuguese, plus the
words that make a name *not* personal data although a personal word appears in it
(``email_sent``, ``phone_model``, ``zip_file``, ``ip_version``, ``product_name``).

A name is split into words (snake_case, camelCase, kebab-case, dots, digits and
Dutch/German compounds such as ``telefoonnummer``); a term matches a run of words whose
letters, joined, are the term's letters, so ``e_mail``, ``EMail`` and ``email`` are one
term. The right-most, longest term is the head of the name (``billing_address_zip`` is
a postcode). Words after the head that make it a flag, counter, type, template, model,
version, setting or event time, a boolean prefix before it, or a thing anywhere (a file,
a product, a server) turn the guess negative: category None with the reason, so the
classifier knows the name was read and judged (GDPR Art. 4(1): personal data is
information relating to a natural person, not every field named after one).
Names that say nothing (``c1``, ``attr3``) give None.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from itertools import pairwise

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tutela.discovery.models import NameGuess
from tutela.errors import ConfigurationError

DATA_FILE = "column_names.yml"
MAX_TERM_WORDS = 5
LANGUAGES = {
    "en": "English",
    "fr": "French",
    "nl": "Dutch",
    "de": "German",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "pl": "Polish",
    "other": "national",
}

_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_BOOLEAN_TYPES = ("bool", "bit")


class LexiconEntry(BaseModel):
    """One kind of personal data and the terms that name it, per language."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    category: str
    confidence: float = Field(ge=0, le=1)
    identity: str | None = None
    types: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    generic: bool = False
    terms: dict[str, tuple[str, ...]]


class Lexicon(BaseModel):
    """``column_names.yml``: the entries and the word lists that judge a name negative."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    entries: tuple[LexiconEntry, ...]
    modifiers: tuple[str, ...]
    prefixes: tuple[str, ...]
    things: tuple[str, ...]
    keys: tuple[str, ...]
    neutral: tuple[str, ...]
    suffixes: tuple[str, ...]


@dataclass(frozen=True)
class Term:
    """A term of the lexicon: its letters, how it is written, its language and entry."""

    key: str
    text: str
    language: str
    entry: LexiconEntry


@dataclass(frozen=True)
class Match:
    """A term found over words ``start:end`` (``end`` past any absorbed suffix word)."""

    start: int
    end: int
    term: Term


def fold(text: str) -> str:
    """``text`` without accents (``Prénom`` -> ``Prenom``, ``Straße`` -> ``Strasse``)."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss").replace("ẞ", "SS"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def key_of(text: str) -> str:
    """The letters and digits of ``text``, folded: the form terms are compared in."""
    return re.sub(r"[^a-z0-9]", "", fold(text).lower())


@dataclass(frozen=True)
class CompiledLexicon:
    """The lexicon indexed by term letters, with its word sets."""

    terms: dict[str, Term]
    modifiers: frozenset[str]
    prefixes: frozenset[str]
    things: frozenset[str]
    keys: frozenset[str]
    neutral: frozenset[str]
    suffixes: frozenset[str]

    @classmethod
    def build(cls, lexicon: Lexicon) -> CompiledLexicon:
        """Index ``lexicon``; the first entry declaring a term keeps it."""
        terms: dict[str, Term] = {}
        for entry in lexicon.entries:
            for language, texts in entry.terms.items():
                for text in texts:
                    terms.setdefault(key_of(text), Term(key_of(text), text, language, entry))

        def keyed(words: tuple[str, ...]) -> frozenset[str]:
            return frozenset(key_of(word) for word in words)

        return cls(
            terms,
            keyed(lexicon.modifiers),
            keyed(lexicon.prefixes),
            keyed(lexicon.things),
            keyed(lexicon.keys),
            keyed(lexicon.neutral),
            keyed(lexicon.suffixes),
        )

    def known(self, word: str) -> bool:
        """Whether ``word`` is a term or in one of the word sets."""
        return word in self.terms or any(
            word in words for words in (self.neutral, self.things, self.prefixes, self.keys)
        )

    def split_compound(self, word: str) -> list[str]:
        """``telefoonnummer`` stays whole; ``klantnaam`` -> ``klant`` ``naam`` (both known)."""
        if len(word) < 6 or word in self.terms or word.isdigit():
            return [word]
        for cut in range(3, len(word) - 2):
            head, tail = word[:cut], word[cut:]
            tail_known = tail in self.terms or tail in self.suffixes
            if tail_known and (self.known(head) or head in self.suffixes):
                return [head, tail]
        return [word]


@cache
def lexicon() -> CompiledLexicon:
    """The packaged lexicon, read once; ConfigurationError if it is missing or invalid.

    The YAML reader is imported here, not with the module: searching text needs no lexicon.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    source = files("tutela.discovery").joinpath("data", DATA_FILE)
    try:
        raw = YAML(typ="safe").load(source.read_text(encoding="utf-8"))
        return CompiledLexicon.build(Lexicon.model_validate(raw))
    except (OSError, UnicodeDecodeError, YAMLError, ValidationError) as error:
        raise ConfigurationError(
            f"the column-name lexicon tutela/discovery/data/{DATA_FILE} cannot be read: "
            f"{error}; reinstall tutela or fix the file"
        ) from error


def words_of(name: str, known: CompiledLexicon | None = None) -> list[str]:
    """The words of a column or table name, folded: ``EMailAdresse`` -> e, mail, adresse."""
    chosen = known or lexicon()
    found: list[str] = []
    for word in _WORDS.findall(fold(name)):
        found.extend(chosen.split_compound(word.lower()))
    return found


def _matches(words: list[str], known: CompiledLexicon, context: set[str], kind: str) -> list[Match]:
    found: list[Match] = []
    for start in range(len(words)):
        for end in range(start + 1, min(len(words), start + MAX_TERM_WORDS) + 1):
            term = known.terms.get("".join(words[start:end]))
            if term is None or not _fits(term.entry, context, kind):
                continue
            stop = end
            while stop < len(words) and words[stop] in known.suffixes:
                stop += 1
            found.append(Match(start, stop, term))
    return found


def _fits(entry: LexiconEntry, context: set[str], kind: str) -> bool:
    if entry.types and kind and not any(word in kind for word in entry.types):
        return False
    return not entry.context or any(key_of(word) in context for word in entry.context)


def _head(matches: list[Match]) -> Match:
    """The right-most match, the longest among those ending there (the head noun)."""
    return max(matches, key=lambda m: (m.end, m.end - m.start, m.term.entry.confidence))


def _phrases(words: list[str]) -> set[str]:
    """Every word and every pair of adjacent words joined (``zip file`` -> ``zipfile``)."""
    return set(words) | {a + b for a, b in pairwise(words)}


def _singular(words: list[str]) -> set[str]:
    plural = {w[:-2] for w in words if w.endswith("es")} | {w[:-1] for w in words if w[-1:] == "s"}
    return set(words) | plural


@dataclass(frozen=True)
class LexiconNameDetector:
    """Reads a column's name with :func:`lexicon` (see the module docstring)."""

    name: str = "column_name"

    def guess(self, table: str, column: str, column_type: str) -> NameGuess | None:
        """The category the name suggests, a negative guess (category None), or None."""
        known = lexicon()
        words = words_of(column, known)
        table_words = words_of(table, known)
        kind = column_type.lower()
        matches = _matches(words, known, set(words) | set(table_words), kind)
        if not matches:
            return _without_term(column, words, known)
        head = _head(matches)
        verdict = _judge(column, words, head, known, table_words, kind)
        if verdict is not None:
            return verdict
        entry = head.term.entry
        confidence = entry.confidence if len(words) <= 4 else entry.confidence * 0.9
        language = LANGUAGES.get(head.term.language, head.term.language)
        reason = f"name {column!r} reads {head.term.text!r} ({language})"
        return NameGuess(entry.category, confidence, reason, entry.identity)


def _judge(
    column: str,
    words: list[str],
    head: Match,
    known: CompiledLexicon,
    table_words: list[str],
    kind: str,
) -> NameGuess | None:
    """A negative guess when the words around the head say it is not about a person."""
    term = head.term.text
    if any(word in kind for word in _BOOLEAN_TYPES) and "date" not in kind:
        return _negative(column, f"a {kind} flag about {term!r}", 0.85)
    before, after = _phrases(words[: head.start]), _phrases(words[head.end :])
    for found, label, confidence in (
        (after & known.modifiers, "a flag, count, type, setting or event about", 0.85),
        (after & known.keys, "a key or hash referring to", 0.75),
        ((before | after) & known.things, "belongs to a thing, not a person:", 0.8),
        (before & known.prefixes, "a flag or setting about", 0.8),
    ):
        if found:
            return _negative(column, f"{label} {term!r} ({', '.join(sorted(found))})", confidence)
    things = _singular(table_words) & known.things
    if head.term.entry.generic and things and not before:
        return _negative(column, f"{term!r} of a thing (table of {sorted(things)[0]})", 0.7)
    return None


def _without_term(column: str, words: list[str], known: CompiledLexicon) -> NameGuess | None:
    """A negative guess for keys, flags and things; None for opaque names."""
    phrases = _phrases(words)
    for found, label, confidence in (
        (phrases & known.keys, "a key or technical identifier", 0.7),
        (phrases & known.things, "describes a thing, not a person", 0.65),
        (phrases & (known.modifiers | known.prefixes), "a flag, count, type or event", 0.65),
    ):
        if found:
            return _negative(column, f"{label} ({', '.join(sorted(found))})", confidence)
    return None


def _negative(column: str, why: str, confidence: float) -> NameGuess:
    return NameGuess(None, confidence, f"name {column!r}: {why}, not personal data")


DETECTOR = LexiconNameDetector()
"""The built-in column-name detector (``tutela.plugins.DETECTORS['column_name']``)."""
