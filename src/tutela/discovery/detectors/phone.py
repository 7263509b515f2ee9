"""Phone numbers, validated against libphonenumber's numbering plans (ITU-T E.164).

A candidate is a run of digit groups (``+32 470 12 34 56``, ``(030) 1234567``,
``06.12.34.56.78``); it is a phone number when :func:`phonenumbers.is_valid_number`
accepts it: as an international number when it starts with ``+`` or ``00``, else in
one of :data:`REGIONS`. The test is the one ``is_valid_number`` applies (pattern and
possible lengths of the general description and of a number type), run on regexes
compiled once from phonenumbers' own metadata (:class:`NumberingPlan`), because a full
``phonenumbers.parse`` costs about 40 µs a candidate and a column sample has thousands.

Rejected before validation: dotted groups without a trunk prefix (``2019.11.259``,
a version or build id; North America's ``415.555.0132`` excepted), the US SSN shape
(``078-05-1120``), dates (``2024-01-15``, ``15.01.2024``), IPv4 addresses,
decimals and amounts, version and OID strings (``1.2.840.113549``), a last group of
one digit (ISBN), digit runs without separators shorter than 9 digits or longer
than 12 (order numbers, card numbers, IBAN pieces), runs that start with a date
(``202401151030``), 12- and 13-digit runs with a valid GS1 check digit (UPC-A and
EAN-13 barcodes), repeated or sequential digits. In free text, a candidate right
after an IBAN's letters, or a weak one (no ``+``, ``00`` or trunk prefix) near words
such as *order*, *invoice*, *IMEI* or *IBAN* and no phone word, is not a phone number;
a bare digit run needs a phone word near it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

import phonenumbers
from phonenumbers import PhoneMetadata
from stdnum import ean

from tutela.discovery.detectors.windows import Window, whole
from tutela.discovery.models import CONTEXT_BOOST, CONTEXT_WINDOW, NO_MATCH, Span, ValueScore
from tutela.discovery.pattern_start import word_tree

REGIONS = (
    *("BE", "FR", "NL", "DE", "GB", "US", "ES", "IT", "PL"),
    *("LU", "CH", "AT", "IE", "PT", "SE", "DK", "FI", "CA"),
)
"""The regions a number written without ``+`` or ``00`` is tried in, in this order."""

CONTEXT = (
    *("phone", "telephone", "tel", "tél", "téléphone", "mobile", "mob", "cell", "cellphone"),
    *("gsm", "portable", "fixe", "fax", "sms", "whatsapp", "call", "appeler", "appelez"),
    *("telefoon", "telefoonnummer", "mobiel", "bellen", "bel", "telefon", "telefonnummer"),
    *("handy", "rufnummer", "anrufen", "teléfono", "telefono", "móvil", "movil", "celular"),
    *("llamar", "cellulare", "appelle", "joindre", "bereikbaar", "erreichbar"),
)
"""Words that make a nearby digit run a phone number."""

NOT_PHONE_CONTEXT = (
    *("order", "invoice", "ticket", "ref", "reference", "imei", "iban", "account", "siret"),
    *("siren", "vat", "tva", "btw", "kvk", "sku", "serial", "tracking", "commande", "facture"),
    *("bestelling", "factuur", "bestellung", "rechnung", "pedido", "factura", "customer", "id"),
    *("amount", "total", "montant", "bedrag", "betrag", "importe", "eur", "usd", "gbp"),
)
"""Words that make a nearby digit run something else (an order, an account, an amount)."""

STRONG = 0.9
"""A candidate scoring this much (``+``/``00`` or trunk prefix and separators) is phone-shaped
enough that words such as *order* or *ticket* near it do not make it something else."""

_TYPES = (
    *("fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost"),
    *("personal_number", "voip", "pager", "uan", "voicemail"),
)
_GROUP = r"(?:\d+(?:[ \u00a0]?\(\d{1,5}\)[ \u00a0\-]?\d+)?|\(\d{1,5}\)[ \u00a0\-]?\d+)"
"""A digit group, or one with an area code in parentheses: ``0477``, ``(030) 1234``,
``0 (30) 1234`` (its digits read once: a digit group is not tried for a parenthesis
first and read again without)."""
_SEP = r"(?:[.\-/][ \u00a0]?|[ \u00a0])"
_LEAD = r"[^\x00-\x27\x29\x2a\x2c-\x2f\x3a-\u065f]"
r"""``+``, ``(``, ``0``-``9`` and every character from U+0660 on: a superset of ``[+\d(]``
(the other decimal digits are all past U+065F) that a scan tests with one bitmap look-up,
where ``\d`` costs a Unicode-database look-up at every character."""
_CANDIDATE = re.compile(
    rf"{_LEAD}(?<![\w+.\-/,#$€£¥%][\s\S])(?<=[+\d(])"
    rf"(?:(?<=\+)[ \u00a0]?{_GROUP}|(?<=\()\d{{1,5}}\)[ \u00a0\-]?\d+"
    r"|(?<=\d)\d*(?:[ \u00a0]?\(\d{1,5}\)[ \u00a0\-]?\d+)?)"
    rf"(?:{_SEP}{_GROUP})*"
    r"(?![\w%€$£]|[.,\-/:]\d)"
)
r"""``(?<![…])(?:\+[ ]?)?{_GROUP}(?:{_SEP}{_GROUP})*(?!…)`` with its first character (``+``,
a digit or ``(``) matched before the look-behinds, so a scan jumps to those characters (the
engine's charset fast path, with :data:`_LEAD`; ``(?<=[+\d(])`` then keeps the three); each
branch is the rest of the candidate after that character."""
_SHAPE = re.compile(rf"(?:\+[ \u00a0]?)?{_GROUP}(?:{_SEP}{_GROUP})*")
_EXTENSION = re.compile(r"[ \u00a0]?(?:x|ext\.?|extension|poste|#)[ \u00a0]?\d{1,6}$", re.I)
_NON_DIGIT = re.compile(r"\D+")
_DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})")
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_DECIMAL = re.compile(r"\d+[.,]\d{1,2}")
_OID_OR_VERSION = re.compile(r"[1-9]\.\d+\.\d+(?:\.\d+)*")
_DATE_PREFIX = re.compile(r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])")
_YEAR_SEQUENCE = re.compile(r"(?:19|20)\d\d[-/]\d+")
_DOTTED = re.compile(r"[1-9]\d*(?:\.\d+)+")
"""Groups of digits joined by dots, no trunk prefix: a version or build id (``2019.11.259``)."""
_SSN_SHAPE = re.compile(r"\d{3}-\d{2}-\d{4}")
"""``078-05-1120``: the shape of a US Social Security number, never how a phone is written."""
_NANP_DOTTED = re.compile(r"[2-9]\d\d\.[2-9]\d\d\.\d{4}")
"""The one dotted national form without a trunk prefix: North America's ``415.555.0132``."""
_NOT_PHONE_SHAPE = re.compile(
    rf"(?!(?:{_NANP_DOTTED.pattern})\Z){_DOTTED.pattern}|{_SSN_SHAPE.pattern}"
    + "".join(
        f"|{shape.pattern}" for shape in (_DATE, _IPV4, _DECIMAL, _OID_OR_VERSION, _YEAR_SEQUENCE)
    )
)
"""A separated candidate whose whole text this matches is something else: a dotted version
(not a North American number), an SSN, a date, an IP, an amount or an OID (one expression
tried once, where each shape would be a call of its own)."""
_IBAN_BEFORE = re.compile(r"[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4})*[ ]?$")
_IBAN_JOIN = re.compile(r"[A-Z\d] |[A-Z\d ]\n")
"""The two characters before a candidate that continues an IBAN: the end of a group (a
letter or digit) and a space, or a group's end or a space and a line break."""
_SEQUENTIAL = "01234567890123456789"
_SEQUENTIAL_DOWN = _SEQUENTIAL[::-1]
_FEWEST_DIGITS = 8
"""No number with fewer digits is a phone number (see :func:`_shape`)."""


@dataclass(frozen=True)
class NumberingPlan:
    """One region's numbering plan, compiled from phonenumbers' metadata.

    :meth:`accepts` is the test ``phonenumbers.is_valid_number`` applies to a national
    significant number (it matches the general description, then a number type, each
    with its pattern and possible lengths), without parsing a ``PhoneNumber`` first.
    """

    general: re.Pattern[str]
    types: tuple[tuple[re.Pattern[str], frozenset[int]], ...]
    lengths: frozenset[int]
    trunk: str

    @classmethod
    def of(cls, region: str) -> NumberingPlan | None:
        """The plan of ``region`` (an ISO 3166 code), None when phonenumbers has none."""
        metadata = PhoneMetadata.metadata_for_region(region)
        if metadata is None or metadata.general_desc is None:
            return None
        types = []
        for kind in _TYPES:
            desc = getattr(metadata, kind, None)
            if desc is None or not desc.national_number_pattern or desc.possible_length == (-1,):
                continue
            lengths = frozenset(desc.possible_length or ())
            types.append((re.compile(desc.national_number_pattern), lengths))
        general = re.compile(metadata.general_desc.national_number_pattern or "(?!)")
        lengths = frozenset(metadata.general_desc.possible_length or ())
        return cls(general, tuple(types), lengths, metadata.national_prefix or "")

    def accepts(self, national: str) -> bool:
        """True when ``national`` (digits, no trunk prefix) is a valid number of the plan."""
        if self.lengths and len(national) not in self.lengths:
            return False
        if self.general.fullmatch(national) is None:
            return False
        return any(
            (not lengths or len(national) in lengths) and pattern.fullmatch(national) is not None
            for pattern, lengths in self.types
        )

    def accepts_national(self, digits: str) -> bool:
        """True when ``digits``, written nationally (trunk prefix or not), are valid."""
        if self.trunk and digits.startswith(self.trunk) and self.accepts(digits[len(self.trunk) :]):
            return True
        return self.accepts(digits)

    def national_expression(self, size: int) -> str | None:
        """An expression fully matching the ``size``-digit numbers :meth:`accepts_national` accepts.

        None when it accepts none.
        """
        alternatives = []
        rest = self._expression(size - len(self.trunk)) if self.trunk else None
        if rest is not None:
            alternatives.append(re.escape(self.trunk) + rest)
        plain = self._expression(size)
        if plain is not None:
            alternatives.append(plain)
        return "|".join(alternatives) or None

    def _expression(self, size: int) -> str | None:
        """An expression fully matching the ``size``-digit numbers :meth:`accepts` accepts.

        The general pattern as a look-ahead to the end, then the patterns of the number
        types whose lengths allow ``size``.
        """
        if size < 0 or (self.lengths and size not in self.lengths):
            return None
        types = [
            f"(?:{kind.pattern})" for kind, lengths in self.types if not lengths or size in lengths
        ]
        if not types:
            return None
        return f"(?=(?:{self.general.pattern})\\Z)(?:{'|'.join(types)})"


def _shape(candidate: str) -> tuple[str, ValueScore] | None:
    """The digits of ``candidate`` and its score if a numbering plan accepts them.

    None when the candidate is implausible: a date, an IP, an amount, a version, an
    ISBN, an id (see the three shapes below). The score's pattern says which test the
    digits need: ``international`` (after a ``+`` or ``00``) or a national one.
    """
    if candidate[0] == "+" or candidate.startswith("00"):
        return _international_shape(candidate)
    if candidate.isdecimal():  # else it holds a separator: nothing else is in a candidate
        return _bare_shape(candidate)
    return _separated_shape(candidate)


def _international_shape(candidate: str) -> tuple[str, ValueScore] | None:
    """After ``+`` or ``00``: 8 to 15 digits (a ``(0)`` trunk prefix left out)."""
    digits = _NON_DIGIT.sub("", candidate.replace("(0)", ""))
    digits = digits.removeprefix("00") if candidate[0] == "0" else digits
    if not _FEWEST_DIGITS <= len(digits) <= 15 or _repetitive(digits):
        return None
    return digits, _INTERNATIONAL


def _bare_shape(digits: str) -> tuple[str, ValueScore] | None:
    """A bare digit run: 9 to 12 digits, not a UPC-A barcode, not starting with a date.

    Shorter runs are order numbers, longer ones card numbers or IBAN pieces.
    """
    if not 9 <= len(digits) <= 12 or _repetitive(digits):
        return None
    if len(digits) == 12 and (ean.is_valid(digits) or _DATE_PREFIX.match(digits) is not None):
        return None  # a UPC-A barcode, or a run starting with a date (202401151030)
    return digits, _NATIONAL if digits[0] == "0" else _BARE


def _separated_shape(candidate: str) -> tuple[str, ValueScore] | None:
    """Digit groups written nationally: 8 to 13 digits, none of :data:`_NOT_PHONE_SHAPE`.

    Nor a last group of one digit (an ISBN's check digit): a candidate ends with a digit.
    """
    if not candidate[-2].isdecimal() or _NOT_PHONE_SHAPE.fullmatch(candidate) is not None:
        return None
    digits = _NON_DIGIT.sub("", candidate)
    if not _FEWEST_DIGITS <= len(digits) <= 13 or _repetitive(digits):
        return None
    return digits, _TRUNK_SEPARATED if digits[0] == "0" else _NATIONAL


def _repetitive(digits: str) -> bool:
    """Two distinct digits or fewer, or consecutive digits up or down."""
    return len(set(digits)) <= 2 or digits in _SEQUENTIAL or digits in _SEQUENTIAL_DOWN


_INTERNATIONAL = ValueScore(0.95, "international")
_TRUNK_SEPARATED = ValueScore(0.9, "national")
_NATIONAL = ValueScore(0.75, "national")
_BARE = ValueScore(0.5, "digits")


@dataclass(frozen=True)
class PhoneDetector:
    """Phone numbers of :data:`REGIONS` (national form) or of any country (``+``/``00``).

    Source: ITU-T E.164 and libphonenumber's numbering-plan metadata
    (``phonenumbers.is_valid_number``). Scores: international 0.95, national with a
    trunk prefix (``0…``) 0.9, other national forms with separators 0.75, a bare digit
    run 0.5 (an integer column of ids often passes some plan).
    """

    name: str = "phone"
    category: str | None = "user.contact.phone_number"
    countries: tuple[str, ...] = ()
    lookalike: bool = False
    source: str = "ITU-T E.164, libphonenumber metadata"

    def __post_init__(self) -> None:
        for region in REGIONS:  # the plans, compiled when the detectors load
            self._plan(region)

    def score_value(self, value: str) -> ValueScore:
        """How likely the whole ``value`` is a phone number (0 when it is not one)."""
        if not 8 <= len(value) <= 40 or value[0] not in "+0123456789(":
            return NO_MATCH
        if not value[-1].isdigit():
            return NO_MATCH
        if "x" in value or "t" in value or "#" in value or "e" in value:
            value = _EXTENSION.sub("", value)  # 555-0123 x42: the line is the number
        if _SHAPE.fullmatch(value) is None:
            return NO_MATCH
        return self._score(value)

    def find_spans(self, text: str) -> Iterator[Span]:
        """Phone numbers in ``text``; bare digit runs only with a phone word near them."""
        return self.find_spans_within(text, whole(text))

    def find_spans_within(self, text: str, windows: Sequence[Window]) -> Iterator[Span]:
        """Phone numbers inside ``windows`` of ``text`` (context words: anywhere near).

        A window with fewer digits than a phone number has is not searched. A bare digit
        run needs a phone word near it, so that is looked up before its digits are
        validated; other candidates are validated first.
        """
        finditer = _CANDIDATE.finditer
        for window_start, window_end, digits in windows:
            if digits < _FEWEST_DIGITS:
                continue
            for match in finditer(text, window_start, window_end):
                start, end = match.span()
                if end - start < _FEWEST_DIGITS:
                    continue  # fewer characters than a phone number has digits
                span = self._span(text, start, end, match.group(0))
                if span is not None:
                    yield span

    def _span(self, text: str, start: int, end: int, candidate: str) -> Span | None:
        """The span of ``candidate`` (``text[start:end]``), None when it is no phone number."""
        shaped = _shape(candidate)
        if shaped is None:
            return None
        digits, found = shaped
        words = _words_near(text, start, end) if found is _BARE else None
        if words is not None and not words[0]:
            return None  # a bare digit run without a phone word
        if not self._valid(digits, found) or self._after_iban(text, start):
            return None
        phone_word, other = words or _words_near(text, start, end)
        if found.score < STRONG and not phone_word and other:
            return None
        score = min(1.0, found.score + CONTEXT_BOOST) if phone_word else found.score
        return Span(start, end, "user.contact.phone_number", score, self.name, found.pattern)

    def _score(self, candidate: str) -> ValueScore:
        shaped = _shape(candidate)
        if shaped is None or not self._valid(*shaped):
            return NO_MATCH
        return shaped[1]

    def _valid(self, digits: str, shape: ValueScore) -> bool:
        """True when a numbering plan accepts ``digits`` (as :func:`_shape` read them)."""
        if shape is _INTERNATIONAL:
            return self._international(digits)
        return self._national(digits)

    def _national(self, digits: str) -> bool:
        """True when a plan of :data:`REGIONS` accepts ``digits`` written nationally."""
        accepting = self._accepting(REGIONS, len(digits))
        return accepting is not None and accepting.fullmatch(digits) is not None

    def _international(self, digits: str) -> bool:
        """True when ``digits`` are a country calling code and a number valid there."""
        for size in (1, 2, 3):
            regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(digits[:size]), ())
            national = digits[size:]
            accepting = self._accepting(tuple(regions), len(national))
            if accepting is not None and accepting.fullmatch(national) is not None:
                return True
        return False

    def _accepting(self, regions: tuple[str, ...], size: int) -> re.Pattern[str] | None:
        """One expression for the ``size``-digit numbers a plan of ``regions`` accepts.

        Its full matches are the numbers :meth:`NumberingPlan.accepts_national` accepts
        in one of the regions (one call, where trying plan after plan, pattern after
        pattern, costs a call each). Compiled on first use, for each length.
        """
        key = regions, size
        if key not in self._expressions:
            plans = (self._plan(region).national_expression(size) for region in regions)
            alternatives = [f"(?:{expression})" for expression in plans if expression]
            self._expressions[key] = re.compile("|".join(alternatives)) if alternatives else None
        return self._expressions[key]

    @cached_property
    def _expressions(self) -> dict[tuple[tuple[str, ...], int], re.Pattern[str] | None]:
        """The expressions :meth:`_accepting` compiled so far."""
        return {}

    def _plan(self, region: str) -> NumberingPlan:
        plan = self._plans.get(region)
        if plan is None:
            plan = NumberingPlan.of(region) or _NO_PLAN
            self._plans[region] = plan
        return plan

    @staticmethod
    def _after_iban(text: str, start: int) -> bool:
        """True when the candidate continues an IBAN (``NL91 ABNA 0417 1643 00``).

        Only right after :data:`_IBAN_JOIN`: no candidate starts right after a letter or
        a digit, so an :data:`_IBAN_BEFORE` match ending at ``start`` ends with a space
        after a group, or (``$`` before a last line break) with a line break.
        """
        if _IBAN_JOIN.fullmatch(text, max(0, start - 2), start) is None:
            return False
        return _IBAN_BEFORE.search(text, max(0, start - 40), start) is not None

    @cached_property
    def _plans(self) -> dict[str, NumberingPlan]:
        """The plans compiled so far, by region (compiled on first use)."""
        return {}


_NO_PLAN = NumberingPlan(re.compile("(?!)"), (), frozenset(), "")


def _alternatives(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_PHONE_WORDS = frozenset(word.lower() for word in CONTEXT)
_LOWER_CONTEXT_WORDS = re.compile(
    rf"(?<!\w){word_tree({word.lower() for word in CONTEXT + NOT_PHONE_CONTEXT})}(?!\w)"
)
"""Every context word, lower-cased, as a whole word: for a lower-cased text (a case-sensitive
scan is several times faster than a case-blind one)."""
_CONTEXT_WORDS = re.compile(
    rf"(?<!\w)(?:(?P<phone>{_alternatives(CONTEXT)})|{_alternatives(NOT_PHONE_CONTEXT)})(?!\w)",
    re.IGNORECASE,
)
"""The phone words (group ``phone``) and the other context words, as whole words, any case."""


_LATIN_WORDS = bytes(
    ord(chr(code).lower()) if chr(code).isalnum() or code == 95 else 32 for code in range(256)
)
"""A byte table for Latin-1 text that lower-cases letters and turns every byte that is not
a word character (``\\w``: a letter, a digit or ``_``) into a space: the words, split."""
_LATIN_PHONE_WORDS = frozenset(word.encode("latin-1") for word in _PHONE_WORDS)
_LATIN_OTHER_WORDS = frozenset(word.lower().encode("latin-1") for word in NOT_PHONE_CONTEXT)


def _words_near(text: str, start: int, end: int) -> tuple[bool, bool]:
    """Whether a phone word is near ``text[start:end]``, and (when none is) another word.

    The words of the text around the candidate are looked up in both lists at once. A
    Latin-1 text's words are split out as bytes (lower-cased by a byte table: no
    expression at all); any other text's are found by one expression.
    """
    near = text[max(0, start - CONTEXT_WINDOW) : end + CONTEXT_WINDOW]
    try:
        words = near.encode("latin-1").translate(_LATIN_WORDS).split()
    except UnicodeEncodeError:
        return _words_searched(near)
    if not _LATIN_PHONE_WORDS.isdisjoint(words):
        return True, False
    return False, not _LATIN_OTHER_WORDS.isdisjoint(words)


def _words_searched(near: str) -> tuple[bool, bool]:
    """:func:`_words_near` for a text beyond Latin-1, searched for the words.

    A match is a whole word, so no match hides another: every word is seen until a
    phone word is.
    """
    lowered = near.lower()
    other = False
    if len(lowered) == len(near):
        for word in _LOWER_CONTEXT_WORDS.finditer(lowered):
            if word.group(0) in _PHONE_WORDS:
                return True, False
            other = True
        return False, other
    for word in _CONTEXT_WORDS.finditer(near):  # a letter whose lower case is longer (İ)
        if word.lastgroup == "phone":
            return True, False
        other = True
    return False, other


DETECTOR = PhoneDetector()
"""The phone-number detector registered as the built-in ``phone``."""
