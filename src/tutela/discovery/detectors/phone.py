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

from tutela.discovery.detectors.windows import Window, search, whole
from tutela.discovery.models import CONTEXT_BOOST, CONTEXT_WINDOW, NO_MATCH, Span, ValueScore

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
_GROUP = r"(?:(?:\d+[ \u00a0]?)?\(\d{1,5}\)[ \u00a0\-]?\d+|\d+)"
_SEP = r"(?:[.\-/][ \u00a0]?|[ \u00a0])"
_CANDIDATE = re.compile(
    r"[+\d(](?<![\w+.\-/,#$€£¥%][\s\S])"
    rf"(?:(?<=\+)[ \u00a0]?{_GROUP}|(?<=\()\d{{1,5}}\)[ \u00a0\-]?\d+"
    r"|(?<=\d)(?:\d*[ \u00a0]?\(\d{1,5}\)[ \u00a0\-]?\d+|\d*))"
    rf"(?:{_SEP}{_GROUP})*"
    r"(?![\w%€$£]|[.,\-/:]\d)"
)
r"""``(?<![…])(?:\+[ ]?)?{_GROUP}(?:{_SEP}{_GROUP})*(?!…)`` with its first character (``+``,
a digit or ``(``) matched before the look-behind, so a scan jumps to those characters (the
engine's charset fast path); each branch is the rest of the candidate after that character."""
_SHAPE = re.compile(rf"(?:\+[ \u00a0]?)?{_GROUP}(?:{_SEP}{_GROUP})*")
_EXTENSION = re.compile(r"[ \u00a0]?(?:x|ext\.?|extension|poste|#)[ \u00a0]?\d{1,6}$", re.I)
_NON_DIGIT = re.compile(r"\D+")
_SEPARATOR = re.compile(r"[ \u00a0.\-/()]")
_DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})")
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_DECIMAL = re.compile(r"\d+[.,]\d{1,2}")
_OID_OR_VERSION = re.compile(r"[1-9]\.\d+\.\d+(?:\.\d+)*")
_LAST_GROUP_OF_ONE = re.compile(r"\D\d$")
_DATE_PREFIX = re.compile(r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])")
_YEAR_SEQUENCE = re.compile(r"(?:19|20)\d\d[-/]\d+")
_DOTTED = re.compile(r"[1-9]\d*(?:\.\d+)+")
"""Groups of digits joined by dots, no trunk prefix: a version or build id (``2019.11.259``)."""
_SSN_SHAPE = re.compile(r"\d{3}-\d{2}-\d{4}")
"""``078-05-1120``: the shape of a US Social Security number, never how a phone is written."""
_NANP_DOTTED = re.compile(r"[2-9]\d\d\.[2-9]\d\d\.\d{4}")
"""The one dotted national form without a trunk prefix: North America's ``415.555.0132``."""
_IBAN_BEFORE = re.compile(r"[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4})*[ ]?$")
_SEQUENTIAL = "01234567890123456789"
_FEWEST_DIGITS = 8
"""No number with fewer digits is a phone number (see :func:`_implausible`)."""


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


def _implausible(candidate: str, digits: str, *, international: bool) -> bool:
    """True for a date, an IP, an amount, a version, an ISBN, an id: not a phone number."""
    separated = _SEPARATOR.search(candidate) is not None
    if not _FEWEST_DIGITS <= len(digits) <= 15 or (not international and len(digits) > 13):
        return True
    if not separated and not international and not 9 <= len(digits) <= 12:
        return True
    if len(set(digits)) <= 2 or digits in _SEQUENTIAL or digits in _SEQUENTIAL[::-1]:
        return True
    if international:
        return False
    if separated:
        if _DOTTED.fullmatch(candidate) and not _NANP_DOTTED.fullmatch(candidate):
            return True
        if _SSN_SHAPE.fullmatch(candidate):
            return True
        shapes = (_DATE, _IPV4, _DECIMAL, _OID_OR_VERSION, _YEAR_SEQUENCE)
        return any(shape.fullmatch(candidate) for shape in shapes) or bool(
            _LAST_GROUP_OF_ONE.search(candidate)
        )
    if len(digits) in (12, 13) and ean.is_valid(digits):
        return True  # a bare UPC-A or EAN-13 barcode
    return len(digits) in (12, 14) and _DATE_PREFIX.match(digits) is not None


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
        self._any_national.pattern  # noqa: B018 - the plans, compiled when the detectors load

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

        A window with fewer digits than a phone number has is not searched.
        """
        windows = [window for window in windows if window.digits >= _FEWEST_DIGITS]
        for match in search(_CANDIDATE, text, windows):
            start, end = match.span()
            if end - start < _FEWEST_DIGITS:
                continue  # fewer characters than a phone number has digits
            found = self._score(match.group(0))
            if found.score == 0.0 or self._after_iban(text, start):
                continue
            near = text[max(0, start - CONTEXT_WINDOW) : end + CONTEXT_WINDOW]
            lowered = near.lower()
            if len(lowered) == len(near):  # a case-blind regex is several times slower
                phone_word = _LOWER_CONTEXT.search(lowered) is not None
                other = _LOWER_NOT_PHONE_CONTEXT.search
            else:
                phone_word, other = (
                    self._context.search(near) is not None,
                    self._not_phone_context.search,
                )
                lowered = near
            weak = found.score < STRONG
            if weak and not phone_word and other(lowered) is not None:
                continue
            score = min(1.0, found.score + CONTEXT_BOOST) if phone_word else found.score
            if found.pattern == "digits" and not phone_word:
                continue
            yield Span(start, end, "user.contact.phone_number", score, self.name, found.pattern)

    def _score(self, candidate: str) -> ValueScore:
        if candidate.startswith("+") or candidate.startswith("00"):
            digits = _NON_DIGIT.sub("", candidate.replace("(0)", ""))
            digits = digits.removeprefix("00") if candidate[0] == "0" else digits
            if _implausible(candidate, digits, international=True):
                return NO_MATCH
            return ValueScore(0.95, "international") if self._international(digits) else NO_MATCH
        digits = _NON_DIGIT.sub("", candidate)
        if _implausible(candidate, digits, international=False) or not self._national(digits):
            return NO_MATCH
        separated = _SEPARATOR.search(candidate) is not None
        if digits[0] == "0" and separated:
            return ValueScore(0.9, "national")
        if separated or digits[0] == "0":
            return ValueScore(0.75, "national")
        return ValueScore(0.5, "digits")

    def _national(self, digits: str) -> bool:
        """True when a plan of :data:`REGIONS` accepts ``digits`` written nationally."""
        screen = self._any_national
        if screen.fullmatch(digits) is None and screen.fullmatch(digits[1:]) is None:
            return False
        return any(plan.accepts_national(digits) for plan in self._by_length.get(len(digits), ()))

    @cached_property
    def _by_length(self) -> dict[int, tuple[NumberingPlan, ...]]:
        """The plans of :data:`REGIONS` that can accept a national number of each length.

        A plan with lengths accepts no other (with its trunk prefix: that many digits
        more); a plan without any is tried at every length.
        """
        plans = [self._plan(region) for region in REGIONS]
        return {
            size: tuple(
                plan
                for plan in plans
                if not plan.lengths
                or size in plan.lengths
                or (plan.trunk and size - len(plan.trunk) in plan.lengths)
            )
            for size in range(1, 20)
        }

    @cached_property
    def _any_national(self) -> re.Pattern[str]:
        """Any region's general pattern: rules most numbers out in one regex call."""
        plans = [self._plan(region).general.pattern for region in REGIONS]
        return re.compile("|".join(f"(?:{pattern})" for pattern in plans))

    def _international(self, digits: str) -> bool:
        """True when ``digits`` are a country calling code and a number valid there."""
        for size in (1, 2, 3):
            regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(digits[:size]), ())
            national = digits[size:]
            if any(self._plan(region).accepts_national(national) for region in regions):
                return True
        return False

    def _plan(self, region: str) -> NumberingPlan:
        plan = self._plans.get(region)
        if plan is None:
            plan = NumberingPlan.of(region) or _NO_PLAN
            self._plans[region] = plan
        return plan

    @staticmethod
    def _after_iban(text: str, start: int) -> bool:
        """True when the candidate continues an IBAN (``NL91 ABNA 0417 1643 00``)."""
        return _IBAN_BEFORE.search(text, max(0, start - 40), start) is not None

    @cached_property
    def _plans(self) -> dict[str, NumberingPlan]:
        """The plans compiled so far, by region (compiled on first use)."""
        return {}

    @cached_property
    def _context(self) -> re.Pattern[str]:
        return _words(CONTEXT)

    @cached_property
    def _not_phone_context(self) -> re.Pattern[str]:
        return _words(NOT_PHONE_CONTEXT)


_NO_PLAN = NumberingPlan(re.compile("(?!)"), (), frozenset(), "")


def _words(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


_LOWER_CONTEXT = re.compile(_words(tuple(word.lower() for word in CONTEXT)).pattern)
_LOWER_NOT_PHONE_CONTEXT = re.compile(
    _words(tuple(word.lower() for word in NOT_PHONE_CONTEXT)).pattern
)
"""The context words, lower-cased, for a lower-cased text (case-sensitive: faster)."""

DETECTOR = PhoneDetector()
"""The phone-number detector registered as the built-in ``phone``."""
