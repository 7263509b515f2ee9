"""International bank account numbers (IBAN), checked as ISO 13616 defines them.

An IBAN is a country code, two check digits and the national account number (BBAN),
written compact (``BE71096123456769``) or in groups of four (``NL91 ABNA 0417 1643
00``). Valid when its length is the one the ISO 13616 registry gives its country and
the number, rearranged and read in base 36, is 1 modulo 97 (ISO 7064 MOD 97-10).

The national account-number checks of some countries are not applied: generated
test data carries IBANs with valid ISO check digits and random account numbers, and
those are still bank-account columns.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from tutela.discovery.detectors.windows import Window, search, whole
from tutela.discovery.models import CONTEXT_BOOST, Pattern, PatternDetector, Span
from tutela.discovery.pattern_start import consume_first

LENGTHS: dict[str, int] = {
    **{"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22},
    **{"BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24},
    **{"DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18},
    **{"FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27},
    **{"GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26},
    **{"IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20},
    **{"LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20},
    **{"MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24},
    **{"PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24},
    **{"SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25},
    **{"SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20},
    **{"YE": 30},
}
"""The IBAN length of each country in the ISO 13616 registry (SWIFT, release 2024)."""

IBAN = r"[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?"
"""Candidates: country, check digits, then the BBAN compact or in groups of four."""

_BASE36 = {ord(c): str(int(c, 36)) for c in string.ascii_uppercase}
_GROUP_END = re.compile(r"(?=[ ][A-Z0-9])")


def valid_iban(candidate: str) -> bool:
    """True when ``candidate`` (spaces allowed) has its country's length and MOD 97-10 holds."""
    compact = candidate.replace(" ", "").upper()
    if LENGTHS.get(compact[:2]) != len(compact) or not compact[2:4].isdigit():
        return False
    rearranged = (compact[4:] + compact[:4]).translate(_BASE36)
    return rearranged.isdigit() and int(rearranged) % 97 == 1


@dataclass(frozen=True)
class IbanDetector(PatternDetector):
    """:class:`PatternDetector` that, in text, trims a candidate to the IBAN it begins with.

    A grouped IBAN may run into the next group of the sentence (``… 7034 BIC
    GEBABEBB``): the longest prefix ending on a group boundary that validates is kept.
    """

    def find_spans(self, text: str) -> Iterator[Span]:
        """Valid IBANs in ``text`` (upper case, compact or grouped by four)."""
        return self.find_spans_within(text, whole(text))

    def find_spans_within(self, text: str, windows: Sequence[Window]) -> Iterator[Span]:
        """Valid IBANs inside ``windows`` of ``text`` (context words: anywhere near)."""
        for match in search(_TEXT_CANDIDATE, text, windows):
            end = self._valid_end(match.group(0))
            if end is None or self.category is None:
                continue
            start = match.start()
            score = 0.95
            if self._has_context(text, start, start + end):
                score = min(1.0, score + CONTEXT_BOOST)
            yield Span(start, start + end, self.category, score, self.name, "iban")

    @staticmethod
    def _valid_end(candidate: str) -> int | None:
        ends = [m.start() for m in _GROUP_END.finditer(candidate)]
        for end in [len(candidate), *reversed(ends)]:
            if valid_iban(candidate[:end]):
                return end
        return None


_NOT_BEFORE = r"[\w@.\-+/]"
_TEXT_CANDIDATE = re.compile(
    (consume_first(IBAN, _NOT_BEFORE) or rf"(?<!{_NOT_BEFORE}){IBAN}") + r"(?!\w)"
)
r"""``(?<![\w@.\-+/]){IBAN}(?!\w)``, its first letter matched before the look-behind (a scan
that jumps to capitals: :func:`~tutela.discovery.pattern_start.consume_first`)."""

DETECTOR = IbanDetector(
    name="iban",
    category="user.financial.bank_account",
    patterns=(Pattern("iban", IBAN, 0.95),),
    context=(
        *("iban", "bank", "account", "compte", "rekening", "rekeningnummer", "konto"),
        *("bankverbindung", "cuenta", "conto", "rib", "virement", "overschrijving"),
    ),
    validate=valid_iban,
    source="ISO 13616-1:2020, ISO 7064 MOD 97-10",
    chance=1 / 97,
)
"""The IBAN detector registered as the built-in ``iban``."""
