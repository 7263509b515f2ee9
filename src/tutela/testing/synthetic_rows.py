"""The rows of one collection, from its shape, the cast and the rows already made.

Person collections get one row per person present, child collections one to three
rows per row of their driver, roots a handful (one per three people of their circle).
A reference takes, in this order: the driver's row; the value the parent row holds
for the same target (an invoice's customer is its order's); the row of the same
person in the target (a subscriber's CRM contact is the same person's); the row of
the same organisation in a target of roots (a contact's company); else a row picked
by number. Only rows already made are referenced, so foreign keys hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from math import ceil

from tutela.errors import ConfigurationError
from tutela.programme.models import DatasetField
from tutela.testing.synthetic_cast import Cast, crc, mix, person
from tutela.testing.synthetic_layout import Address, Column, Link, Shape
from tutela.testing.synthetic_values import Maker, RowContext, maker

STRANGERS = 1_000_000
"""Rows that belong to no one take their names from people numbered from here."""


@dataclass
class Table:
    """Rows made for one collection, with the owner and organisation of each."""

    columns: tuple[str, ...]
    links: Mapping[str, Address]
    rows: list[tuple[object, ...]] = field(default_factory=list)
    owners: list[int | None] = field(default_factory=list)
    orgs: list[int] = field(default_factory=list)
    by_owner: dict[int, int] = field(default_factory=dict)

    def get(self, index: int, column: str) -> object:
        """The value of ``column`` in row ``index``."""
        return self.rows[index][self.columns.index(column)]

    def add(self, row: tuple[object, ...], owner: int | None, org: int) -> None:
        """Append ``row`` of ``owner`` (None: nobody's) in organisation ``org``."""
        if owner is not None:
            self.by_owner.setdefault(owner, len(self.rows))
        self.rows.append(row)
        self.owners.append(owner)
        self.orgs.append(org)


@dataclass(frozen=True)
class Seed:
    """Where a row comes from: its owner, organisation and the driver's row, if any."""

    owner: int | None
    org: int
    parent: int | None = None


def make_table(shape: Shape, cast: Cast, tables: Mapping[Address, Table], nth: int) -> Table:
    """The rows of ``shape``; ``nth`` counts the person collections of its dataset before it."""
    links = {name: link.target for name, link in shape.links.items() if link.target}
    table = Table(tuple(column.name for column in shape.columns), links)
    cells = [
        _cell_maker(column, item)
        for column, item in zip(shape.columns, shape.collection.fields, strict=True)
    ]
    for index, seed in enumerate(_seeds(shape, cast, tables, nth)):
        context = _context(shape, index + 1, seed, cast)
        values = tuple(_cell(shape, cell, index, seed, tables, context) for cell in cells)
        table.add(values, seed.owner, seed.org)
    return table


def _seeds(shape: Shape, cast: Cast, tables: Mapping[Address, Table], nth: int) -> list[Seed]:
    if shape.person:
        people = cast.members(shape.dataset, nth)
        return [Seed(p, cast.people[p].org) for p in people]
    driven = shape.driver.target if shape.driver else None
    if driven is not None and driven in tables:
        parent = tables[driven]
        salt = crc(".".join(shape.address))
        return [
            Seed(parent.owners[j], parent.orgs[j], j)
            for j in range(len(parent.rows))
            for _ in range(1 + mix(j * 31 + salt) % 3)
        ]
    count = max(3, ceil(cast.circle_size.get(shape.dataset, 0) / 3))
    return [Seed(None, org) for org in range(count)]


Cell = tuple[Column, Maker, bool]
"""A column, how its values are made, and whether it is left empty in one row in four."""


def _cell_maker(column: Column, item: DatasetField) -> Cell:
    optional = column.nullable and not item.data_categories and not column.identity
    return column, maker(column, item), optional


def _cell(
    shape: Shape,
    cell: Cell,
    index: int,
    seed: Seed,
    tables: Mapping[Address, Table],
    context: RowContext,
) -> object:
    column, make, optional = cell
    link = shape.links.get(column.name)
    if link is not None:
        return _linked(shape, link, index, seed, tables)
    number = index + 1
    if column.primary_key:
        return number if column.kind == "integer" else f"{shape.collection.name}-{number}"
    if optional and mix(number * 13 + crc(column.name)) % 4 == 0:
        return None
    return make(context)


def _context(shape: Shape, number: int, seed: Seed, cast: Cast) -> RowContext:
    if seed.owner is not None:
        someone = cast.people[seed.owner]
    else:
        someone = person(cast.pools, STRANGERS + number * 7 + crc(shape.dataset) % 1000, seed.org)
    circle = str(cast.circle_first.get(shape.dataset, shape.dataset))
    return RowContext(cast.pools, number, someone, seed.org, circle)


def _linked(
    shape: Shape, link: Link, index: int, seed: Seed, tables: Mapping[Address, Table]
) -> object:
    driver = shape.driver
    target = tables.get(link.target) if link.target else None
    if target is None or not target.rows:
        return _missing(shape, link, index)
    driven = driver.target if driver else None
    if driver is not None and driven is not None and seed.parent is not None:
        parent = tables[driven]
        if link.field == driver.field:
            return parent.get(seed.parent, driver.target_field)
        copied = next((n for n, t in parent.links.items() if t == link.target), None)
        if copied is not None:
            return parent.get(seed.parent, copied)
    row = _target_row(link, seed, target, index)
    return None if row is None else target.get(row, link.target_field)


def _target_row(link: Link, seed: Seed, target: Table, index: int) -> int | None:
    if seed.owner is not None and seed.owner in target.by_owner:
        return target.by_owner[seed.owner]
    if seed.owner is not None and target.by_owner and link.nullable:
        return None  # the person is not in that collection
    if not target.by_owner:
        return seed.org % len(target.rows)
    return mix(index * 17 + 3) % len(target.rows)


def _missing(shape: Shape, link: Link, index: int) -> object:
    if link.nullable:
        return None
    if link.target is None or link.target == shape.address:
        return index + 1  # a system not built, or its own collection: a key of the same number
    where = f"{shape.dataset}.{shape.collection.name}.{link.field}"
    raise ConfigurationError(
        f"{where} must reference a row of {'.'.join(link.target)}, which has none yet: make "
        "the field nullable, break the cycle of required references, or give more people"
    )
