"""Time limits for erasure per data category, for the controller record (Art. 30(1)(f), RT-1).

Art. 30(1)(f) asks for "the envisaged time limits for erasure of the different categories
of data". One rule per purpose is not enough when the purpose's categories are kept in
places with different rules, so the limit is worked out where each category is held:
every field carrying the category (or a narrower or broader one) in a collection that
serves the purpose (the collection's ``purposes``, else its system's). At each such field
the rule in force is the most specific one declared:

1. the rule of a legal-obligation purpose that keeps the field: the collection lists the
   purpose and the purpose covers the field's categories (ER-2, Art. 17(3)(b));
2. in a collection that names its purposes (``collections[].purposes``), the purpose's own
   rule (``purposes[].retention``): the collection is kept for those purposes;
3. in a collection that names none, the default rule of its system
   (``systems[].retention``);
4. otherwise the purpose's rule, then the system's.

A collection's ``retention_from`` says from which of each row's dates the period counts.
When every category ends up with the same limit the cell gives it once, for all of them;
otherwise one line per category, and per place where the category's limits differ. A
category held in no described field gets the purpose's rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from tutela.programme.erasure import retaining_purpose
from tutela.programme.models import Collection, DatasetField, Programme, Purpose, System
from tutela.records.names import Names
from tutela.records.wording import retention_text
from tutela.taxonomy.vocabulary import covers

NOT_STATED = "Not stated (no retention rule)"


@dataclass(frozen=True)
class Place:
    """A field holding a purpose's data category, with its collection and system."""

    system: System
    collection: Collection
    field: DatasetField


def erasure_limits(programme: Programme, purpose: Purpose, names: Names) -> str:
    """The time limits for erasure of each of the purpose's categories (Art. 30(1)(f))."""
    fallback = _rule_limit(programme, purpose.retention, None)
    if not purpose.categories:
        return fallback
    limits = {
        c: category_limits(programme, purpose, c) or {fallback: []} for c in purpose.categories
    }
    distinct = {text for found in limits.values() for text in found}
    if len(distinct) == 1:
        categories = ", ".join(names.category_name(c) for c in purpose.categories)
        return f"{categories}: {distinct.pop()}"
    return "\n".join(
        _line(names.category_name(category), text, places if len(found) > 1 else [])
        for category, found in limits.items()
        for text, places in found.items()
    )


def category_limits(programme: Programme, purpose: Purpose, category: str) -> dict[str, list[str]]:
    """Each time limit in force for ``category`` of ``purpose``, with where it applies."""
    found: dict[str, list[str]] = {}
    for place in places(programme, purpose, category):
        text, where = limit_at(programme, purpose, place)
        wheres = found.setdefault(text, [])
        if where not in wheres:
            wheres.append(where)
    return found


def places(programme: Programme, purpose: Purpose, category: str) -> list[Place]:
    """The fields holding ``category`` in collections that serve ``purpose``."""
    return [
        Place(system, collection, field)
        for system in programme.systems
        for dataset in system.datasets
        for collection in dataset.collections
        if purpose.key in (collection.purposes or system.purposes)
        for field in collection.fields
        if any(covers(category, f) or covers(f, category) for f in field.data_categories)
    ]


def limit_at(programme: Programme, purpose: Purpose, place: Place) -> tuple[str, str]:
    """The time limit in force at ``place`` (see the module), and where that is."""
    system, collection = place.system, place.collection
    keeper = retaining_purpose(programme, collection, place.field)
    kept_by = keeper.retention if keeper is not None else None
    rule: str | None
    if kept_by is not None:
        rule = kept_by
    elif collection.purposes:
        rule = purpose.retention or system.retention
    else:
        rule = system.retention or purpose.retention
    specific = kept_by is not None or collection.retention_from is not None
    where = f"{system.name} ({collection.name})" if specific else system.name
    return _rule_limit(programme, rule, collection), where


def _rule_limit(programme: Programme, key: str | None, collection: Collection | None) -> str:
    rule = next((r for r in programme.retention if r.key == key), None)
    if rule is None:
        return NOT_STATED
    counted_from = None
    if collection is not None and collection.retention_from:
        source = collection.retention_from  # a parent's event is already ``parent.field``
        counted_from = source if "." in source else f"{collection.name}.{source}"
    return retention_text(rule, counted_from=counted_from)


def _line(category: str, limit: str, wheres: list[str]) -> str:
    if not wheres:
        return f"{category}: {limit}"
    where = ", ".join(wheres[:-1]) + " and " + wheres[-1] if len(wheres) > 1 else wheres[0]
    return f"{category} in {where}: {limit}"
