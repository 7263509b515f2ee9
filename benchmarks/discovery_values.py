"""Values for the discovery benchmark: personal data across locales, and its look-alikes.

Every generator takes a ``random.Random`` and returns one value. Identifiers are built
with their own check-digit algorithms (mod 97, 11-proof, ISO 7064, Luhn, PESEL weights,
DNI letters) and :func:`self_check` confirms them with python-stdnum, phone numbers with
phonenumbers: the benchmark's data is valid the way real data is, and its look-alikes
(uuids, hashes, EAN-13, tracking numbers, versions, builds, CIDR blocks, log lines) are
what real SaaS databases hold beside it. Names, streets and cities come from faker's
locales, drawn once into pools (faker is slow), and are mixed with our own formats
(upper case, ``Last, First``, phones with dots, slashes and parentheses).
"""

from __future__ import annotations

import hashlib
import random
import string
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import cache

from faker import Faker

Gen = Callable[[random.Random], object]

LOCALES = ("en_US", "en_GB", "fr_FR", "nl_NL", "nl_BE", "de_DE", "es_ES", "it_IT", "pl_PL")
POOL = 400
_ALNUM = string.ascii_uppercase + string.digits


# --- faker pools ----------------------------------------------------------------------------


@cache
def _pools(locale: str) -> dict[str, tuple[str, ...]]:
    fake = Faker(locale)
    fake.seed_instance(sum(map(ord, locale)))
    return {
        "first": tuple(fake.first_name() for _ in range(POOL)),
        "last": tuple(fake.last_name() for _ in range(POOL)),
        "street": tuple(fake.street_address() for _ in range(POOL)),
        "city": tuple(fake.city() for _ in range(POOL)),
        "postcode": tuple(fake.postcode() for _ in range(POOL)),
        "ua": tuple(fake.user_agent() for _ in range(POOL)) if locale == "en_US" else (),
        "sentence": tuple(fake.sentence(nb_words=10) for _ in range(POOL))
        if locale == "en_US"
        else (),
    }


def pool(locale: str, kind: str, rng: random.Random) -> str:
    """One ``kind`` (first, last, street, city, postcode) of ``locale`` from its pool."""
    return rng.choice(_pools(locale)[kind])


def _locale(rng: random.Random, locales: tuple[str, ...] = LOCALES) -> str:
    return rng.choice(locales)


# --- names, e-mails, addresses --------------------------------------------------------------


def first_name(rng: random.Random, locales: tuple[str, ...] = LOCALES) -> str:
    """A given name of one of ``locales``."""
    return pool(_locale(rng, locales), "first", rng)


def last_name(rng: random.Random, locales: tuple[str, ...] = LOCALES) -> str:
    """A family name of one of ``locales``."""
    return pool(_locale(rng, locales), "last", rng)


def full_name(rng: random.Random, locales: tuple[str, ...] = LOCALES, style: str = "") -> str:
    """``First Last``, ``LAST First``, ``Last, First`` or ``F. Last`` (``style`` or random)."""
    locale = _locale(rng, locales)
    first, last = pool(locale, "first", rng), pool(locale, "last", rng)
    style = style or rng.choice(("plain", "plain", "plain", "upper", "comma", "initial"))
    if style == "upper":
        return f"{last.upper()} {first}"
    if style == "comma":
        return f"{last}, {first}"
    if style == "initial":
        return f"{first[0]}. {last}"
    if style == "caps":
        return f"{first} {last}".upper()
    return f"{first} {last}"


_DOMAINS = (
    "gmail.com", "outlook.com", "hotmail.com", "yahoo.fr", "telenet.be", "skynet.be",
    "orange.fr", "free.fr", "ziggo.nl", "kpnmail.nl", "gmx.de", "web.de", "t-online.de",
    "libero.it", "proton.me", "icloud.com", "acme-corp.com", "uni-gent.be",
)  # fmt: skip


def _ascii(text: str) -> str:
    table = str.maketrans("àáâäãåçèéêëìíîïñòóôöõùúûüýÿßøłś", "aaaaaaceeeeiiiinooooouuuuyysolS")
    cleaned = text.lower().translate(table)
    return "".join(ch for ch in cleaned if ch.isalnum() or ch in ".-_")


def email(rng: random.Random, locales: tuple[str, ...] = LOCALES) -> str:
    """An address built like people build theirs (``jan.peeters@telenet.be``, ``mdupont84@…``)."""
    locale = _locale(rng, locales)
    first = _ascii(pool(locale, "first", rng).split()[0])
    last = _ascii(pool(locale, "last", rng).replace(" ", ""))
    local = rng.choice(
        (f"{first}.{last}", f"{first[0]}{last}", f"{first}{rng.randint(1, 99)}",
         f"{last}.{first[0]}", f"{first}_{last}{rng.randint(60, 99)}", f"{first}+shop")
    )  # fmt: skip
    address = f"{local}@{rng.choice(_DOMAINS)}"
    return address.upper() if rng.random() < 0.03 else address


def street(rng: random.Random, locales: tuple[str, ...] = LOCALES) -> str:
    """A street and number as the locale writes it."""
    return pool(_locale(rng, locales), "street", rng).replace("\n", ", ")


def city(rng: random.Random, locales: tuple[str, ...] = LOCALES) -> str:
    """A town of one of ``locales`` (sometimes upper case, as legacy systems store them)."""
    town = pool(_locale(rng, locales), "city", rng)
    return town.upper() if rng.random() < 0.15 else town


def postcode(rng: random.Random, locales: tuple[str, ...] = LOCALES) -> str:
    """A postcode of one of ``locales`` (NL ``1012 AB``, UK ``SW1A 2AA``, BE ``9000``)."""
    return pool(_locale(rng, locales), "postcode", rng)


def full_address(rng: random.Random, locales: tuple[str, ...] = LOCALES) -> str:
    """Street, postcode and town on one line."""
    locale = _locale(rng, locales)
    parts = (pool(locale, "street", rng), pool(locale, "postcode", rng), pool(locale, "city", rng))
    return f"{parts[0]}, {parts[1]} {parts[2]}".replace("\n", ", ")


COUNTRIES = (
    "BE", "NL", "FR", "DE", "ES", "IT", "GB", "US", "Belgium", "Belgique", "België",
    "France", "Nederland", "Deutschland", "España", "Italia", "United Kingdom", "Poland",
)  # fmt: skip


def country(rng: random.Random) -> str:
    """A country as a code or a name, in several languages."""
    return rng.choice(COUNTRIES)


def gender(rng: random.Random, words: tuple[str, ...] = ("M", "F")) -> str:
    """One of ``words`` (``M/F``, ``male/female``, ``M/V``, ``Herr/Frau``...)."""
    return rng.choice(words)


def username(rng: random.Random) -> str:
    """A login handle (``kevin_88``, ``jpeeters``, ``sophie.martin``)."""
    first = _ascii(first_name(rng))
    last = _ascii(last_name(rng).replace(" ", ""))
    return rng.choice(
        (f"{first}_{rng.randint(1, 99)}", f"{first[0]}{last}", f"{first}.{last}",
         f"{last}{rng.randint(1970, 2005)}", f"{first}{last[:3]}", f"x{first}x")
    )  # fmt: skip


def password_hash(rng: random.Random) -> str:
    """A stored password: bcrypt, argon2id or Django's pbkdf2."""
    salt = "".join(rng.choices(string.ascii_letters + string.digits + "./", k=22))
    body = "".join(rng.choices(string.ascii_letters + string.digits + "./", k=31))
    kind = rng.random()
    if kind < 0.6:
        return f"$2b$12${salt}{body}"
    if kind < 0.85:
        return f"$argon2id$v=19$m=65536,t=3,p=4${salt}${body}{salt[:12]}"
    return f"pbkdf2_sha256$600000${salt[:12]}${body}{salt[:13]}="


# --- dates ----------------------------------------------------------------------------------


def birth_date(rng: random.Random) -> date:
    """A date of birth between 1938 and 2007."""
    return date(1938, 1, 1) + timedelta(days=rng.randrange(70 * 365))


def birth_text(rng: random.Random, style: str = "") -> str:
    """A date of birth as text: ``30/07/1985``, ``30.07.1985``, ``1985-07-30``."""
    born = birth_date(rng)
    style = style or rng.choice(("/", ".", "-"))
    if style == "-":
        return born.isoformat()
    return born.strftime(f"%d{style}%m{style}%Y")


def recent_date(rng: random.Random) -> date:
    """A business date between 2019 and 2025 (orders, shipments, hires)."""
    return date(2019, 1, 1) + timedelta(days=rng.randrange(6 * 365))


def timestamp(rng: random.Random) -> datetime:
    """A recent timestamp to the second."""
    return datetime(2019, 1, 1) + timedelta(seconds=rng.randrange(6 * 365 * 86_400))


# --- phones ---------------------------------------------------------------------------------

_MOBILES: dict[str, tuple[str, str, int]] = {
    # region: (country code, national prefix choices, digits after the prefix)
    "BE": ("32", "470 471 472 473 474 475 476 477 478 479 484 485 486 487 488 495 496 498", 6),
    "NL": ("31", "6", 8),
    "FR": ("33", "6 6 6 73 75 76 77 78", 8),
    "DE": ("49", "151 152 160 162 170 171 172 173 175 176 177 178 179", 8),
    "GB": ("44", "7700 7711 7723 7747 7766 7779 7791 7806 7824 7852 7903 7912 7944 7977", 6),
    "US": ("1", "201 212 305 312 415 512 617 646 702 713 801 917", 7),
    "ES": ("34", "6", 8),
    "IT": ("39", "320 328 333 338 340 347 349 366 380 392", 7),
    "PL": ("48", "50 51 53 57 60 66 69 72 78 79 88", 7),
}  # fmt: skip


def _mobile(rng: random.Random, region: str) -> tuple[str, str, str]:
    """Country code, prefix and the rest of a number phonenumbers calls valid."""
    import phonenumbers

    code, prefixes, digits = _MOBILES[region]
    while True:
        prefix = rng.choice(prefixes.split())
        rest = "".join(
            rng.choices(string.digits, k=digits - len(prefix) + len(prefixes.split()[0]))
        )
        if region == "US":
            rest = str(rng.randint(2, 9)) + rest[1:]
        if phonenumbers.is_valid_number(phonenumbers.parse(f"+{code}{prefix}{rest}")):
            return code, prefix, rest


def _groups(digits: str) -> str:
    """``1234567`` -> ``123 45 67``: pairs, with a leading three when the count is odd."""
    head = 3 if len(digits) % 2 else 2
    return " ".join([digits[:head]] + [digits[i : i + 2] for i in range(head, len(digits), 2)])


def phone(rng: random.Random, regions: tuple[str, ...] = tuple(_MOBILES)) -> str:
    """A valid mobile number written the way people type them (+32 470 12 34 56, 06-12345678)."""
    region = rng.choice(regions)
    code, prefix, rest = _mobile(rng, region)
    national = prefix + rest
    style = rng.random()
    if region == "US":
        area, line = national[:3], national[3:]
        if style < 0.5:
            return f"({area}) {line[:3]}-{line[3:]}"
        return (
            f"+1 {area}-{line[:3]}-{line[3:]}" if style < 0.8 else f"{area}.{line[:3]}.{line[3:]}"
        )
    pairs = _groups(rest)
    if style < 0.35:
        return f"+{code} {prefix} {pairs}"
    trunk = "" if region == "IT" else "0"
    if style < 0.55:
        return f"{trunk}{prefix} {pairs}"
    if style < 0.7:
        return f"{trunk}{prefix}/{pairs.replace(' ', '.')}"
    if style < 0.8:
        return f"00{code}{national}"
    if style < 0.9:
        return f"{trunk}{prefix}-{rest}"
    return f"+{code}{national}"


def phone_digits(rng: random.Random, regions: tuple[str, ...] = tuple(_MOBILES)) -> int:
    """A mobile number as an integer, country code first, no ``+`` (32470123456)."""
    code, prefix, rest = _mobile(rng, rng.choice(regions))
    return int(f"{code}{prefix}{rest}")


# --- payment cards and bank accounts --------------------------------------------------------


def _luhn_digit(body: str) -> str:
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char) * (2 if index % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return str((10 - total % 10) % 10)


def card_digits(rng: random.Random) -> str:
    """A Luhn-valid Visa, Mastercard or Amex number (digits only)."""
    prefix, length = rng.choice((("4", 16), ("4", 16), ("5" + "12345"[rng.randrange(5)], 16),
                                 ("2221", 16), ("34", 15), ("37", 15)))  # fmt: skip
    body = prefix + "".join(rng.choices(string.digits, k=length - len(prefix) - 1))
    return body + _luhn_digit(body)


def card(rng: random.Random) -> str:
    """A card number as typed: grouped by four, with dashes, or bare."""
    digits = card_digits(rng)
    style = rng.random()
    if style < 0.4:
        return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))
    if style < 0.6:
        return "-".join(digits[i : i + 4] for i in range(0, len(digits), 4))
    return digits


def _mod97_check(country_code: str, bban: str) -> str:
    moved = bban + country_code + "00"
    number = int("".join(str(int(ch, 36)) for ch in moved))
    return f"{98 - number % 97:02d}"


def _bban(rng: random.Random, country_code: str) -> str:
    digits = lambda k: "".join(rng.choices(string.digits, k=k))  # noqa: E731
    if country_code == "BE":
        head = rng.choice(("001", "063", "068", "083", "310", "363", "735", "737", "750")) + digits(
            7
        )
        return head + f"{int(head) % 97 or 97:02d}"
    if country_code == "NL":
        return rng.choice(("ABNA", "INGB", "RABO", "TRIO", "SNSB", "KNAB")) + digits(10)
    if country_code == "DE":
        return digits(18)
    if country_code == "FR":
        bank, branch, account = digits(5), digits(5), digits(11)
        key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
        return f"{bank}{branch}{account}{key:02d}"
    if country_code == "ES":
        from stdnum.es import ccc

        bank, branch, account = digits(4), digits(4), digits(10)
        return f"{bank}{branch}{ccc.calc_check_digits(bank + branch + '00' + account)}{account}"
    if country_code == "IT":
        return rng.choice(string.ascii_uppercase) + digits(10) + digits(12)
    return rng.choice(("NWBK", "BARC", "HBUK", "LOYD")) + digits(14)  # GB


def iban(
    rng: random.Random, countries: tuple[str, ...] = ("BE", "NL", "DE", "FR", "ES", "GB")
) -> str:
    """A mod-97-valid IBAN (national check digits too), grouped by four or compact."""
    country_code = rng.choice(countries)
    bban = _bban(rng, country_code)
    compact = country_code + _mod97_check(country_code, bban) + bban
    if rng.random() < 0.5:
        return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
    return compact


# --- national identification numbers --------------------------------------------------------


def be_national_number(rng: random.Random, formatted: bool | None = None) -> str:
    """Belgian rijksregisternummer: YYMMDD, serial, 97 - (n mod 97) (with a 2 prefix after 2000)."""
    born = birth_date(rng)
    serial = rng.randint(1, 997)
    head = f"{born:%y%m%d}{serial:03d}"
    check = 97 - int(("2" if born.year >= 2000 else "") + head) % 97
    number = f"{head}{check:02d}"
    if formatted if formatted is not None else rng.random() < 0.5:
        return f"{number[:2]}.{number[2:4]}.{number[4:6]}-{number[6:9]}.{number[9:]}"
    return number


def nl_bsn(rng: random.Random) -> str:
    """Dutch BSN: nine digits passing the 11-proof."""
    while True:
        body = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
        check = sum(d * w for d, w in zip(body, range(9, 1, -1), strict=True)) % 11
        if check < 10:
            return "".join(map(str, body)) + str(check)


def fr_nir(rng: random.Random) -> str:
    """French NIR: sex, YY, MM, department, commune, order, then 97 - (n mod 97)."""
    born = birth_date(rng)
    head = (
        f"{rng.choice('12')}{born:%y%m}{rng.randint(1, 95):02d}"
        f"{rng.randint(1, 990):03d}{rng.randint(1, 999):03d}"
    )
    number = f"{head}{97 - int(head) % 97:02d}"
    if rng.random() < 0.4:
        cuts = (1, 3, 5, 7, 10, 13)
        return " ".join(number[a:b] for a, b in zip((0, *cuts), (*cuts, 15), strict=True))
    return number


def de_idnr(rng: random.Random) -> str:
    """German Steuer-IdNr: ten digits with one digit twice, ISO 7064 mod 11,10 check digit."""
    while True:
        digits = rng.sample(range(10), 9)
        digits.insert(rng.randrange(1, 10), rng.choice(digits))
        if digits[0] != 0:
            break
    product = 10
    for digit in digits:
        total = (digit + product) % 10 or 10
        product = (total * 2) % 11
    check = (11 - product) % 10
    return "".join(map(str, digits)) + str(check)


_CF_MONTHS = "ABCDEHLMPRST"
_CONSONANTS = "BCDFGHJKLMNPQRSTVWXZ"


def it_codice_fiscale(rng: random.Random) -> str:
    """Italian codice fiscale: name letters, birth date and place, check letter."""
    from stdnum.it import codicefiscale

    born = birth_date(rng)
    day = born.day + (40 if rng.random() < 0.5 else 0)
    place = rng.choice("ABCDEFGHILM") + f"{rng.randint(1, 999):03d}"
    head = (
        "".join(rng.choices(_CONSONANTS, k=6))
        + f"{born:%y}{_CF_MONTHS[born.month - 1]}{day:02d}{place}"
    )
    return head + codicefiscale.calc_check_digit(head)


def es_dni(rng: random.Random) -> str:
    """Spanish DNI (8 digits and the mod-23 letter) or NIE (X/Y/Z, 7 digits, letter)."""
    letters = "TRWAGMYFPDXBNJZSQVHLCKE"
    if rng.random() < 0.7:
        number = rng.randint(1_000_000, 99_999_999)
        return f"{number:08d}{letters[number % 23]}"
    lead = rng.randrange(3)
    number = rng.randint(0, 9_999_999)
    return f"{'XYZ'[lead]}{number:07d}{letters[int(f'{lead}{number:07d}') % 23]}"


def pl_pesel(rng: random.Random) -> str:
    """Polish PESEL: YYMMDD (month + 20 after 2000), serial, weighted check digit."""
    born = birth_date(rng)
    month = born.month + (20 if born.year >= 2000 else 0)
    body = f"{born:%y}{month:02d}{born:%d}{rng.randint(0, 9999):04d}"
    total = sum(int(d) * w for d, w in zip(body, (1, 3, 7, 9) * 3, strict=False))
    return body + str((10 - total % 10) % 10)


def gb_nino(rng: random.Random) -> str:
    """UK National Insurance number (allowed prefixes, six digits, suffix A-D)."""
    first = rng.choice("ABCEGHJKLMNOPRSTWXYZ")
    second = rng.choice("ABCEGHJKLMNPRSTWXYZ")
    if first + second in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}:
        first, second = "A", "B"
    digits = "".join(rng.choices(string.digits, k=6))
    suffix = rng.choice("ABCD")
    if rng.random() < 0.5:
        return f"{first}{second} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}"
    return f"{first}{second}{digits}{suffix}"


def us_ssn(rng: random.Random) -> str:
    """US social security number (area 001-899 but 666, group and serial non-zero)."""
    area = rng.choice([n for n in range(1, 900) if n != 666])
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


NATIONAL_IDS: dict[str, Callable[[random.Random], str]] = {
    "be": be_national_number, "nl": nl_bsn, "fr": fr_nir, "de": de_idnr,
    "it": it_codice_fiscale, "es": es_dni, "pl": pl_pesel, "gb": gb_nino, "us": us_ssn,
}  # fmt: skip


def national_id(rng: random.Random) -> str:
    """A national identification number of any of the nine schemes."""
    return rng.choice(tuple(NATIONAL_IDS.values()))(rng)


# --- devices and locations ------------------------------------------------------------------


def ipv4(rng: random.Random) -> str:
    """A public-looking IPv4 address (first octet 2-223, no 10/127)."""
    first = rng.choice([n for n in range(2, 224) if n not in (10, 127)])
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def ipv6(rng: random.Random) -> str:
    """A global IPv6 address, sometimes compressed."""
    groups = [f"{rng.randint(0, 0xFFFF):x}" for _ in range(8)]
    groups[0] = rng.choice(("2001", "2a02", "2a01", "2600", "2c0f"))
    if rng.random() < 0.5:
        return ":".join(groups[:4]) + "::" + ":".join(groups[6:])
    return ":".join(groups)


def ip_any(rng: random.Random) -> str:
    """IPv4 four times in five, else IPv6."""
    return ipv4(rng) if rng.random() < 0.8 else ipv6(rng)


def lat_lng_text(rng: random.Random) -> str:
    """``50.846557,4.351697``: a precise position in Europe, six decimals."""
    return f"{rng.uniform(36.0, 58.5):.6f},{rng.uniform(-9.0, 24.0):.6f}"


# --- look-alikes (not personal data) ---------------------------------------------------------


def uuid4(rng: random.Random) -> str:
    """A random UUID."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def sha256(rng: random.Random) -> str:
    """A SHA-256 digest in hex."""
    return hashlib.sha256(rng.randbytes(16)).hexdigest()


def md5(rng: random.Random) -> str:
    """An MD5 digest in hex."""
    return hashlib.md5(rng.randbytes(16), usedforsecurity=False).hexdigest()


def ean13(rng: random.Random) -> str:
    """A valid EAN-13 (GS1 prefixes of Europe)."""
    body = rng.choice(("540", "541", "871", "400", "300", "800", "841")) + "".join(
        rng.choices(string.digits, k=9)
    )
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def isbn13(rng: random.Random) -> str:
    """A valid ISBN-13, hyphenated."""
    body = "978" + "".join(rng.choices(string.digits, k=9))
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    full = body + str((10 - total % 10) % 10)
    return f"{full[:3]}-{full[3]}-{full[4:9]}-{full[9:12]}-{full[12]}"


def tracking_number(rng: random.Random) -> str:
    """UPS ``1Z…``, a DHL/bpost digit string, or a UPU S10 ``RR123456785BE``."""
    kind = rng.random()
    if kind < 0.35:
        return "1Z" + "".join(rng.choices(_ALNUM, k=16))
    if kind < 0.7:
        return "".join(rng.choices(string.digits, k=rng.choice((10, 12, 22))))
    serial = "".join(rng.choices(string.digits, k=8))
    weights = (8, 6, 4, 2, 3, 5, 9, 7)
    check = 11 - sum(int(d) * w for d, w in zip(serial, weights, strict=True)) % 11
    check = {10: 0, 11: 5}.get(check, check)
    service, origin = rng.choice(("RR", "CP", "LX", "EE")), rng.choice(("BE", "NL", "FR", "DE"))
    return f"{service}{serial}{check}{origin}"


def user_agent(rng: random.Random) -> str:
    """A browser's or an app's user agent."""
    return rng.choice(_pools("en_US")["ua"])


def log_line(rng: random.Random) -> str:
    """An infrastructure log line (timestamps, hosts, internal IPs, durations)."""
    at = timestamp(rng).isoformat()
    worker = f"worker-{rng.randint(1, 12)}"
    return rng.choice(
        (
            f"{at}Z INFO {worker} job=sync_catalog took {rng.randint(5, 900)}ms",
            f"{at}Z WARN pool=db-primary conn 10.0.{rng.randint(0, 9)}.{rng.randint(2, 250)} "
            f"slow query {rng.randint(1000, 9000)}ms",
            f"{at}Z ERROR {worker} 502 from 172.16.{rng.randint(0, 31)}.{rng.randint(2, 9)} "
            "retrying",
            f"{at}Z DEBUG cache hit ratio {rng.random():.3f} build {semver(rng)}",
        )
    )


def semver(rng: random.Random) -> str:
    """``4.12.3``, ``2.0.0-rc.1`` or ``10.0.19045.4291`` (a Windows build, shaped like an IP)."""
    kind = rng.random()
    if kind < 0.6:
        return f"{rng.randint(0, 12)}.{rng.randint(0, 30)}.{rng.randint(0, 40)}"
    if kind < 0.8:
        return f"{rng.randint(1, 5)}.{rng.randint(0, 9)}.0-rc.{rng.randint(1, 4)}"
    return f"10.0.{rng.choice((19045, 22621, 22631))}.{rng.randint(100, 4500)}"


def order_number(rng: random.Random) -> str:
    """``ORD-2024-004512``, ``SO123456`` or a bare nine-digit order id."""
    kind = rng.random()
    if kind < 0.4:
        return f"ORD-{rng.randint(2019, 2025)}-{rng.randint(1, 999_999):06d}"
    if kind < 0.7:
        return f"SO{rng.randint(100_000, 999_999)}"
    return str(rng.randint(100_000_000, 999_999_999))


def sku(rng: random.Random) -> str:
    """A product SKU (``TSH-BLU-XL-042``)."""
    return "-".join(
        (rng.choice(("TSH", "MUG", "CAP", "BAG", "SOK")), rng.choice(("BLU", "RED", "BLK", "WHT")),
         rng.choice(("S", "M", "L", "XL")), f"{rng.randint(1, 999):03d}")
    )  # fmt: skip


def price(rng: random.Random) -> float:
    """A price in euros."""
    return round(rng.uniform(0.5, 1500), 2)


def cidr(rng: random.Random) -> str:
    """A private network setting (``10.0.0.0/16``)."""
    return rng.choice(
        (f"10.{rng.randint(0, 255)}.0.0/16", f"192.168.{rng.randint(0, 255)}.0/24",
         f"172.{rng.randint(16, 31)}.0.0/12", "0.0.0.0/0", f"fd00:{rng.randint(0, 999)}::/64")
    )  # fmt: skip


def file_name(rng: random.Random) -> str:
    """``invoice_2024_03.pdf``, ``backup-2024-05-01.zip``."""
    stem = rng.choice(("invoice", "report", "backup", "export", "logo", "contract_template"))
    suffix = rng.choice(("pdf", "zip", "png", "csv"))
    return f"{stem}_{rng.randint(2019, 2025)}_{rng.randint(1, 12):02d}.{suffix}"


def choice(*items: object) -> Gen:
    """A generator of one of ``items``."""
    return lambda rng: rng.choice(items)


def _nino_valid(value: str) -> bool:
    """HMRC's NINO format (python-stdnum has no UK module)."""
    import re

    compact = value.replace(" ", "")
    shape = re.fullmatch(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]", compact)
    return shape is not None and compact[:2] not in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def self_check(rng: random.Random, rounds: int = 200) -> list[str]:
    """The generated identifiers python-stdnum or phonenumbers reject (empty: all valid)."""
    import phonenumbers as pn
    from stdnum import iban as std_iban
    from stdnum import luhn
    from stdnum.be import nn
    from stdnum.de import idnr
    from stdnum.es import dni, nie
    from stdnum.fr import nir
    from stdnum.it import codicefiscale
    from stdnum.nl import bsn
    from stdnum.pl import pesel
    from stdnum.us import ssn

    checks: dict[str, tuple[Gen, Callable[[str], bool]]] = {
        "be": (be_national_number, nn.is_valid), "nl": (nl_bsn, bsn.is_valid),
        "fr": (fr_nir, nir.is_valid), "de": (de_idnr, idnr.is_valid),
        "it": (it_codice_fiscale, codicefiscale.is_valid),
        "es": (es_dni, lambda v: dni.is_valid(v) or nie.is_valid(v)),
        "pl": (pl_pesel, pesel.is_valid),
        "gb": (gb_nino, _nino_valid), "us": (us_ssn, ssn.is_valid),
        "iban": (iban, std_iban.is_valid), "card": (card_digits, luhn.is_valid),
        "phone": (phone_digits, lambda n: pn.is_valid_number(pn.parse(f"+{n}"))),
    }  # fmt: skip
    failures = []
    for name, (generate, valid) in checks.items():
        for _ in range(rounds):
            value = str(generate(rng))
            if not valid(value):
                failures.append(f"{name}: {value}")
    return failures
