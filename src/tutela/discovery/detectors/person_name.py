"""Person names: capitalised words of the right shape, checked against a lexicon of names.

The lexicon is read once, on first use, from the person providers ``faker`` ships
for European and American locales (first and last names, lower-cased, with their
accents and without), kept in :data:`LEXICON_FILE`. A value scores by its shape
(2-4 capitalised words, no digits; ``Last, First``; ``LAST First``; ``First M.
Last``; particles such as ``van der`` or ``di``; hyphenated names) and by how many
of its words are known names. A known name that is also a common word (``Rose``, ``Will``, ``May``,
``Grant``, ``Paris``) counts for less, and a common word that is no name
disqualifies a value (``Annual Report``). In free text, a run of capitalised words
needs a known first name followed by another capitalised word (``Anna de Vries``),
or a title before it (``Mr``, ``Mme``, ``dhr.``, ``Frau``, ``Sra.``). Category:
fideslang ``user.name``; GDPR Art. 4(1) (a name identifies a person).
"""

from __future__ import annotations

import gzip
import importlib
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from tutela.discovery.models import CONTEXT_BOOST, NO_MATCH, Span, ValueScore

CATEGORY = "user.name"

LOCALES = (
    "en_US", "en_GB", "en_IE", "en_CA", "en_AU", "fr_FR", "fr_BE", "fr_CH", "fr_CA",
    "nl_NL", "nl_BE", "de_DE", "de_AT", "de_CH", "es_ES", "es_MX", "it_IT", "pl_PL",
    "pt_PT", "pt_BR", "sv_SE", "da_DK", "no_NO", "fi_FI", "cs_CZ", "sk_SK", "ro_RO",
    "hu_HU", "hr_HR", "sl_SI", "lt_LT", "lv_LV", "et_EE", "tr_TR",
)  # fmt: skip
"""The faker locales whose person names make the lexicon (Latin script only)."""

_COMMON_WORD_LOCALES = ("en_US", "fr_FR", "de_DE", "nl_NL", "nl_BE", "it_IT", "es_ES")

_AMBIGUOUS_WORDS = """
    rose mark will bill may grant street paris hope faith joy grace summer april june august guy
    art frank jack page major young long king white black green brown gray grey love rich hill
    wood park lane bell case price rice ward cash chase dean dawn drew gene hunter iris ivy
    jewel lily miles olive pearl ray rod sandy sky sterling stone victor violet wolf london
    berlin brussels amsterdam madrid rome vienna florence sydney austin dallas jordan chad china
    india georgia virginia carolina lincoln ford bishop cook baker mason porter new sun sunday
    monday friday christian dale glen holly ruby amber crystal autumn winter dior gucci prince
    rex reed noble rock river brook moss marsh field fields pink fox lamb mars mai juni juli
    nova luna roma valencia victoria alexandria hong tesla
"""
AMBIGUOUS = frozenset(_AMBIGUOUS_WORDS.split())
"""Names that are also common words, places or brands: they count for less than a name."""

_PARTICLES_WORDS = """
    van von der den de del della di da dos das du le la ten ter zu y e al el bin ibn 't d' l'
    mac
"""
PARTICLES = frozenset(_PARTICLES_WORDS.split())
TITLES = (
    "Mr", "Mrs", "Ms", "Miss", "Dr", "Prof", "Sir", "M.", "Mme", "Mlle", "Me", "dhr", "Dhr",
    "mevr", "Mevr", "mw", "Mw", "Herr", "Frau", "Sr", "Sra", "Srta", "Don", "Doña", "Sig",
    "Sig.ra", "Dott",
)  # fmt: skip
"""Honorifics before a name (case-sensitive: ``me`` and ``don`` are words too)."""
INTRODUCTIONS = (
    "my name is", "je m'appelle", "ik heet", "ich heiße", "ich heisse", "me llamo",
    "mi chiamo", "signed", "regards", "cordialement", "groeten", "groet", "Grüße", "Grüßen",
    "Gruß", "dear", "hello", "hi", "bonjour", "bonsoir", "cher", "chère", "beste", "geachte",
    "hallo", "liebe", "lieber", "sehr geehrter", "sehr geehrte", "hola", "estimado",
    "estimada", "thanks", "thank you", "merci", "bedankt", "danke", "gracias", "cheers",
    "sincerely", "salutations", "bien à vous", "mvg", "mfg", "lg", "vg",
)  # fmt: skip
"""Introductions, greetings and sign-offs: the capitalised words right after them are a name."""
_NOT_NAMES_WORDS = """
    customer customers client clients klant klanten kunde kunden kundin service team support
    helpdesk manager colleague colleagues collega collegas kollege kollegin kollegen sir madam
    madame monsieur mevrouw meneer heer heren damen herren all everyone tous allen iedereen
    user admin administrator staff agent operator owner member members friend friends
"""
NOT_NAMES = frozenset(_NOT_NAMES_WORDS.split())
"""Words a greeting is often followed by that are no person's name (``Dear Customer``)."""
COMMON_NOUN_ENDINGS = (
    *("ung", "heit", "keit", "schaft", "ität", "nis", "tion", "sion", "ment", "ness", "ity"),
    *("ismus", "isme", "ism", "heid", "atie", "schap", "ance", "ence", "ique", "eur"),
)
"""Endings of common nouns of our languages (``Bestellung``, ``Rechnung``, ``Lieferung``,
``commande``-like ``-tion``, ``-heid``): an unknown word ending so is a noun, not a surname."""

_TITLE = re.compile(
    r"(?<!\w)(?:"
    + "|".join(re.escape(word) for word in TITLES)
    + "|(?i:"
    + "|".join(re.escape(word) for word in INTRODUCTIONS)
    + r"))\.?,?\s*$"
)
_UPPER = "[A-ZÀ-ÖØ-Þ]"
_CAP = rf"{_UPPER}[a-zß-öø-ÿ'’]+(?:-{_UPPER}[a-zß-öø-ÿ'’]+)?"
_TITLE_ENDINGS = tuple(word.casefold().rstrip(".") for word in TITLES + INTRODUCTIONS)
"""How the text before a titled name ends, case-folded (a test cheaper than :data:`_TITLE`)."""


def _titled(text: str, at: int, reach: int) -> bool:
    """Whether a title, greeting or sign-off ends right before ``at`` (within ``reach``).

    The case-folded text before ``at``, without the spaces, comma and dots :data:`_TITLE`
    allows after one, must end like one before the expression is tried.
    """
    start = max(0, at - reach)
    before = text[start:at].rstrip().rstrip(",").rstrip(".")
    if not before.casefold().endswith(_TITLE_ENDINGS):
        return False
    return _TITLE.search(text, start, at) is not None


_RUN = re.compile(
    rf"{_UPPER}(?<![\w'’-]{_UPPER}){_CAP[len(_UPPER) :]}"
    rf"(?:(?: (?:{'|'.join(sorted(PARTICLES - {'e', 'y'}))}))* {_CAP})*"
    r"(?![\w-])"
)
"""Runs of capitalised words. The first capital is matched before the look-behind (no word
character before it), so the scan skips ahead to capitals instead of testing every position."""
_INITIALED = re.compile(
    rf"[A-ZÀ-Þ]\.(?<![\w.'’-][A-ZÀ-Þ]\.)(?:-?[A-ZÀ-Þ]\.)? ?"
    rf"(?P<surname>(?:(?:{'|'.join(sorted(PARTICLES - {'e', 'y', 'al', 'el', 'bin', 'ibn'}))}) )*"
    rf"{_CAP})(?![\w-])"
)
"""An initial (or two) and a surname: ``H. Drewes``, ``J.-P. Martin``, ``J. van de Veen``."""
_SHAPE = re.compile(r"[^\W\d_][\w'’.-]*", re.UNICODE)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _names(values: object) -> Iterable[str]:
    if isinstance(values, dict | list | tuple):
        return (value for value in values if isinstance(value, str))
    return ()


@dataclass(frozen=True)
class Lexicon:
    """Known first names, last names and common words (lower-cased, accented and folded)."""

    first: frozenset[str]
    last: frozenset[str]
    common: frozenset[str]
    ambiguous: frozenset[str]


def _provider_names(locale: str) -> tuple[set[str], set[str]]:
    try:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    except (ImportError, AttributeError):
        return set(), set()
    first: set[str] = set()
    last: set[str] = set()
    for attribute in dir(provider):
        target = first if "first_name" in attribute else last if "last_name" in attribute else None
        if target is not None and not attribute.startswith("_"):
            for name in _names(getattr(provider, attribute)):
                lowered = name.lower().strip()
                target.update((lowered, _fold(lowered), lowered.split()[-1] if lowered else ""))
    return first, last


LEXICON_FILE = Path(__file__).resolve().parent.parent / "data" / "name_lexicon.json.gz"
"""Faker's names and common words, read once from its providers (``python -m
tutela.discovery.detectors.person_name`` writes it again): loading it takes milliseconds,
reading the providers a quarter of a second at every start."""


@cache
def lexicon() -> Lexicon:
    """The name lexicon: :data:`LEXICON_FILE` with the ambiguity rules applied (then cached).

    Read from faker's providers instead when the file is missing.
    """
    try:
        stored = json.loads(gzip.decompress(LEXICON_FILE.read_bytes()))
    except FileNotFoundError:
        return _lexicon_of(*faker_words())
    return _lexicon_of(set(stored["first"]), set(stored["last"]), set(stored["words"]))


def faker_words() -> tuple[set[str], set[str], set[str]]:
    """First names, last names and common words (over two letters) of faker's providers."""
    first: set[str] = set()
    last: set[str] = set()
    for locale in LOCALES:
        more_first, more_last = _provider_names(locale)
        first |= more_first
        last |= more_last
    common: set[str] = set()
    for locale in _COMMON_WORD_LOCALES:
        try:
            words = importlib.import_module(f"faker.providers.lorem.{locale}").Provider.word_list
        except (ImportError, AttributeError):
            continue
        common.update(word.lower() for word in words if len(word) > 2)
    first.discard("")
    last.discard("")
    return first, last, common


def _lexicon_of(first: set[str], last: set[str], common: set[str]) -> Lexicon:
    """The lexicon: a common word that is also a name is ambiguous, as are :data:`AMBIGUOUS`."""
    names = first | last
    ambiguous = (common & names) | AMBIGUOUS
    return Lexicon(
        frozenset(first), frozenset(last), frozenset(common - names), frozenset(ambiguous)
    )


def write_lexicon(path: Path = LEXICON_FILE) -> None:
    """Write faker's words to ``path`` (sorted, gzip without a timestamp: reproducible)."""
    from importlib.metadata import version

    first, last, words = faker_words()
    stored = {
        "faker": version("faker"),
        "first": sorted(first),
        "last": sorted(last),
        "words": sorted(words),
    }
    data = json.dumps(stored, ensure_ascii=False, separators=(",", ":")).encode()
    path.write_bytes(gzip.compress(data, mtime=0))


def is_first_name(token: str) -> bool:
    """True when ``token`` is a known first name (any case, accents or not)."""
    lowered = token.lower()
    return lowered in lexicon().first or _fold(lowered) in lexicon().first


def is_last_name(token: str) -> bool:
    """True when ``token`` is a known last name (any case, accents or not)."""
    lowered = token.lower()
    return lowered in lexicon().last or _fold(lowered) in lexicon().last


@lru_cache(maxsize=1 << 16)
def word_kind(word: str) -> str:
    """``first``, ``last``, ``ambiguous`` (a name and a common word), ``common`` or ``unknown``.

    A hyphenated word is a first name when one of its parts is (``Jean-Pierre``).
    """
    known = lexicon()
    lowered = word.lower()
    if not lowered.isascii():
        lowered = _fold(lowered)
    if lowered in known.ambiguous:
        return "ambiguous"
    if lowered in known.common:
        return "common"
    if lowered in known.first:
        return "first"
    if lowered in known.last:
        return "last"
    if "-" in lowered:
        parts = [part for part in lowered.split("-") if part]
        if parts and all(part in known.first or part in known.last for part in parts):
            return "first" if parts[0] in known.first else "last"
    if lowered in NOT_NAMES or (len(lowered) > 5 and lowered.endswith(COMMON_NOUN_ENDINGS)):
        return "common"
    return "unknown"


def _name_words(value: str) -> list[str] | None:
    """The name words of a whole value (particles and initials dropped); None if not a name."""
    if value.count(",") > 1:
        return None
    if "," in value:
        last, first = value.split(",")
        value = f"{first} {last}"
    words: list[str] = []
    for token in value.split():
        if token.lower() in PARTICLES or _INITIAL.fullmatch(token):
            continue
        if not _WORD.fullmatch(token):
            return None
        words.append(token)
    return words if 1 <= len(words) <= 4 else None


def _score_words(kinds: list[str]) -> float:
    if "common" in kinds:
        return 0.0
    known = kinds.count("first") + kinds.count("last")
    ambiguous = kinds.count("ambiguous")
    if len(kinds) == 1:
        return {"first": 0.5, "last": 0.4, "ambiguous": 0.15}.get(kinds[0], 0.0)
    if known >= 2:
        return 0.95
    if known == 1:
        return 0.8 if ambiguous else 0.7
    return 0.5 if ambiguous >= 2 else 0.3 if ambiguous else 0.1


_INITIAL = re.compile(r"[A-Z]\.?")
_WORD = re.compile(r"[^\W\d_][^\W\d_'’.-]*(?:['’-][^\W\d_]+)*\.?")
_NOT_A_NAME = re.compile(r"[\d@/\\_=<>:;#%&*+|()\[\]{}!?\"]")


@dataclass(frozen=True)
class PersonNameDetector:
    """Person names in values and in text, judged by shape and a lexicon of names."""

    name: str = field(init=False, default="person_name")
    category: str | None = field(init=False, default=CATEGORY)
    countries: tuple[str, ...] = field(init=False, default=())
    lookalike: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        lexicon()  # built when the detectors are loaded, not inside the first scan

    def score_value(self, value: str) -> ValueScore:
        """Scores a whole value by its shape and how many of its words are known names."""
        if not 2 <= len(value) <= 60 or _NOT_A_NAME.search(value):
            return NO_MATCH
        words = _name_words(value)
        if words is None:
            return NO_MATCH
        lower = value.islower()
        if not lower and not all(word[0].isupper() for word in words):
            return NO_MATCH
        score = _score_words([word_kind(word) for word in words])
        if lower:
            score *= 0.8
        return ValueScore(score, f"name_{len(words)}_words") if score else NO_MATCH

    def find_spans(self, text: str) -> Iterator[Span]:
        """Runs of capitalised words starting with a known first name, or after a title.

        An initial and a surname (``J. Lemmens``) are a name when the surname is a
        known one, or when a title, greeting or sign-off comes before.
        """
        for run in _RUN.finditer(text):
            yield from _spans_in_run(text, run.start(), run.group())
        for match in _INITIALED.finditer(text):
            score = _initialed_score(text, match)
            if score:
                yield Span(*match.span(), CATEGORY, score, self.name, "initial_surname")


def _spans_in_run(text: str, offset: int, run: str) -> Iterator[Span]:
    if " " not in run:  # one word: a name only after a title, and never a common word
        if word_kind(run) != "common" and _titled(text, offset, 20):
            yield Span(offset, offset + len(run), CATEGORY, 0.7, "person_name", "capitalised_run")
        return
    tokens = [(offset + m.start(), offset + m.end(), m.group()) for m in _TOKEN.finditer(run)]
    names = [token for token in tokens if token[2].lower() not in PARTICLES]
    titled = _titled(text, offset, 20)
    if len(names) > 4 and not titled:
        return  # a title-case heading, not a name
    index = 0
    while index < len(names):
        start, _, word = names[index]
        kind = word_kind(word)
        after_title = titled if index == 0 else _is_title(names[index - 1][2])
        if kind == "first" or (after_title and kind in ("last", "unknown", "ambiguous")):
            end_index = _extend(names, index)
            span_score = _span_score(names[index:end_index], after_title)
            if span_score:
                end = names[end_index - 1][1]
                yield Span(start, end, CATEGORY, span_score, "person_name", "capitalised_run")
                index = end_index
                continue
        index += 1


def _initialed_score(text: str, match: re.Match[str]) -> float:
    """The score of an initial and surname: a known surname 0.8, after a title 0.9, else 0."""
    surname = match.group("surname").split()[-1]
    kind = word_kind(surname)
    if kind == "common":
        return 0.0
    if _titled(text, match.start(), 24):
        return 0.9
    return 0.8 if kind == "last" else 0.0


def _is_title(word: str) -> bool:
    return _TITLE.fullmatch(word) is not None


def _extend(names: list[tuple[int, int, str]], index: int) -> int:
    end = index + 1
    while end < len(names) and end - index < 3 and word_kind(names[end][2]) != "common":
        end += 1
    return end


def _span_score(names: list[tuple[int, int, str]], after_title: bool) -> float:
    kinds = [word_kind(word) for _, _, word in names]
    if len(kinds) == 1:
        return 0.7 if after_title and kinds[0] != "common" else 0.0
    score = 0.9 if kinds[1] in ("first", "last") else 0.75
    return min(1.0, score + CONTEXT_BOOST) if after_title else score


_TOKEN = re.compile(r"\S+")


DETECTOR = PersonNameDetector()
"""The built-in person-name detector (registered in :data:`tutela.plugins.DETECTORS`)."""


if __name__ == "__main__":  # python -m tutela.discovery.detectors.person_name
    write_lexicon()
