"""A synthetic value for one field of one row: from its kind, data categories and name.

A row belongs to a person (its owner) or to nobody (a company, a camera); values
about a person (e-mail, name, phone, address, IP, device) come from that person,
so they agree across systems. Values are deterministic in the pools, the row number
and the field; strings are cut to the field's length and hold no tabs, newlines or
backslashes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tutela.programme.models import DatasetField
from tutela.testing.synthetic_cast import Person, Pools, crc, mix, slug
from tutela.testing.synthetic_layout import Column

_START = datetime(2023, 1, 1)
_SPAN_SECONDS = 3 * 365 * 86_400
_ZONES = ("Europe/Brussels", "Europe/Amsterdam", "Europe/Berlin", "Europe/Paris", "UTC")
_WORDS = ("open", "click", "view", "download", "search", "export", "share", "login")
_BRANDS = ("visa", "mastercard", "amex")


@dataclass(frozen=True)
class RowContext:
    """What a row's values derive from: its number, its person, its organisation.

    ``person`` is the row's owner, or for a row of nobody's (a company) a stranger
    lending it names; ``circle`` names the group of linked systems the row is in.
    """

    pools: Pools
    number: int
    person: Person
    org: int
    circle: str

    def pick(self, items: tuple[str, ...], salt: int = 0) -> str:
        """One of ``items``, chosen by the row number and ``salt``."""
        return items[mix(self.number * 7 + salt + self.pools.salt) % len(items)]

    @property
    def company(self) -> str:
        """The name of the row's organisation (the same in every system of its circle)."""
        companies = self.pools.companies
        return companies[mix(self.org * 13 + crc(self.circle)) % len(companies)]


Text = Callable[[RowContext, str], str]


def _address(row: RowContext, _name: str) -> str:
    p = row.person
    return f"{p.street}, {p.postal_code} {p.city}, {p.country}"


def _ip(row: RowContext, _name: str) -> str:
    mixed = mix(row.person.index * 4 + row.number % 2 + row.pools.salt)
    return f"198.51.{mixed % 256}.{1 + (mixed >> 8) % 254}"


def _hex(row: RowContext, name: str) -> str:
    return f"{mix(row.person.index + crc(name)):08x}{mix(row.person.index * 31 + 7):08x}"


def _employer(row: RowContext, name: str) -> str:
    if "domain" in name:
        return f"{slug(row.company)}.example"
    return row.pick(("software", "finance", "retail", "health", "public sector"), crc(name))


def _card(row: RowContext, name: str) -> str:
    if "last4" in name or "last_4" in name:
        return f"{mix(row.number * 17) % 10_000:04d}"
    if "brand" in name:
        return row.pick(_BRANDS, crc(name))
    if "result" in name or "status" in name:
        return row.pick(("pass", "pass", "pass", "review"), crc(name))
    return f"pay_{mix(row.number * 29 + crc(name)):010d}"


def _financial(row: RowContext, name: str) -> str:
    if "vat" in name or "tax" in name:
        return f"{row.person.country}0{mix(row.org * 3 + 1) % 1_000_000_000:09d}"
    return _amount(row, name)


def _amount(row: RowContext, name: str) -> str:
    mixed = mix(row.number * 11 + crc(name))
    return f"{5 + mixed % 4_000}.{mixed % 100:02d}"


def _url(row: RowContext, name: str) -> str:
    page = row.pick(("pricing", "docs", "careers", "blog/diagrams", "download", "contact"), 3)
    return f"https://www.example.test/{page}?ref={mix(row.number + crc(name)) % 1000}"


def _file(row: RowContext, name: str) -> str:
    return f"s3://synthetic/{slug(name)}/{row.number:06d}.bin"


CATEGORY_TEXT: tuple[tuple[str, Text], ...] = (
    ("user.contact.email", lambda row, _: row.person.email),
    ("user.contact.phone_number", lambda row, _: row.person.phone),
    ("user.contact.address.street", lambda row, _: row.person.street),
    ("user.contact.address.city", lambda row, _: row.person.city),
    ("user.contact.address.postal_code", lambda row, _: row.person.postal_code),
    ("user.contact.address.country", lambda row, _: row.person.country),
    ("user.contact.address", _address),
    ("user.contact.organization", lambda row, _: row.company),
    ("user.contact", lambda row, _: row.person.email),
    ("user.name.first", lambda row, _: row.person.first_name),
    ("user.name.last", lambda row, _: row.person.last_name),
    ("user.name", lambda row, _: row.person.full_name),
    ("user.job_title", lambda row, _: row.pick(row.pools.jobs, row.person.index)),
    (
        "user.professional.social_profile",
        lambda row, name: (
            f"https://www.{slug(name.split('_')[0])}.example/in/{slug(row.person.full_name)}"
        ),
    ),
    ("user.professional.time_zone", lambda row, _: row.pick(_ZONES, row.person.index)),
    ("user.professional.employer", _employer),
    ("user.professional", lambda row, _: row.pick(row.pools.jobs, 5)),
    ("user.device.ip_address", _ip),
    ("user.device.browser_type", lambda row, _: row.pick(row.pools.agents, row.person.index)),
    ("user.device", _hex),
    ("user.unique_id", _hex),
    ("user.location", lambda row, _: row.person.country),
    ("user.account.username", lambda row, _: slug(row.person.full_name)[:20]),
    ("user.account", lambda row, name: f"K-{mix(row.number + crc(name)):08X}"),
    ("user.payment", _card),
    ("user.financial.credit_card", _card),
    ("user.financial", _financial),
    ("user.behavior.browsing_history", _url),
    ("user.behavior.referrer", _url),
    ("user.behavior", lambda row, name: row.pick(_WORDS, crc(name))),
    ("user.sensor", _file),
    ("user.privacy_preferences", lambda row, _: row.pick(("granted", "granted", "withdrawn"))),
    ("user.it_asset.owner", lambda row, _: row.person.email),
    ("user.it_asset", lambda row, name: f"{slug(name)[:6]}-{mix(row.number):06x}"),
)
"""Text generators per data category, most specific first; a field's categories match by prefix."""

NAME_TEXT: tuple[tuple[tuple[str, ...], Text], ...] = (
    (("email",), lambda row, _: row.person.email),
    (("phone", "mobile"), lambda row, _: row.person.phone),
    (("uri", "file"), _file),
    (("url", "path", "referrer", "link"), _url),
    (("company", "organisation", "organization"), lambda row, _: row.company),
    (("country",), lambda row, _: row.person.country),
    (("city",), lambda row, _: row.person.city),
    (("currency",), lambda row, _: "EUR"),
    (("ip",), _ip),
    (("name",), lambda row, _: row.person.full_name),
    (("status", "state"), lambda row, _: row.pick(("open", "pending", "closed"))),
    (("version",), lambda row, _: f"{1 + row.number % 3}.{row.number % 10}"),
    (
        ("note", "message", "body", "text", "comment", "reason", "subject"),
        lambda row, _: row.pick(row.pools.sentences),
    ),
)
"""Text generators by words in a field's name, for fields no category describes."""


Maker = Callable[[RowContext], object]
"""Makes one field's value in a row."""


def maker(column: Column, field: DatasetField) -> Maker:
    """How ``field`` (whose column is ``column``) gets its value in each row; chosen once.

    A restriction flag is false (0): synthetic people have restricted nothing.
    """
    salt = crc(field.name)
    if column.kind == "boolean":
        return (lambda row: 0) if column.flag else (lambda row: mix(row.number + salt) % 2)
    if column.kind in ("date", "datetime"):
        return _moment(column, field)
    if column.kind == "integer":
        return _integer(field)
    if column.kind == "numeric":
        return lambda row: _amount(row, field.name)
    text, length = _text(column, field), column.length or None
    return lambda row: text(row)[:length]


def _moment(column: Column, field: DatasetField) -> Maker:
    salt = crc(field.name)
    if any(c.startswith("user.date_of_birth") for c in field.data_categories):
        born = date(1950, 1, 1)
        return lambda row: (born + timedelta(days=mix(row.person.index * 5) % 20_000)).isoformat()

    def moment(row: RowContext) -> str:
        when = _START + timedelta(seconds=mix(row.number * 3 + salt) % _SPAN_SECONDS)
        return when.date().isoformat() if column.kind == "date" else when.isoformat(" ")

    return moment


def _integer(field: DatasetField) -> Maker:
    salt = crc(field.name)
    if "status" in field.name:
        return lambda row: (200, 200, 200, 301, 404)[mix(row.number * 5 + salt) % 5]
    return lambda row: 1 + mix(row.number * 5 + salt) % 100


def _text(column: Column, field: DatasetField) -> Callable[[RowContext], str]:
    name, salt = field.name.lower(), crc(field.name)
    if column.identity == "email":
        return lambda row: row.person.email
    if column.identity == "phone":
        return lambda row: row.person.phone
    for category in field.data_categories:
        for prefix, make in CATEGORY_TEXT:
            if category == prefix or category.startswith(prefix + "."):
                return lambda row: make(row, name)
    if field.data_categories and column.declared in ("text", "clob"):
        return lambda row: row.pick(row.pools.sentences, salt)
    choices = _choices(field)
    if choices:
        return lambda row: row.pick(choices, salt)
    for words, make in NAME_TEXT:
        if any(word in name for word in words):
            return lambda row: make(row, name)
    return lambda row: f"{name}-{row.number}"


def _choices(field: DatasetField) -> tuple[str, ...]:
    """The values a description lists (``"customer, prospect, supplier or partner"``)."""
    text = (field.description or "").strip().rstrip(".")
    if "," not in text and " or " not in text:
        return ()
    parts = [part.strip() for chunk in text.split(",") for part in chunk.split(" or ")]
    words = tuple(part for part in parts if part)
    fits = all(len(w) <= (field.length or 64) and len(w.split()) <= 2 for w in words)
    return words if fits and len(words) >= 2 else ()
