"""Retention rules: every piece of personal data has a period or a criterion (Art. 5(1)(e))."""

from __future__ import annotations

from collections.abc import Iterator

from tutela.checks.findings import CheckContext, Rule, Violation, rule
from tutela.checks.phrases import VAGUE_RETENTION, first_match
from tutela.checks.sites import DatasetSite, datasets, holds_personal_data


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


RULES: tuple[Rule, ...] = (
    purpose_without_retention,
    dataset_without_retention,
    rule_without_period_or_criterion,
    criterion_not_concrete,
)
"""The retention rules, in documentation order."""
