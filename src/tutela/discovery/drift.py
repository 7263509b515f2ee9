"""Schema drift: what a system's database holds, against what the programme declares.

``tutela check --against`` connects to each system, discovers its database
(:func:`tutela.discovery.service.discover`) and runs the rules below over the
programme and the discoveries together. They are :class:`~tutela.checks.Rule` objects
like every check, so their findings print as text, JSON and SARIF, but they are not
registered in the ``checks`` plug-in kind: they need live connections, and a plain
``tutela check`` never opens one.

- ``drift/undeclared-personal-data`` (error): a column holds personal data the
  programme does not declare (Art. 30(1)(c): the records list the categories);
- ``drift/missing-column`` (error): a declared collection or field is not in the
  database any more (Art. 5(2): the programme must stay true);
- ``drift/category-mismatch`` (warning): the declared and discovered categories are
  on different branches of the fideslang tree (``user.name`` and ``user.name.first``
  agree; ``user.contact.email`` and ``user.contact.phone_number`` do not);
- ``drift/unreachable`` (error): the system's database could not be read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date

from tutela.checks.findings import CheckContext, Finding, ModelPath, Rule, Violation, rule
from tutela.discovery.models import ColumnFinding
from tutela.discovery.registry import Installed
from tutela.discovery.service import Discovery, discover
from tutela.errors import TutelaError
from tutela.ports import CollectionInfo, Connector
from tutela.programme.loader import LoadedProgramme
from tutela.programme.models import Collection, DatasetField, System
from tutela.taxonomy.vocabulary import Vocabulary

MIN_CONFIDENCE = 0.6
"""A discovered category counts as evidence of personal data from this confidence on."""

EVIDENCE_SHOWN = 3
"""How many pieces of a column's evidence a finding's message quotes."""


@dataclass(frozen=True)
class Survey:
    """What ``check --against`` read: a discovery per system reached, a reason per other."""

    discoveries: Mapping[str, Discovery] = field(default_factory=dict)
    unreachable: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DriftContext(CheckContext):
    """A :class:`CheckContext` with the survey of the systems' databases.

    ``min_confidence`` is the confidence from which a discovered category is taken as
    personal data (below it, the column is left alone).
    """

    survey: Survey = field(default_factory=Survey)
    min_confidence: float = MIN_CONFIDENCE

    @classmethod
    def of_survey(
        cls,
        loaded: LoadedProgramme,
        survey: Survey,
        *,
        today: date | None = None,
        min_confidence: float = MIN_CONFIDENCE,
    ) -> DriftContext:
        """The context of ``loaded`` (with its own categories) and ``survey``."""
        base = CheckContext.of(loaded, today)
        return cls(loaded, base.today, base.vocabulary, survey, min_confidence)


def survey_systems(
    systems: Iterable[str],
    connect: Callable[[str], Connector],
    *,
    sample: int = 1000,
    installed: Installed | None = None,
) -> Survey:
    """Discover the database of each system ``connect`` opens; never raises a TutelaError.

    A system whose connector cannot be built or whose database cannot be read gets
    the error's message as its reason (reported by ``drift/unreachable``). Connectors
    are closed after use.
    """
    discoveries: dict[str, Discovery] = {}
    unreachable: dict[str, str] = {}
    for key in systems:
        try:
            connector = connect(key)
        except TutelaError as error:
            unreachable[key] = str(error)
            continue
        try:
            discoveries[key] = discover(connector, sample=sample, installed=installed)
        except TutelaError as error:
            unreachable[key] = str(error)
        finally:
            connector.close()
    return Survey(discoveries, unreachable)


# --- the programme and the database side by side -----------------------------------------


@dataclass(frozen=True)
class DeclaredCollection:
    """A collection the programme declares in a surveyed system, with its model path."""

    system: str
    path: ModelPath
    collection: Collection

    def field_path(self, index: int) -> ModelPath:
        """The model path of the collection's field number ``index``."""
        return (*self.path, "fields", index)


@dataclass(frozen=True)
class SystemDrift:
    """One surveyed system: its declared collections and its discovered database."""

    system: System
    path: ModelPath
    declared: dict[str, DeclaredCollection]
    tables: dict[str, CollectionInfo]
    findings: tuple[ColumnFinding, ...]

    def table(self, name: str) -> CollectionInfo | None:
        """The database table called ``name`` (case-insensitive), or None."""
        return self.tables.get(name.lower())


def _systems(context: CheckContext) -> Iterator[SystemDrift]:
    """The surveyed systems of the programme (none when ``context`` has no survey)."""
    if not isinstance(context, DriftContext):
        return
    for index, system in enumerate(context.programme.systems):
        discovery = context.survey.discoveries.get(system.key)
        if discovery is None:
            continue
        path: ModelPath = ("systems", index)
        declared = {
            collection.name.lower(): DeclaredCollection(
                system.key, (*path, "datasets", d, "collections", c), collection
            )
            for d, dataset in enumerate(system.datasets)
            for c, collection in enumerate(dataset.collections)
        }
        tables = {info.name.lower(): info for info in discovery.collections}
        yield SystemDrift(system, path, declared, tables, discovery.findings)


def _column_of(declared: DatasetField) -> str:
    """The database column a field names (``address.city`` lives in column ``address``)."""
    return declared.name.split(".", 1)[0].lower()


def _declared_field(collection: Collection, column: str) -> tuple[int, DatasetField] | None:
    wanted = column.lower()
    for index, declared in enumerate(collection.fields):
        if _column_of(declared) == wanted:
            return index, declared
    return None


def lineage(category: str, vocabulary: Vocabulary) -> set[str]:
    """``category`` and its ancestors: its dotted prefixes and its declared parents."""
    found: set[str] = set()
    pending = [category]
    while pending:
        key = pending.pop()
        if key in found:
            continue
        found.add(key)
        parts = key.split(".")
        pending.extend(".".join(parts[:end]) for end in range(1, len(parts)))
        term = vocabulary.categories.get(key)
        if term is not None and term.parent:
            pending.append(term.parent)
    return found


def categories_agree(declared: str, discovered: str, vocabulary: Vocabulary) -> bool:
    """Whether one category is the other or its ancestor in the (extended) fideslang tree."""
    return declared in lineage(discovered, vocabulary) or discovered in lineage(
        declared, vocabulary
    )


def _evidence(finding: ColumnFinding) -> str:
    shown = "; ".join(finding.evidence[:EVIDENCE_SHOWN])
    sampled = f", {finding.sampled} values sampled" if finding.sampled else ""
    told = f": {shown}" if shown else ""
    return f"confidence {finding.confidence:.2f}{sampled}{told}"


def _personal(context: CheckContext, finding: ColumnFinding) -> bool:
    threshold = context.min_confidence if isinstance(context, DriftContext) else MIN_CONFIDENCE
    return finding.category is not None and finding.confidence >= threshold


# --- the rules ------------------------------------------------------------------------------


@rule(
    "drift/undeclared-personal-data",
    severity="error",
    title="A database column holds personal data the programme does not declare",
    source="GDPR Art. 30(1)(c), 5(2), 25(1)",
)
def undeclared_personal_data(context: CheckContext) -> Iterator[Violation]:
    """A column holding personal data is declared, with its category (Art. 30(1)(c)).

    Reported: a column whose sampled values (or name) show personal data in a collection
    the programme does not declare, missing from its collection, or declared without a
    data category. A key field declared as an identity or a reference is declared enough.
    """
    for system in _systems(context):
        for finding in system.findings:
            if not _personal(context, finding):
                continue
            violation = _undeclared(system, finding)
            if violation is not None:
                yield violation


def _undeclared(system: SystemDrift, finding: ColumnFinding) -> Violation | None:
    where = f"column `{finding.table}.{finding.column}` of system `{system.system.key}`"
    looks = f"holds {finding.category} ({_evidence(finding)})"
    proposal = f"{{name: {finding.column}, data_categories: [{finding.category}]}}"
    collection = system.declared.get(finding.table.lower())
    if collection is None:
        return Violation(
            (*system.path, "datasets"),
            f"{where} {looks}, but the programme declares no collection `{finding.table}`",
            f"declare collection `{finding.table}` in a dataset of system "
            f"`{system.system.key}` with the field {proposal}, or drop the table",
        )
    matched = _declared_field(collection.collection, finding.column)
    if matched is None:
        return Violation(
            collection.path,
            f"{where} {looks}, but collection `{collection.collection.name}` does not declare it",
            f"add the field {proposal} to collection `{collection.collection.name}`, "
            "or drop the column",
        )
    index, declared = matched
    if declared.data_categories or declared.identity or declared.references:
        return None
    return Violation(
        collection.field_path(index),
        f"{where} {looks}, but field `{declared.name}` is declared without a data category",
        f"add data_categories: [{finding.category}] to field `{declared.name}`",
    )


@rule(
    "drift/missing-column",
    severity="error",
    title="A declared collection or field is not in the database",
    source="GDPR Art. 5(2), 30(1)(c)",
)
def missing_column(context: CheckContext) -> Iterator[Violation]:
    """Every declared collection and field exists in the system's database (Art. 5(2)).

    Otherwise the records describe processing that is not there, and requests fail on it.
    """
    for system in _systems(context):
        for declared in system.declared.values():
            yield from _missing(system, declared)


def _missing(system: SystemDrift, declared: DeclaredCollection) -> Iterator[Violation]:
    name, key = declared.collection.name, system.system.key
    table = system.table(name)
    if table is None:
        yield Violation(
            declared.path,
            f"collection `{name}` is declared in system `{key}`, whose database has no "
            f"table `{name}`",
            f"remove collection `{name}` from the programme, or point system `{key}`'s "
            "connector at the database that holds it",
        )
        return
    columns = {column.name.lower() for column in table.columns}
    for index, item in enumerate(declared.collection.fields):
        if _column_of(item) not in columns:
            yield Violation(
                declared.field_path(index),
                f"field `{name}.{item.name}` is declared in system `{key}`, but table "
                f"`{table.name}` has no column `{_column_of(item)}`",
                f"remove field `{item.name}` from collection `{name}` (or rename it to the "
                "column that replaced it)",
            )


@rule(
    "drift/category-mismatch",
    severity="warning",
    title="The declared and the discovered data categories disagree",
    source="GDPR Art. 30(1)(c), 5(1)(d)",
)
def category_mismatch(context: CheckContext) -> Iterator[Violation]:
    """A declared field's values show the category it declares (Art. 5(1)(d), 30(1)(c)).

    Reported when neither the declared category nor the discovered one is an ancestor of
    the other in the fideslang tree (``user.name`` and ``user.name.first`` agree).
    """
    for system in _systems(context):
        for finding in system.findings:
            if _personal(context, finding):
                yield from _mismatch(system, finding, context.vocabulary)


def _mismatch(
    system: SystemDrift, finding: ColumnFinding, vocabulary: Vocabulary
) -> Iterator[Violation]:
    collection = system.declared.get(finding.table.lower())
    matched = _declared_field(collection.collection, finding.column) if collection else None
    if collection is None or matched is None or finding.category is None:
        return
    index, declared = matched
    if not declared.data_categories or any(
        categories_agree(item, finding.category, vocabulary) for item in declared.data_categories
    ):
        return
    stated = ", ".join(declared.data_categories)
    yield Violation(
        collection.field_path(index),
        f"field `{finding.table}.{declared.name}` of system `{system.system.key}` is declared "
        f"{stated}, but its values look like {finding.category} ({_evidence(finding)})",
        f"correct data_categories (to {finding.category}?), or check what the column really holds",
    )


@rule(
    "drift/unreachable",
    severity="error",
    title="A system's database could not be read to compare it with the programme",
    source="GDPR Art. 5(2)",
)
def unreachable(context: CheckContext) -> Iterator[Violation]:
    """Every system ``check --against`` surveys can be read (Art. 5(2)): else drift is unknown."""
    if not isinstance(context, DriftContext):
        return
    for index, system in enumerate(context.programme.systems):
        reason = context.survey.unreachable.get(system.key)
        if reason is None:
            continue
        variable = system.connector.url_env if system.connector else None
        fix = f"set {variable} to the database's URL" if variable else "fix the connector's url"
        yield Violation(
            ("systems", index, "connector"),
            f"system `{system.key}`: its database could not be read: {reason}",
            f"{fix}, check the server is up and the credentials can read the catalog",
        )


DRIFT_RULES: Mapping[str, Rule] = {
    item.id: item
    for item in (undeclared_personal_data, missing_column, category_mismatch, unreachable)
}
"""The drift rules by id, for ``tutela check --against`` (not in the ``checks`` kind)."""


def drift_findings(context: DriftContext, rules: Iterable[Rule] | None = None) -> list[Finding]:
    """The findings of the drift ``rules`` (default: all) in ``context``, sorted."""
    chosen = DRIFT_RULES.values() if rules is None else rules
    found = [finding for item in chosen for finding in item.run(context)]
    return sorted(found, key=Finding.sort_key)
