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

Keys are left alone: a primary key or either end of a reference keeps no personal
category (with a warning naming it), so no erasure masks it
(:func:`tutela.programme.skeleton.leave_keys_alone`). Each system gets a connector
whose URL comes from the environment (``url_env: <SYSTEM>_URL``), never from YAML.

Pure: parsed YAML data in; models, warnings and YAML text out. Every problem of a
bad file is a :class:`~tutela.errors.PolicyError` with its line, raised together.
"""

from __future__ import annotations

import difflib
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from tutela.errors import Location, PolicyError, PolicyErrors
from tutela.programme.diagnostics import Path_, by_position, nearest_location, validation_errors
from tutela.programme.erasure import FieldAddress
from tutela.programme.importers.fides_format import (
    FIDES_KEYS,
    FidesDataset,
    FidesField,
    FidesFile,
    FidesModel,
    FidesReference,
    ImportedDatasets,
)
from tutela.programme.models import ConnectorSettings, Dataset, System
from tutela.programme.skeleton import (
    COUNTRY_PLACEHOLDER,
    COUNTRY_TODO,
    OWNER_PLACEHOLDER,
    PURPOSES_TODO,
    leave_keys_alone,
    url_env_for,
)
from tutela.taxonomy import Vocabulary

DOCS = "docs/import-fides.md"

_KEY = re.compile(r"^[a-z0-9][a-z0-9_.\-]*$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")

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
        parsed = FidesFile.model_validate(data)
    except ValidationError as error:
        found = validation_errors(error, FidesFile, data, locations or {}, {}, where, docs=DOCS)
        raise PolicyErrors(by_position(found)) from None
    state = _Import(source, locations or {})
    _warn_unknown(state, parsed, ("dataset",), "file")
    state.keys = {
        d.fides_key: _tutela_key(state, d.fides_key, ("dataset", i, "fides_key"))
        for i, d in enumerate(parsed.dataset)
    }
    built = [_dataset(state, dataset, ("dataset", i)) for i, dataset in enumerate(parsed.dataset)]
    try:
        result = ImportedDatasets.model_validate({"dataset": built})
    except ValidationError as error:
        raise PolicyErrors(
            validation_errors(
                error, ImportedDatasets, {"dataset": built}, state.places, {}, where, docs=DOCS
            )
        ) from None
    safe, notes = leave_keys_alone(result.dataset)
    state.warnings += _key_warnings(state, result.dataset, notes)
    return FidesImport(tuple(safe), tuple(state.warnings))


def _key_warnings(
    state: _Import, datasets: Sequence[Dataset], notes: Mapping[FieldAddress, str]
) -> list[str]:
    """Each note of :func:`leave_keys_alone`, at the line of the field it is about."""
    at = {
        (dataset.key, collection.name, item.name): ("dataset", d, "collections", c, "fields", f)
        for d, dataset in enumerate(datasets)
        for c, collection in enumerate(dataset.collections)
        for f, item in enumerate(collection.fields)
    }
    return [
        f"{state.places.get(at[address], Location(state.source))}: {note}"
        for address, note in notes.items()
    ]


def _tutela_key(state: _Import, value: str, raw: Path_) -> str:
    key = re.sub(r"[^a-z0-9_.\-]", "_", value.lower()).lstrip("_.-") or "dataset"
    if key != value:
        state.warn(raw, f"`{value}` is written as the tutela key `{key}`")
    return key


def _dataset(state: _Import, dataset: FidesDataset, raw: Path_) -> dict[str, Any]:
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
    state: _Import, dataset: str, fields: Sequence[FidesField], prefix: str, raw: Path_
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
    state: _Import, dataset: str, item: FidesField, name: str, raw: Path_, meta_key: str
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


def _reference(state: _Import, dataset: str, ref: FidesReference, raw: Path_) -> dict[str, Any]:
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


def _warn_unknown(state: _Import, model: FidesModel, raw: Path_, level: str) -> None:
    known = set(type(model).model_fields) | FIDES_KEYS[level]
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

    Each system has a SQL connector reading its URL from ``<SYSTEM>_URL``
    (:func:`~tutela.programme.skeleton.url_env_for`). Raises PolicyErrors naming the
    option when ``system`` is not a key or ``hosting_country`` not an ISO 3166-1
    alpha-2 code. Without ``owner`` or ``hosting_country`` the placeholders
    :data:`OWNER_PLACEHOLDER` and :data:`COUNTRY_PLACEHOLDER` are used.
    """
    _check_options(system, owner, hosting_country)
    common = {
        "owner": owner or OWNER_PLACEHOLDER,
        "hosting_country": hosting_country or COUNTRY_PLACEHOLDER,
    }
    if system is not None:
        only = imported.datasets[0] if len(imported.datasets) == 1 else None
        name = only.name if only else system
        connector = ConnectorSettings(url_env=url_env_for(system))
        datasets = list(imported.datasets)
        return [System(key=system, name=name, connector=connector, datasets=datasets, **common)]
    return [
        System(
            key=d.key,
            name=d.name,
            description=d.description,
            connector=ConnectorSettings(url_env=url_env_for(d.key)),
            datasets=[d],
            **common,
        )
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

    Placeholders for a missing owner or hosting country, and the empty ``purposes``
    list, carry a ``# TODO`` comment; the connector says which variable holds the URL.
    """
    systems = fides_systems(imported, system=system, owner=owner, hosting_country=hosting_country)
    entries = CommentedSeq()
    for item in systems:
        entry = _compact(item.model_dump(mode="json", exclude_defaults=True))
        url_env = item.connector.url_env if item.connector else None
        entry["purposes"] = _compact([])
        entry["connector"] = connector = CommentedMap(type="sql", url_env=url_env)
        connector.fa.set_flow_style()
        entry.move_to_end("datasets")
        if hosting_country is None:
            entry.yaml_add_eol_comment(COUNTRY_TODO, "hosting_country")
        entry.yaml_add_eol_comment(PURPOSES_TODO, "purposes")
        entry.yaml_add_eol_comment(f"the URL is read from ${url_env}", "connector")
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
