"""A dataset proposed from a database catalog, for a person to review.

:func:`propose_dataset` turns the collections a connector describes into a
:class:`tutela.programme.models.Dataset`: columns with types and lengths, primary
keys, foreign keys as references, and first guesses of data categories and
identities (:mod:`tutela.connectors.guess`). :func:`render_proposal` writes
it as a YAML *dataset block* (the mapping that goes in a system's
``datasets:`` list) with every guess marked for review; :func:`render_system`
writes a whole runnable ``systems:`` section around it (a connector whose URL
comes from the environment, ``TODO`` placeholders for the owner and country).

Keys are left alone: primary keys and both ends of every foreign key get no
guessed category, so no erasure masks them; a guessed personal column that
cannot be null gets a masking it can hold
(:func:`tutela.programme.skeleton.proposed_masking`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from tutela.connectors.guess import Guess, guess_column
from tutela.errors import ConnectorError
from tutela.ports import CollectionInfo, ColumnInfo, Connector
from tutela.programme.models import Collection, Dataset, DatasetField, Reference
from tutela.programme.skeleton import (
    COUNTRY_PLACEHOLDER,
    COUNTRY_TODO,
    OWNER_PLACEHOLDER,
    PURPOSES_TODO,
    proposed_masking,
)

FieldAddress = tuple[str, str]
"""(collection, field)."""


@dataclass(frozen=True)
class Proposal:
    """A proposed dataset and, per guessed field, why it was guessed."""

    dataset: Dataset
    reasons: dict[FieldAddress, str] = field(default_factory=dict)


def dataset_key(text: str | None) -> str:
    """A valid programme key made from a database name (``Shop-DB`` -> ``shop-db``)."""
    key = re.sub(r"[^a-z0-9_.\-]+", "_", (text or "").lower()).strip("_.-")
    return key[:120] or "database"


def reflect_database(connector: Connector, key: str | None = None) -> Proposal:
    """The dataset proposed from the catalog of ``connector``'s database (named for it).

    Raises :class:`ConnectorError` when the database holds no tables.
    """
    collections = connector.describe()
    if not collections:
        raise ConnectorError(f"database {connector.name!r} has no tables; nothing to propose")
    name = f"{connector.name} database"
    return propose_dataset(collections, key=key or dataset_key(connector.name), name=name)


def propose_dataset(
    collections: Sequence[CollectionInfo],
    *,
    key: str,
    name: str,
    guesses: Mapping[FieldAddress, Guess] | None = None,
) -> Proposal:
    """The dataset ``key`` describing ``collections``, with guessed categories and identities.

    ``guesses`` replaces the guesses from column names (:func:`guess_column`) with
    the caller's, their reasons written as given (``tutela discover``); keys still
    get none.
    """
    referenced = {fk.target_collection for info in collections for fk in info.foreign_keys}
    targets = {
        (fk.target_collection, column)
        for info in collections
        for fk in info.foreign_keys
        for column in fk.target_columns
    }
    reasons: dict[FieldAddress, str] = {}
    proposed = []
    for info in collections:
        found = _guesses(info, targets, guesses)
        person_table = info.name in referenced and any(g.identity for g in found.values())
        fields = [
            _field(info, column, found.get(column.name), person_table, reasons)
            for column in info.columns
        ]
        proposed.append(Collection(name=info.name, fields=fields))
    return Proposal(Dataset(key=key, name=name, collections=proposed), reasons)


def _guesses(
    info: CollectionInfo,
    targets: set[FieldAddress],
    given: Mapping[FieldAddress, Guess] | None = None,
) -> dict[str, Guess]:
    """Guessed categories of the columns that are not keys (no erasure may mask a key)."""
    keys = {column for fk in info.foreign_keys for column in fk.columns}
    keys |= {column for collection, column in targets if collection == info.name}
    found = {}
    for column in info.columns:
        if column.primary_key or column.name in keys:
            continue
        guess = _named(column) if given is None else given.get((info.name, column.name))
        if guess is not None:
            found[column.name] = guess
    return found


def _named(column: ColumnInfo) -> Guess | None:
    """The guess from the column's name and type, its reason saying so."""
    guess = guess_column(column)
    return None if guess is None else replace(guess, reason=f"guessed from {guess.reason}")


def _field(
    info: CollectionInfo,
    column: ColumnInfo,
    guess: Guess | None,
    person_table: bool,
    reasons: dict[FieldAddress, str],
) -> DatasetField:
    values: dict[str, Any] = {"name": column.name, "type": column.type}
    if column.length:
        values["length"] = column.length
    if not column.nullable:
        values["nullable"] = False
    if column.primary_key:
        values["primary_key"] = True
    references = [
        Reference(to=f"{fk.target_collection}.{fk.target_columns[fk.columns.index(column.name)]}")
        for fk in info.foreign_keys
        if column.name in fk.columns
    ]
    if references:
        values["references"] = references
    if guess is not None:
        values["data_categories"] = [guess.category]
        if guess.identity:
            values["identity"] = guess.identity
        reasons[(info.name, column.name)] = guess.reason
        _add_masking(values, reasons, (info.name, column.name))
    elif column.primary_key and person_table and len(_primary_key(info)) == 1:
        values["identity"] = f"{_singular(info.name)}_id"
        reasons[(info.name, column.name)] = "guessed: key of a referenced table holding an identity"
    return DatasetField(**values)


def _add_masking(
    values: dict[str, Any], reasons: dict[FieldAddress, str], at: FieldAddress
) -> None:
    """Add the masking a guessed personal column needs when it cannot be null."""
    proposal = proposed_masking(DatasetField(**values))
    if proposal is None:
        return
    if proposal.strategy is not None:
        values["masking"] = proposal.strategy
    if proposal.value is not None:
        values["masking_value"] = proposal.value
    reasons[at] = f"{reasons[at]}; {proposal.reason}"


def _primary_key(info: CollectionInfo) -> list[str]:
    return [column.name for column in info.columns if column.primary_key]


def _singular(name: str) -> str:
    key = dataset_key(name)
    if key.endswith("ies"):
        return key[:-3] + "y"
    if key.endswith("s") and not key.endswith("ss"):
        return key[:-1]
    return key


# --- YAML -----------------------------------------------------------------------------------

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-@/]*$")
_RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}
_ORDER = ("name", "type", "length", "nullable", "primary_key", "references", "data_categories")
_HEADER = (
    "# Review every line marked `# guessed ...`: the categories and identities there come",
    "# from column names and types only. Keys (primary and foreign) carry no category, so",
    "# no erasure masks them.",
)
_BLOCK = (
    "# This is a dataset block: paste it as an item of the `datasets:` list of the system",
    "# that holds this database (or run with --as-system KEY for a whole systems: section).",
)


def render_proposal(
    proposal: Proposal,
    *,
    source: str,
    command: str = "tutela datasets reflect",
    header: Sequence[str] = (*_BLOCK, *_HEADER),
) -> str:
    """``proposal`` as a commented YAML dataset block; ``source`` is the (password-free) URL.

    ``command`` and ``header`` name what proposed it and how its reasons were found.
    """
    lines = [
        f"# Dataset proposed by `{command}` from {source}",
        *header,
        *_dataset_lines(proposal, ""),
    ]
    return "\n".join(lines) + "\n"


def render_system(
    proposal: Proposal,
    *,
    system: str,
    url_env: str,
    password_env: str | None = None,
    source: str,
) -> str:
    """``proposal`` as a runnable ``systems:`` section holding one system ``system``.

    Its connector reads the URL from ``url_env`` (and the password from
    ``password_env``): no URL, and so no password, is ever written. The owner and
    hosting country are ``TODO`` placeholders that ``tutela check`` reports.
    """
    connector = f"{{type: sql, url_env: {_scalar(url_env)}"
    connector += f", password_env: {_scalar(password_env)}}}" if password_env else "}"
    lines = [
        f"# System proposed by `tutela datasets reflect` from {source}",
        f"# tutela reads the database URL from the environment variable {url_env}.",
        *_HEADER,
        "systems:",
        f"  - key: {_scalar(system)}",
        f"    name: {_scalar(proposal.dataset.name)}",
        f"    owner: {_scalar(OWNER_PLACEHOLDER)}",
        f"    hosting_country: {COUNTRY_PLACEHOLDER}  # {COUNTRY_TODO}",
        f"    purposes: []  # {PURPOSES_TODO}",
        f"    connector: {connector}",
        "    datasets:",
        *_dataset_lines(proposal, "      ", first="- "),
    ]
    return "\n".join(lines) + "\n"


def _dataset_lines(proposal: Proposal, indent: str, first: str = "") -> list[str]:
    """The dataset block's lines, indented; ``first`` prefixes its first line (``- ``)."""
    dataset = proposal.dataset
    inner = indent + " " * len(first)
    lines = [
        f"{indent}{first}key: {_scalar(dataset.key)}",
        f"{inner}name: {_scalar(dataset.name)}",
        f"{inner}collections:",
    ]
    for collection in dataset.collections:
        lines += [f"{inner}  - name: {_scalar(collection.name)}", f"{inner}    fields:"]
        for item in collection.fields:
            line = f"{inner}      - {_field_text(item)}"
            reason = proposal.reasons.get((collection.name, item.name))
            lines.append(f"{line}  # {reason}" if reason else line)
    return lines


def _field_text(item: DatasetField) -> str:
    data = item.model_dump(exclude_defaults=True)
    names = [name for name in _ORDER if name in data] + [n for n in data if n not in _ORDER]
    return "{" + ", ".join(f"{name}: {_value(data[name])}" for name in names) + "}"


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_value(item)}" for key, item in value.items()) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return _scalar(str(value))


def _scalar(text: str) -> str:
    """``text`` plain when YAML reads it back as the same string, else double-quoted."""
    if _PLAIN.match(text) and text.lower() not in _RESERVED:
        return text
    return json.dumps(text, ensure_ascii=False)
