"""Retention rules compiled to sweep targets: what each rule deletes, anonymises or archives.

A rule with ``covers`` is enforced (RT-1, RT-2; Art. 5(1)(e)): each collection it covers
becomes one :class:`~tutela.retention.targets.Target` holding everything the SQL of a
sweep needs. What a rule covers, and what keeps it from being swept, is decided by
:mod:`tutela.programme.retention_paths`, the module ``tutela check`` reports from, so a
programme that checks clean compiles. Rules without ``covers`` are stated (in the
statement and the records) but not swept.

Within a rule, a collection that references another covered one comes first (children
before parents, so no foreign key is left dangling); rules keep the programme's order.
"""

from __future__ import annotations

from collections.abc import Collection as Names
from collections.abc import Sequence

from tutela.errors import PolicyError, PolicyErrors
from tutela.programme.diagnostics import field_path
from tutela.programme.durations import Duration
from tutela.programme.models import Programme, RetentionRule
from tutela.programme.references import resolve_reference
from tutela.programme.retention_paths import (
    Covered,
    archive_collection,
    covered,
    masked_fields,
    primary_key,
    problems,
    resolve_column,
    time_kind,
)
from tutela.retention.targets import Column, Masked, Target

WARNINGS = frozenset({"customer-without-account"})
"""Problems that do not stop a sweep (a customer without an account is kept)."""


def targets(programme: Programme, rules: Names[str] | None = None) -> list[Target]:
    """The sweep targets of the programme's rules with ``covers`` (or of the rules keyed ``rules``).

    Raises :class:`~tutela.errors.PolicyError` for a rule key the programme does not
    declare, and :class:`~tutela.errors.PolicyErrors` listing every problem that keeps
    the rules from being swept (the errors ``tutela check`` reports under ``retention/``).
    """
    _known(programme, rules)
    found = [p for p in problems(programme, rules) if p.kind not in WARNINGS]
    if found:
        raise PolicyErrors(
            [PolicyError(p.message, path=field_path(programme, p.path), hint=p.hint) for p in found]
        )
    chosen = [r for r in programme.retention if r.covers is not None]
    return [
        _target(programme, rule, site)
        for rule in chosen
        if rules is None or rule.key in rules
        for site in children_first(programme, covered(programme, rule))
    ]


def _known(programme: Programme, rules: Names[str] | None) -> None:
    if rules is None:
        return
    declared = {r.key for r in programme.retention}
    unknown = sorted(str(key) for key in rules if key not in declared)
    if unknown:
        shown = ", ".join(repr(key[:60]) for key in unknown[:3])
        raise PolicyError(
            f"no retention rule {shown} in the programme",
            hint=f"name one of: {', '.join(sorted(declared)) or '(none declared)'}",
        )


def children_first(programme: Programme, sites: Sequence[Covered]) -> list[Covered]:
    """``sites`` with every collection before those it references (declaration order else).

    A cycle of references is broken at the first collection declared.
    """
    remaining = list(sites)
    ordered: list[Covered] = []
    while remaining:
        free = [s for s in remaining if not any(_references(programme, t, s) for t in remaining)]
        chosen = free[0] if free else remaining[0]
        ordered.append(chosen)
        remaining.remove(chosen)
    return ordered


def _references(programme: Programme, child: Covered, parent: Covered) -> bool:
    """True when a field of ``child`` (another collection) references ``parent``."""
    if child is parent:
        return False
    for f in child.collection.fields:
        for reference in f.references:
            found = resolve_reference(programme, child.dataset.key, reference.to)
            if found is not None and found[1] is parent.collection:
                return True
    return False


def _target(programme: Programme, rule: RetentionRule, site: Covered) -> Target:
    collection = site.collection
    key = primary_key(collection)
    assert key is not None and collection.retention_from is not None  # problems() said so
    archive = archive_collection(programme, rule, site) if rule.action == "archive" else None
    return Target(
        rule=rule.key,
        action=rule.action,
        system=site.system.key,
        dataset=site.dataset.key,
        table=collection.name,
        address=site.address,
        key=key.name,
        time=_column(programme, site, collection.retention_from),
        period=None if rule.per_customer or rule.period is None else Duration.parse(rule.period),
        customer=_column(programme, site, collection.customer_field)
        if collection.customer_field
        else None,
        per_customer=rule.per_customer,
        masked=_masked(programme, rule, site) if rule.action == "anonymise" else (),
        archive=archive.name if archive is not None and not isinstance(archive, str) else None,
        columns=tuple(f.name for f in collection.fields),
    )


def _column(programme: Programme, site: Covered, path: str) -> Column:
    found = resolve_column(programme, site.dataset, site.collection, path)
    assert not isinstance(found, str)  # problems() said so
    kind = time_kind(found.field) or _kind(found.field.type)
    if found.parent is None:
        return Column(found.field.name, kind)
    return Column(found.field.name, kind, found.parent.name, found.via, found.parent_key)


def _kind(declared: str | None) -> str:
    """``integer`` for integer types, else the declared type (``string`` when undeclared)."""
    text = (declared or "string").lower()
    return "integer" if "int" in text or "serial" in text else text


def _masked(programme: Programme, rule: RetentionRule, site: Covered) -> tuple[Masked, ...]:
    return tuple(Masked(f.name, value) for f, _, value in masked_fields(programme, rule, site))
