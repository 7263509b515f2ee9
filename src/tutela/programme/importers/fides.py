"""Import Fides (fideslang) dataset files as tutela datasets.

The input is a fideslang dataset manifest as Fides documents it::

    dataset:
      - fides_key: app_db
        name: Application database
        collections:
          - name: customer
            fields:
              - name: email
                data_categories: [user.contact.email]
                fides_meta: {identity: email, data_type: string}
              - name: address_id
                fides_meta:
                  references: [{dataset: app_db, field: address.id, direction: to}]

Each dataset becomes a tutela :class:`~tutela.programme.models.Dataset`: nested fields
are flattened as ``parent.child``; ``identity``, ``primary_key``, ``data_type`` (as
``type``) and ``length`` are kept; references become ``collection.field`` within the
dataset and ``dataset.collection.field`` across datasets (``fidesops_meta`` is read
like ``fides_meta``). Fides keys are lower-cased to tutela keys.

Pure: parsed YAML data in; models, warnings and YAML text out. Every problem of a
bad file is a :class:`~tutela.errors.PolicyError` with its line, raised together.
"""

from __future__ import annotations

import difflib
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from fideslang.validation import valid_data_type, validate_fides_key
from pydantic import BaseModel, ConfigDict, Field, PositiveInt, ValidationError, field_validator
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from tutela.errors import Location, PolicyError, PolicyErrors
from tutela.programme.diagnostics import Path_, by_position, nearest_location, validation_errors
from tutela.programme.models import Dataset, Model, System
from tutela.taxonomy import Vocabulary

DOCS = "docs/import-fides.md"
OWNER_PLACEHOLDER = "Unassigned"
"""Owner written when ``--owner`` is not given (marked TODO in the YAML)."""
COUNTRY_PLACEHOLDER = "ZZ"
"""ISO 3166 user-assigned code for "unknown", written when no hosting country is given."""

_KEY = re.compile(r"^[a-z0-9][a-z0-9_.\-]*$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")

# Keys fideslang defines that tutela does not import (ignored without a warning).
_FIDES_KEYS = {
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


# --- the Fides format (the subset tutela reads) ------------------------------------------------


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


class _Fides(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, coerce_numbers_to_str=True)


def _collection_field(value: str) -> str:
    if not re.match(r"^[^.\s]+\.\S+$", value):
        raise ValueError(f"{value!r} is not `collection.field`; write e.g. `address.id`")
    return value


class _Reference(_Fides):
    dataset: str
    field: str
    direction: Literal["from", "to"] | None = None

    _field = field_validator("field")(_collection_field)


class _Meta(_Fides):
    references: list[_Reference] | None = None
    identity: str | None = None
    primary_key: bool | None = None
    data_type: str | None = None
    length: PositiveInt | None = None

    _data_type = field_validator("data_type")(valid_data_type)


class _Field(_Fides):
    name: str = Field(min_length=1)
    description: str | None = None
    data_categories: list[str] | None = None
    fides_meta: _Meta | None = None
    fidesops_meta: _Meta | None = None
    fields: list[_Field] | None = None

    _unique = field_validator("fields")(_unique_optional)

    def meta(self) -> tuple[str, _Meta]:
        """The field's metadata and the key it was written under."""
        if self.fides_meta is not None:
            return "fides_meta", self.fides_meta
        return "fidesops_meta", self.fidesops_meta or _Meta()


class _Collection(_Fides):
    name: str = Field(min_length=1)
    description: str | None = None
    fields: list[_Field] = Field(min_length=1)

    _unique = field_validator("fields")(_unique_names)


class _Dataset(_Fides):
    fides_key: str
    name: str | None = None
    description: str | None = None
    collections: list[_Collection] = Field(min_length=1)

    _key = field_validator("fides_key")(_fides_key)
    _unique = field_validator("collections")(_unique_names)


class _File(_Fides):
    dataset: list[_Dataset] = Field(min_length=1)


class _Imported(Model):
    dataset: list[Dataset]


# --- import -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FidesImport:
    """The tutela datasets read from one Fides file, and what the reader should check."""

    datasets: tuple[Dataset, ...]
    warnings: tuple[str, ...] = ()


@dataclass
class _Import:
    source: str
    locations: Mapping[Path_, Location]
    keys: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    places: dict[Path_, Location] = field(default_factory=dict)
    vocabulary: Vocabulary = field(default_factory=Vocabulary)

    def at(self, raw: Path_) -> Location:
        return nearest_location(self.locations, raw) or Location(self.source)

    def warn(self, raw: Path_, message: str) -> None:
        self.warnings.append(f"{self.at(raw)}: {message}")


def import_datasets(
    data: Any, *, source: str = "<fides>", locations: Mapping[Path_, Location] | None = None
) -> FidesImport:
    """Read a parsed fideslang dataset file (``dataset:`` list) as tutela datasets.

    ``locations`` gives where each value of ``data`` was written (from
    :func:`tutela.programme.yaml_documents.read_document`). Raises PolicyErrors for a
    file that is not a valid Fides dataset file; unknown keys, data categories
    outside the fideslang taxonomy and references to datasets the file does not
    define are returned as warnings.
    """
    where = Location(source)
    try:
        parsed = _File.model_validate(data)
    except ValidationError as error:
        found = validation_errors(error, _File, data, locations or {}, {}, where, docs=DOCS)
        raise PolicyErrors(by_position(found)) from None
    state = _Import(source, locations or {})
    _warn_unknown(state, parsed, ("dataset",), "file")
    state.keys = {
        d.fides_key: _tutela_key(state, d.fides_key, ("dataset", i, "fides_key"))
        for i, d in enumerate(parsed.dataset)
    }
    built = [_dataset(state, dataset, ("dataset", i)) for i, dataset in enumerate(parsed.dataset)]
    try:
        result = _Imported.model_validate({"dataset": built})
    except ValidationError as error:
        raise PolicyErrors(
            validation_errors(
                error, _Imported, {"dataset": built}, state.places, {}, where, docs=DOCS
            )
        ) from None
    return FidesImport(tuple(result.dataset), tuple(state.warnings))


def _tutela_key(state: _Import, value: str, raw: Path_) -> str:
    key = re.sub(r"[^a-z0-9_.\-]", "_", value.lower()).lstrip("_.-") or "dataset"
    if key != value:
        state.warn(raw, f"`{value}` is written as the tutela key `{key}`")
    return key


def _dataset(state: _Import, dataset: _Dataset, raw: Path_) -> dict[str, Any]:
    _warn_unknown(state, dataset, raw, "dataset")
    state.places[raw] = state.at(raw)
    key = state.keys[dataset.fides_key]
    collections = []
    for c, collection in enumerate(dataset.collections):
        at = (*raw, "collections", c)
        _warn_unknown(state, collection, at, "collection")
        state.places[at] = state.at(at)
        fields = _flatten(state, dataset.fides_key, collection.fields, "", (*at, "fields"))
        for f, (_, origin) in enumerate(fields):
            state.places[(*at, "fields", f)] = state.at(origin)
        collections.append(
            _present(
                name=collection.name,
                description=collection.description,
                fields=[built for built, _ in fields],
            )
        )
    return _present(
        key=key,
        name=dataset.name or dataset.fides_key,
        description=dataset.description,
        collections=collections,
    )


def _flatten(
    state: _Import, dataset: str, fields: Sequence[_Field], prefix: str, raw: Path_
) -> list[tuple[dict[str, Any], Path_]]:
    """Nested fields as ``parent.child`` names; a parent is kept only if annotated."""
    result: list[tuple[dict[str, Any], Path_]] = []
    for index, item in enumerate(fields):
        at = (*raw, index)
        _warn_unknown(state, item, at, "field")
        name = prefix + item.name
        meta_key, meta = item.meta()
        annotated = item.data_categories or meta.identity or meta.primary_key or meta.references
        if not item.fields or annotated:
            result.append((_field(state, dataset, item, name, at, meta_key), at))
        if item.fields:
            result += _flatten(state, dataset, item.fields, name + ".", (*at, "fields"))
    return result


def _field(
    state: _Import, dataset: str, item: _Field, name: str, raw: Path_, meta_key: str
) -> dict[str, Any]:
    meta = item.meta()[1]
    _warn_unknown(state, meta, (*raw, meta_key), "meta")
    for c, category in enumerate(item.data_categories or []):
        if category not in state.vocabulary.categories:
            state.warn(
                (*raw, "data_categories", c),
                f"data category `{category}` is not in the fideslang default taxonomy; "
                "declare it under `categories:` in the programme",
            )
    identity = meta.identity and _tutela_key(state, meta.identity, (*raw, meta_key, "identity"))
    references = [
        _reference(state, dataset, ref, (*raw, meta_key, "references", r))
        for r, ref in enumerate(meta.references or [])
    ]
    return _present(
        name=name,
        description=item.description,
        type=meta.data_type,
        data_categories=item.data_categories or None,
        identity=identity or None,
        primary_key=meta.primary_key or None,
        references=references or None,
        length=meta.length,
    )


def _reference(state: _Import, dataset: str, ref: _Reference, raw: Path_) -> dict[str, Any]:
    _warn_unknown(state, ref, raw, "reference")
    if ref.dataset == dataset:
        to = ref.field
    else:
        if ref.dataset not in state.keys:
            state.warn(
                (*raw, "dataset"),
                f"reference to dataset `{ref.dataset}`, which this file does not define; "
                "the programme must define it",
            )
        to = f"{state.keys.get(ref.dataset) or ref.dataset.lower()}.{ref.field}"
    return _present(to=to, direction=ref.direction)


def _present(**values: Any) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not None}


def _warn_unknown(state: _Import, model: _Fides, raw: Path_, level: str) -> None:
    known = set(type(model).model_fields) | _FIDES_KEYS[level]
    for name in model.model_extra or {}:
        if name in known:
            continue
        close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
        guess = f" (did you mean `{close[0]}`?)" if close else ""
        state.warn((*raw, name), f"unknown Fides key `{name}` ignored{guess}")


# --- systems and YAML ---------------------------------------------------------------------------


def fides_systems(
    imported: FidesImport,
    *,
    system: str | None = None,
    owner: str | None = None,
    hosting_country: str | None = None,
) -> list[System]:
    """The imported datasets as systems: one per dataset, or all under ``system``.

    Raises PolicyErrors naming the option when ``system`` is not a key or
    ``hosting_country`` not an ISO 3166-1 alpha-2 code. Without ``owner`` or
    ``hosting_country`` the placeholders :data:`OWNER_PLACEHOLDER` and
    :data:`COUNTRY_PLACEHOLDER` are used.
    """
    _check_options(system, owner, hosting_country)
    common = {
        "owner": owner or OWNER_PLACEHOLDER,
        "hosting_country": hosting_country or COUNTRY_PLACEHOLDER,
    }
    if system is not None:
        only = imported.datasets[0] if len(imported.datasets) == 1 else None
        name = only.name if only else system
        return [System(key=system, name=name, datasets=list(imported.datasets), **common)]
    return [
        System(key=d.key, name=d.name, description=d.description, datasets=[d], **common)
        for d in imported.datasets
    ]


def _check_options(system: str | None, owner: str | None, country: str | None) -> None:
    problems = []
    if system is not None and not _KEY.match(system):
        problems.append(("--system", system, "a key of lower-case letters, digits, `_`, `-`, `.`"))
    if owner is not None and not 0 < len(owner.strip()) <= 500:
        problems.append(("--owner", owner, "a name of 1 to 500 characters"))
    if country is not None and not _COUNTRY.match(country):
        problems.append(("--hosting-country", country, "an ISO 3166-1 alpha-2 code such as BE"))
    if problems:
        raise PolicyErrors(
            [
                PolicyError(f"invalid {option}", path=option, expected=expected, found=repr(value))
                for option, value, expected in problems
            ]
        )


def systems_yaml(
    imported: FidesImport,
    *,
    system: str | None = None,
    owner: str | None = None,
    hosting_country: str | None = None,
) -> str:
    """A ``systems:`` section holding the imported datasets, as YAML text.

    Placeholders for a missing owner or hosting country carry a ``# TODO`` comment.
    """
    systems = fides_systems(imported, system=system, owner=owner, hosting_country=hosting_country)
    entries = CommentedSeq()
    for item in systems:
        entry = _compact(item.model_dump(mode="json", exclude_defaults=True))
        entry.move_to_end("datasets")
        if owner is None:
            entry.yaml_add_eol_comment("TODO: who answers for this system", "owner")
        if hosting_country is None:
            entry.yaml_add_eol_comment("TODO: ISO code of the hosting country", "hosting_country")
        entries.append(entry)
    yaml = YAML(typ="rt")
    yaml.width = 120
    yaml.indent(mapping=2, sequence=4, offset=2)
    buffer = io.StringIO()
    yaml.dump(CommentedMap(systems=entries), buffer)
    return buffer.getvalue()


def _compact(value: Any) -> Any:
    """Block style, except short field mappings, references and lists of scalars (flow)."""
    if isinstance(value, list):
        sequence = CommentedSeq(_compact(item) for item in value)
        if all(not isinstance(item, dict | list) for item in value):
            sequence.fa.set_flow_style()
        return sequence
    if not isinstance(value, dict):
        return value
    mapping = CommentedMap((name, _compact(item)) for name, item in value.items())
    is_field = "name" in value and not {"key", "fields"} & set(value)
    if "to" in value or (is_field and not {"references", "description"} & set(value)):
        mapping.fa.set_flow_style()
    return mapping
