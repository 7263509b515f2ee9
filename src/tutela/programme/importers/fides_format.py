"""The Fides (fideslang) dataset format, the subset tutela reads, as strict-enough models.

Unknown keys are allowed (``extra="allow"``) so that :mod:`tutela.programme.importers.fides`
can warn about them; :data:`FIDES_KEYS` lists the keys fideslang defines that tutela
ignores without a warning.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from fideslang.validation import valid_data_type, validate_fides_key
from pydantic import BaseModel, ConfigDict, Field, PositiveInt, field_validator

from tutela.programme.models import Dataset, Model

__all__ = [
    "FIDES_KEYS",
    "FidesCollection",
    "FidesDataset",
    "FidesField",
    "FidesFile",
    "FidesMeta",
    "FidesModel",
    "FidesReference",
    "ImportedDatasets",
]

# Keys fideslang defines that tutela does not import (ignored without a warning).
FIDES_KEYS = {
    "file": {"dataset", "system", "data_category", "data_use", "data_subject", "organization"},
    "dataset": {"organization_fides_key", "tags", "meta", "data_categories", "data_uses"}
    | {"data_purposes", "data_subjects", "data_qualifier", "retention", "fides_meta"}
    | {"third_country_transfers", "joint_controller", "fidesctl_meta", "fidesops_meta"},
    "collection": {"data_categories", "data_uses", "data_purposes", "data_subjects", "after"}
    | {"fides_meta", "fidesops_meta", "data_qualifier", "retention", "erase_after"},
    "field": {"data_uses", "data_purposes", "data_subjects", "data_qualifier", "retention"},
    "meta": {"return_all_elements", "read_only", "custom_request_field", "redact"}
    | {"masking_strategy_override"},
    "reference": set(),
}


def _fides_key(value: str) -> str:
    validate_fides_key(value)
    return value


def _unique_names(items: list[Any]) -> list[Any]:
    names = [item.name for item in items]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"duplicate name {', '.join(map(repr, repeated))}")
    return items


def _unique_optional(items: list[Any] | None) -> list[Any] | None:
    return None if items is None else _unique_names(items)


class FidesModel(BaseModel):
    """Base of the Fides models: unknown keys kept (to warn about), numbers read as text."""

    model_config = ConfigDict(extra="allow", frozen=True, coerce_numbers_to_str=True)


def _collection_field(value: str) -> str:
    if not re.match(r"^[^.\s]+\.\S+$", value):
        raise ValueError(f"{value!r} is not `collection.field`; write e.g. `address.id`")
    return value


class FidesReference(FidesModel):
    """``fides_meta.references[]``: a link to ``collection.field`` of a dataset."""

    dataset: str
    field: str
    direction: Literal["from", "to"] | None = None

    _field = field_validator("field")(_collection_field)


class FidesMeta(FidesModel):
    """``fides_meta`` (or ``fidesops_meta``) of a field."""

    references: list[FidesReference] | None = None
    identity: str | None = None
    primary_key: bool | None = None
    data_type: str | None = None
    length: PositiveInt | None = None

    _data_type = field_validator("data_type")(valid_data_type)


class FidesField(FidesModel):
    """A field, possibly with nested ``fields``."""

    name: str = Field(min_length=1)
    description: str | None = None
    data_categories: list[str] | None = None
    fides_meta: FidesMeta | None = None
    fidesops_meta: FidesMeta | None = None
    fields: list[FidesField] | None = None

    _unique = field_validator("fields")(_unique_optional)

    def meta(self) -> tuple[str, FidesMeta]:
        """The field's metadata and the key it was written under."""
        if self.fides_meta is not None:
            return "fides_meta", self.fides_meta
        return "fidesops_meta", self.fidesops_meta or FidesMeta()


class FidesCollection(FidesModel):
    """A collection of a Fides dataset."""

    name: str = Field(min_length=1)
    description: str | None = None
    fields: list[FidesField] = Field(min_length=1)

    _unique = field_validator("fields")(_unique_names)


class FidesDataset(FidesModel):
    """One entry of the file's ``dataset:`` list."""

    fides_key: str
    name: str | None = None
    description: str | None = None
    collections: list[FidesCollection] = Field(min_length=1)

    _key = field_validator("fides_key")(_fides_key)
    _unique = field_validator("collections")(_unique_names)


class FidesFile(FidesModel):
    """A Fides dataset file: a ``dataset:`` list."""

    dataset: list[FidesDataset] = Field(min_length=1)


class ImportedDatasets(Model):
    """The tutela datasets built from a file, validated together."""

    dataset: list[Dataset]
