"""Synthetic shop rows, fast and deterministic.

Faker is slow per row, so it runs once per build to fill small pools (first
and last names in four locales, streets, cities, postcodes); rows combine pool
entries by integer mixing of their ids. The same ``seed`` and ids always give
the same rows. Every value is free of tabs, newlines and backslashes, so the
rows can be streamed as PostgreSQL COPY / MariaDB LOAD DATA text as they are.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from faker import Faker

RowTuple = tuple[object, ...]

LOCALES = ("en_US", "de_DE", "fr_FR", "nl_BE")
_GOLDEN = 2_654_435_761  # Knuth's multiplicative hash constant


@dataclass(frozen=True)
class Pools:
    """Pre-generated values rows are combined from."""

    first: tuple[str, ...]
    last: tuple[str, ...]
    first_slug: tuple[str, ...]
    last_slug: tuple[str, ...]
    streets: tuple[str, ...]
    cities: tuple[str, ...]
    zips: tuple[str, ...]
    skus: tuple[str, ...]
    totals: tuple[str, ...]
    stamps: tuple[str, ...]
    ips: tuple[str, ...]
    salt: int

    @classmethod
    def make(cls, seed: int) -> Pools:
        """Pools for ``seed`` (about half a second of Faker, whatever the row count)."""
        fake = Faker(list(LOCALES))
        fake.seed_instance(seed)
        rng = random.Random(seed)
        first = _unique(fake.first_name, 600)
        last = _unique(fake.last_name, 900)
        start = datetime(2023, 1, 1)
        return cls(
            first=first,
            last=last,
            first_slug=tuple(_slug(name) for name in first),
            last_slug=tuple(_slug(name) for name in last),
            streets=_unique(fake.street_name, 400),
            cities=_unique(fake.city, 250),
            zips=_unique(fake.postcode, 400),
            skus=tuple(f"SKU-{rng.randrange(10**6):06d}" for _ in range(2_003)),
            totals=tuple(f"{rng.randrange(500, 50_000) / 100:.2f}" for _ in range(997)),
            stamps=tuple(
                (start + timedelta(seconds=rng.randrange(3 * 365 * 86_400))).isoformat(" ")
                for _ in range(4_001)
            ),
            ips=tuple(_ip(rng) for _ in range(4_093)),
            salt=seed * 7_919 + 17,
        )


def _clean(text: str) -> str:
    return " ".join(text.replace("\\", " ").split())


def _unique(make: Callable[[], str], count: int) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for _ in range(count * 20):
        found.setdefault(_clean(make()), None)
        if len(found) >= count:
            break
    return tuple(found)


def _slug(name: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_text.lower() if ch.isalnum()) or "x"


def _ip(rng: random.Random) -> str:
    if rng.random() < 0.1:
        return f"2001:db8::{rng.randrange(65_536):x}:{rng.randrange(65_536):x}"
    first = rng.choice((192, 198, 203))
    return f"{first}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


@dataclass(frozen=True)
class Shape:
    """How many child rows each parent gets; functions of the parent's id."""

    orders: Callable[[int], int]
    items: Callable[[int], int]
    cards: Callable[[int], int]
    logins: Callable[[int], int]


def _mix(value: int) -> int:
    return ((value * _GOLDEN) & 0xFFFFFFFF) >> 13


REGULAR = Shape(
    orders=lambda customer: 3 + _mix(customer) % 5,  # 3..7, mean 5
    items=lambda order: 1 + _mix(order) % 5,  # 1..5, mean 3
    cards=lambda customer: _mix(customer + 1) % 3,  # 0..2, mean 1
    logins=lambda customer: 10,
)
"""An ordinary customer: ~5 orders of ~3 items, ~1 card, 10 logins."""

WHALE = Shape(
    orders=lambda customer: 1_000,
    items=lambda order: 3,
    cards=lambda customer: 5,
    logins=lambda customer: 10_000,
)
"""A heavy customer: 1,000 orders of 3 items, 5 cards, 10,000 logins."""


@dataclass(frozen=True)
class Span:
    """The customers to generate and the first id of each child table."""

    customers: range
    first_order: int = 1
    first_item: int = 1
    first_card: int = 1
    first_login: int = 1


class ShopRows:
    """Row generators per table for a :class:`Span` of customers of one :class:`Shape`."""

    def __init__(self, pools: Pools, span: Span, shape: Shape) -> None:
        self.pools = pools
        self.span = span
        self.shape = shape

    def person(self, customer: int) -> tuple[str, str]:
        """(e-mail, full name) of ``customer``; the e-mail is unique by id."""
        pools, mixed = self.pools, _mix(customer + self.pools.salt)
        first, last = mixed % len(pools.first), (mixed >> 10) % len(pools.last)
        email = f"{pools.first_slug[first]}.{pools.last_slug[last]}.{customer}@example.test"
        return email, f"{pools.first[first]} {pools.last[last]}"

    def address(self) -> Iterator[RowTuple]:
        """(id, street, city, zip), one address per customer, same id."""
        pools = self.pools
        for customer in self.span.customers:
            mixed = _mix(customer ^ pools.salt)
            street = f"{pools.streets[mixed % len(pools.streets)]} {1 + mixed % 199}"
            city = pools.cities[(mixed >> 7) % len(pools.cities)]
            yield customer, street, city, pools.zips[(mixed >> 3) % len(pools.zips)]

    def customer(self) -> Iterator[RowTuple]:
        """(id, email, name, phone, address_id)."""
        for customer in self.span.customers:
            email, name = self.person(customer)
            yield customer, email, name, f"+32 4{customer % 100_000_000:08d}", customer

    def orders(self) -> Iterator[RowTuple]:
        """(id, customer_id, total, created_at)."""
        pools, order = self.pools, self.span.first_order
        totals, stamps = pools.totals, pools.stamps
        for customer in self.span.customers:
            for _ in range(self.shape.orders(customer)):
                yield order, customer, totals[order % 997], stamps[(order * 7) % 4_001]
                order += 1

    def order_item(self) -> Iterator[RowTuple]:
        """(id, order_id, sku, qty)."""
        skus, order, item = self.pools.skus, self.span.first_order, self.span.first_item
        for customer in self.span.customers:
            for _ in range(self.shape.orders(customer)):
                for _ in range(self.shape.items(order)):
                    yield item, order, skus[item % 2_003], 1 + item % 4
                    item += 1
                order += 1

    def payment_card(self) -> Iterator[RowTuple]:
        """(id, customer_id, last4, holder_name)."""
        card = self.span.first_card
        for customer in self.span.customers:
            count = self.shape.cards(customer)
            if count:
                name = self.person(customer)[1]
            for _ in range(count):
                yield card, customer, f"{(card * 7_919) % 10_000:04d}", name
                card += 1

    def login_event(self) -> Iterator[RowTuple]:
        """(id, customer_id, ip, ts)."""
        ips, stamps, login = self.pools.ips, self.pools.stamps, self.span.first_login
        for customer in self.span.customers:
            for _ in range(self.shape.logins(customer)):
                yield login, customer, ips[(login * 31) % 4_093], stamps[login % 4_001]
                login += 1

    def table(self, name: str) -> Iterator[RowTuple]:
        """The generator of table ``name``."""
        generators: dict[str, Callable[[], Iterator[RowTuple]]] = {
            "address": self.address,
            "customer": self.customer,
            "orders": self.orders,
            "order_item": self.order_item,
            "payment_card": self.payment_card,
            "login_event": self.login_event,
        }
        return generators[name]()
