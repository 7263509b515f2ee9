"""Who a sensitive phrase is about: the author, another person, or nobody in particular.

Seed §9 forbids sharing sensitive data *about other people*; an author speaking of
themselves is allowed (GDPR Art. 9(2)(e): data manifestly made public by the data
subject). This module reads the words before a phrase, in its sentence, as a small
rule-based subject finder (no parser, no model):

- a **predicate** (``is pregnant``) is about the first content word before it: a self
  reference (``I``, ``je``, ``ik``, ``ich``) is the author; a third-person pronoun, a
  relation noun (``my colleague``, ``ma voisine``), a generic person with a definite
  determiner (``the guy``), an ``@mention`` or a capitalised name is another person;
  any other noun (``her car is black``, ``the Ajax fans``) is nobody. Fillers (auxiliary
  verbs, adverbs, time words) are skipped, and one prepositional phrase after the
  subject (``the guy from accounting``) is stepped over;
- a **possessed** thing (``DNA test``, ``pregnancy``) belongs to the possessive before
  it (``his``, ``Jan's``, ``my colleague's``) or the person after ``of``/``de``/``van``/``von``;
- **contact data** belongs to the nearest person reference in its sentence, before it
  or else after it (``call me on …``, ``her number is …``, ``… is Jan's number``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from tutela.discovery.detectors.person_name import word_kind
from tutela.discovery.moderation_lexicon import WordSets

TOKEN = re.compile(r"@?\w+(?:['.\-]\w+)*")
"""A word: letters and digits, with inner apostrophes, dots and hyphens (``Jan's``, ``ver.di``)."""

SENTENCE_END = re.compile(r"[!?;\n]|\.(?=\s)")
"""Where a sentence ends: the subject of a phrase is looked for in its own sentence."""

_OF = frozenset({"of", "de", "du", "des", "d", "van", "von", "vom"})
_PARTICLES = frozenset({"de", "van", "von", "der", "den", "ter", "ten", "le", "la", "du"})
_AND = frozenset({"and", "&", "et", "en", "und"})
_NOUN_ENDING = re.compile(
    r"(?:tion|sion|ties?|ity|ité|ität|ness|ment|ance|ence|ism|isme|ismus|ing|ung|heit|keit|"
    r"schaft|schap|heid|atie|isch|ische|ique|ic|al|ale|ure|ur|age|ery|ies|ogy|ogie|ie|ia)$",
    re.IGNORECASE,
)
"""Endings of common nouns and adjectives: a sentence's first word so ending is no name."""
_LOOKBACK = 14
_PP_WIDTH = 3


class About(Enum):
    """Whom a phrase is about."""

    SELF = "self"
    OTHER = "other"
    NOBODY = "nobody"


@dataclass(frozen=True)
class Subject:
    """The finding: whom, and whether that person was named by a public role (``the minister``)."""

    about: About
    public: bool = False


NOBODY = Subject(About.NOBODY)


def sentence_start(text: str, position: int) -> int:
    """The offset where the sentence holding ``position`` starts."""
    start = 0
    for found in SENTENCE_END.finditer(text, 0, position):
        start = found.end()
    return start


def predicate_subject(
    words: WordSets, text: str, start: int, core: int | None, begins: int
) -> Subject:
    """Whom the phrase at ``start`` is about (``core``: the subject search starts there).

    Between ``start`` and ``core`` (a phrase with its subject inside: ``heeft Jan
    kanker``), only person references count; before ``start``, the first content word
    decides. ``begins`` is the start of the sentence. A parenthesis between commas
    (``my colleague, who sits next to me, has cancer``; ``Jan, our intern, is gay``) is
    stepped over to its head; a pronoun that cannot be a subject (``next to me``) sends
    the search to the head of the relative clause holding it; a third party coordinated
    with the author (``my wife and I are Catholic``) is another person.
    """
    tokens = list(TOKEN.finditer(text, begins, core if core is not None else start))
    tokens = tokens[-_LOOKBACK:]
    return _walk(words, tokens, start, begins, len(tokens) - 1)


def _walk(
    words: WordSets, tokens: list[re.Match[str]], start: int, begins: int, index: int
) -> Subject:
    """The subject found walking back from ``tokens[index]`` (see :func:`predicate_subject`)."""
    stepped = 0
    bound = start
    while index >= 0:
        word = tokens[index].group()
        if _comma_between(tokens, index, bound) and tokens[index].end() <= start:
            head = _parenthesis_head(words, tokens, index, start, begins)
            if head is not None:
                return head
        bound = tokens[index].start()
        found = _reference(words, tokens, index, begins)
        if found is not None:
            return _resolve(words, tokens, index, found, start, begins)
        if tokens[index].start() >= start and not _is_name(words, tokens, index, begins):
            index -= 1
            continue
        if _lower(word) in words.fillers:
            index -= 1
            continue
        if _is_name(words, tokens, index, begins) or _named_relation(words, tokens, index):
            return _resolve(
                words,
                tokens,
                index,
                Subject(About.OTHER, _after_role(words, tokens, index)),
                start,
                begins,
            )
        preposition = _preposition_before(words, tokens, index)
        if preposition is None or stepped >= 2:
            return _relative_head(words, tokens, index, start, begins) or NOBODY
        index, stepped = preposition - 1, stepped + 1
    return NOBODY


def _resolve(
    words: WordSets,
    tokens: list[re.Match[str]],
    index: int,
    found: Subject,
    start: int,
    begins: int,
) -> Subject:
    """``found``, unless it is an object (``next to me``) or the author with a third party."""
    low = _lower(tokens[index].group())
    previous = _lower(tokens[index - 1].group()) if index > 0 else ""
    if low in words.objects or (previous in words.prepositions and low not in words.relations):
        head = _relative_head(words, tokens, index, start, begins)
        if head is not None:
            return head
    if found.about is About.SELF and previous in _AND and index >= 2:
        partner = _conjunct(words, tokens, index - 2, begins)
        if partner is not None and partner.about is About.OTHER:
            return partner
    return found


def _conjunct(
    words: WordSets, tokens: list[re.Match[str]], index: int, begins: int
) -> Subject | None:
    """The person ``tokens[index]`` names as the first member of ``X and I``, if any."""
    found = _reference(words, tokens, index, begins)
    if found is not None:
        return found
    if _is_name(words, tokens, index, begins):
        return Subject(About.OTHER)
    return None


def _relative_head(
    words: WordSets, tokens: list[re.Match[str]], index: int, start: int, begins: int
) -> Subject | None:
    """The person a relative clause before ``tokens[index]`` hangs on (``the guy who …``)."""
    for back in range(index - 1, 0, -1):
        if _lower(tokens[back].group()) in words.relatives:
            head = _walk(words, tokens[:back], start, begins, back - 1)
            return head if head.about is About.OTHER else None
    return None


def _comma_between(tokens: list[re.Match[str]], index: int, bound: int) -> bool:
    """True when a comma stands between ``tokens[index]`` and ``bound``."""
    return "," in tokens[index].string[tokens[index].end() : bound]


def _parenthesis_head(
    words: WordSets, tokens: list[re.Match[str]], index: int, start: int, begins: int
) -> Subject | None:
    """The person before a parenthesis that ends at ``tokens[index]`` (``Jan, …, is``)."""
    for back in range(index - 1, -1, -1):
        if _comma_between(tokens, back, tokens[back + 1].start()):
            head = _walk(words, tokens[: back + 1], start, begins, back)
            return head if head.about is not About.NOBODY else None
    return None


def owner_of(words: WordSets, text: str, start: int, end: int, begins: int) -> Subject:
    """Who owns the thing at ``text[start:end]``: a possessive before it, or ``of X`` after."""
    tokens = list(TOKEN.finditer(text, begins, start))[-3:]
    for index in range(len(tokens) - 1, -1, -1):
        low = _lower(tokens[index].group())
        if low in words.possessive_self:
            return Subject(About.SELF)
        if low in words.possessive_other or _genitive(words, low):
            return Subject(About.OTHER)
    after = TOKEN.finditer(text, end, min(len(text), end + 60))
    following = [token.group() for token in after][:4]
    if following and _lower(following[0]) in _OF:
        rest = [_lower(word) for word in following[1:]]
        for word, low in zip(following[1:], rest, strict=True):
            if low in words.self or low in words.possessive_self:
                return Subject(About.SELF)
            if low in words.others or low in words.relations or low in words.possessive_other:
                return Subject(About.OTHER)
            if word[:1].isupper() and low not in words.never_names:
                return Subject(About.OTHER)
    return NOBODY


def contact_owner(words: WordSets, text: str, start: int, end: int, begins: int) -> Subject:
    """The nearest person reference to contact data in its sentence, before it, else after."""
    before = list(TOKEN.finditer(text, begins, start))
    for index in range(len(before) - 1, -1, -1):
        found = _owner_word(words, before, index, begins)
        if found is not None:
            return found
    stop = SENTENCE_END.search(text, end)
    after = list(TOKEN.finditer(text, end, stop.start() if stop else len(text)))
    for index in range(len(after)):
        found = _owner_word(words, after, index, -1, names=False)
        if found is not None:
            return found
    return NOBODY


def _owner_word(
    words: WordSets, tokens: list[re.Match[str]], index: int, begins: int, names: bool = True
) -> Subject | None:
    """The person ``tokens[index]`` points to as an owner; a name only where no place is."""
    low = _lower(tokens[index].group())
    if low in words.possessive_self:
        return Subject(About.SELF)
    if low in words.possessive_other or _genitive(words, low):
        return Subject(About.OTHER)
    found = _reference(words, tokens, index, begins)
    if found is not None:
        return found
    if not names or any(char.isdigit() for char in low):
        return None
    if index > 0 and _lower(tokens[index - 1].group()) in words.prepositions:
        return None  # "in Gent", "uit Brussel": a place, not a person
    return Subject(About.OTHER) if _is_name(words, tokens, index, begins) else None


def _reference(
    words: WordSets, tokens: list[re.Match[str]], index: int, begins: int
) -> Subject | None:
    """The person ``tokens[index]`` refers to, or None when it is not a person reference."""
    word = tokens[index].group()
    forms = _forms(_lower(word))
    low = forms[0]
    if any(form in words.self for form in forms):
        return Subject(About.SELF)
    if word.startswith("@") or any(form in words.others for form in forms):
        return Subject(About.OTHER)
    if low in words.relations:
        return Subject(About.OTHER)
    if low in words.public_roles:
        return Subject(About.OTHER, public=True)
    if low in words.generic_persons:
        for back in range(index - 1, max(-1, index - 3), -1):
            previous = _lower(tokens[back].group())
            if previous in words.determiners or previous in words.possessive_other:
                return Subject(About.OTHER)
    return None


def _is_name(words: WordSets, tokens: list[re.Match[str]], index: int, begins: int) -> bool:
    """A capitalised word that is no common word and follows no determiner (``Jan``, ``Ahmed``)."""
    word = tokens[index].group()
    if not word[:1].isupper() or not any(char.islower() for char in word):
        return False
    if _lower(word) in words.never_names or any(char.isdigit() for char in word):
        return False
    if _opens_sentence(tokens[index], begins) and _NOUN_ENDING.search(word):
        return word_kind(word) in ("first", "last")  # "Discrimination is …", not "Marie is …"
    if index == 0 or _lower(tokens[index - 1].group()) not in words.determiners:
        return True
    return (
        _lower(tokens[index - 1].group()) in _PARTICLES
        and index >= 2
        and (
            tokens[index - 2].group()[:1].isupper()  # Pieter de Vries, Anna van Dijk
        )
    )


def _named_relation(words: WordSets, tokens: list[re.Match[str]], index: int) -> bool:
    """A capitalised word right after a relation noun (``my neighbour Mei``, ``ma voisine X``)."""
    word = tokens[index].group()
    return index > 0 and word[:1].isupper() and _lower(tokens[index - 1].group()) in words.relations


def _opens_sentence(token: re.Match[str], begins: int) -> bool:
    """True when no word stands before ``token`` in its sentence (capitals say nothing)."""
    return not any(char.isalnum() for char in token.string[begins : token.start()])


def _after_role(words: WordSets, tokens: list[re.Match[str]], index: int) -> bool:
    """True when the name follows a public role (``Minister Jansen``, ``senator Smith``)."""
    for back in range(index - 1, max(-1, index - 3), -1):
        if _lower(tokens[back].group()) in words.public_roles:
            return True
    return False


def _preposition_before(words: WordSets, tokens: list[re.Match[str]], index: int) -> int | None:
    """The first word of the prepositional phrase ending at ``tokens[index]`` (``aus der``)."""
    found = None
    for back in range(index - 1, max(-1, index - 1 - _PP_WIDTH), -1):
        if _lower(tokens[back].group()) in words.prepositions:
            found = back
    return found


def _genitive(words: WordSets, low: str) -> bool:
    """An English genitive of a person (``Jan's``, ``colleague's``), not ``it's`` or ``that's``."""
    return low.endswith("'s") and low[:-2] not in words.never_names


def _forms(low: str) -> tuple[str, ...]:
    """``low`` and its parts when elided or hyphenated (``qu'il``: ``il``; ``appelle-moi``)."""
    if "-" in low:
        return low, low.rsplit("-", 1)[1]  # appelle-moi, envoie-lui, ruf-ihn
    if "'" not in low:
        return (low,)
    before, _, after = low.partition("'")
    return low, before, after


def _lower(word: str) -> str:
    return word.lower().replace("’", "'")
