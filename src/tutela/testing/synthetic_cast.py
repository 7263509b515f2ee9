"""The synthetic people and where each one appears: one pool shared by every system.

Faker runs once per seed to fill small pools (names in four locales, streets,
companies, job titles, sentences); a person is a pure function of the pools and an
index, so the same person has the same e-mail, name, phone and address wherever
they appear. Systems whose datasets reference each other (a CRM company naming a
web-shop customer) form a *circle*: its people appear in the circle's hub, the
dataset the others reference most, and in each of its other datasets three times
in four. Circles share no one: an applicant of a recruitment system with no link to
the shop is nobody's customer. The first person of each circle appears everywhere
in it.
"""

from __future__ import annotations

import random
import unicodedata
import zlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from faker import Faker

from tutela.testing.synthetic_layout import SystemLayout

LOCALES = ("en_US", "de_DE", "fr_FR", "nl_BE")
COUNTRIES = ("BE", "NL", "DE", "FR", "LU")
_MASK = (1 << 64) - 1


def mix(value: int) -> int:
    """A well-spread non-negative integer from ``value`` (MurmurHash3's 64-bit finaliser)."""
    value &= _MASK
    value = ((value ^ (value >> 33)) * 0xFF51AFD7ED558CCD) & _MASK
    value = ((value ^ (value >> 33)) * 0xC4CEB9FE1A85EC53) & _MASK
    return (value ^ (value >> 33)) >> 16


def crc(text: str) -> int:
    """A stable integer of ``text`` (Python's ``hash`` changes between runs)."""
    return zlib.crc32(text.encode("utf-8"))


@dataclass(frozen=True)
class Pools:
    """Pre-generated values people and rows are combined from."""

    first: tuple[str, ...]
    last: tuple[str, ...]
    streets: tuple[str, ...]
    cities: tuple[str, ...]
    postcodes: tuple[str, ...]
    companies: tuple[str, ...]
    jobs: tuple[str, ...]
    sentences: tuple[str, ...]
    agents: tuple[str, ...]
    salt: int


@cache
def pools_for(seed: int) -> Pools:
    """The pools of ``seed`` (a few hundredths of a second of Faker, cached)."""
    fake = Faker(list(LOCALES))
    fake.seed_instance(seed)

    def sentence() -> str:
        return str(fake.sentence(nb_words=12))

    return Pools(
        first=_unique(fake.first_name, 300),
        last=_unique(fake.last_name, 400),
        streets=_unique(fake.street_name, 150),
        cities=_unique(fake.city, 120),
        postcodes=_unique(fake.postcode, 150),
        companies=_unique(fake.company, 120),
        jobs=_unique(fake.job, 60),
        sentences=_unique(sentence, 120),
        agents=_unique(fake.user_agent, 40),
        salt=random.Random(seed).randrange(1 << 20),
    )


def _unique(make: Callable[[], str], count: int) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for _ in range(count * 5):
        found.setdefault(" ".join(str(make()).replace("\\", " ").split()), None)
        if len(found) >= count:
            break
    return tuple(found)


def slug(text: str) -> str:
    """``text`` in lower-case ASCII letters and digits only."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_text.lower() if ch.isalnum()) or "x"


@dataclass(frozen=True)
class Person:
    """One synthetic person; ``org`` numbers the organisation they belong to in their circle."""

    index: int
    first_name: str
    last_name: str
    email: str
    phone: str
    street: str
    city: str
    postal_code: str
    country: str
    org: int

    @property
    def full_name(self) -> str:
        """First and last name."""
        return f"{self.first_name} {self.last_name}"


def person(pools: Pools, index: int, org: int) -> Person:
    """Person ``index`` of ``pools``: the e-mail is unique by index."""
    mixed = mix(index + pools.salt)
    first = pools.first[mixed % len(pools.first)]
    last = pools.last[(mixed >> 9) % len(pools.last)]
    return Person(
        index=index,
        first_name=first,
        last_name=last,
        email=f"{slug(first)}.{slug(last)}.{index}@example.test",
        phone=f"+324{70_000_000 + index % 10_000_000:08d}",
        street=f"{pools.streets[mixed % len(pools.streets)]} {1 + mixed % 199}",
        city=pools.cities[(mixed >> 5) % len(pools.cities)],
        postal_code=pools.postcodes[(mixed >> 3) % len(pools.postcodes)],
        country=COUNTRIES[(mixed >> 11) % len(COUNTRIES)],
        org=org,
    )


@dataclass(frozen=True)
class Cast:
    """Who appears where: the people of each dataset, in index order."""

    pools: Pools
    people: Mapping[int, Person]
    present: Mapping[str, tuple[int, ...]]
    circle_size: Mapping[str, int]
    circle_first: Mapping[str, int]

    def members(self, dataset: str, nth: int) -> tuple[int, ...]:
        """The people of the ``nth`` person collection (from 0) of ``dataset``.

        The first holds everyone present in the dataset; each further one two in three,
        always with the circle's first person.
        """
        everyone = self.present.get(dataset, ())
        if nth == 0:
            return everyone
        first, salt = self.circle_first.get(dataset), crc(dataset) + nth
        return tuple(p for p in everyone if p == first or mix(p * 3 + salt) % 3)

    def datasets_of(self, index: int) -> tuple[str, ...]:
        """The datasets person ``index`` is present in."""
        return tuple(dataset for dataset, members in self.present.items() if index in members)

    def best_known(self) -> Person | None:
        """The person present in the most datasets (the first of the largest circle)."""
        counts = Counter(p for members in self.present.values() for p in members)
        if not counts:
            return None
        return self.people[min(counts, key=lambda p: (-counts[p], p))]


def cast(layouts: Sequence[SystemLayout], people: int, seed: int) -> Cast:
    """Spread ``people`` over the circles of ``layouts`` by their number of person datasets."""
    pools = pools_for(seed)
    circles = _circles(layouts)
    hubs = _hubs(layouts, circles)
    weights = Counter(circles[d] for d in _person_datasets(layouts))
    order = sorted(weights)
    spread = [circle for circle in order for _ in range(weights[circle])]
    members: dict[str, list[int]] = {circle: [] for circle in order}
    for index in range(1, people + 1 if spread else 1):
        members[spread[mix(index * 2 + pools.salt) % len(spread)]].append(index)
    everyone = {
        p: person(pools, p, rank // 3) for m in members.values() for rank, p in enumerate(m)
    }
    present: dict[str, tuple[int, ...]] = {}
    for dataset in _person_datasets(layouts):
        group = members[circles[dataset]]
        present[dataset] = tuple(
            p for p in group if dataset in hubs or p == group[0] or mix(p ^ crc(dataset)) % 4 != 0
        )
    sizes = {d: len(members.get(c, ())) for d, c in circles.items()}
    firsts = {d: members[c][0] for d, c in circles.items() if members.get(c)}
    return Cast(pools, everyone, present, sizes, firsts)


def _person_datasets(layouts: Sequence[SystemLayout]) -> list[str]:
    found = [shape.dataset for item in layouts for shape in item.shapes if shape.person]
    return list(dict.fromkeys(found))


def _circles(layouts: Sequence[SystemLayout]) -> dict[str, str]:
    """Each dataset's circle, named by its first dataset: datasets linked by references."""
    parent: dict[str, str] = {s.dataset: s.dataset for item in layouts for s in item.shapes}

    def root(key: str) -> str:
        while parent[key] != key:
            key = parent[key]
        return key

    for item in layouts:
        for shape in item.shapes:
            for link in shape.links.values():
                if link.target and link.target[0] != shape.dataset:
                    a, b = sorted((root(shape.dataset), root(link.target[0])))
                    parent[b] = a
    return {key: root(key) for key in parent}


def _hubs(layouts: Sequence[SystemLayout], circles: Mapping[str, str]) -> set[str]:
    """In each circle, the dataset the others reference most (its first on a tie)."""
    incoming = Counter(
        link.target[0]
        for item in layouts
        for shape in item.shapes
        for link in shape.links.values()
        if link.target and link.target[0] != shape.dataset
    )
    best: dict[str, str] = {}
    for dataset in _person_datasets(layouts):
        circle = circles[dataset]
        if circle not in best or incoming[dataset] > incoming[best[circle]]:
            best[circle] = dataset
    return set(best.values())
