"""Walk the nested parts of a programme together with their model paths.

Rules report a model path such as ``("systems", 0, "datasets", 1, "collections", 2)`` so
the finding can point at the file and line the loader recorded for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tutela.checks.findings import ModelPath
from tutela.programme.models import Collection, Dataset, DatasetField, Programme, Purpose, System
from tutela.taxonomy.vocabulary import covers


@dataclass(frozen=True)
class DatasetSite:
    """A dataset with the system that holds it and its model path."""

    system: System
    dataset: Dataset
    path: ModelPath


@dataclass(frozen=True)
class CollectionSite:
    """A collection with its dataset, system and model path."""

    system: System
    dataset: Dataset
    collection: Collection
    path: ModelPath

    @property
    def name(self) -> str:
        """``dataset.collection``, as written in references."""
        return f"{self.dataset.key}.{self.collection.name}"

    @property
    def purposes(self) -> list[str]:
        """The collection's own purposes, or the system's when it names none."""
        return self.collection.purposes or self.system.purposes


@dataclass(frozen=True)
class FieldSite:
    """A dataset field with everything around it and its model path."""

    owner: CollectionSite
    field: DatasetField
    path: ModelPath

    @property
    def name(self) -> str:
        """``dataset.collection.field``."""
        return f"{self.owner.name}.{self.field.name}"


def datasets(programme: Programme) -> Iterator[DatasetSite]:
    """Every dataset of every system."""
    for s, system in enumerate(programme.systems):
        for d, dataset in enumerate(system.datasets):
            yield DatasetSite(system, dataset, ("systems", s, "datasets", d))


def collections(programme: Programme) -> Iterator[CollectionSite]:
    """Every collection of every dataset."""
    for site in datasets(programme):
        for c, collection in enumerate(site.dataset.collections):
            path = (*site.path, "collections", c)
            yield CollectionSite(site.system, site.dataset, collection, path)


def fields(programme: Programme) -> Iterator[FieldSite]:
    """Every field of every collection."""
    for owner in collections(programme):
        for f, item in enumerate(owner.collection.fields):
            yield FieldSite(owner, item, (*owner.path, "fields", f))


def is_personal(category: str) -> bool:
    """True for a data category about people (anything outside fideslang's ``system``)."""
    return not covers("system", category)


def holds_personal_data(collection: Collection) -> bool:
    """True if any field of ``collection`` carries a personal data category."""
    return any(is_personal(c) for f in collection.fields for c in f.data_categories)


def uses_any(purpose: Purpose, *general: str) -> bool:
    """True if one of the purpose's data uses lies under one of the ``general`` uses."""
    return any(covers(g, use) for g in general for use in purpose.data_uses)


def related(one: str, other: str) -> bool:
    """True if one dotted category key covers the other, in either direction."""
    return covers(one, other) or covers(other, one)
