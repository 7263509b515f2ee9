"""Payment card numbers (PAN): ISO/IEC 7812 issuer ranges, lengths and the Luhn check.

A PAN is 14 to 19 digits, compact (``4111111111111111``, also a card stored as an
integer and read back as ``str(int)``) or grouped by spaces or dashes (``4111 1111
1111 1111``, Amex ``3782 822463 10005``). Valid when the Luhn check digit holds and
the number starts with a known issuer prefix at a length that issuer uses:

=========================  ==========================  =========
issuer                     prefixes                    lengths
=========================  ==========================  =========
Visa                       4                           13, 16, 19
Mastercard                 51-55, 2221-2720            16
American Express           34, 37                      15
Discover                   6011, 644-649, 65           16-19
JCB                        35 (3528-3589 assigned)     16-19
JCB (before 2000)          2131, 1800                  15
Diners Club                36, 300-305, 38-39          14-19
Maestro                    50, 56-69                   12-19
UnionPay                   62                          16-19
Mir                        2200-2204                   16-19
=========================  ==========================  =========

A 12- or 13-digit number (old Visa, Maestro) is far more often a UPC-A or EAN-13
barcode: it scores 0.6, is rejected when its GS1 check digit holds, and in text needs
a card word near it. Rejected as well: one repeated digit, runs of consecutive digits
and, in text, a number right after the word *IMEI* (a device id, also Luhn-checked).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

from stdnum import ean

from tutela.discovery.detectors.windows import Window, search, whole
from tutela.discovery.models import (
    BEFORE_MATCH,
    CONTEXT_BOOST,
    NO_MATCH,
    Pattern,
    PatternDetector,
    Span,
    ValueScore,
)

CATEGORY = "user.financial.credit_card"

ISSUERS: tuple[tuple[str, int, int, frozenset[int]], ...] = (
    ("visa", 4, 4, frozenset({13, 16, 19})),
    ("mastercard", 51, 55, frozenset({16})),
    ("mastercard", 2221, 2720, frozenset({16})),
    ("amex", 34, 34, frozenset({15})),
    ("amex", 37, 37, frozenset({15})),
    ("discover", 6011, 6011, frozenset(range(16, 20))),
    ("discover", 644, 649, frozenset(range(16, 20))),
    ("discover", 65, 65, frozenset(range(16, 20))),
    ("jcb", 35, 35, frozenset(range(16, 20))),
    ("jcb", 2131, 2131, frozenset({15})),
    ("jcb", 1800, 1800, frozenset({15})),
    ("diners", 36, 36, frozenset(range(14, 20))),
    ("diners", 300, 305, frozenset(range(14, 20))),
    ("diners", 38, 39, frozenset(range(14, 20))),
    ("unionpay", 62, 62, frozenset(range(16, 20))),
    ("maestro", 50, 50, frozenset(range(12, 20))),
    ("maestro", 56, 69, frozenset(range(12, 20))),
    ("mir", 2200, 2204, frozenset(range(16, 20))),
)
"""(issuer, first prefix, last prefix, lengths): a number of a listed length whose
leading digits, read as a number of as many digits as the prefix, fall in the range."""

_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)
_CONSECUTIVE = "0123456789012345678901234567890"
_SEPARATOR = re.compile(r"[ \-]")
_IMEI = re.compile(r"(?<!\w)imei(?:sv)?\W{0,3}(?:n[or]\.?|number|nummer|#)?\W{0,3}$", re.I)

GROUPED = r"(?:\d{4}([ \-])\d{4}\1\d{4}(?:\1\d{1,4}){0,2}|\d{4}([ \-])\d{6}\2\d{4,5})"
"""Grouped by four, the last group shorter when the length is no multiple of four (Visa,
Mastercard, a 15-digit Amex or JCB written ``3449 2589 9139 441``), or 4-6-5 / 4-6-4
(Amex, Diners). A grouped number of 12 or 13 digits scores as a short one."""

COMPACT = r"\d{14,19}"
"""A bare run of digits: a card typed without spaces or stored as an integer."""

SHORT = r"\d{12,13}"
"""A 12- or 13-digit run: an old Visa or a Maestro card, or (more often) a barcode."""


FEWEST_DIGITS = 12
"""No card number (a short one included) has fewer digits."""
SHORT_SCORE = 0.6
"""A 12- or 13-digit number: a card in text only with a card word near it."""

_CANDIDATE = re.compile(
    rf"\d(?<!{BEFORE_MATCH}[\s\S])"
    r"(?:\d{3}([ \-])\d{4}\1\d{4}(?:\1\d{1,4}){0,2}|\d{3}([ \-])\d{6}\2\d{4,5}"
    r"|\d{13,18}|\d{11,12})"
    r"(?![\w@\-]|\.\w)"
)
"""The text forms of :data:`GROUPED`, :data:`COMPACT` and :data:`SHORT` in one expression.

Each is the pattern's :attr:`~tutela.discovery.models.Pattern.bounded` form, its first digit
matched before the look-behind and shared, so the scan jumps to digits. One scan finds
exactly what the three find: at a position at most one of them matches (a separator, or a
digit run of 12-13 or 14-19 digits, follows the first four digits), and a match of one never
overlaps a match of another (a compact or short number is a whole digit run of 12 digits or
more; a grouped one's runs hold 6 at most). No case-blind flag: no character these classes
hold or miss changes with case, and a case-blind scan is slower."""


def luhn_valid(digits: str) -> bool:
    """True when the last digit of ``digits`` is their Luhn check digit (ISO/IEC 7812-1 B).

    Every second digit from the right is doubled (its digit sum: :data:`_DOUBLED`).
    """
    kept, doubled = digits[::-2], digits[-2::-2]
    total = sum(map(ord, kept)) - 48 * len(kept)
    total += sum(_DOUBLED[ord(char) - 48] for char in doubled)
    return total % 10 == 0


_PREFIXES = tuple(
    (name, first, last, lengths, len(str(first))) for name, first, last, lengths in ISSUERS
)
""":data:`ISSUERS`, each with the number of leading digits its prefixes have."""


def issuer(digits: str) -> str | None:
    """The issuer whose prefix and length ``digits`` fit, None when none does."""
    size = len(digits)
    for name, first, last, lengths, width in _PREFIXES:
        if size in lengths and first <= int(digits[:width]) <= last:
            return name
    return None


def valid_card(candidate: str) -> bool:
    """True when ``candidate`` is a PAN of a known issuer with a valid Luhn digit.

    The issuer test (cheap, and most numbers fail it) comes before the barcode test.
    """
    digits = candidate if candidate.isdecimal() else _SEPARATOR.sub("", candidate)
    if not digits.isascii():  # full-width or other scripts' digits (``\d`` matches them)
        digits = "".join(str(int(char)) for char in digits)
    if len(set(digits)) == 1 or digits in _CONSECUTIVE or digits in _CONSECUTIVE[::-1]:
        return False
    if issuer(digits) is None:
        return False
    if len(digits) <= 13 and ean.is_valid(digits):
        return False  # a UPC-A or EAN-13 barcode that happens to pass Luhn too
    return luhn_valid(digits)


@dataclass(frozen=True)
class PaymentCardDetector(PatternDetector):
    """:class:`PatternDetector` that drops, in text, numbers said to be an IMEI.

    Text is searched with :data:`_CANDIDATE`, the three built-in patterns in one scan: a
    detector with other patterns is refused (a :class:`PatternDetector` searches any).
    """

    def __post_init__(self) -> None:
        if tuple(pattern.regex for pattern in self.patterns) != (GROUPED, COMPACT, SHORT):
            raise ValueError(
                f"{self.name}: PaymentCardDetector searches text with its built-in patterns "
                "(GROUPED, COMPACT, SHORT); declare other patterns with a PatternDetector"
            )

    def score_value(self, value: str) -> ValueScore:
        """The card score of a whole value; anything not 12-23 characters of digits is 0."""
        if not 12 <= len(value) <= 23 or not (value[0].isdigit() and value[-1].isdigit()):
            return NO_MATCH
        return super().score_value(value)

    def find_spans(self, text: str) -> Iterator[Span]:
        """Valid card numbers in ``text``, except those near the word *IMEI*."""
        return self.find_spans_within(text, whole(text))

    def find_spans_within(self, text: str, windows: Sequence[Window]) -> Iterator[Span]:
        """Valid card numbers inside ``windows`` of ``text``, except those after *IMEI*.

        A window with fewer digits than the shortest card number (12) is not searched.
        The patterns are searched in one scan (:data:`_CANDIDATE`); the spans come pattern
        by pattern, as a scan per pattern gives them.
        """
        windows = [window for window in windows if window.digits >= FEWEST_DIGITS]
        found: dict[str, list[Span]] = {pattern.name: [] for pattern in self.patterns}
        for match in search(_CANDIDATE, text, windows):
            candidate = match.group(0)
            if not valid_card(candidate):
                continue
            start, end = match.span()
            if _IMEI.search(text, max(0, start - 20), start) is not None:
                continue
            pattern = self._pattern_of(candidate)
            score = pattern.score
            if pattern.name == "grouped" and end - start <= 16:  # 12-13 digits: short
                score = SHORT_SCORE
            if self._has_context(text, start, end):
                score = min(1.0, score + CONTEXT_BOOST)
            if score >= self.min_span_score:
                found[pattern.name].append(
                    Span(start, end, CATEGORY, score, self.name, pattern.name)
                )
        for spans in found.values():
            yield from spans

    def _pattern_of(self, candidate: str) -> Pattern:
        """The pattern a match of :data:`_CANDIDATE` is a match of (read from its shape)."""
        if not candidate.isdecimal():
            name = "grouped"
        else:
            name = "digits" if len(candidate) >= 14 else "short"
        return self._by_name[name]

    @cached_property
    def _by_name(self) -> dict[str, Pattern]:
        return {pattern.name: pattern for pattern in self.patterns}


DETECTOR = PaymentCardDetector(
    name="payment_card",
    category=CATEGORY,
    patterns=(
        Pattern("grouped", GROUPED, 0.95),
        Pattern("digits", COMPACT, 0.9),
        Pattern("short", SHORT, SHORT_SCORE),
    ),
    context=(
        *("card", "credit", "debit", "visa", "mastercard", "amex", "cc", "pan", "carte"),
        *("bancaire", "kaart", "creditcard", "karte", "kreditkarte", "tarjeta", "carta"),
    ),
    validate=valid_card,
    min_span_score=0.7,
    source="ISO/IEC 7812-1 (issuer ranges, Luhn check digit)",
    chance=1 / 10,
)
"""The payment-card detector registered as the built-in ``payment_card``."""
