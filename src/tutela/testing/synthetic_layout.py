"""How a programme's datasets are laid out for synthetic data: columns, links and order.

Pure: it reads the programme and returns data. Each collection becomes a
:class:`Shape`: its columns' kinds, its references resolved to the collection they
name (a foreign key when that collection lives in the same system), and how its
rows arise:

* a *person* collection (one with an identity field that is neither its primary
  key nor a reference, such as ``email``) holds one row per person present;
* a *child* collection follows its *driver*, the reference to a collection of the
  same system it belongs to (one to three rows per parent row);
* any other collection is a *root* (a company, a camera): a handful of rows.

Systems come in an order where a system comes after those it references, and
collections after the collections they reference.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from tutela.errors import ConfigurationError
from tutela.programme.models import Collection, DatasetField, Programme, System
from tutela.programme.references import resolve_reference
from tutela.rights.columns import column_kind

Address = tuple[str, str]
"""A collection's place: (dataset key, collection name)."""

_TEXT_TYPES = ("text", "clob", "longtext", "mediumtext")
_AMOUNT_WORDS = ("total", "amount", "price", "balance", "cost", "sum", "fee")
_COUNT_WORDS = ("qty", "quantity", "count", "seats", "score", "age", "number_of")
_FLAG_PREFIXES = ("is_", "has_", "can_")
T = TypeVar("T", bound=Hashable)


@dataclass(frozen=True)
class Link:
    """A field's (first) reference, resolved: ``target`` is None when it names nothing built."""

    field: str
    target: Address | None
    target_field: str
    local: bool
    nullable: bool


@dataclass(frozen=True)
class Column:
    """A column to create: its kind (``column_kind``'s words), declared type and length."""

    name: str
    kind: str
    declared: str
    length: int | None
    nullable: bool
    primary_key: bool
    identity: str | None = None
    flag: bool = False


@dataclass(frozen=True)
class Shape:
    """A collection as the generator sees it."""

    system: str
    dataset: str
    collection: Collection
    columns: tuple[Column, ...]
    links: Mapping[str, Link]
    person: bool
    driver: Link | None = None

    @property
    def address(self) -> Address:
        """(dataset key, collection name)."""
        return self.dataset, self.collection.name


@dataclass(frozen=True)
class SystemLayout:
    """A system to build: the variable naming its URL and its collections in load order."""

    key: str
    url_env: str
    shapes: tuple[Shape, ...]


def buildable(system: System) -> bool:
    """Whether ``system`` gets a database: an SQL connector reached through ``url_env``."""
    connector = system.connector
    return bool(system.datasets and connector and connector.type == "sql" and connector.url_env)


def layout(programme: Programme) -> tuple[SystemLayout, ...]:
    """Every buildable system of ``programme``, referenced systems first.

    Raises ConfigurationError when one system holds two collections of the same name
    (they would be one table).
    """
    systems = [system for system in programme.systems if buildable(system)]
    built = {dataset.key: system.key for system in systems for dataset in system.datasets}
    layouts = {system.key: _system_layout(programme, system, built) for system in systems}
    depends = {
        key: {built[dataset] for s in item.shapes for dataset in _cross(s)}
        for key, item in layouts.items()
    }
    return tuple(layouts[key] for key in _ordered(list(layouts), depends))


def _cross(shape: Shape) -> Iterable[str]:
    """The datasets of other systems ``shape`` references."""
    return (link.target[0] for link in shape.links.values() if link.target and not link.local)


def _system_layout(programme: Programme, system: System, built: Mapping[str, str]) -> SystemLayout:
    names: set[str] = set()
    shapes: dict[Address, Shape] = {}
    for dataset in system.datasets:
        for collection in dataset.collections:
            if collection.name in names:
                raise ConfigurationError(
                    f"system {system.key!r} holds two collections named {collection.name!r}: "
                    "rename one, each collection is a table of the system's database"
                )
            names.add(collection.name)
            shape = _shape(programme, system, dataset.key, collection, built)
            shapes[shape.address] = shape
    depends: dict[Address, set[Address]] = {
        address: {
            link.target
            for link in shape.links.values()
            if link.local and link.target is not None and link.target != address
        }
        for address, shape in shapes.items()
    }
    order = _ordered(list(shapes), depends)
    url_env = str(system.connector.url_env) if system.connector else ""
    return SystemLayout(system.key, url_env, _with_drivers([shapes[a] for a in order]))


def _shape(
    programme: Programme,
    system: System,
    dataset: str,
    collection: Collection,
    built: Mapping[str, str],
) -> Shape:
    links: dict[str, Link] = {}
    for item in collection.fields:
        if item.references:
            links[item.name] = _link(programme, system, dataset, item, built)
    person = any(
        item.identity and not item.primary_key and item.name not in links
        for item in collection.fields
    )
    columns = tuple(
        _column(programme, item, collection, item.name in links) for item in collection.fields
    )
    return Shape(system.key, dataset, collection, columns, links, person)


def _link(
    programme: Programme, system: System, dataset: str, item: DatasetField, built: Mapping[str, str]
) -> Link:
    found = resolve_reference(programme, dataset, item.references[0].to)
    if found is None or found[0].key not in built:
        return Link(item.name, None, "", local=False, nullable=item.nullable)
    target_dataset, target_collection, target_field = found
    local = built[target_dataset.key] == system.key
    address = (target_dataset.key, target_collection.name)
    return Link(item.name, address, target_field.name, local=local, nullable=item.nullable)


def _column(
    programme: Programme, item: DatasetField, collection: Collection, linked: bool
) -> Column:
    declared = (item.type or _inferred(item, collection, linked)).lower()
    nullable = item.nullable and not item.primary_key
    identity = programme.identity(item.identity).kind if item.identity else None
    flag = item.name == collection.restriction_flag
    kind = column_kind(declared)
    return Column(
        item.name, kind, declared, item.length, nullable, item.primary_key, identity, flag
    )


def _inferred(item: DatasetField, collection: Collection, linked: bool) -> str:
    """The type of a field that declares none, from its role, name and categories."""
    name = item.name.lower()
    rules: tuple[tuple[bool, str], ...] = (
        (item.primary_key or linked or name == "id" or name.endswith("_id"), "integer"),
        (name == collection.restriction_flag or name.startswith(_FLAG_PREFIXES), "boolean"),
        (name in ("at", "ts") or name.endswith(("_at", "_ts", "timestamp")), "datetime"),
        (name.endswith(("_on", "date")) or _has(item, "user.date_of_birth"), "date"),
        (_has(item, "user.financial") and any(w in name for w in _AMOUNT_WORDS), "decimal"),
        (any(word in name for word in _COUNT_WORDS), "integer"),
    )
    return next((kind for matched, kind in rules if matched), "string")


def _has(item: DatasetField, prefix: str) -> bool:
    return any(c == prefix or c.startswith(prefix + ".") for c in item.data_categories)


def is_text(column: Column) -> bool:
    """Whether ``column`` is long text (``type: text``) rather than a bounded string."""
    return column.declared in _TEXT_TYPES


def _with_drivers(shapes: Sequence[Shape]) -> tuple[Shape, ...]:
    """Each non-person shape with its driver: the reference to a person-linked, deepest parent."""
    linked: set[Address] = set()
    depth: dict[Address, int] = {}
    done: list[Shape] = []
    for shape in shapes:
        driver = None if shape.person else _driver(shape, linked, depth)
        if shape.person or (driver and driver.target in linked):
            linked.add(shape.address)
        parent = driver.target if driver else None
        depth[shape.address] = 0 if parent is None else depth[parent] + 1
        done.append(replace(shape, driver=driver))
    return tuple(done)


def _driver(shape: Shape, linked: set[Address], depth: Mapping[Address, int]) -> Link | None:
    candidates = [
        (link.target in linked, depth[link.target], not link.nullable, link)
        for link in shape.links.values()
        if link.local and link.target is not None and link.target != shape.address
        if link.target in depth
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda candidate: candidate[:3])[3]


def _ordered(items: list[T], depends: Mapping[T, set[T]]) -> list[T]:
    """``items``, each after what it depends on (declared order where a cycle leaves no choice)."""
    placed: list[T] = []
    left = list(items)
    while left:
        done = set(placed)
        item = next((candidate for candidate in left if depends[candidate] <= done), left[0])
        placed.append(item)
        left.remove(item)
    return placed
