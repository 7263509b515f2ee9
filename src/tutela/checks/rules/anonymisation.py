"""Anonymisation rules for statistics releases (Recital 26; WP216; GDPR.md AN-1..AN-3)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tutela.checks.findings import CheckContext, Rule, Violation, rule
from tutela.programme.models import AnonymisedRelease, Programme

MIN_K = 5
"""Smallest k tutela accepts without a warning (WP216 §3: avoid small k)."""

GENERALISING = {"k_anonymity", "l_diversity"}


def _releases(context: CheckContext, methods: set[str]) -> Iterator[tuple[int, AnonymisedRelease]]:
    for index, release in enumerate(context.programme.anonymisation):
        if release.method in methods:
            yield index, release


@rule(
    "anonymisation/small-k",
    severity="warning",
    title="k-anonymity with a missing or small k",
    source="GDPR Recital 26; WP216 §3.2; GDPR.md AN-2, AN-3",
)
def small_k(context: CheckContext) -> Iterator[Violation]:
    """A generalised release states k, and k is at least 5 (WP216; AN-3)."""
    for index, release in _releases(context, GENERALISING):
        if release.k is None or release.k < MIN_K:
            found = "no k" if release.k is None else f"k = {release.k}"
            yield Violation(
                ("anonymisation", index, "k"),
                f"anonymised release '{release.key}' ({release.method}) has {found}",
                f"set k to at least {MIN_K} and record the measured k of each release",
            )


@rule(
    "anonymisation/no-quasi-identifiers",
    severity="warning",
    title="Generalised release without quasi-identifiers",
    source="GDPR Recital 26; WP216 §3.2; GDPR.md AN-3",
)
def no_quasi_identifiers(context: CheckContext) -> Iterator[Violation]:
    """k-anonymity means nothing unless every quasi-identifier is listed (AN-3)."""
    for index, release in _releases(context, GENERALISING):
        if not release.quasi_identifiers:
            yield Violation(
                ("anonymisation", index, "quasi_identifiers"),
                f"anonymised release '{release.key}' lists no quasi-identifiers",
                "list every attribute an attacker could link (e.g. postcode, birth year, job "
                "title) under quasi_identifiers",
            )


@rule(
    "anonymisation/no-l",
    severity="warning",
    title="l-diversity release without l",
    source="WP216 §3.2.3; GDPR.md AN-3",
)
def no_l(context: CheckContext) -> Iterator[Violation]:
    """An l-diversity release states l for its sensitive attributes (AN-3)."""
    for index, release in _releases(context, {"l_diversity"}):
        if release.l is None:
            yield Violation(
                ("anonymisation", index, "l"),
                f"anonymised release '{release.key}' uses l-diversity without stating l",
                "set l (at least 2) for the sensitive attributes",
            )


@rule(
    "anonymisation/no-small-cell-suppression",
    severity="warning",
    title="Aggregation without small-cell suppression",
    source="GDPR Recital 26; WP216 §3.2; GDPR.md AN-3",
)
def no_small_cell_suppression(context: CheckContext) -> Iterator[Violation]:
    """Aggregates suppress small cells so no one is singled out (WP216; AN-3)."""
    for index, release in _releases(context, {"aggregation"}):
        if release.min_cell is None:
            yield Violation(
                ("anonymisation", index, "min_cell"),
                f"aggregated release '{release.key}' does not suppress small cells",
                f"set min_cell (e.g. {MIN_K}): cells with fewer people are suppressed",
            )


DIRECT_CATEGORIES = (
    "user.contact.email",
    "user.contact.phone_number",
    "user.name",
    "user.government_id",
    "user.financial.bank_account",
    "user.financial.credit_card",
    "user.payment",
    "user.device.ip_address",
    "user.device.device_id",
    "user.unique_id",
    "user.account.username",
)
"""Data categories (and their sub-categories) that identify a person directly (AN-1)."""

DIRECT_NAMES = frozenset(
    {
        *("email", "e_mail", "email_address", "mail", "name", "full_name", "first_name"),
        *("last_name", "surname", "given_name", "phone", "phone_number", "telephone"),
        *("mobile", "ssn", "national_id", "national_number", "passport", "passport_number"),
        *("tax_id", "iban", "account_number", "bank_account", "card", "card_number"),
        *("credit_card", "ip", "ip_address", "device_id", "username", "user_name", "login"),
    }
)
"""Column names taken for direct identifiers when no dataset declares the column."""


@rule(
    "anonymisation/direct-identifier-as-quasi-identifier",
    severity="warning",
    title="Direct identifier listed as a quasi-identifier",
    source="GDPR Recital 26; WP216 §3.2; GDPR.md AN-1",
)
def direct_identifier_as_quasi_identifier(context: CheckContext) -> Iterator[Violation]:
    """Direct identifiers are removed before release, never generalised (AN-1; WP216)."""
    programme = context.programme
    for index, release in enumerate(programme.anonymisation):
        for position, name in enumerate(release.quasi_identifiers):
            why = _direct_identifier(programme, release, name)
            if why is not None:
                yield Violation(
                    ("anonymisation", index, "quasi_identifiers", position),
                    f"anonymised release '{release.key}' lists '{name}' as a quasi-identifier: "
                    f"{why}",
                    "remove direct identifiers from the release's source (do not generalise "
                    "them); keep only attributes that identify in combination",
                )


def _direct_identifier(programme: Programme, release: AnonymisedRelease, name: str) -> str | None:
    """Why ``name`` is a direct identifier, or None: its declared field, else its name."""
    system = release.source.system if release.source is not None else None
    declared = [
        field
        for found in programme.systems
        if found.key == system
        for dataset in found.datasets
        for collection in dataset.collections
        for field in collection.fields
        if field.name == name
    ]
    for field in declared:
        if field.identity is not None:
            return f"system '{system}' declares it as the identity {field.identity}"
        for category in field.data_categories:
            if any(category == d or category.startswith(d + ".") for d in DIRECT_CATEGORIES):
                return f"system '{system}' declares it as {category}, a direct identifier"
    if not declared and re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") in DIRECT_NAMES:
        return "its name is that of a direct identifier"
    return None


RULES: tuple[Rule, ...] = (
    small_k,
    no_quasi_identifiers,
    no_l,
    no_small_cell_suppression,
    direct_identifier_as_quasi_identifier,
)
"""The anonymisation rules, in documentation order."""
