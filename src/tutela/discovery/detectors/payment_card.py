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

from stdnum import ean

from tutela.discovery.detectors.windows import Window, search, whole
from tutela.discovery.models import (
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


def luhn_valid(digits: str) -> bool:
    """True when the last digit of ``digits`` is their Luhn check digit (ISO/IEC 7812-1 B)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = ord(char) - 48
        total += _DOUBLED[digit] if position % 2 else digit
    return total % 10 == 0


def issuer(digits: str) -> str | None:
    """The issuer whose prefix and length ``digits`` fit, None when none does."""
    for name, first, last, lengths in ISSUERS:
        if len(digits) in lengths and first <= int(digits[: len(str(first))]) <= last:
            return name
    return None


def valid_card(candidate: str) -> bool:
    """True when ``candidate`` is a PAN of a known issuer with a valid Luhn digit."""
    digits = _SEPARATOR.sub("", candidate)
    if len(set(digits)) == 1 or digits in _CONSECUTIVE or digits in _CONSECUTIVE[::-1]:
        return False
    if len(digits) <= 13 and ean.is_valid(digits):
        return False  # a UPC-A or EAN-13 barcode that happens to pass Luhn too
    return issuer(digits) is not None and luhn_valid(digits)


@dataclass(frozen=True)
class PaymentCardDetector(PatternDetector):
    """:class:`PatternDetector` that drops, in text, numbers said to be an IMEI."""

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
        """
        windows = [window for window in windows if window.digits >= FEWEST_DIGITS]
        for pattern in self.patterns:
            for match in search(pattern.bounded, text, windows):
                start, end = match.span()
                if not valid_card(match.group(0)):
                    continue
                if _IMEI.search(text, max(0, start - 20), start) is not None:
                    continue
                score = pattern.score
                if pattern.name == "grouped" and end - start <= 16:  # 12-13 digits: short
                    score = SHORT_SCORE
                if self._has_context(text, start, end):
                    score = min(1.0, score + CONTEXT_BOOST)
                if score >= self.min_span_score:
                    yield Span(start, end, CATEGORY, score, self.name, pattern.name)


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
