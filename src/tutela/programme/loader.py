"""Load a programme from a folder (or one file) of YAML, with line-numbered errors.

A programme is a folder of ``*.yml``/``*.yaml`` files (searched recursively, in
sorted order, skipping hidden folders such as ``.github``) or a single file. Each
file is a mapping of top-level sections (:data:`tutela.programme.models.SECTIONS`).
List sections are concatenated across files; mapping sections (``organisation``,
``statement``, ``rights``, ``complaints``, ``masking``) appear once. Every section may
be left out: a programme of only ``systems`` loads (the DSR engine needs no more), and
``tutela check`` reports a missing legal section (``transparency/missing-section``).

Every problem is collected and raised together as :class:`~tutela.errors.PolicyErrors`;
each :class:`~tutela.errors.PolicyError` names the file, line and column, the field
path (``purposes[marketing].legal_basis``), what was expected, what was found and a
hint. No input, however broken, produces a Python traceback.

The public surface is :func:`load`, :func:`load_programme`, :class:`LoadedProgramme`
and :func:`read_document` (one YAML file with positions, used by the importers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_origin

from pydantic import ValidationError

from tutela.errors import Location, PolicyError, PolicyErrors
from tutela.programme.diagnostics import (
    Path_,
    PathPart,
    by_position,
    field_path,
    show_value,
    unknown_key,
    validation_errors,
)
from tutela.programme.models import SECTIONS, Programme
from tutela.programme.references import check_references
from tutela.programme.translations import apply_translations
from tutela.programme.yaml_documents import Document, read_document

__all__ = ["LoadedProgramme", "PathPart", "load", "load_programme", "read_document"]

MAPPING_SECTIONS = frozenset(
    name for name, info in Programme.model_fields.items() if get_origin(info.annotation) is not list
)
"""Sections written once (a mapping); every other section is a list, concatenated."""


@dataclass(frozen=True)
class LoadedProgramme:
    """A validated programme and where each of its values was written.

    ``locations`` maps a path of model attribute names and list indices, e.g.
    ``("purposes", 3, "legal_basis")``, to the file, line and column it came from.
    List indices are positions in the merged lists (all files, sorted order).
    """

    programme: Programme
    root: Path
    locations: Mapping[tuple[PathPart, ...], Location] = field(default_factory=dict)

    def locate(self, *path: PathPart) -> Location | None:
        """Where ``path`` (or its nearest written ancestor) sits in the sources."""
        for end in range(len(path), -1, -1):
            found = self.locations.get(tuple(path[:end]))
            if found is not None:
                return found
        return None


# --- merging files into one programme -----------------------------------------------------


@dataclass
class _Merged:
    """The programme's raw data merged from all files, with positions by model path."""

    root: Path
    data: dict[str, Any] = field(default_factory=dict)
    values: dict[Path_, Location] = field(default_factory=dict)
    keys: dict[Path_, Location] = field(default_factory=dict)
    origin: dict[str, Location] = field(default_factory=dict)
    errors: list[PolicyError] = field(default_factory=list)
    unreadable: bool = False

    def add(self, document: Document) -> None:
        """Merge one file's sections; record errors for what cannot be merged."""
        if document.data is None:
            return
        if not isinstance(document.data, dict):
            self.errors.append(_not_a_mapping(document))
            self.unreadable = True
            return
        for section, value in document.data.items():
            key_at = document.keys[(section,)]
            if section not in SECTIONS:
                self.errors.append(unknown_key(section, SECTIONS, key_at, section, "section"))
            elif section in MAPPING_SECTIONS:
                self.add_mapping(document, section, value, key_at)
            else:
                self.add_list(document, section, value, key_at)

    def add_mapping(self, document: Document, section: str, value: Any, key_at: Location) -> None:
        first = self.origin.get(section)
        if first is not None:
            self.errors.append(
                PolicyError(
                    f"section `{section}` is written twice; it was first written at {first}",
                    location=key_at,
                    path=section,
                    hint=f"keep one `{section}:` mapping, in {first.source} or {key_at.source}",
                )
            )
            return
        self.origin[section] = key_at
        self.data[section] = value
        self.copy_positions(document, section, 0)

    def add_list(self, document: Document, section: str, value: Any, key_at: Location) -> None:
        self.origin.setdefault(section, key_at)
        if value is None:
            return
        if not isinstance(value, list):
            self.errors.append(
                PolicyError(
                    f"section `{section}` must be a list",
                    location=key_at,
                    path=section,
                    expected="a list of `- key: ...` items",
                    found=show_value(value),
                    hint=f"start each entry of `{section}` with `- ` on its own line",
                )
            )
            return
        items: list[Any] = self.data.setdefault(section, [])
        offset = len(items)
        items.extend(value)
        self.copy_positions(document, section, offset)

    def copy_positions(self, document: Document, section: str, offset: int) -> None:
        for source, target in ((document.values, self.values), (document.keys, self.keys)):
            for path, location in source.items():
                if not path or path[0] != section:
                    continue
                if len(path) > 1 and isinstance(path[1], int):
                    path = (section, path[1] + offset, *path[2:])
                target.setdefault(path, location)
        self.values[(section,)] = self.origin[section]


def _not_a_mapping(document: Document) -> PolicyError:
    return PolicyError(
        "a programme file must be a mapping of sections",
        location=document.values.get((), Location(str(document.source), 1, 1)),
        expected="sections such as `organisation:` or `purposes:`",
        found=show_value(document.data),
        hint="put the list under a section key, e.g. `purposes:` followed by `- key: ...`",
    )


# --- public entry points ------------------------------------------------------------------


def load(path: str | Path) -> LoadedProgramme:
    """Load and validate the programme at ``path`` (a folder of YAML files or one file).

    Raises :class:`~tutela.errors.PolicyErrors` carrying every problem found: YAML
    syntax, unknown keys, wrong types, missing fields, duplicate keys, sections
    written twice and, once the models validate, dangling cross-references.
    """
    root = Path(path)
    merged = _Merged(root)
    for file in _programme_files(root):
        try:
            merged.add(read_document(file))
        except PolicyError as error:
            merged.errors.append(error)
            merged.unreadable = True
    merged.errors += _duplicates(merged)
    merged.errors += apply_translations(merged.data, Programme, {**merged.values, **merged.keys})
    programme = _validate(merged)
    if programme is not None and not merged.errors:
        merged.errors += check_references(programme, merged.values)
    if merged.errors or programme is None:
        raise PolicyErrors(by_position(merged.errors))
    return LoadedProgramme(programme, root, dict(merged.values))


def load_programme(path: str | Path) -> Programme:
    """Load and validate the programme at ``path``; see :func:`load`."""
    return load(path).programme


def _programme_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise PolicyErrors([PolicyError("no such file or folder", location=Location(str(root)))])
    files = [
        file
        for file in sorted(root.rglob("*"))
        if file.suffix in (".yml", ".yaml")
        and file.is_file()
        and not any(part.startswith(".") for part in file.relative_to(root).parts)
    ]
    if not files:
        raise PolicyErrors(
            [
                PolicyError(
                    "the folder holds no programme files",
                    location=Location(str(root)),
                    hint="write the programme as *.yml files in this folder",
                )
            ]
        )
    return files


# --- duplicate keys -------------------------------------------------------------------------


_KEYED = (
    "subjects",
    "categories",
    "sources",
    "purposes",
    "retention",
    "systems",
    "recipients",
    "anonymisation",
    "dpa_register",
)


def _duplicates(merged: _Merged) -> list[PolicyError]:
    """Two entries with the same key (or name) where keys must be unique.

    Keys of keyed sections and dataset keys are unique programme-wide (datasets are
    referenced as ``dataset.collection.field``); collection names are unique within
    a dataset, field names within a collection, masking rules per category.
    """
    scopes: list[tuple[list[Path_], str]] = [([(section,)], "key") for section in _KEYED]
    scopes.append(([("masking", "rules")], "category"))
    datasets = _list_paths(merged.data, [("systems",)], "datasets")
    scopes.append((datasets, "key"))
    for dataset in _list_paths(merged.data, datasets, None):
        collections: Path_ = (*dataset, "collections")
        scopes.append(([collections], "name"))
        scopes += [
            ([fields], "name") for fields in _list_paths(merged.data, [collections], "fields")
        ]
    return [error for lists, key in scopes for error in _duplicates_in(merged, lists, key)]


def _list_paths(data: Any, lists: list[Path_], attribute: str | None) -> list[Path_]:
    """For every item of every list in ``lists``: the item's path, plus ``attribute``."""
    tail: Path_ = (attribute,) if attribute else ()
    return [(*path, index, *tail) for path in lists for index, _ in enumerate(_items(data, path))]


def _duplicates_in(merged: _Merged, lists: list[Path_], key: str) -> list[PolicyError]:
    seen: dict[str, Location | None] = {}
    errors = []
    for list_path in lists:
        for index, item in enumerate(_items(merged.data, list_path)):
            value = item.get(key) if isinstance(item, dict) else None
            if not isinstance(value, str):
                continue
            path = (*list_path, index, key)
            where = merged.values.get(path)
            if value in seen:
                first = seen[value]
                errors.append(
                    PolicyError(
                        f"duplicate {key} `{value}`; it is already used at {first}",
                        location=where,
                        path=field_path(merged.data, path),
                        hint=f"give each entry its own {key}, or merge the two entries",
                    )
                )
            seen.setdefault(value, where)
    return errors


def _items(data: Any, path: Path_) -> list[Any]:
    for part in path:
        if isinstance(data, dict):
            data = data.get(str(part))
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return []
    return data if isinstance(data, list) else []


# --- validation -------------------------------------------------------------------------------


def _validate(merged: _Merged) -> Programme | None:
    try:
        return Programme.model_validate(merged.data)
    except ValidationError as error:
        found = validation_errors(
            error, Programme, merged.data, merged.values, merged.keys, Location(str(merged.root))
        )
    if merged.unreadable:  # a missing section may sit in the file that could not be read
        found = [e for e in found if not (e.message.startswith("missing") and "." not in e.path)]
    merged.errors += found
    return None
