"""Cross-reference checks of a validated programme, and how places are described.

Once the models validate, every name one part of the programme uses for another
must exist: a purpose's categories and data uses, its subjects, sources and
retention rule; the purposes of recipients, systems, collections, cookies and
anonymised releases; dataset field references; restriction flags; masking
strategies (the installed ones: built-ins plus ``tutela.masking`` plug-ins, see
:mod:`tutela.plugins`). Categories,
data uses and subject types come from the fideslang default taxonomy plus the
programme's own ``categories`` (:class:`tutela.taxonomy.Vocabulary`).

A dangling name is a :class:`~tutela.errors.PolicyError` with the file, line and
field path where it was written, and a did-you-mean hint. These checks make the
records of processing consistent (GDPR Art. 30(1)(b)-(f), rule RP-1): every
purpose, category and recipient a record names is one the programme defines.

:func:`resolve_reference` is how every capability (the DSR planner included)
should read a field reference's ``to``, so all agree on what it names.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection as Names
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from tutela.errors import Location, PolicyError
from tutela.plugins import MASKING, installed
from tutela.programme.diagnostics import Path_, field_path, nearest_location
from tutela.programme.models import Collection, Dataset, DatasetField, Programme
from tutela.taxonomy import Vocabulary

_TAXONOMY_HINT = "use a fideslang default key (see docs/programme.md) or declare it under `{}:`"


# --- field references -------------------------------------------------------------------------


def resolve_reference(
    programme: Programme, dataset_key: str, to: str
) -> tuple[Dataset, Collection, DatasetField] | None:
    """The field a reference names, or None.

    ``to`` is ``collection.field`` within the dataset ``dataset_key``, or
    ``dataset.collection.field`` across datasets; field names may hold dots (nested
    fields are flattened as ``parent.child``). The same dataset is tried first.
    """
    datasets = {dataset.key: dataset for _, dataset in programme.datasets()}
    own = datasets.get(dataset_key)
    if own is not None:
        found = _find_in(own, to)
        if found is not None:
            return found
    parts = to.split(".")
    for cut in range(1, len(parts) - 1):
        other = datasets.get(".".join(parts[:cut]))
        if other is not None:
            found = _find_in(other, ".".join(parts[cut:]))
            if found is not None:
                return found
    return None


def _find_in(dataset: Dataset, text: str) -> tuple[Dataset, Collection, DatasetField] | None:
    for collection in dataset.collections:
        prefix = collection.name + "."
        if text.startswith(prefix):
            for dataset_field in collection.fields:
                if dataset_field.name == text[len(prefix) :]:
                    return dataset, collection, dataset_field
    return None


def _reference_targets(programme: Programme, dataset_key: str) -> list[str]:
    targets = []
    for _, dataset in programme.datasets():
        prefix = "" if dataset.key == dataset_key else dataset.key + "."
        for collection in dataset.collections:
            targets += [f"{prefix}{collection.name}.{f.name}" for f in collection.fields]
    return targets


# --- the checks -------------------------------------------------------------------------------


@dataclass
class _Checker:
    programme: Programme
    locations: Mapping[Path_, Location]
    errors: list[PolicyError] = field(default_factory=list)

    def expect(
        self, value: str | None, known: Names[str], path: Path_, what: str, hint: str
    ) -> None:
        """Record an error unless ``value`` is one of ``known``."""
        if value is None or value in known:
            return
        close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.6)
        self.errors.append(
            PolicyError(
                f"unknown {what} `{value}`",
                location=nearest_location(self.locations, path),
                path=field_path(self.programme, path),
                hint=f"did you mean `{close[0]}`?" if close else hint,
            )
        )

    def each(
        self, values: Sequence[str], known: Names[str], path: Path_, what: str, hint: str
    ) -> None:
        """:meth:`expect` for every item of a list."""
        for index, value in enumerate(values):
            self.expect(value, known, (*path, index), what, hint)


def check_references(
    programme: Programme,
    locations: Mapping[Path_, Location] | None = None,
    strategies: Names[str] | None = None,
) -> list[PolicyError]:
    """Every dangling cross-reference of ``programme`` as a PolicyError (empty if none).

    ``locations`` maps model paths to where they were written (see
    :class:`tutela.programme.loader.LoadedProgramme`); without it errors carry no line.
    ``strategies`` are the masking strategy names to accept (default: the installed
    ones, listed without importing any plug-in).
    """
    checker = _Checker(programme, locations or {})
    vocabulary = Vocabulary.with_extensions(
        (c.key, c.name, c.parent, c.special, c.criminal) for c in programme.categories
    )
    _check_categories(checker, set(vocabulary.categories))
    _check_purposes(checker, vocabulary)
    _check_purpose_users(checker, {p.key for p in programme.purposes})
    _check_datasets(checker)
    _check_identities(checker)
    _check_register(checker)
    _check_masking(checker, installed(MASKING).names() if strategies is None else strategies)
    return checker.errors


def _category_uses(programme: Programme) -> Iterator[tuple[Sequence[str], Path_]]:
    """Every list of data categories in the programme, with its model path."""
    for i, purpose in enumerate(programme.purposes):
        yield purpose.categories, ("purposes", i, "categories")
    for i, recipient in enumerate(programme.recipients):
        yield recipient.categories, ("recipients", i, "categories")
    for i, source in enumerate(programme.sources):
        yield source.categories, ("sources", i, "categories")
    for i, subject in enumerate(programme.subjects):
        yield subject.categories, ("subjects", i, "categories")
    for path, dataset_field in _fields(programme):
        yield dataset_field.data_categories, (*path, "data_categories")
    for i, rule in enumerate(programme.masking.rules):
        yield [rule.category], ("masking", "rules", i, "category")


def _check_categories(checker: _Checker, known: set[str]) -> None:
    hint = _TAXONOMY_HINT.format("categories")
    for values, path in _category_uses(checker.programme):
        if path[0] == "masking":
            checker.expect(values[0], known, path, "data category", hint)
        else:
            checker.each(values, known, path, "data category", hint)
    parents = {c.key: c.parent for c in checker.programme.categories}
    for i, category in enumerate(checker.programme.categories):
        parent: Path_ = ("categories", i, "parent")
        checker.expect(category.parent, known, parent, "data category", hint)
        if _in_cycle(category.key, parents):
            checker.errors.append(
                PolicyError(
                    f"category `{category.key}` is its own ancestor",
                    location=nearest_location(checker.locations, parent),
                    path=field_path(checker.programme, parent),
                    hint="point `parent` at a more general category",
                )
            )


def _in_cycle(key: str, parents: Mapping[str, str | None]) -> bool:
    seen: set[str] = set()
    current: str | None = parents.get(key)
    while current is not None and current not in seen:
        if current == key:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def _check_purposes(checker: _Checker, vocabulary: Vocabulary) -> None:
    programme = checker.programme
    subjects = {s.key for s in programme.subjects}
    sources = {s.key for s in programme.sources}
    retention = {r.key for r in programme.retention}
    for i, purpose in enumerate(programme.purposes):
        at: Path_ = ("purposes", i)
        checker.each(
            purpose.data_uses,
            vocabulary.uses,
            (*at, "data_uses"),
            "data use",
            "use a fideslang default data use such as `essential.service` (see docs/programme.md)",
        )
        checker.each(
            purpose.subjects, subjects, (*at, "subjects"), "subject", "declare it under `subjects:`"
        )
        checker.each(
            purpose.sources, sources, (*at, "sources"), "source", "declare it under `sources:`"
        )
        checker.expect(
            purpose.retention,
            retention,
            (*at, "retention"),
            "retention rule",
            "declare it under `retention:`",
        )
    for i, source in enumerate(programme.sources):
        checker.each(
            source.subjects,
            subjects,
            ("sources", i, "subjects"),
            "subject",
            "declare it under `subjects:`",
        )
    for i, subject in enumerate(programme.subjects):
        checker.each(
            subject.taxonomy,
            vocabulary.subjects,
            ("subjects", i, "taxonomy"),
            "fideslang data subject",
            "use a fideslang default data subject such as `customer` or `employee`",
        )
    for i, system in enumerate(programme.systems):
        checker.expect(
            system.retention,
            retention,
            ("systems", i, "retention"),
            "retention rule",
            "declare it under `retention:`",
        )


def _check_purpose_users(checker: _Checker, purposes: set[str]) -> None:
    programme = checker.programme
    hint = "declare it under `purposes:`"
    for i, recipient in enumerate(programme.recipients):
        checker.each(recipient.purposes, purposes, ("recipients", i, "purposes"), "purpose", hint)
    for i, system in enumerate(programme.systems):
        checker.each(system.purposes, purposes, ("systems", i, "purposes"), "purpose", hint)
        if system.consent_webhook is not None:  # the purposes whose changes it is told of
            pushed: Path_ = ("systems", i, "consent_webhook", "purposes")
            checker.each(system.consent_webhook.purposes, purposes, pushed, "purpose", hint)
    for path, collection in _collections(programme):
        checker.each(collection.purposes, purposes, (*path, "purposes"), "purpose", hint)
    for i, cookie in enumerate(programme.cookies):
        checker.expect(cookie.purpose, purposes, ("cookies", i, "purpose"), "purpose", hint)
    for i, release in enumerate(programme.anonymisation):
        at: Path_ = ("anonymisation", i, "source_purposes")
        checker.each(release.source_purposes, purposes, at, "purpose", hint)


def _check_register(checker: _Checker) -> None:
    """The DPA register names processor systems; hosts, DPIAs name what exists (Art. 30(2))."""
    programme = checker.programme
    processor = {s.key for s in programme.systems if s.role == "processor"}
    controller = {s.key for s in programme.systems if s.role != "processor"}
    for i, customer in enumerate(programme.dpa_register):
        for j, key in enumerate(customer.systems):
            at: Path_ = ("dpa_register", i, "systems", j)
            if key in controller:
                checker.errors.append(
                    PolicyError(
                        f"system `{key}` is a controller system, not one that processes "
                        "for a customer",
                        location=nearest_location(checker.locations, at),
                        path=field_path(programme, at),
                        hint="list only systems with `role: processor`, or set that role",
                    )
                )
            else:
                hint = "declare it under `systems:` with `role: processor`"
                checker.expect(key, processor, at, "processor system", hint)
    recipients = {r.key for r in programme.recipients}
    for i, system in enumerate(programme.systems):
        at = ("systems", i, "hosting_provider")
        hint = "name the recipient that hosts the system (declare it under `recipients:`)"
        checker.expect(system.hosting_provider, recipients, at, "recipient", hint)
    purposes = {p.key for p in programme.purposes}
    for i, dpia in enumerate(programme.dpias):
        at = ("dpias", i, "purposes")
        checker.each(dpia.purposes, purposes, at, "purpose", "declare it under `purposes:`")


def _check_datasets(checker: _Checker) -> None:
    programme = checker.programme
    for path, collection in _collections(programme):
        names = [f.name for f in collection.fields]
        checker.expect(
            collection.restriction_flag,
            names,
            (*path, "restriction_flag"),
            "field",
            "name a field of this collection: the column that marks restricted rows (RS-2)",
        )
    for path, dataset_field in _fields(programme):
        dataset_key = programme.systems[int(path[1])].datasets[int(path[3])].key
        for r, reference in enumerate(dataset_field.references):
            if resolve_reference(programme, dataset_key, reference.to) is None:
                targets = _reference_targets(programme, dataset_key)
                checker.expect(
                    reference.to,
                    targets,
                    (*path, "references", r, "to"),
                    "field",
                    "write `collection.field` (same dataset) or `dataset.collection.field`",
                )


def _check_identities(checker: _Checker) -> None:
    """With an ``identities`` section, each is declared once and every field's identity in it."""
    programme = checker.programme
    if not programme.identities:
        return
    seen: set[str] = set()
    for i, identity in enumerate(programme.identities):
        if identity.key in seen:
            at: Path_ = ("identities", i, "key")
            checker.errors.append(
                PolicyError(
                    f"identity `{identity.key}` is declared twice",
                    location=nearest_location(checker.locations, at),
                    path=field_path(programme, at),
                    hint="declare each identity once under `identities:`",
                )
            )
        seen.add(identity.key)
    hint = "declare it under `identities:` with its kind (email, phone or exact)"
    for path, dataset_field in _fields(programme):
        checker.expect(dataset_field.identity, seen, (*path, "identity"), "identity", hint)


def _strategy_uses(programme: Programme) -> Iterator[tuple[str | None, Path_]]:
    """Every masking strategy the programme names, with its model path."""
    yield programme.masking.default, ("masking", "default")
    for i, rule in enumerate(programme.masking.rules):
        yield rule.strategy, ("masking", "rules", i, "strategy")
    for path, dataset_field in _fields(programme):
        yield dataset_field.masking, (*path, "masking")


def _check_masking(checker: _Checker, strategies: Names[str]) -> None:
    """Every strategy named is installed: a built-in or a ``tutela.masking`` plug-in (ER-1)."""
    installed_names = ", ".join(f"`{name}`" for name in sorted(strategies))
    for value, path in _strategy_uses(checker.programme):
        if value is None or value in strategies:
            continue
        close = difflib.get_close_matches(value, list(strategies), n=1, cutoff=0.6)
        guess = f"did you mean `{close[0]}`? " if close else ""
        checker.errors.append(
            PolicyError(
                f"unknown masking strategy `{value}`",
                location=nearest_location(checker.locations, path),
                path=field_path(checker.programme, path),
                hint=f"{guess}installed strategies: {installed_names}; a plug-in strategy "
                "must be installed where tutela runs (`tutela plugins list`, docs/plugins.md)",
            )
        )


def _collections(programme: Programme) -> Iterator[tuple[Path_, Collection]]:
    for s, system in enumerate(programme.systems):
        for d, dataset in enumerate(system.datasets):
            for c, collection in enumerate(dataset.collections):
                yield ("systems", s, "datasets", d, "collections", c), collection


def _fields(programme: Programme) -> Iterator[tuple[Path_, DatasetField]]:
    for path, collection in _collections(programme):
        for f, dataset_field in enumerate(collection.fields):
            yield (*path, "fields", f), dataset_field
