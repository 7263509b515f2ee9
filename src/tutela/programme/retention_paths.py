"""Where a retention rule reaches: the collections it covers and the columns they count from.

Pure and shared by ``tutela check`` (:mod:`tutela.checks.rules.retention`) and the sweep
compiler (:mod:`tutela.retention.rules`), so both agree on what a rule covers and on what
is wrong with it (RT-1, RT-2):

- :func:`resolve_column` reads a collection's column path: ``completed_at`` is a field of
  the collection, ``scan.completed_at`` a field of the collection ``scan`` that one of its
  fields references (``references: [{to: scan.id}]``, in the same dataset: the sweep
  joins within one database).
- :func:`covered` lists the collections a rule covers: those named in
  ``covers.collections``, those holding a field of a covered category (or one under it),
  and those serving a covered purpose (the collection's ``purposes``, else its system's).
- :func:`masked_fields` lists what an anonymising sweep overwrites, and :func:`problems`
  everything that keeps a rule from being swept, each with the model path to point at.
"""

from __future__ import annotations

from collections.abc import Collection as Names
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from tutela.programme.erasure import key_columns, strategy_for
from tutela.programme.models import (
    Collection,
    Dataset,
    DatasetField,
    Programme,
    RetentionRule,
    System,
)
from tutela.programme.references import resolve_reference
from tutela.taxonomy.vocabulary import covers

ModelPath = tuple[str | int, ...]

SET_BASED = ("null", "fixed")
"""The erasure strategies a sweep can apply to a whole range in one statement."""

DEFAULT_FIXED = "REDACTED"
"""The value the ``fixed`` strategy writes when the programme gives none."""

TimeKind = Literal["date", "datetime"]
_TIME_WORDS: tuple[tuple[str, TimeKind], ...] = (
    ("timestamp", "datetime"),
    ("datetime", "datetime"),
    ("date", "date"),
)


@dataclass(frozen=True)
class ColumnPath:
    """A column a collection's path names: on the collection, or on a referenced parent.

    ``field`` is the declared field read. With ``parent``, ``via`` is the collection's
    field referencing ``parent.parent_key`` and ``field`` is a field of ``parent``.
    """

    field: DatasetField
    parent: Collection | None = None
    via: str | None = None
    parent_key: str | None = None


@dataclass(frozen=True)
class Covered:
    """A collection a rule covers, with its dataset, its system and its model path."""

    system: System
    dataset: Dataset
    collection: Collection
    path: ModelPath

    @property
    def address(self) -> str:
        """``dataset.collection``, as ``covers.collections`` writes it."""
        return f"{self.dataset.key}.{self.collection.name}"


ProblemKind = Literal[
    "unknown-cover",
    "no-time-column",
    "column-not-found",
    "time-not-a-date",
    "no-primary-key",
    "no-period",
    "per-customer-incomplete",
    "anonymise-cannot-run",
    "archive-unusable",
    "customer-without-account",
]


@dataclass(frozen=True)
class Problem:
    """One thing that keeps a rule from being swept: where, what, and how to fix it."""

    kind: ProblemKind
    path: ModelPath
    message: str
    hint: str


# --- column paths ---------------------------------------------------------------------------


def resolve_column(
    programme: Programme, dataset: Dataset, collection: Collection, path: str
) -> ColumnPath | str:
    """The column ``path`` names from ``collection``, or a message saying what is wrong."""
    here = f"{dataset.key}.{collection.name}"
    own = _field(collection, path)
    if own is not None:
        return ColumnPath(own)
    if "." not in path:
        return f"collection {here} has no field '{path}' (it has: {_names(collection)})"
    parent_name, name = path.split(".", 1)
    parent = next((c for c in dataset.collections if c.name == parent_name), None)
    if parent is None:
        return (
            f"collection {here} has no field '{path}', and dataset {dataset.key} has no "
            f"collection '{parent_name}'"
        )
    via = _reference_to(programme, dataset, collection, parent)
    if via is None:
        return f"no reference from {here} to collection '{parent_name}'"
    target = _field(parent, name)
    if target is None:
        where = f"{dataset.key}.{parent_name}"
        return f"collection {where} has no field '{name}' (it has: {_names(parent)})"
    return ColumnPath(target, parent, via[0], via[1])


def time_kind(f: DatasetField) -> TimeKind | None:
    """``date`` or ``datetime`` for a field declared as one (``timestamp`` too); else None."""
    text = (f.type or "").lower()
    return next((kind for word, kind in _TIME_WORDS if word in text), None)


def primary_key(collection: Collection) -> DatasetField | None:
    """The collection's single declared primary key; None with none or several."""
    keys = [f for f in collection.fields if f.primary_key]
    return keys[0] if len(keys) == 1 else None


def _field(collection: Collection, name: str) -> DatasetField | None:
    return next((f for f in collection.fields if f.name == name), None)


def _names(collection: Collection) -> str:
    return ", ".join(f.name for f in collection.fields)


def _reference_to(
    programme: Programme, dataset: Dataset, collection: Collection, parent: Collection
) -> tuple[str, str] | None:
    """(the field of ``collection`` referencing ``parent``, the parent's key) in one dataset."""
    for f in collection.fields:
        for reference in f.references:
            found = resolve_reference(programme, dataset.key, reference.to)
            if found is not None and found[0] is dataset and found[1] is parent:
                return f.name, found[2].name
    return None


# --- what a rule covers ---------------------------------------------------------------------


def all_collections(programme: Programme) -> Iterator[Covered]:
    """Every collection of the programme, with its model path."""
    for s, system in enumerate(programme.systems):
        for d, dataset in enumerate(system.datasets):
            for c, collection in enumerate(dataset.collections):
                path = ("systems", s, "datasets", d, "collections", c)
                yield Covered(system, dataset, collection, path)


def covered(programme: Programme, rule: RetentionRule) -> list[Covered]:
    """The collections ``rule`` covers, in declaration order, each once (none without covers)."""
    if rule.covers is None:
        return []
    named = set(rule.covers.collections)
    found = []
    for site in all_collections(programme):
        categories = [c for f in site.collection.fields for c in f.data_categories]
        purposes = site.collection.purposes or site.system.purposes
        if (
            site.address in named
            or any(covers(g, c) for g in rule.covers.categories for c in categories)
            or any(p in purposes for p in rule.covers.purposes)
        ):
            found.append(site)
    return found


def masked_fields(
    programme: Programme, rule: RetentionRule, site: Covered
) -> list[tuple[DatasetField, str, str | None]]:
    """The fields an anonymising sweep of ``site`` overwrites: (field, strategy, value).

    The personal fields (with a data category outside ``system``; only the covered
    categories' when the rule covers categories), never a key column (primary key or
    either end of a reference), nor the collection's own time or customer column (the
    sweep selects by them). ``value`` is what ``fixed`` writes (None for ``null``).
    """
    keys = key_columns(programme)
    chosen = list(rule.covers.categories) if rule.covers else []
    kept = {site.collection.retention_from, site.collection.customer_field}
    found = []
    for f in site.collection.fields:
        if (site.dataset.key, site.collection.name, f.name) in keys or f.name in kept:
            continue
        personal = [c for c in f.data_categories if not covers("system", c)]
        if chosen:
            personal = [c for c in personal if any(covers(g, c) for g in chosen)]
        if personal:
            strategy, value = strategy_for(programme, f)
            fixed = (value or DEFAULT_FIXED) if strategy == "fixed" else None
            found.append((f, strategy, fixed))
    return found


def archive_collection(
    programme: Programme, rule: RetentionRule, site: Covered
) -> Collection | str:
    """The collection ``rule`` archives ``site``'s rows to, or what is wrong with it."""
    if not rule.archive_to:
        return f"retention rule '{rule.key}' archives but names no archive_to collection"
    dataset_key, _, name = rule.archive_to.partition(".")
    target = next((c for c in site.dataset.collections if c.name == name), None)
    if dataset_key != site.dataset.key or target is None or target is site.collection:
        return (
            f"archive_to '{rule.archive_to}' of retention rule '{rule.key}' is not another "
            f"collection of dataset {site.dataset.key} (where {site.address} is)"
        )
    missing = [f.name for f in site.collection.fields if _field(target, f.name) is None]
    if missing:
        return (
            f"archive collection {rule.archive_to} lacks columns of {site.address}: "
            + ", ".join(missing)
        )
    return target


# --- what keeps a rule from being swept -----------------------------------------------------


def problems(programme: Programme, rules: Names[str] | None = None) -> list[Problem]:
    """Everything that keeps the rules with covers from being swept; each place once per kind.

    ``rules`` limits it to the rules with those keys. A place several rules reach (a
    collection two rules cover) is reported once, for the first rule.
    """
    seen: set[tuple[str, ModelPath]] = set()
    found: list[Problem] = []
    for index, rule in enumerate(programme.retention):
        if rule.covers is None or (rules is not None and rule.key not in rules):
            continue
        for problem in _rule_problems(programme, index, rule):
            if (problem.kind, problem.path) not in seen:
                seen.add((problem.kind, problem.path))
                found.append(problem)
    return found


def _rule_problems(programme: Programme, index: int, rule: RetentionRule) -> Iterator[Problem]:
    at: ModelPath = ("retention", index)
    yield from _unknown_covers(programme, at, rule)
    yield from _period_problems(at, rule)
    for site in covered(programme, rule):
        yield from _site_problems(programme, rule, site)
        if rule.action == "anonymise":
            yield from _anonymise_problems(programme, rule, site)
        if rule.action == "archive":
            archive = archive_collection(programme, rule, site)
            if isinstance(archive, str):
                yield Problem(
                    "archive-unusable",
                    (*at, "archive_to"),
                    archive,
                    "set archive_to to a collection of the same dataset declaring every "
                    "column of the archived one",
                )
    if rule.per_customer:
        yield from _account_problems(programme, at, rule)


def _unknown_covers(programme: Programme, at: ModelPath, rule: RetentionRule) -> Iterator[Problem]:
    assert rule.covers is not None
    addresses = {site.address for site in all_collections(programme)}
    for j, address in enumerate(rule.covers.collections):
        if address not in addresses:
            yield Problem(
                "unknown-cover",
                (*at, "covers", "collections", j),
                f"retention rule '{rule.key}' covers collection '{address}', which no dataset "
                "declares",
                "write dataset.collection, e.g. crm_db.contact, naming a declared collection",
            )
    purposes = {p.key for p in programme.purposes}
    for j, key in enumerate(rule.covers.purposes):
        if key not in purposes:
            yield Problem(
                "unknown-cover",
                (*at, "covers", "purposes", j),
                f"retention rule '{rule.key}' covers purpose '{key}', which is not declared",
                "name a purpose declared under purposes:",
            )
    held = {
        c
        for s in all_collections(programme)
        for f in s.collection.fields
        for c in f.data_categories
    }
    for j, key in enumerate(rule.covers.categories):
        if not any(covers(key, c) for c in held):
            yield Problem(
                "unknown-cover",
                (*at, "covers", "categories", j),
                f"retention rule '{rule.key}' covers category '{key}', which no field holds",
                "name a data category some field declares in data_categories (or one above it)",
            )


def _period_problems(at: ModelPath, rule: RetentionRule) -> Iterator[Problem]:
    if rule.per_customer and not rule.choices:
        yield Problem(
            "per-customer-incomplete",
            (*at, "choices"),
            f"retention rule '{rule.key}' is per_customer but lists no choices",
            "list the periods customers may choose, e.g. choices: [24h, 48h]",
        )
    if not rule.per_customer and rule.period is None:
        yield Problem(
            "no-period",
            (*at, "covers"),
            f"retention rule '{rule.key}' covers collections but has no period to sweep by",
            "set period (e.g. 13m), or per_customer: true with choices for customers' own "
            "periods, or remove covers to keep the rule stated only",
        )


def _site_problems(programme: Programme, rule: RetentionRule, site: Covered) -> Iterator[Problem]:
    collection = site.collection
    if primary_key(collection) is None:
        yield Problem(
            "no-primary-key",
            (*site.path, "fields"),
            f"collection {site.address}, covered by retention rule '{rule.key}', has no single "
            "primary key: sweeps walk tables by key ranges",
            "mark exactly one field primary_key: true",
        )
    if collection.retention_from is None:
        yield Problem(
            "no-time-column",
            site.path,
            f"collection {site.address} is covered by retention rule '{rule.key}' but names no "
            "retention_from: the field its period counts from",
            "set retention_from to a date or datetime field (or parent.field through a "
            "reference, e.g. scan.completed_at)",
        )
    else:
        yield from _time_problems(programme, site, collection.retention_from)
    if rule.per_customer:
        yield from _customer_problems(programme, rule, site)


def _time_problems(programme: Programme, site: Covered, path: str) -> Iterator[Problem]:
    at = (*site.path, "retention_from")
    found = resolve_column(programme, site.dataset, site.collection, path)
    if isinstance(found, str):
        yield Problem(
            "column-not-found",
            at,
            f"retention_from '{path}': {found}",
            "name a declared field, or parent.field where a field references the parent",
        )
    elif time_kind(found.field) is None:
        yield Problem(
            "time-not-a-date",
            at,
            f"retention_from '{path}' of {site.address} is declared "
            f"{found.field.type or 'without a type'}, not a date or datetime",
            "point retention_from at a field declared type: datetime (or date, timestamp)",
        )


def _customer_problems(
    programme: Programme, rule: RetentionRule, site: Covered
) -> Iterator[Problem]:
    path = site.collection.customer_field
    if path is None:
        yield Problem(
            "per-customer-incomplete",
            site.path,
            f"collection {site.address} is covered by per_customer rule '{rule.key}' but names "
            "no customer_field: the field holding each row's customer",
            "set customer_field to the customer's id field (or parent.field, e.g. "
            "scan.customer_id)",
        )
        return
    found = resolve_column(programme, site.dataset, site.collection, path)
    if isinstance(found, str):
        yield Problem(
            "column-not-found",
            (*site.path, "customer_field"),
            f"customer_field '{path}': {found}",
            "name a declared field, or parent.field where a field references the parent",
        )


def _anonymise_problems(
    programme: Programme, rule: RetentionRule, site: Covered
) -> Iterator[Problem]:
    fields = masked_fields(programme, rule, site)
    if not fields:
        yield Problem(
            "anonymise-cannot-run",
            site.path,
            f"retention rule '{rule.key}' anonymises {site.address}, which has no personal "
            "field to overwrite",
            "use action: delete, or cover a collection holding personal fields",
        )
    for f, strategy, _ in fields:
        index = site.collection.fields.index(f)
        at = (*site.path, "fields", index)
        if strategy not in SET_BASED:
            yield Problem(
                "anonymise-cannot-run",
                at,
                f"field {site.address}.{f.name} is erased with strategy '{strategy}', which "
                f"retention rule '{rule.key}' cannot apply to a whole range at once",
                "give the field masking: null or masking: fixed (with masking_value), or use "
                "action: delete for this collection",
            )
        elif strategy == "null" and not f.nullable:
            yield Problem(
                "anonymise-cannot-run",
                at,
                f"field {site.address}.{f.name} is declared nullable: false, but anonymising "
                f"it for retention rule '{rule.key}' writes NULL",
                "give the field masking: fixed with a masking_value, or allow NULL",
            )


def _account_problems(
    programme: Programme, at: ModelPath, rule: RetentionRule
) -> Iterator[Problem]:
    systems = {site.system.key for site in covered(programme, rule)}
    for i, customer in enumerate(programme.dpa_register):
        if customer.account is None and systems.intersection(customer.systems):
            yield Problem(
                "customer-without-account",
                ("dpa_register", i),
                f"customer '{customer.key}' has no account: per_customer rule '{rule.key}' "
                "cannot find its rows, so they are kept",
                "set account to the customer's id in the processor systems (the value of the "
                "collections' customer_field)",
            )
