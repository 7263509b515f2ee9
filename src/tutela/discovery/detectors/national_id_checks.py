"""Cheap check-digit tests that run before python-stdnum's full validation.

python-stdnum validates a national number in about 13 µs; a column of integers
would pay that for every scheme of the same length. Each function here is a
*necessary* condition of the scheme's validity (its check digit, or the shape of
its embedded date), computed with integer arithmetic on the compact digits, so a
look-alike is usually dropped in about a microsecond and stdnum confirms the few
that pass. Where stdnum has no module (UK NINO, Luxembourg matricule) or its test
is this one (US SSN), the function here is the whole validation.

Sources: the algorithms as python-stdnum documents them (``stdnum.<cc>.<module>``);
HMRC National Insurance Manual NIM39110 (NINO prefixes); CNS / RNPP (Luxembourg).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from operator import mul

from stdnum import luhn, verhoeff


def _weighted(number: str, weights: Sequence[int]) -> int:
    """The sum of ``weights`` times the digits of ``number`` (as far as the shorter goes).

    Each digit counts as its code point less 48 (``ord("0")``); ``map`` keeps the loop in C.
    """
    used = weights[: len(number)]
    total: int = sum(map(mul, used, map(ord, number)))
    return total - 48 * sum(used)


def _month_day(month: str, day: str) -> bool:
    return 1 <= int(month) <= 12 and 1 <= int(day) <= 31


def be_national_number(number: str) -> bool:
    """Belgian national number (and BIS): 97 - (first 9 digits mod 97), 2-prefixed after 2000."""
    if len(number) != 11 or not number.isdigit():
        return False
    check = int(number[9:])
    return 97 - int(number[:9]) % 97 == check or 97 - int("2" + number[:9]) % 97 == check


def nl_bsn(number: str) -> bool:
    """Dutch BSN: the 11-test (weights 9..2 and -1) on 9 digits."""
    if len(number) != 9 or not number.isdigit():
        return False
    return (_weighted(number, (9, 8, 7, 6, 5, 4, 3, 2)) - int(number[8])) % 11 == 0


def pl_pesel(number: str) -> bool:
    """Polish PESEL: weights 1,3,7,9 and a plausible month (century offset) and day."""
    if len(number) != 11 or not number.isdigit():
        return False
    check = (10 - _weighted(number, (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)) % 10) % 10
    return check == int(number[10]) and 1 <= int(number[2:4]) % 20 <= 12


def iso7064_mod_11_10(number: str) -> bool:
    """ISO 7064 Mod 11,10 (German tax id, Croatian OIB): the last digit checks the rest."""
    if not number.isdigit():
        return False
    product = 10
    for digit in number[:-1]:
        product = (2 * (((ord(digit) - 48 + product) % 10) or 10)) % 11
    return (11 - product) % 10 == int(number[-1])


def luhn_with_date(number: str) -> bool:
    """Luhn over all digits and a ``ddmmyy`` start (Greek AMKA)."""
    return number.isdigit() and _month_day(number[2:4], number[0:2]) and luhn.is_valid(number)


def ee_isikukood(number: str) -> bool:
    """Estonian / Lithuanian personal code: century-sex digit 1-6 and a ``yymmdd`` date."""
    return (
        len(number) == 11
        and number.isdigit()
        and "1" <= number[0] <= "6"
        and (_month_day(number[3:5], number[5:7]))
    )


def no_fodselsnummer(number: str) -> bool:
    """Norwegian birth number: the first of its two mod-11 check digits."""
    if len(number) != 11 or not number.isdigit():
        return False
    check = (11 - _weighted(number, (3, 7, 6, 1, 8, 9, 4, 5, 2))) % 11
    return check == int(number[9])


def ddmmyy(number: str) -> bool:
    """A ``ddmmyy`` start (Danish CPR, which has no check digit since 2007)."""
    return number.isdigit() and _month_day(number[2:4], number[0:2])


def se_personnummer(number: str) -> bool:
    """Swedish personal identity number: Luhn over the 10 digits ``yymmddnnnc``."""
    short = number[-10:]
    return (
        short.isdigit()
        and _month_day(short[2:4], str(int(short[4:6]) % 60))
        and (luhn.is_valid(short))
    )


def cz_rodne_cislo(number: str) -> bool:
    """Czech / Slovak birth number: ten digits divisible by 11 (the check of stdnum.cz.rc)."""
    if len(number) != 10 or not number.isdigit():
        return False
    return int(number[:-1]) % 11 % 10 == int(number[-1])


def bg_egn(number: str) -> bool:
    """Bulgarian EGN: weights 2,4,8,5,10,9,7,3,6 mod 11 mod 10."""
    if len(number) != 10 or not number.isdigit():
        return False
    return _weighted(number, (2, 4, 8, 5, 10, 9, 7, 3, 6)) % 11 % 10 == int(number[9])


def at_vnr(number: str) -> bool:
    """Austrian social security number: check digit in position 4, then ``ddmmyy``."""
    if len(number) != 10 or not number.isdigit() or number[0] == "0":
        return False
    return _weighted(number, (3, 7, 9, 0, 5, 8, 4, 2, 1, 6)) % 11 == int(number[3])


def ro_cnp(number: str) -> bool:
    """Romanian CNP: weights 279146358279 mod 11 (10 counts as 1)."""
    if len(number) != 13 or not number.isdigit() or number[0] == "0":
        return False
    check = _weighted(number, (2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9)) % 11
    return (1 if check == 10 else check) == int(number[12])


def si_emso(number: str) -> bool:
    """Slovenian EMŠO: weights 765432765432, ``-sum mod 11 mod 10``."""
    if len(number) != 13 or not number.isdigit():
        return False
    return -_weighted(number, (7, 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)) % 11 % 10 == int(number[12])


def pt_nif(number: str) -> bool:
    """Portuguese NIF of a person (first digit 1-3): weights 9..2, ``(11 - s) mod 11 mod 10``."""
    if len(number) != 9 or not number.isdigit() or number[0] not in "123":
        return False
    total = _weighted(number, (9, 8, 7, 6, 5, 4, 3, 2)) % 11
    return (11 - total) % 11 % 10 == int(number[8])


def fr_nir(number: str) -> bool:
    """French NIR: 97 - (13 digits mod 97) is the key (Corsica's 2A/2B counted as 19/18)."""
    if len(number) != 15:
        return False
    body = number[:13].replace("2A", "19").replace("2B", "18")
    if not (body.isdigit() and number[13:].isdigit()):
        return False
    return 97 - int(body) % 97 == int(number[13:])


_SSN_NEVER_ISSUED = frozenset({"078051120", "457555462", "219099999"})


def us_ssn(number: str) -> bool:
    """US SSN (SSA rules): area not 000, 666 or 9xx, group not 00, serial not 0000.

    The SSN has no check digit: this is the whole test (that of stdnum.us.ssn),
    and why a bare nine-digit number scores low.
    """
    if len(number) != 9 or not number.isdigit() or number in _SSN_NEVER_ISSUED:
        return False
    area = number[:3]
    return (
        area not in ("000", "666")
        and area[0] != "9"
        and (number[3:5] != "00" and number[5:] != "0000")
    )


_NINO_BAD_FIRST = frozenset("DFIQUV")
_NINO_BAD_SECOND = frozenset("DFIOQUV")
_NINO_BAD_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def gb_nino(number: str) -> bool:
    """UK National Insurance number (HMRC NIM39110): prefix rules, six digits, suffix A-D."""
    if len(number) != 9 or not number[2:8].isdigit() or number[8] not in "ABCD":
        return False
    first, second = number[0], number[1]
    return (
        first.isalpha()
        and second.isalpha()
        and first not in _NINO_BAD_FIRST
        and second not in _NINO_BAD_SECOND
        and number[:2] not in _NINO_BAD_PREFIXES
    )


def lu_matricule(number: str) -> bool:
    """Luxembourg national identification number: ``yyyymmdd`` + 3 digits + Luhn + Verhoeff."""
    if len(number) != 13 or not number.isdigit():
        return False
    try:
        datetime.date(int(number[:4]), int(number[4:6]), int(number[6:8]))
    except ValueError:
        return False
    return luhn.is_valid(number[:12]) and verhoeff.is_valid(number[:11] + number[12])
