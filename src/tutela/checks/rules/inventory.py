"""Inventory rules: datasets and purposes describe the same data, and requests can find it."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from tutela.checks.findings import CheckContext, Rule, Violation, rule
from tutela.checks.sites import (
    CollectionSite,
    collections,
    fields,
    holds_personal_data,
    is_personal,
    related,
)
from tutela.programme.models import Reference
from tutela.taxonomy.vocabulary import covers


@rule(
    "inventory/field-category-without-purpose",
    severity="error",
    title="Dataset field holding a category that no purpose declares",
    source="GDPR Art. 5(1)(b)-(c), 13(1)(c), 30(1)(c); GDPR.md LB-1",
)
def field_category_without_purpose(context: CheckContext) -> Iterator[Violation]:
    """Data held in a system serves a declared purpose (purpose limitation, Art. 5(1)(b)).

    Systems with ``role: processor`` are skipped: their data serves the controller's
    purposes, recorded in its DPA and our Art. 30(2) record (GDPR.md PR-1).
    """
    declared = [c for purpose in context.programme.purposes for c in purpose.categories]
    for site in fields(context.programme):
        if site.owner.system.role == "processor":
            continue
        for category in site.field.data_categories:
            if is_personal(category) and not any(covers(d, category) for d in declared):
                yield Violation(
                    (*site.path, "data_categories"),
                    f"field '{site.name}' holds '{category}', which no purpose declares",
                    f"add '{category}' (or a parent category) to the categories of the purpose "
                    "it serves, or stop storing it",
                )


@rule(
    "inventory/category-not-held",
    severity="warning",
    title="Purpose category that no dataset holds",
    source="GDPR Art. 13(1)(c), 30(1)(c); GDPR.md AC-2",
)
def category_not_held(context: CheckContext) -> Iterator[Violation]:
    """A declared category is found in some dataset, so requests can answer for it (Art. 15).

    Skipped for a programme that describes no datasets at all.
    """
    held = [c for site in fields(context.programme) for c in site.field.data_categories]
    if not held:
        return
    for index, purpose in enumerate(context.programme.purposes):
        for category in purpose.categories:
            if not any(related(category, h) for h in held):
                yield Violation(
                    ("purposes", index, "categories"),
                    f"purpose '{purpose.key}' declares '{category}', which no dataset field holds",
                    "tag the fields that hold it with this category, or describe the system "
                    "that holds it",
                )


@rule(
    "inventory/identity-without-primary-key",
    severity="warning",
    title="Identity field on a collection without a primary key",
    source="GDPR Art. 15-17, 12(2); GDPR.md AC-4, ER-1",
)
def identity_without_primary_key(context: CheckContext) -> Iterator[Violation]:
    """Rows found by identity are erased one by one only with a primary key (Art. 17; ER-1)."""
    for site in collections(context.programme):
        fields_ = site.collection.fields
        identities = [f for f in fields_ if f.identity is not None]
        if identities and not any(f.primary_key for f in fields_):
            yield Violation(
                (*site.path, "fields"),
                f"collection '{site.name}' has identity field '{identities[0].name}' but no "
                "primary key",
                "mark the key column with primary_key: true",
            )


def _target(site: CollectionSite, reference: Reference, names: set[str]) -> str | None:
    parts = reference.to.split(".")
    if len(parts) < 2:
        return None
    local = f"{site.dataset.key}.{'.'.join(parts[:-1])}"
    qualified = ".".join(parts[:-1])
    return local if local in names else qualified if qualified in names else None


def _edges(sites: list[CollectionSite]) -> dict[str, set[str]]:
    names = {site.name for site in sites}
    edges: dict[str, set[str]] = {name: set() for name in names}
    for site in sites:
        for item in site.collection.fields:
            for reference in item.references:
                target = _target(site, reference, names)
                if target is None:
                    continue
                if reference.direction in ("to", "both"):
                    edges[site.name].add(target)
                if reference.direction in ("from", "both"):
                    edges[target].add(site.name)
    return edges


def reachable(sites: list[CollectionSite]) -> set[str]:
    """Names of the collections reachable from an identity field along references."""
    edges = _edges(sites)
    seen = {s.name for s in sites if any(f.identity for f in s.collection.fields)}
    queue = deque(seen)
    while queue:
        for following in edges[queue.popleft()] - seen:
            seen.add(following)
            queue.append(following)
    return seen


@rule(
    "requests/unreachable-data",
    severity="error",
    title="Personal data that no identity can reach",
    source="GDPR Art. 12(2), 15, 17; GDPR.md AC-1, AC-4, ER-1",
)
def unreachable_data(context: CheckContext) -> Iterator[Violation]:
    """Requests find every collection with personal data from an identity (Art. 15; AC-1)."""
    sites = list(collections(context.programme))
    reached = reachable(sites)
    for site in sites:
        if site.name not in reached and holds_personal_data(site.collection):
            yield Violation(
                site.path,
                f"collection '{site.name}' holds personal data but no identity reaches it, so "
                "access and erasure requests could not find it",
                "mark a field with identity: (e.g. email), or add a reference to a collection "
                "that has one",
            )


RULES: tuple[Rule, ...] = (
    field_category_without_purpose,
    category_not_held,
    identity_without_primary_key,
    unreachable_data,
)
"""The inventory and request-reachability rules, in documentation order."""
