"""Retention rules: every piece of personal data has a period or a criterion (Art. 5(1)(e))."""

from __future__ import annotations

from collections.abc import Iterator

from tutela.checks.findings import CheckContext, Rule, Violation, rule
from tutela.checks.phrases import VAGUE_RETENTION, first_match
from tutela.checks.sites import DatasetSite, datasets, holds_personal_data
from tutela.programme.retention_paths import ProblemKind, problems


@rule(
    "retention/purpose-without-retention",
    severity="error",
    title="Purpose without a retention rule",
    source="GDPR Art. 5(1)(e), 13(2)(a), 30(1)(f); GDPR.md RT-1",
)
def purpose_without_retention(context: CheckContext) -> Iterator[Violation]:
    """Every purpose says how long its data is kept (Art. 13(2)(a); RT-1)."""
    for index, purpose in enumerate(context.programme.purposes):
        if purpose.retention is None:
            yield Violation(
                ("purposes", index, "retention"),
                f"purpose '{purpose.key}' has no retention rule",
                "set retention to the key of a retention rule (a period after a trigger, or a "
                "criterion)",
            )


def _dataset_has_retention(context: CheckContext, site: DatasetSite) -> bool:
    if site.system.retention is not None:
        return True
    keys = {key for c in site.dataset.collections for key in (c.purposes or site.system.purposes)}
    purposes = [context.purpose(key) for key in keys]
    return any(p is not None and p.retention is not None for p in purposes)


@rule(
    "retention/dataset-without-retention",
    severity="error",
    title="System dataset without retention",
    source="GDPR Art. 5(1)(e), 30(1)(f); GDPR.md RT-1, RT-2",
)
def dataset_without_retention(context: CheckContext) -> Iterator[Violation]:
    """A dataset with personal data has a retention rule: its system's or its purposes' (RT-1)."""
    for site in datasets(context.programme):
        personal = any(holds_personal_data(c) for c in site.dataset.collections)
        if personal and not _dataset_has_retention(context, site):
            yield Violation(
                site.path,
                f"dataset '{site.dataset.key}' of system '{site.system.key}' holds personal data "
                "but neither its system nor any of its purposes has a retention rule",
                "set retention on the system, or link the collections to purposes that have one",
            )


@rule(
    "retention/rule-without-period-or-criterion",
    severity="error",
    title="Retention rule with neither period nor criterion",
    source="GDPR Art. 13(2)(a), 30(1)(f); GDPR.md RT-1",
)
def rule_without_period_or_criterion(context: CheckContext) -> Iterator[Violation]:
    """A retention rule states a period or an objective criterion (Art. 13(2)(a); RT-1)."""
    for index, retention in enumerate(context.programme.retention):
        if retention.period is None and retention.criterion is None:
            yield Violation(
                ("retention", index),
                f"retention rule '{retention.key}' has neither a period nor a criterion",
                "set period (e.g. 2y, 48h) with a trigger, or criterion: the objective rule "
                "that ends retention",
            )


@rule(
    "retention/criterion-not-concrete",
    severity="warning",
    title="Retention criterion that does not let people work out the period",
    source="GDPR Art. 5(1)(e), 13(2)(a); WP260 Annex (storage period); GDPR.md RT-1",
)
def criterion_not_concrete(context: CheckContext) -> Iterator[Violation]:
    """A criterion without a period is concrete enough to assess the period (Art. 13(2)(a)).

    WP260 Annex: stating that data is kept "as long as necessary" for the purposes is not
    enough; the criteria must let the data subject assess how long it is kept (RT-1).
    """
    for index, retention in enumerate(context.programme.retention):
        if retention.period is not None:
            continue
        vague = first_match(VAGUE_RETENTION, [retention.criterion])
        if vague:
            yield Violation(
                ("retention", index, "criterion"),
                f"retention rule '{retention.key}' says only '{vague}': people cannot work out "
                "how long their data is kept (Art. 13(2)(a))",
                "give a period with its trigger (e.g. period: 3y, trigger: last_contact), or a "
                "criterion naming the event that ends retention and the periods around it "
                "(e.g. 'until the contract ends, then the 10-year tax retention')",
            )


# --- rules enforced by sweeps (issue 18): what tutela retention run needs ------------------


def _problems(context: CheckContext, kind: ProblemKind) -> Iterator[Violation]:
    """The problems of one kind that keep the rules with ``covers`` from being swept."""
    for problem in problems(context.programme):
        if problem.kind == kind:
            yield Violation(problem.path, problem.message, problem.hint)


@rule(
    "retention/covers-unknown",
    severity="error",
    title="Retention rule covering what the programme does not declare",
    source="GDPR Art. 5(1)(e); GDPR.md RT-1, RT-2",
)
def covers_unknown(context: CheckContext) -> Iterator[Violation]:
    """Each collection, purpose and category a rule ``covers`` is declared (RT-2).

    A collection is written ``dataset.collection``; a category must be held by some field
    (it, or one under it), or the rule would sweep nothing there.
    """
    yield from _problems(context, "unknown-cover")


@rule(
    "retention/covered-collection-without-time-column",
    severity="error",
    title="Covered collection without retention_from",
    source="GDPR Art. 5(1)(e); GDPR.md RT-1, RT-2",
)
def covered_without_time_column(context: CheckContext) -> Iterator[Violation]:
    """A collection a rule covers names the field its period counts from (RT-1)."""
    yield from _problems(context, "no-time-column")


@rule(
    "retention/column-not-found",
    severity="error",
    title="retention_from or customer_field naming a missing column",
    source="GDPR Art. 5(1)(e); GDPR.md RT-1, RT-2",
)
def column_not_found(context: CheckContext) -> Iterator[Violation]:
    """``retention_from`` and ``customer_field`` of a covered collection name declared fields.

    ``field`` is a field of the collection; ``parent.field`` a field of a collection of
    the same dataset that one of its fields references (RT-1).
    """
    yield from _problems(context, "column-not-found")


@rule(
    "retention/time-column-not-a-date",
    severity="error",
    title="retention_from naming a column that is not a date",
    source="GDPR Art. 5(1)(e); GDPR.md RT-1, RT-2",
)
def time_column_not_a_date(context: CheckContext) -> Iterator[Violation]:
    """The field a covered collection's period counts from is declared a date or datetime.

    ``type: date``, ``datetime`` or ``timestamp``: a sweep compares it with the cutoff
    (RT-1).
    """
    yield from _problems(context, "time-not-a-date")


@rule(
    "retention/covered-collection-without-key",
    severity="error",
    title="Covered collection without a single primary key",
    source="GDPR Art. 5(1)(e); GDPR.md RT-2",
)
def covered_without_key(context: CheckContext) -> Iterator[Violation]:
    """A covered collection declares one primary key: sweeps walk it by key ranges (RT-2)."""
    yield from _problems(context, "no-primary-key")


@rule(
    "retention/covered-rule-without-period",
    severity="error",
    title="Enforced retention rule without a period",
    source="GDPR Art. 5(1)(e), 13(2)(a); GDPR.md RT-1",
)
def covered_rule_without_period(context: CheckContext) -> Iterator[Violation]:
    """A rule with ``covers`` has a period, unless each customer chooses it (RT-1)."""
    yield from _problems(context, "no-period")


@rule(
    "retention/per-customer-incomplete",
    severity="error",
    title="Per-customer retention rule without choices or customer field",
    source="GDPR Art. 28(3)(a), 28(3)(g); GDPR.md PR-3, RT-1",
)
def per_customer_incomplete(context: CheckContext) -> Iterator[Violation]:
    """A ``per_customer`` rule lists ``choices``; each collection it covers a ``customer_field``.

    Seed §9: scan data deleted 24 or 48 hours after the scan, as each customer chose (PR-3).
    """
    yield from _problems(context, "per-customer-incomplete")


@rule(
    "retention/anonymise-cannot-run",
    severity="error",
    title="Anonymising rule a sweep cannot apply",
    source="GDPR Art. 5(1)(e), Recital 26; GDPR.md RT-2, ER-1",
)
def anonymise_cannot_run(context: CheckContext) -> Iterator[Violation]:
    """An ``anonymise`` rule overwrites each personal field with one value for all rows.

    The field's erasure strategy must be ``null`` (on a nullable field) or ``fixed``:
    a per-row strategy (``hash``, ``random``) or ``delete`` cannot run as one statement
    over a range, and a collection without personal fields has nothing to anonymise (RT-2).
    """
    yield from _problems(context, "anonymise-cannot-run")


@rule(
    "retention/archive-unusable",
    severity="error",
    title="Archiving rule without a usable archive collection",
    source="GDPR Art. 5(1)(e), 89(1); GDPR.md RT-2",
)
def archive_unusable(context: CheckContext) -> Iterator[Violation]:
    """An ``archive`` rule's ``archive_to`` is a collection that can take the rows (RT-2).

    Another collection of the same dataset, declaring every column of each collection the
    rule covers.
    """
    yield from _problems(context, "archive-unusable")


@rule(
    "retention/customer-without-account",
    severity="warning",
    title="Processor customer without an account for per-customer retention",
    source="GDPR Art. 28(3)(a), 28(3)(g); GDPR.md PR-3",
)
def customer_without_account(context: CheckContext) -> Iterator[Violation]:
    """A customer of a system a ``per_customer`` rule covers gives its ``account``.

    Without it the sweep cannot tell the customer's rows, and keeps them (PR-3).
    """
    yield from _problems(context, "customer-without-account")


RULES: tuple[Rule, ...] = (
    purpose_without_retention,
    dataset_without_retention,
    rule_without_period_or_criterion,
    criterion_not_concrete,
    covers_unknown,
    covered_without_time_column,
    column_not_found,
    time_column_not_a_date,
    covered_without_key,
    covered_rule_without_period,
    per_customer_incomplete,
    anonymise_cannot_run,
    archive_unusable,
    customer_without_account,
)
"""The retention rules, in documentation order."""
