"""The moderation lexicons: per-language words and phrase patterns, read once and compiled.

The data lives in ``tutela/discovery/data/moderation/{en,fr,nl,de}.yml`` (plus
``common.yml``, terms and hard negatives shared by every language). A file declares:

- ``guess_words``: frequent function words, used to guess a post's language;
- ``words``: the person references the subject finder reads (``self``, ``others``,
  ``possessive_self``, ``possessive_other``, ``relations``, ``generic_persons``,
  ``determiners``, ``fillers``, ``prepositions``, ``public_roles``, ``common``,
  ``objects``: pronouns that cannot be a subject, ``relatives``: relative pronouns);
- ``terms``: named alternatives, written ``{name}`` inside patterns;
- ``hard_negatives``: phrases blanked before matching (``Union Station``, ``Black Friday``);
- ``classes``: per Art. 9(1) class, ``predicates`` (what is said of a subject: ``is
  pregnant``) and ``possessed`` (what a person owns: ``DNA test``, ``pregnancy``).

Patterns are Python regular expressions matched case-insensitively at a word start;
a space stands for any run of white space, and ``>>`` marks where the subject search
starts when the subject sits inside the phrase (Dutch and German inversion:
``heeft Jan >>kanker``). A missing or invalid file is a
:class:`~tutela.errors.ConfigurationError` naming it, never a silent empty lexicon.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from tutela.errors import ConfigurationError

LANGUAGES = ("en", "fr", "nl", "de")
"""The languages a lexicon ships for."""

CLASS_NAMES = (
    "health",
    "religion",
    "trade_union",
    "sexual_orientation",
    "political_opinion",
    "ethnic_origin",
    "genetic_biometric",
)
"""The GDPR Art. 9(1) classes a lexicon may declare patterns for."""

_TERM = re.compile(r"\{([a-z_]+)\}")
_CORE = ">>"


class Words(BaseModel):
    """The word lists the subject finder reads (lower case; see the module docstring)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    self: tuple[str, ...] = ()
    others: tuple[str, ...] = ()
    possessive_self: tuple[str, ...] = ()
    possessive_other: tuple[str, ...] = ()
    relations: tuple[str, ...] = ()
    generic_persons: tuple[str, ...] = ()
    determiners: tuple[str, ...] = ()
    fillers: tuple[str, ...] = ()
    prepositions: tuple[str, ...] = ()
    public_roles: tuple[str, ...] = ()
    common: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()
    relatives: tuple[str, ...] = ()


class ClassPatterns(BaseModel):
    """The patterns of one Art. 9 class: predicates of a subject, and things a person owns."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    predicates: tuple[str, ...] = ()
    possessed: tuple[str, ...] = ()


class LexiconFile(BaseModel):
    """One lexicon file (``common.yml`` declares only ``terms`` and ``hard_negatives``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    language: str
    guess_words: tuple[str, ...] = ()
    words: Words = Words()
    terms: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    hard_negatives: tuple[str, ...] = ()
    classes: dict[str, ClassPatterns] = Field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    """What a pattern alternative means: its class, and how its subject is found."""

    kind: str
    possessed: bool
    core: str | None  # the name of the empty group marking where the subject search starts


@dataclass(frozen=True)
class WordSets:
    """:class:`Words` as frozen sets, for lookups per token."""

    self: frozenset[str]
    others: frozenset[str]
    possessive_self: frozenset[str]
    possessive_other: frozenset[str]
    relations: frozenset[str]
    generic_persons: frozenset[str]
    determiners: frozenset[str]
    fillers: frozenset[str]
    prepositions: frozenset[str]
    public_roles: frozenset[str]
    never_names: frozenset[str]
    objects: frozenset[str] = frozenset()
    relatives: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Lexicon:
    """A language's compiled lexicon: one expression for every pattern, and the word sets."""

    language: str
    words: WordSets
    phrases: re.Pattern[str]
    rules: dict[str, Rule]
    hard_negatives: re.Pattern[str] | None
    guess_words: frozenset[str]


def read_file(name: str) -> LexiconFile:
    """The packaged lexicon file ``name`` (``en``, ``common``...); ConfigurationError if bad."""
    source = f"discovery/data/moderation/{name}.yml"
    try:
        folder = files("tutela.discovery").joinpath("data", "moderation")
        raw = YAML(typ="safe").load(folder.joinpath(f"{name}.yml").read_text(encoding="utf-8"))
        return LexiconFile.model_validate(raw)
    except (OSError, UnicodeDecodeError, YAMLError) as error:
        raise ConfigurationError(f"moderation lexicon {source} cannot be read: {error}") from None
    except ValidationError as error:
        raise ConfigurationError(f"moderation lexicon {source} is invalid: {error}") from None


@cache
def lexicon(language: str) -> Lexicon:
    """The compiled lexicon of ``language`` (one of :data:`LANGUAGES`), built once per process.

    Raises ConfigurationError when a file is missing, invalid, names an unknown class or
    term, or holds a pattern that does not compile (the message names the pattern).
    """
    if language not in LANGUAGES:
        raise ConfigurationError(f"no moderation lexicon for {language!r}: use one of {LANGUAGES}")
    common, own = read_file("common"), read_file(language)
    terms = {**common.terms, **own.terms}
    alternatives: list[str] = []
    rules: dict[str, Rule] = {}
    for kind, patterns in own.classes.items():
        if kind not in CLASS_NAMES:
            raise ConfigurationError(f"moderation lexicon {language}: unknown class {kind!r}")
        for possessed, group in ((False, patterns.predicates), (True, patterns.possessed)):
            for pattern in group:
                name = f"p{len(rules)}"
                body, core = _expand(pattern, terms, name, language)
                alternatives.append(f"(?P<{name}>{body})")
                rules[name] = Rule(kind, possessed, core)
    phrases = _compile(rf"\b(?:{'|'.join(alternatives)})(?!\w)", language, "patterns")
    negatives = [*common.hard_negatives, *own.hard_negatives]
    blanks = [_expand(item, terms, "", language)[0] for item in negatives]
    hard = _compile(rf"\b(?:{'|'.join(blanks)})(?!\w)", language, "hard_negatives")
    return Lexicon(
        language, _word_sets(own.words), phrases, rules, hard, frozenset(own.guess_words)
    )


def _expand(
    pattern: str, terms: dict[str, tuple[str, ...]], name: str, language: str
) -> tuple[str, str | None]:
    """``pattern`` with its ``{terms}`` and spaces expanded, and its core marker as a group."""

    def term(found: re.Match[str]) -> str:
        if found.group(1) not in terms:
            raise ConfigurationError(
                f"moderation lexicon {language}: pattern {pattern!r} uses unknown term "
                f"{{{found.group(1)}}}: declare it under `terms`"
            )
        return f"(?:{'|'.join(terms[found.group(1)])})"

    body = _TERM.sub(term, pattern)
    body = _TERM.sub(term, body)  # terms may use terms, one level deep
    body = body.replace(" ", r"\s+")
    core = None
    if _CORE in body:
        core = f"{name}c"
        body = body.replace(_CORE, f"(?P<{core}>)", 1)
    _compile(body, language, f"pattern {pattern!r}")
    return body, core


def _compile(expression: str, language: str, what: str) -> re.Pattern[str]:
    try:
        return re.compile(expression, re.IGNORECASE)
    except re.error as error:
        raise ConfigurationError(
            f"moderation lexicon {language}: {what} does not compile: {error}"
        ) from None


def _word_sets(words: Words) -> WordSets:
    def lowered(items: tuple[str, ...]) -> frozenset[str]:
        return frozenset(item.lower() for item in items)

    never = (
        (words.common + words.self + words.others + words.fillers + words.prepositions)
        + words.determiners
        + words.possessive_self
        + words.possessive_other
    )
    return WordSets(
        self=lowered(words.self),
        others=lowered(words.others),
        possessive_self=lowered(words.possessive_self),
        possessive_other=lowered(words.possessive_other),
        relations=lowered(words.relations),
        generic_persons=lowered(words.generic_persons),
        determiners=lowered(words.determiners),
        fillers=lowered(words.fillers),
        prepositions=lowered(words.prepositions),
        public_roles=lowered(words.public_roles),
        never_names=lowered(never),
        objects=lowered(words.objects),
        relatives=lowered(words.relatives),
    )
